package io.greenline.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.WrappedStateStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CachedStoresBuilderTest {

    @Test
    @DisplayName("Key-value stores get the decoded write-back cache, window stores the record cache, versioned stores none")
    void storesGetARecordCache() {
        StreamsBuilder builder = new CachedStoresBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("counts"), Serdes.String(), Serdes.Long()));
        builder.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore("seen", Duration.ofHours(1), Duration.ofMillis(1), false),
                Serdes.String(), Serdes.Long()));
        builder.addStateStore(Stores.versionedKeyValueStoreBuilder(Stores.persistentVersionedKeyValueStore("versions", Duration.ofDays(1)),
                Serdes.String(), Serdes.Long()));
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                .process(Count::new, "counts", "seen", "versions");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "cached-stores-test");
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/cached-stores-test-" + System.nanoTime());
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
            driver.createInputTopic("in", Serdes.String().serializer(), Serdes.String().serializer()).pipeInput("line-1", "x");
            var stores = driver.getAllStateStores();
            assertThat(layers(stores.get("counts"))).first().isEqualTo("ObjectCacheStore");
            assertThat(layers(stores.get("counts"))).noneMatch(name -> name.startsWith("Caching"));
            assertThat(layers(stores.get("seen"))).anyMatch(name -> name.startsWith("Caching"));
            assertThat(layers(stores.get("versions"))).isNotEmpty().noneMatch(name -> name.startsWith("Caching"));
            KeyValueStore<String, Long> counts = driver.getKeyValueStore("counts");
            assertThat(counts.get("line-1")).isEqualTo(1L);
        }
    }

    private static List<String> layers(StateStore store) {
        List<String> names = new ArrayList<>();
        StateStore layer = store;
        while (layer != null) {
            names.add(layer.getClass().getSimpleName());
            layer = layer instanceof WrappedStateStore<?, ?, ?> wrapped ? wrapped.wrapped() : null;
        }
        return names;
    }

    private static final class Count implements Processor<String, String, Void, Void> {
        private KeyValueStore<String, Long> counts;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            counts = context.getStateStore("counts");
        }

        @Override
        public void process(Record<String, String> record) {
            Long n = counts.get(record.key());
            counts.put(record.key(), n == null ? 1L : n + 1);
        }
    }
}

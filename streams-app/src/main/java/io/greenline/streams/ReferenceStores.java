package io.greenline.streams;

import io.greenline.events.EmissionFactor;
import io.greenline.events.LineConfig;
import io.greenline.schemas.Topic;
import io.greenline.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.VersionedKeyValueStore;

/**
 * The application's reference data as GLOBAL versioned stores (KIP-889): every version of a line config or an
 * emission factor, put at its own {@code validFrom}, so any processor can read the version valid at a record's
 * time ({@code get(key, asOf)}) whatever its own partitioning.
 *
 * <p>Like {@link InputStreams}, one store per {@link StreamsBuilder}: a topic can be a source only once per
 * application, so every topology asks here and the first call adds the store (with its history); later calls
 * for the same builder add nothing. A global store restores from its compacted source topic, so it has no
 * changelog. Its values are read through an {@link OutageTolerantDeserializer}: the global thread cannot be
 * replaced, so it waits a registry outage out rather than ending the client.
 *
 * <p>The line-config store also holds the {@link LineConfigIndex} (which lines the configs place in each area and
 * site), written by the same update processor; every write marks the store changed for the processors' {@link
 * VersionCache}s; {@code StreamsBuilder#addGlobalStore} runs that processor again when
 * the store is restored (Kafka Streams 4.x), so the index is rebuilt with the versions.
 */
public final class ReferenceStores {

    private static final Map<StreamsBuilder, Set<String>> ADDED = Collections.synchronizedMap(new WeakHashMap<>());

    private ReferenceStores() {
    }

    /** {@link StoreNames#LINE_CONFIG_VERSIONS}: lineId to every {@code LineConfig} version, from {@code mfg.line-config}. */
    public static void lineConfigVersions(StreamsBuilder builder, Topics topics, Duration history) {
        add(builder, StoreNames.LINE_CONFIG_VERSIONS, topics.lineConfig, history, LineConfig::getLineId, LineConfig::getValidFrom,
                () -> new LineConfigIndex.Writer()::record);
    }

    /** {@link StoreNames#EMISSION_FACTOR_VERSIONS}: {@code carrier/region/basis} to every factor version, from {@code mfg.emission-factors}. */
    public static void emissionFactorVersions(StreamsBuilder builder, Topics topics, Duration history) {
        add(builder, StoreNames.EMISSION_FACTOR_VERSIONS, topics.emissionFactors, history, Topics::emissionFactorKey,
                EmissionFactor::getValidFrom, () -> (store, value) -> { });
    }

    private static <V> void add(StreamsBuilder builder, String store, Topic<String, V> topic, Duration history,
                                Function<V, String> keyOf, Function<V, Instant> validFrom,
                                Supplier<BiConsumer<VersionedKeyValueStore<String, V>, V>> afterPut) {
        synchronized (ADDED) {
            if (!ADDED.computeIfAbsent(builder, b -> new HashSet<>()).add(store)) {
                return;
            }
        }
        builder.addGlobalStore(
                Stores.versionedKeyValueStoreBuilder(Stores.persistentVersionedKeyValueStore(store, history),
                        Serdes.String(), topic.valueSerde()).withLoggingDisabled(),
                topic.name(), Consumed.with(topic.keySerde(), Serdes.serdeFrom(topic.valueSerde().serializer(),
                        new OutageTolerantDeserializer<>(topic.valueSerde().deserializer(), Duration.ofSeconds(1), Duration.ofSeconds(30))))
                        .withName(topic.name() + "-source"),
                () -> new VersionUpdater<>(store, keyOf, validFrom, afterPut.get()));
    }

    /**
     * Puts each version at its own {@code validFrom}, under the key derived from the value (so a producer's key typo
     * cannot misfile a version); a tombstone ends the key's latest version at the record's timestamp. Then
     * {@code afterPut} derives what else the store keeps from the version (for line configs: {@link LineConfigIndex}).
     * Keys in the index's reserved range are never written from the topic.
     */
    private static final class VersionUpdater<V> implements Processor<String, V, Void, Void> {
        private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(VersionUpdater.class);
        private final String storeName;
        private final Function<V, String> keyOf;
        private final Function<V, Instant> validFrom;
        private final BiConsumer<VersionedKeyValueStore<String, V>, V> afterPut;
        private VersionedKeyValueStore<String, V> store;

        VersionUpdater(String storeName, Function<V, String> keyOf, Function<V, Instant> validFrom,
                       BiConsumer<VersionedKeyValueStore<String, V>, V> afterPut) {
            this.storeName = storeName;
            this.keyOf = keyOf;
            this.validFrom = validFrom;
            this.afterPut = afterPut;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, V> record) {
            V value = record.value();
            if (value == null) {
                if (record.key() != null && !LineConfigIndex.reserved(record.key())) {
                    store.delete(record.key(), record.timestamp());
                    VersionCache.changed(storeName);
                }
                return;
            }
            String key = keyOf.apply(value);
            if (LineConfigIndex.reserved(key)) {
                log.warn("{}: a version keyed {} is ignored: keys starting with NUL are reserved", storeName, key.substring(1));
                return;
            }
            store.put(key, value, validFrom.apply(value).toEpochMilli());
            afterPut.accept(store, value);
            VersionCache.changed(storeName);
        }
    }
}

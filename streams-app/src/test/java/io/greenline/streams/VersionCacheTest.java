package io.greenline.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class VersionCacheTest {

    private static final String NAME = "version-cache-test";
    private VersionedKeyValueStore<String, String> store;
    /** Store reads that reached RocksDB. */
    private final AtomicInteger reads = new AtomicInteger();
    private VersionCache<String> cache;

    @BeforeEach
    void open() throws Exception {
        Path dir = Files.createTempDirectory("version-cache");
        store = Stores.versionedKeyValueStoreBuilder(Stores.persistentVersionedKeyValueStore(NAME, Duration.ofDays(30)),
                Serdes.String(), Serdes.String()).withLoggingDisabled().build();
        MockProcessorContext<Void, Void> context = new MockProcessorContext<>(new Properties(), new TaskId(0, 0), dir.toFile());
        store.init(context.getStateStoreContext(), store);
        cache = new VersionCache<>(countingView(), NAME);
    }

    /** The store, counting the lookups that reach it. */
    @SuppressWarnings("unchecked")
    private VersionedKeyValueStore<String, String> countingView() {
        return (VersionedKeyValueStore<String, String>) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {VersionedKeyValueStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("get")) {
                        reads.incrementAndGet();
                    }
                    return method.invoke(store, args);
                });
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void write(String key, String value, long validFrom) {
        store.put(key, value, validFrom);
        VersionCache.changed(NAME);
    }

    @Test
    @DisplayName("The latest version answers every later instant, an older one every instant it was read for, without another store read")
    void answersWithinValidity() {
        write("line-1", "v1", 1_000);
        write("line-1", "v2", 5_000);
        assertThat(cache.get("line-1", 6_000).value()).isEqualTo("v2");
        int afterLatest = reads.get();
        assertThat(cache.get("line-1", 9_999_999).value()).isEqualTo("v2");
        assertThat(cache.get("line-1", 5_000).value()).isEqualTo("v2");
        assertThat(cache.get("line-1").value()).isEqualTo("v2");
        assertThat(reads).hasValue(afterLatest);

        assertThat(cache.get("line-1", 3_000).value()).isEqualTo("v1");
        int afterOlder = reads.get();
        assertThat(afterOlder).isGreaterThan(afterLatest);
        assertThat(cache.get("line-1", 3_000).value()).isEqualTo("v1");
        assertThat(cache.get("line-1", 1_000).value()).isEqualTo("v1");
        assertThat(cache.get("line-1", 2_999).value()).isEqualTo("v1");
        assertThat(reads).hasValue(afterOlder);
        assertThat(cache.get("line-1", 4_999).value()).isEqualTo("v1");
        assertThat(cache.get("line-1", 4_000).value()).isEqualTo("v1");
        assertThat(reads.get()).isLessThanOrEqualTo(afterOlder + 1);

        assertThat(cache.get("line-1", 999)).isNull();
        assertThat(cache.get("line-2")).isNull();
    }

    @Test
    @DisplayName("A new version, even one inside a validity already cached, is seen at the next read")
    void aWriteDropsTheCache() {
        write("line-1", "v1", 1_000);
        assertThat(cache.get("line-1", 8_000).value()).isEqualTo("v1");
        write("line-1", "v1b", 6_000);
        assertThat(cache.get("line-1", 8_000).value()).isEqualTo("v1b");
        assertThat(cache.get("line-1", 2_000).value()).isEqualTo("v1");
        store.delete("line-1", 7_000);
        VersionCache.changed(NAME);
        assertThat(cache.get("line-1", 8_000)).isNull();
        assertThat(cache.get("line-1")).isNull();
    }
}

package io.greenline.streams;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.KeyValueStoreBuilder;
import org.apache.kafka.streams.state.internals.VersionedKeyValueStoreBuilder;

/**
 * The {@link StreamsBuilder} of the application: every state store a topology adds with {@link #addStateStore} gets
 * a cache, so the repeated updates of one key between two commits (a window updated by every event of its line, a
 * line's clock, a ledger) collapse into one RocksDB write and one changelog record per commit.
 *
 * <ul>
 *   <li>A key-value store (every one has String keys) gets an {@link ObjectCacheStore}: a write-back cache of
 *       decoded values, at most {@code greenline.state.cache.entries} keys per store instance, so a value updated
 *       by every event is also decoded and encoded once per commit, not once per event (the store serdes and the
 *       byte-level record cache were a third of the stream threads' time at N = 1,000,000).</li>
 *   <li>Any other store (window stores) gets the Kafka Streams record cache ({@link StoreBuilder#withCachingEnabled()},
 *       {@code statestore.cache.max.bytes}, shared by the stores of a stream thread).</li>
 * </ul>
 *
 * <p>Applied in this one place rather than in each topology, so a new store cannot forget it. The exception is a
 * store whose keys are each written once and then only looked up ({@link #uncached}: the duplicate detectors'
 * event ids, the quality unit memory): nothing collapses there, and its stream of new keys would only fill the cache
 * and evict the hot windows. Versioned stores (the global reference stores) have no cache in Kafka Streams and are
 * left as they are. The topologies' own {@code build} methods (used by their unit tests) use a plain builder: a cache
 * changes when RocksDB and the changelog are written, never what a processor reads.
 */
public class CachedStoresBuilder extends StreamsBuilder {

    /** Keys of one key-value store instance held decoded by default ({@code greenline.state.cache.entries}). */
    public static final int DEFAULT_CACHE_ENTRIES = 10_000;

    /** Builders marked {@link #uncached}; weak, so a builder of a topology no longer used does not stay. */
    private static final Set<StoreBuilder<?>> UNCACHED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private final int cacheEntries;

    public CachedStoresBuilder() {
        this(DEFAULT_CACHE_ENTRIES);
    }

    /**
     * With at most {@code cacheEntries} decoded keys per key-value store instance; 0: the key-value stores get the
     * record cache of Kafka Streams instead, as every other store (the benchmark's {@code bytecache} run).
     */
    public CachedStoresBuilder(int cacheEntries) {
        if (cacheEntries < 0) {
            throw new IllegalArgumentException("cache entries must not be negative: " + cacheEntries);
        }
        this.cacheEntries = cacheEntries;
    }

    /** Marks a store whose keys are written once (no update to collapse): it gets no cache here. */
    public static <B extends StoreBuilder<?>> B uncached(B builder) {
        UNCACHED.add(builder);
        return builder;
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized StreamsBuilder addStateStore(StoreBuilder<?> builder) {
        if (builder instanceof VersionedKeyValueStoreBuilder<?, ?> || UNCACHED.contains(builder)) {
            return super.addStateStore(builder);
        }
        if (builder instanceof KeyValueStoreBuilder<?, ?> keyValue && cacheEntries > 0) {
            return super.addStateStore(new ObjectCached<>((StoreBuilder<KeyValueStore<String, Object>>) (StoreBuilder<?>) keyValue, cacheEntries));
        }
        return super.addStateStore(builder.withCachingEnabled());
    }

    /** Builds the store of {@code inner} (without its record cache) inside an {@link ObjectCacheStore}. */
    private static final class ObjectCached<V> implements StoreBuilder<KeyValueStore<String, V>> {
        private final StoreBuilder<KeyValueStore<String, V>> inner;
        private final int entries;

        ObjectCached(StoreBuilder<KeyValueStore<String, V>> inner, int entries) {
            this.inner = inner.withCachingDisabled();
            this.entries = entries;
        }

        @Override
        public StoreBuilder<KeyValueStore<String, V>> withCachingEnabled() {
            return this;
        }

        @Override
        public StoreBuilder<KeyValueStore<String, V>> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<KeyValueStore<String, V>> withLoggingEnabled(Map<String, String> config) {
            inner.withLoggingEnabled(config);
            return this;
        }

        @Override
        public StoreBuilder<KeyValueStore<String, V>> withLoggingDisabled() {
            inner.withLoggingDisabled();
            return this;
        }

        @Override
        public KeyValueStore<String, V> build() {
            return new ObjectCacheStore<>(inner.build(), entries);
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}

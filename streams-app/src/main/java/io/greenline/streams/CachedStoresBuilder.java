package io.greenline.streams;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.VersionedKeyValueStoreBuilder;

/**
 * The {@link StreamsBuilder} of the application: every state store a topology adds with {@link #addStateStore} gets
 * a Kafka Streams record cache ({@link StoreBuilder#withCachingEnabled()}), so the repeated updates of one key
 * between two commits (a window updated by every event of its line, a line's clock, a ledger) collapse into one
 * RocksDB write and one changelog record per commit. The cache is {@code statestore.cache.max.bytes}, shared by the
 * stores of a stream thread; reads (processors and the query API) go through it and see every update at once.
 *
 * <p>Applied in this one place rather than in each topology, so a new store cannot forget it. The exception is a
 * store whose keys are each written once and then only looked up ({@link #uncached}: the duplicate detectors'
 * event ids): nothing collapses there, and its stream of new keys filled the cache and evicted the hot windows
 * (at N = 1,000,000 a quarter of the stream threads' samples were the cache's puts, evictions and flushes). Versioned stores
 * (the global reference stores) have no record cache in Kafka Streams and are left as they are; a window store
 * that retains duplicates ignores the cache. The topologies' own {@code build} methods (used by their unit tests)
 * use a plain builder: a record cache changes when RocksDB and the changelog are written, never what a processor
 * reads.
 */
public class CachedStoresBuilder extends StreamsBuilder {

    /** Builders marked {@link #uncached}; weak, so a builder of a topology no longer used does not stay. */
    private static final Set<StoreBuilder<?>> UNCACHED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    /** Marks a store whose keys are written once (no update to collapse): it gets no record cache here. */
    public static <B extends StoreBuilder<?>> B uncached(B builder) {
        UNCACHED.add(builder);
        return builder;
    }

    @Override
    public synchronized StreamsBuilder addStateStore(StoreBuilder<?> builder) {
        if (!(builder instanceof VersionedKeyValueStoreBuilder<?, ?>) && !UNCACHED.contains(builder)) {
            builder.withCachingEnabled();
        }
        return super.addStateStore(builder);
    }
}

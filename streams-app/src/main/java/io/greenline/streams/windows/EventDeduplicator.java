package io.greenline.streams.windows;

import io.greenline.streams.CachedStoresBuilder;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Remembers event ids for a bounded time, to ignore duplicates (docs/design.md: "a repeated id is ignored"): an id
 * is a duplicate of one remembered at an event time at most the retention R away from its own.
 *
 * <p>Constant work per event, by point lookups only: an id seen at time {@code s} is stored in a persistent window
 * store under the window start {@code floor(s / R) * R} (its bucket) with {@code s} as the value. An id at time
 * {@code t} can only collide with times in {@code [t - R, t + R]}, which lie in at most three buckets, so
 * {@link #seen} is at most three exact {@code fetch(id, bucketStart)} lookups (a RocksDB get each, behind the record
 * cache), never a range scan over segments. Two times of one id in the same bucket are less than R apart, so the
 * second is a duplicate and one value per id and bucket is enough. The store keeps 3R behind the newest bucket it
 * holds, so an id is found while its time is within 2R of the newest time remembered (more than the R a window store
 * keyed by exact time kept before); older segments are dropped whole by the window store (the enforced retention).
 * Use one key space per source, e.g. {@code lineId/state/eventId}.
 */
public final class EventDeduplicator {

    private final WindowStore<String, Long> store;
    private final long retentionMs;

    public EventDeduplicator(WindowStore<String, Long> store, Duration retention) {
        this.store = store;
        this.retentionMs = retention.toMillis();
        ChangelogMarker.mark(store, 0L);
    }

    /**
     * The store this deduplicator needs (it keeps three times the retention: see the class comment), without a
     * record cache: each id is written once, so a cache would only hold new ids and evict what repeats.
     */
    public static StoreBuilder<WindowStore<String, Long>> storeBuilder(String name, Duration retention) {
        return CachedStoresBuilder.uncached(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(name, retention.multipliedBy(3), Duration.ofMillis(1), false),
                Serdes.String(), Serdes.Long()));
    }

    /** True when {@code id} was remembered at a time at most the retention away from {@code atMs}. Reads only. */
    public boolean seen(String id, long atMs) {
        long first = Math.floorDiv(atMs - retentionMs, retentionMs);
        long last = Math.floorDiv(atMs + retentionMs, retentionMs);
        for (long bucket = first; bucket <= last; bucket++) {
            Long at = store.fetch(id, bucket * retentionMs);
            if (at != null && Math.abs(at - atMs) <= retentionMs) {
                return true;
            }
        }
        return false;
    }

    /** Remembers {@code id} at {@code atMs}: call once the event is accepted. */
    public void remember(String id, long atMs) {
        store.put(id, atMs, Math.floorDiv(atMs, retentionMs) * retentionMs);
    }
}

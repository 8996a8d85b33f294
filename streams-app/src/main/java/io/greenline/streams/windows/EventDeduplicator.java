package io.greenline.streams.windows;

import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Remembers event ids for a bounded time, to ignore duplicates (docs/design.md: "duplicates are ignored"). Backed by
 * a persistent window store keyed by id at the event's timestamp; entries older than the retention (by the
 * store's stream time) are dropped segment by segment, so the store does not grow forever. Use one key space per
 * source, e.g. {@code lineId/state/eventId}.
 */
public final class EventDeduplicator {

    private final WindowStore<String, Long> store;
    private final long retentionMs;

    public EventDeduplicator(WindowStore<String, Long> store, Duration retention) {
        this.store = store;
        this.retentionMs = retention.toMillis();
        ChangelogMarker.mark(store, 0L);
    }

    /** The store this deduplicator needs, to add to the topology and connect to its processor. */
    public static StoreBuilder<WindowStore<String, Long>> storeBuilder(String name, Duration retention) {
        return Stores.windowStoreBuilder(Stores.persistentWindowStore(name, retention, Duration.ofMillis(1), false),
                Serdes.String(), Serdes.Long());
    }

    /** True when {@code id} was remembered within the retention around {@code atMs}. Reads only. */
    public boolean seen(String id, long atMs) {
        try (WindowStoreIterator<Long> it = store.fetch(id, Instant.ofEpochMilli(atMs - retentionMs), Instant.ofEpochMilli(atMs + retentionMs))) {
            return it.hasNext();
        }
    }

    /** Remembers {@code id} at {@code atMs}: call once the event is accepted. */
    public void remember(String id, long atMs) {
        store.put(id, atMs, atMs);
    }
}

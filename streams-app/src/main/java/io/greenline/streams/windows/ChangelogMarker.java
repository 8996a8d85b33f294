package io.greenline.streams.windows;

import org.apache.kafka.streams.state.WindowStore;

/**
 * Works around a Kafka Streams 4.4 restart wipe of window stores under exactly-once.
 *
 * <p>Key-value stores keep their changelog offsets in RocksDB themselves (KIP-1035). Window stores do not: Kafka
 * wraps them in {@code LegacyCheckpointingStateStore}, which writes on a clean close only the changelog offsets it
 * has seen. A window store that was never written (no alert raised yet, a dedup store on a partition without its
 * kind of event) is closed with no offset, and on the next start its task, whose other stores hold data, is
 * treated as corrupted: "State store ... did not find checkpoint offsets while stores are not empty ... wipe out
 * the local state of task" and everything is restored from the changelogs, on every restart.
 *
 * <p>{@link #mark} puts one tiny marker at time 0 into the store when it is not there, when the store's processor
 * starts. That is one changelog record, so the store has an offset and is checkpointed from then on. The marker
 * key starts with NUL, which no id does, so no lookup meets it; once the store's time has moved past its
 * retention, the marker's segment is dropped like any other and the next start writes it again.
 */
public final class ChangelogMarker {

    /** The marker's key: no line, event or alert id starts with NUL. */
    public static final String KEY = "\u0000changelog-marker";

    private ChangelogMarker() {
    }

    /** Writes the marker into {@code store} unless present (call from the processor's {@code init}). */
    public static <V> void mark(WindowStore<String, V> store, V value) {
        if (store.fetch(KEY, 0L) == null) {
            store.put(KEY, value, 0L);
        }
    }
}

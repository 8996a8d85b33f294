package io.greenline.streams.oee;

import io.greenline.events.OeeLedgerEntry;
import io.greenline.events.OeeTimelineEntry;
import io.greenline.streams.windows.PurgeCursor;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The {@link Timeline} of one line in the {@code oee-line-ledger} store: one entry per state change under the key
 * {@code T/lineId/time/seq} (both as 16 hex digits, the time with its sign bit flipped), so that the keys of a line
 * sort by time, then arrival, and every lookup is a seek plus a bounded range.
 */
final class StoreTimeline implements Timeline {

    private static final String MAX_SEQ = "ffffffffffffffff";

    private final KeyValueStore<String, OeeLedgerEntry> store;
    private final String prefix;
    private final PurgeCursor purges;

    /** @param purges where {@link #forgetBefore} last kept the first entry of each line (the processor's, per task) */
    StoreTimeline(KeyValueStore<String, OeeLedgerEntry> store, String lineId, PurgeCursor purges) {
        this.store = store;
        this.prefix = prefix(lineId);
        this.purges = purges;
    }

    /** The key prefix of a line's timeline entries. */
    static String prefix(String lineId) {
        return "T/" + lineId + "/";
    }

    private String key(long atMs, String seqHex) {
        return prefix + String.format("%016x", atMs ^ Long.MIN_VALUE) + "/" + seqHex;
    }

    private String key(OeeTimelineEntry change) {
        return key(change.getAtMs(), String.format("%016x", change.getSeq()));
    }

    @Override
    public OeeTimelineEntry inForceAt(long t) {
        try (KeyValueIterator<String, OeeLedgerEntry> it = store.reverseRange(prefix, key(t, MAX_SEQ))) {
            return it.hasNext() ? it.next().value.getChange() : null;
        }
    }

    @Override
    public OeeTimelineEntry firstAfter(long t) {
        if (t == Long.MAX_VALUE) {
            return null;
        }
        try (KeyValueIterator<String, OeeLedgerEntry> it = store.range(key(t + 1, ""), prefix + "~")) {
            return it.hasNext() ? it.next().value.getChange() : null;
        }
    }

    @Override
    public List<OeeTimelineEntry> between(long fromExclusive, long toInclusive) {
        List<OeeTimelineEntry> out = new ArrayList<>();
        if (toInclusive <= fromExclusive) {
            return out;
        }
        try (KeyValueIterator<String, OeeLedgerEntry> it = store.range(key(fromExclusive + 1, ""), key(toInclusive, MAX_SEQ))) {
            it.forEachRemaining(kv -> out.add(kv.value.getChange()));
        }
        return out;
    }

    @Override
    public void insert(OeeTimelineEntry change) {
        store.put(key(change), new OeeLedgerEntry(null, change));
    }

    @Override
    public void forgetBefore(long t) {
        String to = key(t, MAX_SEQ);
        if (purges.done(prefix, to)) {
            return;
        }
        List<String> keys = new ArrayList<>();
        // from where the previous call kept its first entry: the keys before it are deleted already
        try (KeyValueIterator<String, OeeLedgerEntry> it = store.range(purges.from(prefix), to)) {
            while (it.hasNext()) {
                KeyValue<String, OeeLedgerEntry> kv = it.next();
                keys.add(kv.key);
            }
        }
        // the last one is in force at t: it stays
        for (int i = 0; i + 1 < keys.size(); i++) {
            store.delete(keys.get(i));
        }
        if (!keys.isEmpty()) {
            purges.purged(prefix, to, keys.get(keys.size() - 1));
        }
    }
}

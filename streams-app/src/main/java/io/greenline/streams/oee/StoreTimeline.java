package io.greenline.streams.oee;

import io.greenline.events.OeeLedgerEntry;
import io.greenline.events.OeeTimelineEntry;
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

    StoreTimeline(KeyValueStore<String, OeeLedgerEntry> store, String lineId) {
        this.store = store;
        this.prefix = prefix(lineId);
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
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, OeeLedgerEntry> it = store.range(prefix, key(t, MAX_SEQ))) {
            while (it.hasNext()) {
                KeyValue<String, OeeLedgerEntry> kv = it.next();
                keys.add(kv.key);
            }
        }
        // the last one is in force at t: it stays
        for (int i = 0; i + 1 < keys.size(); i++) {
            store.delete(keys.get(i));
        }
    }
}

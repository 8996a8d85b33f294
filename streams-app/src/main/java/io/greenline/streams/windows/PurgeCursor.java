package io.greenline.streams.windows;

import java.util.HashMap;
import java.util.Map;

/**
 * Where the last retention purge of each key range began to keep keys, so the next purge of that range starts there.
 *
 * <p>A purge deletes the old keys at the start of a time-ordered range ({@code prefix} up to a horizon). RocksDB
 * keeps each deleted key as a tombstone until compaction reaches it, and a range scan steps over every tombstone in
 * its way. A purge that starts at the prefix each time therefore walks the deleted keys of every purge before it,
 * and the cost of one purge grows with the history (the stream threads' CPU per event grew 3.5x over a 59-day
 * catch-up in the benchmark). The cursor remembers, per prefix, the first key the last purge kept (or the end of its
 * range when it kept none). Keys before it are gone, so the next purge starts there. It lives in memory, per task:
 * after a restart the first purge of a prefix starts at the prefix again, once.
 */
public final class PurgeCursor {

    private final Map<String, String> starts = new HashMap<>();

    /** Where a purge of {@code prefix} starts: the first key the previous purge kept, else the prefix itself. */
    public String from(String prefix) {
        return starts.getOrDefault(prefix, prefix);
    }

    /** True when a purge of {@code prefix} up to {@code to} (inclusive) has nothing left to visit. */
    public boolean done(String prefix, String to) {
        return from(prefix).compareTo(to) > 0;
    }

    /**
     * Records that a purge of {@code prefix} visited everything up to {@code to} and kept {@code firstKept} (null: it
     * deleted every key it visited, so the next purge can start after {@code to}).
     */
    public void purged(String prefix, String to, String firstKept) {
        String next = firstKept != null ? firstKept : to + '\u0000';
        starts.merge(prefix, next, (old, candidate) -> candidate.compareTo(old) > 0 ? candidate : old);
    }

    /**
     * Records that {@code key} (under {@code prefix}) was written: when it lies before where the next purge would
     * start, that purge starts at it instead. For ranges whose keys can be added behind the last purge (an index of
     * what is due, where a late entry may already be due).
     */
    public void added(String prefix, String key) {
        starts.computeIfPresent(prefix, (p, start) -> key.compareTo(start) < 0 ? key : start);
    }
}

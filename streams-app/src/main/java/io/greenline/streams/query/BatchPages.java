package io.greenline.streams.query;

import io.greenline.events.BatchFootprint;
import io.greenline.events.FootprintStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Pages of {@code GET /api/v1/batches}: footprints in batchId order (the store's key order), after a cursor, passing
 * a filter. A page reads at most {@code limit + 1} matches and at most {@link #MAX_SCANNED} keys, so one request
 * costs the same however many batches the store holds; when the scan bound stops it first, the page says how far it
 * got ({@link Page#scannedTo}) and the next page resumes there.
 */
public final class BatchPages {

    /** Page size when {@code limit} is not given. */
    public static final int DEFAULT_LIMIT = 100;
    /** The largest {@code limit} accepted. */
    public static final int MAX_LIMIT = 1000;
    /** Keys one page reads at most on one instance (a selective filter over a large store returns a short page). */
    public static final int MAX_SCANNED = 10_000;

    /** Order of batchIds: the stores' (UTF-8 bytes, unsigned), which String's own order differs from above U+FFFF. */
    public static final Comparator<String> KEY_ORDER = (a, b) ->
            Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private BatchPages() {
    }

    /**
     * Which footprints a request wants; null fields do not filter. {@code from}/{@code to} select
     * {@code from <= time < to} on the batch's completion time ({@code completedAt}, or {@code startedAt} while it has
     * none); a batch with neither time passes only an unbounded filter.
     */
    public record Filter(String lineId, String siteId, FootprintStatus status, Instant from, Instant to) {
        public static final Filter ALL = new Filter(null, null, null, null, null);

        public boolean accepts(BatchFootprint f) {
            if (lineId != null && !lineId.equals(f.getLineId())) {
                return false;
            }
            if (siteId != null && !siteId.equals(f.getSiteId())) {
                return false;
            }
            if (status != null && status != f.getStatus()) {
                return false;
            }
            if (from == null && to == null) {
                return true;
            }
            Instant time = f.getCompletedAt() != null ? f.getCompletedAt() : f.getStartedAt();
            return time != null && (from == null || !time.isBefore(from)) && (to == null || time.isBefore(to));
        }
    }

    /**
     * Matches in key order (at most {@code limit + 1}: the extra one tells that more follow), and, when the scan bound
     * stopped the read before that, the last key read (null when the read ended at a match count or the store's end).
     */
    public record Page(List<BatchFootprint> items, String scannedTo) {
    }

    /** Up to {@code limit + 1} footprints after {@code after} (exclusive; null: from the first) passing {@code filter}. */
    public static Page read(ReadOnlyKeyValueStore<String, BatchFootprint> store, String after, int limit, Filter filter,
                            int maxScanned) {
        List<BatchFootprint> items = new ArrayList<>();
        int scanned = 0;
        String lastKey = null;
        try (KeyValueIterator<String, BatchFootprint> it = after == null ? store.all() : store.range(after, null)) {
            while (it.hasNext()) {
                KeyValue<String, BatchFootprint> entry = it.next();
                if (after != null && entry.key.equals(after)) {
                    continue; // the cursor is the last key of the previous page
                }
                scanned++;
                lastKey = entry.key;
                if (entry.value != null && filter.accepts(entry.value)) {
                    items.add(entry.value);
                    if (items.size() > limit) {
                        return new Page(items, null);
                    }
                }
                if (scanned >= maxScanned) {
                    return new Page(items, it.hasNext() ? lastKey : null);
                }
            }
        }
        return new Page(items, null);
    }

    /** The page answered to the client: its items and the batchId the next page starts after (null: the last page). */
    public record Cut<T>(List<T> items, String nextAfter) {
    }

    /**
     * The page of the whole application from the pages of every instance (items already merged by batchId):
     * in key order, no item past the smallest key at which an instance's scan stopped ({@code scannedTo}, null
     * when none stopped early: an item beyond it may hide unseen keys of that instance before it), at most
     * {@code limit}. Every instance sent its first {@code limit + 1} matches, so the first {@code limit} of the
     * union are the application's first {@code limit}.
     */
    public static <T> Cut<T> cut(List<T> merged, Function<T, String> batchId, String scannedTo, int limit) {
        List<T> items = new ArrayList<>(merged);
        items.sort(Comparator.comparing(batchId, KEY_ORDER));
        if (scannedTo != null) {
            items.removeIf(item -> KEY_ORDER.compare(batchId.apply(item), scannedTo) > 0);
        }
        if (items.size() > limit) {
            List<T> page = new ArrayList<>(items.subList(0, limit));
            return new Cut<>(page, batchId.apply(page.get(limit - 1)));
        }
        return new Cut<>(items, scannedTo);
    }

    /** The opaque cursor of a page that ends after {@code batchId} (base64url of the id). */
    public static String cursorAfter(String batchId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(batchId.getBytes(StandardCharsets.UTF_8));
    }

    /** The batchId a cursor names; a cursor this API did not hand out is a 400. */
    public static String batchIdOf(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        try {
            String id = new String(Base64.getUrlDecoder().decode(cursor.trim()), StandardCharsets.UTF_8);
            if (id.isEmpty() || !cursorAfter(id).equals(cursor.trim())) {
                throw new IllegalArgumentException("not a canonical cursor");
            }
            return id;
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("cursor is not one this API handed out (use nextCursor of the previous page): " + cursor);
        }
    }
}

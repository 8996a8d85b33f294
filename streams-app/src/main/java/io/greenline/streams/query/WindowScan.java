package io.greenline.streams.query;

import io.greenline.events.Granularity;
import io.greenline.schemas.WindowKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads of a window store keyed by {@link WindowKey} strings. Within a line and granularity keys sort by
 * window start, so a time range is one key range; the bounds are widened to whole seconds (ISO-8601
 * strings sort by time only at equal precision) and each key is then checked exactly. Bounds beyond year 9999 or
 * before year 0 (valid instants, but their strings do not sort with the keys) open the range on that side.
 */
public final class WindowScan {

    /** Which per-product records a query wants: the line's own (no product), one product, or all. */
    public record ProductFilter(boolean lineOnly, String productId) {
        public static final ProductFilter LINE = new ProductFilter(true, null);
        public static final ProductFilter ALL = new ProductFilter(false, null);

        public static ProductFilter of(String param) {
            if (param == null || param.isBlank()) {
                return LINE;
            }
            return "*".equals(param) ? ALL : new ProductFilter(false, param);
        }

        boolean accepts(String product) {
            if (lineOnly) {
                return product == null;
            }
            return productId == null || productId.equals(product);
        }
    }

    private static final char MAX_CHAR = '\uffff';
    /**
     * The instants whose ISO-8601 form has the four-digit year of every window key: beyond them
     * ({@code +10000-...}, {@code -0001-...}) the strings no longer sort by time.
     */
    static final Instant FIRST_KEYED_INSTANT = Instant.parse("0000-01-01T00:00:00Z");
    static final Instant LAST_KEYED_INSTANT = Instant.parse("9999-12-31T23:59:59Z");

    private WindowScan() {
    }

    /** Windows of a line with {@code from <= windowStart < to} (either bound may be null), oldest first. */
    public static <V> List<V> range(ReadOnlyKeyValueStore<String, V> store, String lineId, Granularity granularity,
                                    Instant from, Instant to, ProductFilter products) {
        if ((from != null && from.isAfter(LAST_KEYED_INSTANT)) || (to != null && !to.isAfter(FIRST_KEYED_INSTANT))) {
            return List.of(); // no window key can lie there
        }
        String prefix = WindowKey.prefix(lineId, granularity);
        // a bound outside years 0000-9999 has no same-width ISO string: the key range is then open on that side
        String low = from == null || from.isBefore(FIRST_KEYED_INSTANT) ? prefix : prefix + secondsWithoutZone(from);
        String high = to == null || to.isAfter(LAST_KEYED_INSTANT) ? prefix + MAX_CHAR : prefix + secondsWithoutZone(to) + MAX_CHAR;
        List<KeyValue<WindowKey, V>> found = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.range(low, high)) {
            while (it.hasNext()) {
                KeyValue<String, V> entry = it.next();
                WindowKey key = WindowKey.parse(entry.key);
                if ((from != null && key.windowStart().isBefore(from)) || (to != null && !key.windowStart().isBefore(to))) {
                    continue;
                }
                if (products.accepts(key.productId()) && entry.value != null) {
                    found.add(KeyValue.pair(key, entry.value));
                }
            }
        }
        found.sort(Comparator.comparing((KeyValue<WindowKey, V> kv) -> kv.key.windowStart())
                .thenComparing(kv -> kv.key.productId() == null ? "" : kv.key.productId()));
        return found.stream().map(kv -> kv.value).toList();
    }

    /** Whether the store holds any window of the line, of any granularity. */
    public static boolean hasLine(ReadOnlyKeyValueStore<String, ?> store, String lineId) {
        try (KeyValueIterator<String, ?> it = store.range(lineId + WindowKey.SEPARATOR, lineId + WindowKey.SEPARATOR + MAX_CHAR)) {
            return it.hasNext();
        }
    }

    /**
     * Every line with a window in the store, mapped to its latest line-level window of {@code granularity}
     * (null when it has none of that granularity).
     */
    public static <V> Map<String, V> latestPerLine(ReadOnlyKeyValueStore<String, V> store, Granularity granularity) {
        Map<String, KeyValue<Instant, V>> latest = new TreeMap<>();
        java.util.Set<String> lines = new java.util.TreeSet<>();
        try (KeyValueIterator<String, V> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, V> entry = it.next();
                WindowKey key = WindowKey.parse(entry.key);
                lines.add(key.lineId());
                if (key.granularity() != granularity || key.productId() != null || entry.value == null) {
                    continue;
                }
                KeyValue<Instant, V> seen = latest.get(key.lineId());
                if (seen == null || seen.key.isBefore(key.windowStart())) {
                    latest.put(key.lineId(), KeyValue.pair(key.windowStart(), entry.value));
                }
            }
        }
        Map<String, V> out = new TreeMap<>();
        lines.forEach(line -> out.put(line, latest.containsKey(line) ? latest.get(line).value : null));
        return out;
    }

    private static String secondsWithoutZone(Instant instant) {
        String iso = instant.truncatedTo(ChronoUnit.SECONDS).toString();
        return iso.endsWith("Z") ? iso.substring(0, iso.length() - 1) : iso;
    }
}

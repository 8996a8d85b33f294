package io.greenline.schemas;

import io.greenline.events.Granularity;
import java.time.Instant;
import java.util.Objects;

/**
 * Key of a window record on the output topics and in the window stores:
 * {@code lineId/GRANULARITY/windowStart} (ISO-8601 UTC), with {@code /productId} appended for a
 * per-product record. Within one line and granularity, keys sort in time order, so a store range
 * {@code [of(line, g, from), of(line, g, to)]} is a time range.
 */
public record WindowKey(String lineId, Granularity granularity, Instant windowStart, String productId) {

    public static final char SEPARATOR = '/';

    public WindowKey {
        Objects.requireNonNull(lineId, "lineId");
        Objects.requireNonNull(granularity, "granularity");
        Objects.requireNonNull(windowStart, "windowStart");
        if (lineId.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("lineId must not contain '" + SEPARATOR + "': " + lineId);
        }
    }

    public static WindowKey of(String lineId, Granularity granularity, Instant windowStart) {
        return new WindowKey(lineId, granularity, windowStart, null);
    }

    /** The prefix shared by every window of a line and granularity. */
    public static String prefix(String lineId, Granularity granularity) {
        return lineId + SEPARATOR + granularity.name() + SEPARATOR;
    }

    public String format() {
        String base = prefix(lineId, granularity) + iso(windowStart);
        return productId == null ? base : base + SEPARATOR + productId;
    }

    /**
     * Window starts already written out: every event formats the keys of the windows containing it, the same few
     * starts again and again, and {@link Instant#toString} goes through a date-time formatter each time.
     */
    private static final BoundedMemo<Instant, String> ISO = new BoundedMemo<>(16_384);

    private static String iso(Instant t) {
        return ISO.get(t, Instant::toString);
    }

    public static WindowKey parse(String key) {
        String[] parts = key.split(String.valueOf(SEPARATOR), 4);
        if (parts.length < 3) {
            throw new IllegalArgumentException("not a window key: " + key);
        }
        return new WindowKey(parts[0], Granularity.valueOf(parts[1]), Instant.parse(parts[2]), parts.length == 4 ? parts[3] : null);
    }

    @Override
    public String toString() {
        return format();
    }
}

package io.greenline.streams.windows;

import io.greenline.events.Granularity;
import io.greenline.schemas.WindowKey;
import java.time.Instant;
import java.util.Objects;

/**
 * One KPI window of a line: a UTC hour, one occurrence of a shift (with its name), or a calendar day in the
 * line's timezone. Windows are half-open, {@code [start, end)}.
 *
 * @param shiftName the shift's name for {@link Granularity#SHIFT}, null otherwise
 */
public record Window(Granularity granularity, String shiftName, Instant start, Instant end) {

    public Window {
        Objects.requireNonNull(granularity, "granularity");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("window end " + end + " not after start " + start);
        }
        if ((granularity == Granularity.SHIFT) != (shiftName != null)) {
            throw new IllegalArgumentException("a shift name is required for, and only for, SHIFT windows");
        }
    }

    public long startMs() {
        return start.toEpochMilli();
    }

    public long endMs() {
        return end.toEpochMilli();
    }

    public long lengthMs() {
        return endMs() - startMs();
    }

    public Interval interval() {
        return new Interval(start, end);
    }

    /** True when {@code t} lies in {@code [start, end)}. */
    public boolean contains(Instant t) {
        return !t.isBefore(start) && t.isBefore(end);
    }

    public boolean containsMs(long t) {
        return t >= startMs() && t < endMs();
    }

    /** The store/topic key of this window for a line: {@code lineId/GRANULARITY/start}. */
    public WindowKey key(String lineId) {
        return WindowKey.of(lineId, granularity, start);
    }
}

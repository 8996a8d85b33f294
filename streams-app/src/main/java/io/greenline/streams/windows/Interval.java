package io.greenline.streams.windows;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** A half-open interval of time {@code [start, end)}; empty when {@code start == end}. */
public record Interval(Instant start, Instant end) {

    public Interval {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("end " + end + " before start " + start);
        }
    }

    public static Interval ofMillis(long startMs, long endMs) {
        return new Interval(Instant.ofEpochMilli(startMs), Instant.ofEpochMilli(endMs));
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

    public Duration length() {
        return Duration.between(start, end);
    }

    public boolean isEmpty() {
        return start.equals(end);
    }

    /** True when {@code t} lies in {@code [start, end)}. */
    public boolean contains(Instant t) {
        return !t.isBefore(start) && t.isBefore(end);
    }

    /** True when the two intervals share at least one instant. */
    public boolean overlaps(Interval other) {
        return start.isBefore(other.end) && other.start.isBefore(end);
    }

    /** The common part, or an empty interval at the later start when they do not overlap. */
    public Interval intersect(Interval other) {
        Instant s = start.isAfter(other.start) ? start : other.start;
        Instant e = end.isBefore(other.end) ? end : other.end;
        return e.isBefore(s) ? new Interval(s, s) : new Interval(s, e);
    }

    @Override
    public String toString() {
        return "[" + start + ", " + end + ")";
    }
}

package io.greenline.streams.guard;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Which event times are plausible enough to be processed: plain Java, no Kafka types. An implausible time (year
 * 3000, epoch 1, 1969, a payload time far from when the record was produced) would make a per-line clock jump
 * over millions of windows, so such an event is refused before any topology sees it.
 *
 * <p>Every reference an event is compared with is one that bad data cannot move:
 * <ul>
 *   <li>{@code min}: a floor no real event is before (default 2000-01-01);</li>
 *   <li>ahead: at most {@code maxAhead} after the application's clock, the later of the wall clock and the
 *       latest event already accepted in the partition (a replay of old data is behind the wall clock, an
 *       accelerated simulator ahead of it, but only by what it accepted a step at a time), and at most
 *       {@code maxAhead} after its own record timestamp (nothing is stamped to happen later than it was sent);</li>
 *   <li>behind: at most {@code maxBehind} before its line's clock (the latest event accepted for its key), or,
 *       for a line's first event, before the partition's clock; and at most {@code maxBehind} before its record
 *       timestamp. With the default (the longest window retention) a backfill of history works; older data would
 *       land in windows retention has already dropped.</li>
 * </ul>
 * So one accepted event moves a line's clock by at most {@code maxAhead} past the partition's clock (and the
 * wall clock), and a line's earliest event is at most {@code maxBehind} before it: an event can close at once
 * at most the windows of {@code maxBehind + maxAhead} plus the time its line was quiet while its partition moved
 * on (docs/app.md, "Event time", works out the worst case).
 */
public record EventTimeRule(Instant min, Duration maxAhead, Duration maxBehind) {

    /** The defaults of {@code greenline.event-time.*}: 2000-01-01, 7 days ahead, 400 days behind. */
    public static EventTimeRule defaults() {
        return new EventTimeRule(Instant.parse("2000-01-01T00:00:00Z"), Duration.ofDays(7), Duration.ofDays(400));
    }

    /**
     * Why {@code eventMs} is out of range, or empty when it is plausible.
     *
     * @param eventMs      the event's own (payload) time
     * @param recordMs     the Kafka record timestamp
     * @param wallMs       the wall clock now
     * @param lineClockMs  the latest accepted event time of the event's key, or null for its first event
     * @param taskClockMs  the latest accepted event time of the partition, or null before its first event
     */
    public Optional<String> violation(long eventMs, long recordMs, long wallMs, Long lineClockMs, Long taskClockMs) {
        Optional<String> tooEarlyOrAhead = earlyOrAhead("event time", eventMs, recordMs, wallMs, taskClockMs);
        if (tooEarlyOrAhead.isPresent()) {
            return tooEarlyOrAhead;
        }
        long behind = maxBehind.toMillis();
        if (recordMs - eventMs > behind) {
            return Optional.of("event time " + instant(eventMs) + " is more than " + maxBehind + " behind its record timestamp " + instant(recordMs));
        }
        if (lineClockMs != null && lineClockMs - eventMs > behind) {
            return Optional.of("event time " + instant(eventMs) + " is more than " + maxBehind + " behind its line's clock " + instant(lineClockMs));
        }
        if (lineClockMs == null && taskClockMs != null && taskClockMs - eventMs > behind) {
            return Optional.of("event time " + instant(eventMs) + " (a new line's first event) is more than " + maxBehind
                    + " behind the partition's clock " + instant(taskClockMs));
        }
        return Optional.empty();
    }

    /**
     * The checks that need no per-key clock: before {@code min}, or more than {@code maxAhead} ahead of the
     * application's clock (the later of the wall clock and {@code clockMs}, the latest time already accepted) or of
     * its own record timestamp. Empty when {@code eventMs} passes them. A reference version's {@code validFrom}
     * is held to these alone ({@link io.greenline.streams.ReferenceStores}): a version may be valid from long ago.
     *
     * @param what what the time is, for the message ({@code event time}, {@code validFrom})
     */
    public Optional<String> earlyOrAhead(String what, long eventMs, long recordMs, long wallMs, Long clockMs) {
        long ahead = maxAhead.toMillis();
        if (eventMs < min.toEpochMilli()) {
            return Optional.of(what + " " + instant(eventMs) + " is before greenline.event-time.min " + min);
        }
        long now = clockMs == null ? wallMs : Math.max(wallMs, clockMs);
        if (eventMs - now > ahead) {
            return Optional.of(what + " " + instant(eventMs) + " is more than " + maxAhead + " ahead of the application's clock " + instant(now));
        }
        if (eventMs - recordMs > ahead) {
            return Optional.of(what + " " + instant(eventMs) + " is more than " + maxAhead + " ahead of its record timestamp " + instant(recordMs));
        }
        return Optional.empty();
    }

    private static String instant(long ms) {
        return Instant.ofEpochMilli(ms).toString();
    }
}

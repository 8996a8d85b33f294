package io.greenline.streams.oee;

import io.greenline.events.Granularity;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the OEE topology. Immutable; {@link #defaults()} then {@code with...} to change one.
 *
 * @param grace how long after its end a window still accepts events (default 5 min); then it is final
 * @param idleAdvanceInterval how often the wall-clock punctuation runs, and how long a line must be silent
 *        before its clock is moved on by wall-clock time (default 30 s)
 * @param dedupRetention how long event ids are remembered to ignore duplicates (default 2 days: longer than
 *        the longest window plus grace, so no accepted window can count an event twice)
 * @param configHistory how far back (from the newest version's validFrom) LineConfig versions stay queryable by time (default 365 days: replays of older data would find no PRU)
 * @param hourRetention how long final HOUR windows stay in the store (default 7 days)
 * @param shiftRetention how long final SHIFT windows stay in the store (default 35 days)
 * @param dayRetention how long final DAY windows stay in the store (default 400 days)
 */
public record OeeSettings(Duration grace, Duration idleAdvanceInterval, Duration dedupRetention, Duration configHistory,
        Duration hourRetention, Duration shiftRetention, Duration dayRetention) {

    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(5);
    public static final Duration DEFAULT_IDLE_ADVANCE_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_DEDUP_RETENTION = Duration.ofDays(2);
    public static final Duration DEFAULT_CONFIG_HISTORY = Duration.ofDays(365);
    public static final Duration DEFAULT_HOUR_RETENTION = Duration.ofDays(7);
    public static final Duration DEFAULT_SHIFT_RETENTION = Duration.ofDays(35);
    public static final Duration DEFAULT_DAY_RETENTION = Duration.ofDays(400);

    public OeeSettings {
        requirePositive(grace, "grace", true);
        requirePositive(idleAdvanceInterval, "idleAdvanceInterval", false);
        requirePositive(dedupRetention, "dedupRetention", false);
        requirePositive(configHistory, "configHistory", false);
        requirePositive(hourRetention, "hourRetention", false);
        requirePositive(shiftRetention, "shiftRetention", false);
        requirePositive(dayRetention, "dayRetention", false);
    }

    public static OeeSettings defaults() {
        return new OeeSettings(DEFAULT_GRACE, DEFAULT_IDLE_ADVANCE_INTERVAL, DEFAULT_DEDUP_RETENTION, DEFAULT_CONFIG_HISTORY,
                DEFAULT_HOUR_RETENTION, DEFAULT_SHIFT_RETENTION, DEFAULT_DAY_RETENTION);
    }

    public OeeSettings withGrace(Duration value) {
        return new OeeSettings(value, idleAdvanceInterval, dedupRetention, configHistory, hourRetention, shiftRetention, dayRetention);
    }

    public OeeSettings withIdleAdvanceInterval(Duration value) {
        return new OeeSettings(grace, value, dedupRetention, configHistory, hourRetention, shiftRetention, dayRetention);
    }

    public OeeSettings withDedupRetention(Duration value) {
        return new OeeSettings(grace, idleAdvanceInterval, value, configHistory, hourRetention, shiftRetention, dayRetention);
    }

    public OeeSettings withConfigHistory(Duration value) {
        return new OeeSettings(grace, idleAdvanceInterval, dedupRetention, value, hourRetention, shiftRetention, dayRetention);
    }

    public OeeSettings withRetention(Granularity granularity, Duration value) {
        return switch (granularity) {
            case HOUR -> new OeeSettings(grace, idleAdvanceInterval, dedupRetention, configHistory, value, shiftRetention, dayRetention);
            case SHIFT -> new OeeSettings(grace, idleAdvanceInterval, dedupRetention, configHistory, hourRetention, value, dayRetention);
            case DAY -> new OeeSettings(grace, idleAdvanceInterval, dedupRetention, configHistory, hourRetention, shiftRetention, value);
        };
    }

    /** How long final windows of a granularity stay in the store. */
    public Duration retention(Granularity granularity) {
        return switch (granularity) {
            case HOUR -> hourRetention;
            case SHIFT -> shiftRetention;
            case DAY -> dayRetention;
        };
    }

    private static void requirePositive(Duration d, String name, boolean zeroAllowed) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new IllegalArgumentException(name + " must be " + (zeroAllowed ? "at least 0" : "positive") + ": " + d);
        }
    }
}

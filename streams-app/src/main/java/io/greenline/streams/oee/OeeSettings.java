package io.greenline.streams.oee;

import io.greenline.events.Granularity;
import io.greenline.streams.config.DurationSetting;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the OEE topology. Immutable; {@link #defaults()} then {@code with...} to change one, or
 * {@link #from(Map)} to read the {@code oee.*} keys (ISO-8601 durations, e.g. {@code PT5M}, {@code P7D};
 * environment {@code GREENLINE_OEE_GRACE} etc., see {@code ConfigSources}).
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
 * @param alignIdle how long one of a line's inputs (machine states, production counts) may deliver nothing before it
 *        no longer holds the line's windows open (default 30 s, longer than a broker failover takes to give a
 *        partition a new leader; {@code PT0S} turns alignment off): windows are final against the line's aligned
 *        frontier, see {@link io.greenline.streams.windows.InputAlignment}. Applies where
 *        the application aligns its inputs ({@code InputStreams.align}); a topology built alone reads them in order
 */
public record OeeSettings(Duration grace, Duration idleAdvanceInterval, Duration dedupRetention, Duration configHistory,
        Duration hourRetention, Duration shiftRetention, Duration dayRetention, Duration alignIdle) {

    public static final String GRACE = "oee.grace";
    public static final String IDLE_ADVANCE_INTERVAL = "oee.idle-advance-interval";
    public static final String DEDUP_RETENTION = "oee.dedup-retention";
    public static final String CONFIG_HISTORY = "oee.config-history";
    public static final String HOUR_RETENTION = "oee.retention.hour";
    public static final String SHIFT_RETENTION = "oee.retention.shift";
    public static final String DAY_RETENTION = "oee.retention.day";
    public static final String ALIGN_IDLE = "oee.align-idle";
    /** Every key {@link #from(Map)} reads. */
    public static final List<String> KEYS = List.of(GRACE, IDLE_ADVANCE_INTERVAL, DEDUP_RETENTION, CONFIG_HISTORY,
            HOUR_RETENTION, SHIFT_RETENTION, DAY_RETENTION, ALIGN_IDLE);

    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(5);
    public static final Duration DEFAULT_IDLE_ADVANCE_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_DEDUP_RETENTION = Duration.ofDays(2);
    public static final Duration DEFAULT_CONFIG_HISTORY = Duration.ofDays(365);
    public static final Duration DEFAULT_HOUR_RETENTION = Duration.ofDays(7);
    public static final Duration DEFAULT_SHIFT_RETENTION = Duration.ofDays(35);
    public static final Duration DEFAULT_DAY_RETENTION = Duration.ofDays(400);
    public static final Duration DEFAULT_ALIGN_IDLE = Duration.ofSeconds(30);

    public OeeSettings {
        requirePositive(grace, GRACE, true);
        requirePositive(idleAdvanceInterval, IDLE_ADVANCE_INTERVAL, false);
        requirePositive(dedupRetention, DEDUP_RETENTION, false);
        requirePositive(configHistory, CONFIG_HISTORY, false);
        requirePositive(hourRetention, HOUR_RETENTION, false);
        requirePositive(shiftRetention, SHIFT_RETENTION, false);
        requirePositive(dayRetention, DAY_RETENTION, false);
        requirePositive(alignIdle, ALIGN_IDLE, true);
    }

    public static OeeSettings defaults() {
        return new OeeSettings(DEFAULT_GRACE, DEFAULT_IDLE_ADVANCE_INTERVAL, DEFAULT_DEDUP_RETENTION, DEFAULT_CONFIG_HISTORY,
                DEFAULT_HOUR_RETENTION, DEFAULT_SHIFT_RETENTION, DEFAULT_DAY_RETENTION, DEFAULT_ALIGN_IDLE);
    }

    /**
     * Defaults overridden by the {@code oee.*} keys present in {@code config}; a missing or blank key keeps its
     * default. A value that is no ISO-8601 duration, or is out of range, fails naming the key.
     */
    public static OeeSettings from(Map<String, ?> config) {
        OeeSettings d = defaults();
        return new OeeSettings(
                duration(config, GRACE, d.grace),
                duration(config, IDLE_ADVANCE_INTERVAL, d.idleAdvanceInterval),
                duration(config, DEDUP_RETENTION, d.dedupRetention),
                duration(config, CONFIG_HISTORY, d.configHistory),
                duration(config, HOUR_RETENTION, d.hourRetention),
                duration(config, SHIFT_RETENTION, d.shiftRetention),
                duration(config, DAY_RETENTION, d.dayRetention),
                duration(config, ALIGN_IDLE, d.alignIdle));
    }

    private static Duration duration(Map<String, ?> config, String key, Duration fallback) {
        return DurationSetting.read(config, key, fallback);
    }

    public OeeSettings withGrace(Duration value) {
        return new OeeSettings(value, idleAdvanceInterval, dedupRetention, configHistory, hourRetention, shiftRetention, dayRetention, alignIdle);
    }

    public OeeSettings withIdleAdvanceInterval(Duration value) {
        return new OeeSettings(grace, value, dedupRetention, configHistory, hourRetention, shiftRetention, dayRetention, alignIdle);
    }

    public OeeSettings withDedupRetention(Duration value) {
        return new OeeSettings(grace, idleAdvanceInterval, value, configHistory, hourRetention, shiftRetention, dayRetention, alignIdle);
    }

    public OeeSettings withConfigHistory(Duration value) {
        return new OeeSettings(grace, idleAdvanceInterval, dedupRetention, value, hourRetention, shiftRetention, dayRetention, alignIdle);
    }

    public OeeSettings withRetention(Granularity granularity, Duration value) {
        return switch (granularity) {
            case HOUR -> new OeeSettings(grace, idleAdvanceInterval, dedupRetention, configHistory, value, shiftRetention, dayRetention, alignIdle);
            case SHIFT -> new OeeSettings(grace, idleAdvanceInterval, dedupRetention, configHistory, hourRetention, value, dayRetention, alignIdle);
            case DAY -> new OeeSettings(grace, idleAdvanceInterval, dedupRetention, configHistory, hourRetention, shiftRetention, value, alignIdle);
        };
    }

    public OeeSettings withAlignIdle(Duration value) {
        return new OeeSettings(grace, idleAdvanceInterval, dedupRetention, configHistory, hourRetention, shiftRetention, dayRetention, value);
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

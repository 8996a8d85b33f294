package io.greenline.streams;

import io.greenline.streams.carbon.CarbonSettings;
import io.greenline.streams.config.DurationSetting;
import io.greenline.streams.guard.EventTimeRule;
import io.greenline.streams.oee.OeeSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings of the application's reference data: the two shared global versioned stores ({@link ReferenceStores})
 * and the reference gate ({@link ReferenceGate}). One key each, read once for the whole application, whichever
 * topology uses the store. ISO-8601 durations; environment {@code GREENLINE_REFERENCE_...} (see
 * {@code ConfigSources}).
 *
 * @param lineConfigHistory how far back (from the newest version's validFrom) LineConfig versions stay readable
 *        "as of" a time (default 365 days)
 * @param emissionFactorHistory the same for emission factor versions (default 3650 days)
 * @param missingWait how much stream time an event whose line has no config valid at its time is held before it
 *        is dead-lettered as MISSING_REFERENCE (default 30 minutes)
 * @param missingWallClockMin the least wall-clock time an event is held before it may be dead-lettered (default
 *        30 s): stream time can jump far ahead in a backfill, faster than the global thread makes a config that was
 *        produced together with the events visible
 * @param recheckInterval how often held events are checked against the line-config store (wall clock, default 1 s)
 * @param maxAhead how far a version's {@code validFrom} (or a tombstone's timestamp) may be ahead of the later of the
 *        wall clock and the newest version already in its store, and ahead of its record timestamp (default 90 days,
 *        and never more than half the store's history, see {@link #versionRule}); a version from further ahead, or
 *        from before {@code greenline.event-time.min}, goes to mfg.dlq as TIMESTAMP_OUT_OF_RANGE. A versioned store
 *        reads nothing older than its history before the newest version it was given, so one version stamped year
 *        3000 would otherwise make every later version of every key unreadable.
 */
public record ReferenceSettings(Duration lineConfigHistory, Duration emissionFactorHistory, Duration missingWait,
        Duration missingWallClockMin, Duration recheckInterval, Duration maxAhead) {

    public static final String LINE_CONFIG_HISTORY = "reference.line-config-history";
    public static final String EMISSION_FACTOR_HISTORY = "reference.emission-factor-history";
    public static final String MISSING_WAIT = "reference.missing.wait";
    public static final String MISSING_WALL_CLOCK_MIN = "reference.missing.wall-clock-min";
    public static final String RECHECK_INTERVAL = "reference.recheck-interval";
    public static final String MAX_AHEAD = "reference.max-ahead";
    /** Every key {@link #from(Map)} reads. */
    public static final List<String> KEYS = List.of(LINE_CONFIG_HISTORY, EMISSION_FACTOR_HISTORY, MISSING_WAIT,
            MISSING_WALL_CLOCK_MIN, RECHECK_INTERVAL, MAX_AHEAD);

    /**
     * Keys of 0.1 that set a shared store's history from one topology's settings; read only when the reference key
     * is not set (the largest of them wins), with a warning.
     */
    static final List<String> LEGACY_LINE_CONFIG_HISTORY = List.of(OeeSettings.CONFIG_HISTORY, "quality.line-config-history");
    static final List<String> LEGACY_EMISSION_FACTOR_HISTORY = List.of(CarbonSettings.FACTOR_HISTORY);

    public static final Duration DEFAULT_LINE_CONFIG_HISTORY = Duration.ofDays(365);
    public static final Duration DEFAULT_EMISSION_FACTOR_HISTORY = Duration.ofDays(3650);
    public static final Duration DEFAULT_MISSING_WAIT = Duration.ofMinutes(30);
    public static final Duration DEFAULT_MISSING_WALL_CLOCK_MIN = Duration.ofSeconds(30);
    public static final Duration DEFAULT_RECHECK_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_AHEAD = Duration.ofDays(90);

    private static final Logger log = LoggerFactory.getLogger(ReferenceSettings.class);

    public ReferenceSettings {
        requirePositive(lineConfigHistory, LINE_CONFIG_HISTORY, false);
        requirePositive(emissionFactorHistory, EMISSION_FACTOR_HISTORY, false);
        requirePositive(missingWait, MISSING_WAIT, true);
        requirePositive(missingWallClockMin, MISSING_WALL_CLOCK_MIN, true);
        requirePositive(recheckInterval, RECHECK_INTERVAL, false);
        requirePositive(maxAhead, MAX_AHEAD, true);
    }

    public static ReferenceSettings defaults() {
        return new ReferenceSettings(DEFAULT_LINE_CONFIG_HISTORY, DEFAULT_EMISSION_FACTOR_HISTORY, DEFAULT_MISSING_WAIT,
                DEFAULT_MISSING_WALL_CLOCK_MIN, DEFAULT_RECHECK_INTERVAL, DEFAULT_MAX_AHEAD);
    }

    /** Defaults overridden by the {@code reference.*} keys of {@code config} (and the 0.1 history keys, see above). */
    public static ReferenceSettings from(Map<String, ?> config) {
        ReferenceSettings d = defaults();
        return new ReferenceSettings(
                history(config, LINE_CONFIG_HISTORY, LEGACY_LINE_CONFIG_HISTORY, d.lineConfigHistory),
                history(config, EMISSION_FACTOR_HISTORY, LEGACY_EMISSION_FACTOR_HISTORY, d.emissionFactorHistory),
                duration(config, MISSING_WAIT, d.missingWait),
                duration(config, MISSING_WALL_CLOCK_MIN, d.missingWallClockMin),
                duration(config, RECHECK_INTERVAL, d.recheckInterval),
                duration(config, MAX_AHEAD, d.maxAhead));
    }

    public ReferenceSettings withMissingWait(Duration wait, Duration wallClockMin) {
        return new ReferenceSettings(lineConfigHistory, emissionFactorHistory, wait, wallClockMin, recheckInterval, maxAhead);
    }

    /**
     * The times a version of a store with {@code history} may have ({@link EventTimeRule#earlyOrAhead}): not before
     * {@code min} ({@code greenline.event-time.min}), at most {@code maxAhead} ahead, and never more than half the
     * history ahead, so that after the furthest version allowed the store still reads versions from now back to half
     * its history.
     */
    public static EventTimeRule versionRule(Instant min, Duration maxAhead, Duration history) {
        Duration half = history.dividedBy(2);
        return new EventTimeRule(min, maxAhead.compareTo(half) > 0 ? half : maxAhead, history);
    }

    private static Duration history(Map<String, ?> config, String key, List<String> legacyKeys, Duration fallback) {
        if (isSet(config, key)) {
            return duration(config, key, fallback);
        }
        Duration longest = null;
        for (String legacy : legacyKeys) {
            if (isSet(config, legacy)) {
                Duration d = duration(config, legacy, fallback);
                log.warn("{} sets the history of a store shared by every topology; use {} instead", legacy, key);
                longest = longest == null || d.compareTo(longest) > 0 ? d : longest;
            }
        }
        return longest == null ? fallback : longest;
    }

    private static boolean isSet(Map<String, ?> config, String key) {
        Object raw = config.get(key);
        return raw != null && !raw.toString().isBlank();
    }

    private static Duration duration(Map<String, ?> config, String key, Duration fallback) {
        return DurationSetting.read(config, key, fallback);
    }

    private static void requirePositive(Duration d, String key, boolean zeroAllowed) {
        Objects.requireNonNull(d, key);
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new IllegalArgumentException(key + " must be " + (zeroAllowed ? "zero or positive" : "positive") + ", got " + d);
        }
    }
}

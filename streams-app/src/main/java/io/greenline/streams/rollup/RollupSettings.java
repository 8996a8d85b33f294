package io.greenline.streams.rollup;

import io.greenline.events.Granularity;
import io.greenline.streams.config.DurationSetting;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Settings of the area and site roll-ups (docs/rollup.md). Durations are ISO-8601 ({@code PT10M}, {@code P7D}).
 *
 * @param waitForLines how long past a roll-up window's end (on the roll-up's clock: the latest line-window end it has seen)
 *        the roll-up waits for missing lines before it is published final anyway (default 10 minutes)
 * @param correctionWindow how long (on the roll-up's clock) a line hour already summed is remembered, so a
 *        republished line window replaces its earlier value instead of adding to it; a line hour older than this
 *        is dead-lettered as LATE (default 2 days)
 * @param memberTtl how long a line that sends nothing stays a known line of its roll-up (default 7 days)
 * @param configHistory history of the global line-config store, shared with the other topologies (default 365 days)
 * @param hourRetention how long published HOUR roll-ups stay in the stores (default 7 days)
 * @param shiftRetention how long published SHIFT roll-ups stay (default 35 days)
 * @param dayRetention how long published DAY roll-ups stay (default 400 days)
 * @param calendarLines per roll-up id ({@code area:<id>} or {@code site:<id>}): the line whose calendar (timezone and
 *        shifts) defines the roll-up's SHIFT and DAY windows; keys {@code rollup.calendar.area.<id>} and
 *        {@code rollup.calendar.site.<id>}. Without one, the calendar most of its lines share.
 * @param alignIdle {@code rollup.align-idle} (default PT30S, PT0S turns it off; the whole application only, see
 *        {@code InputStreams.align}): a window due by the roll-up's clock is still held while a known line that
 *        delivered within this much wall-clock time has not passed the window's end (its line hours are on the way:
 *        one upstream task is behind another), so a catch-up publishes each window once, complete, instead of
 *        publishing it early and revising it for every late line
 * @param maxHold {@code rollup.max-hold} (default P30D; the whole application only): how far behind its clock a
 *        roll-up's correction window may be held for lines still delivering (a catch-up in which upstream tasks drift
 *        apart); line hours older than the correction window before that are LATE. Bounds what a catch-up keeps.
 */
public record RollupSettings(Duration waitForLines, Duration correctionWindow, Duration memberTtl, Duration configHistory,
        Duration hourRetention, Duration shiftRetention, Duration dayRetention, Map<String, String> calendarLines,
        Duration alignIdle, Duration maxHold) {

    public static final String WAIT = "rollup.wait";
    public static final String CORRECTION_WINDOW = "rollup.correction-window";
    public static final String MEMBER_TTL = "rollup.member-ttl";
    public static final String CONFIG_HISTORY = "oee.config-history";
    public static final String HOUR_RETENTION = "rollup.retention.hour";
    public static final String SHIFT_RETENTION = "rollup.retention.shift";
    public static final String DAY_RETENTION = "rollup.retention.day";
    public static final String ALIGN_IDLE = "rollup.align-idle";
    public static final Duration DEFAULT_ALIGN_IDLE = Duration.ofSeconds(30);
    public static final String MAX_HOLD = "rollup.max-hold";
    public static final Duration DEFAULT_MAX_HOLD = Duration.ofDays(30);
    /** Prefix of the calendar keys: {@code rollup.calendar.area.<areaId>=<lineId>}, {@code rollup.calendar.site.<siteId>=<lineId>}. */
    public static final String CALENDAR_PREFIX = "rollup.calendar.";
    public static final List<String> KEYS = List.of(WAIT, CORRECTION_WINDOW, MEMBER_TTL, HOUR_RETENTION, SHIFT_RETENTION, DAY_RETENTION,
            ALIGN_IDLE, MAX_HOLD);

    public RollupSettings {
        positive(waitForLines, WAIT, true);
        positive(correctionWindow, CORRECTION_WINDOW, false);
        positive(memberTtl, MEMBER_TTL, false);
        positive(configHistory, CONFIG_HISTORY, false);
        positive(hourRetention, HOUR_RETENTION, false);
        positive(shiftRetention, SHIFT_RETENTION, false);
        positive(dayRetention, DAY_RETENTION, false);
        positive(alignIdle, ALIGN_IDLE, true);
        positive(maxHold, MAX_HOLD, false);
        calendarLines = Map.copyOf(calendarLines);
    }

    /** With the default {@code rollup.align-idle} and {@code rollup.max-hold}. */
    public RollupSettings(Duration waitForLines, Duration correctionWindow, Duration memberTtl, Duration configHistory,
                          Duration hourRetention, Duration shiftRetention, Duration dayRetention, Map<String, String> calendarLines) {
        this(waitForLines, correctionWindow, memberTtl, configHistory, hourRetention, shiftRetention, dayRetention, calendarLines,
                DEFAULT_ALIGN_IDLE, DEFAULT_MAX_HOLD);
    }

    public static RollupSettings defaults() {
        return new RollupSettings(Duration.ofMinutes(10), Duration.ofDays(2), Duration.ofDays(7), Duration.ofDays(365),
                Duration.ofDays(7), Duration.ofDays(35), Duration.ofDays(400), Map.of());
    }

    /** Defaults overridden by the {@code rollup.*} keys of {@code config}; a bad value fails naming its key. */
    public static RollupSettings from(Map<String, ?> config) {
        RollupSettings d = defaults();
        Map<String, String> calendars = new TreeMap<>();
        config.forEach((key, value) -> {
            if (key.startsWith(CALENDAR_PREFIX) && value != null && !value.toString().isBlank()) {
                String rest = key.substring(CALENDAR_PREFIX.length());
                int dot = rest.indexOf('.');
                String level = dot < 0 ? "" : rest.substring(0, dot);
                if (!level.equals("area") && !level.equals("site") || dot == rest.length() - 1) {
                    throw new IllegalArgumentException(key + ": expected rollup.calendar.area.<areaId> or rollup.calendar.site.<siteId>");
                }
                calendars.put(level + ":" + rest.substring(dot + 1), value.toString().trim());
            }
        });
        return new RollupSettings(duration(config, WAIT, d.waitForLines), duration(config, CORRECTION_WINDOW, d.correctionWindow),
                duration(config, MEMBER_TTL, d.memberTtl), duration(config, CONFIG_HISTORY, d.configHistory),
                duration(config, HOUR_RETENTION, d.hourRetention), duration(config, SHIFT_RETENTION, d.shiftRetention),
                duration(config, DAY_RETENTION, d.dayRetention), calendars, duration(config, ALIGN_IDLE, d.alignIdle),
                duration(config, MAX_HOLD, d.maxHold));
    }

    public RollupSettings withWait(Duration value) {
        return new RollupSettings(value, correctionWindow, memberTtl, configHistory, hourRetention, shiftRetention, dayRetention, calendarLines,
                alignIdle, maxHold);
    }

    public RollupSettings withCalendarLine(String rollupId, String lineId) {
        Map<String, String> calendars = new TreeMap<>(calendarLines);
        calendars.put(rollupId, lineId);
        return new RollupSettings(waitForLines, correctionWindow, memberTtl, configHistory, hourRetention, shiftRetention, dayRetention, calendars,
                alignIdle, maxHold);
    }

    public RollupSettings withAlignIdle(Duration value) {
        return new RollupSettings(waitForLines, correctionWindow, memberTtl, configHistory, hourRetention, shiftRetention, dayRetention,
                calendarLines, value, maxHold);
    }

    public RollupSettings withMaxHold(Duration value) {
        return new RollupSettings(waitForLines, correctionWindow, memberTtl, configHistory, hourRetention, shiftRetention, dayRetention,
                calendarLines, alignIdle, value);
    }

    /** How long published roll-up windows of a granularity stay in the stores. */
    public Duration retention(Granularity granularity) {
        return switch (granularity) {
            case HOUR -> hourRetention;
            case SHIFT -> shiftRetention;
            case DAY -> dayRetention;
        };
    }

    private static Duration duration(Map<String, ?> config, String key, Duration fallback) {
        return DurationSetting.read(config, key, fallback);
    }

    private static void positive(Duration d, String name, boolean zeroAllowed) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new IllegalArgumentException(name + " must be " + (zeroAllowed ? "at least 0" : "positive") + ": " + d);
        }
    }
}

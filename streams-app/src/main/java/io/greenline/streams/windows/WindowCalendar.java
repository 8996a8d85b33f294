package io.greenline.streams.windows;

import io.greenline.events.Granularity;
import io.greenline.events.LineConfig;
import io.greenline.schemas.BoundedMemo;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The window calendar of one line: which KPI windows exist, and which time is planned (inside the shift
 * calendar). Plain Java, no Kafka types, immutable, shared by the OEE, quality and line-energy topologies.
 *
 * <ul>
 *   <li>{@link Granularity#HOUR}: UTC-aligned hours, whatever the line's timezone.</li>
 *   <li>{@link Granularity#SHIFT}: every occurrence of every shift of the calendar, computed in the line's
 *       timezone with {@link ZonedDateTime} rules: a local start or end that falls into a DST gap moves
 *       forward by the gap, one that falls into a DST overlap takes the earlier offset. A night shift (end at
 *       or before start) ends on the next local day, so across a DST change it lasts one hour more or less.
 *       <b>A line without shifts (24/7) has no SHIFT windows</b>: its calendar day already is the whole
 *       planned period, and an invented "24/7 shift" would duplicate the DAY window under another name.</li>
 *   <li>{@link Granularity#DAY}: local calendar days (23, 24 or 25 hours long), from the start of the day in
 *       the line's timezone.</li>
 * </ul>
 *
 * <p>Planned time is the union of the shift occurrences; a line without shifts is planned all the time.
 * Overlapping shifts are each a SHIFT window, and their union counts once as planned time.
 */
public final class WindowCalendar {

    private static final long HOUR_MS = 3_600_000L;
    private static final Comparator<Window> BY_START = Comparator.comparing(Window::start)
            .thenComparing(Window::end)
            .thenComparing(w -> w.shiftName() == null ? "" : w.shiftName());

    private final ZoneId zone;
    private final List<ShiftDefinition> shifts;

    public WindowCalendar(ZoneId zone, List<ShiftDefinition> shifts) {
        this.zone = Objects.requireNonNull(zone, "zone");
        this.shifts = List.copyOf(shifts);
    }

    /**
     * Calendars already built, by what defines them (timezone and shifts): every event looks its line's calendar up.
     * Bounded far above the distinct calendars of any plant.
     */
    private static final BoundedMemo<List<Object>, WindowCalendar> BUILT = new BoundedMemo<>(4096);
    private static final WindowCalendar UTC_24X7 = twentyFourSeven(ZoneOffset.UTC);

    /**
     * The calendar of a line config: its timezone and shifts (an empty list = 24/7). Built once per distinct
     * timezone and shift list and shared (a calendar is immutable), so the per-event lookup parses nothing.
     */
    public static WindowCalendar of(LineConfig config) {
        return BUILT.get(List.of(config.getTimezone(), List.copyOf(config.getShifts())), key -> new WindowCalendar(
                ZoneId.of(config.getTimezone()), config.getShifts().stream().map(ShiftDefinition::from).toList()));
    }

    /** A line planned all the time, with days in {@code zone}. */
    public static WindowCalendar twentyFourSeven(ZoneId zone) {
        return new WindowCalendar(zone, List.of());
    }

    /** A 24/7 calendar in UTC: what a line runs on before its first line-config is known. */
    public static WindowCalendar utc24x7() {
        return UTC_24X7;
    }

    public ZoneId zone() {
        return zone;
    }

    public List<ShiftDefinition> shifts() {
        return shifts;
    }

    /** True when the line has no shifts: every instant is planned and there are no SHIFT windows. */
    public boolean isTwentyFourSeven() {
        return shifts.isEmpty();
    }

    /** The windows of {@code granularity} that share at least one instant with {@code [from, to)}, by start. */
    public List<Window> windows(Granularity granularity, Instant from, Instant to) {
        if (!to.isAfter(from)) {
            return List.of();
        }
        return switch (granularity) {
            case HOUR -> hours(from, to);
            case DAY -> days(from, to);
            case SHIFT -> shiftOccurrences(from, to);
        };
    }

    /** The windows of {@code granularity} that contain {@code t}: exactly one HOUR and one DAY; zero or more SHIFTs. */
    public List<Window> windowsContaining(Granularity granularity, Instant t) {
        return windows(granularity, t, t.plusMillis(1));
    }

    /** The window of {@code granularity} containing {@code t}; for SHIFT the earliest-starting one, if any. */
    public Optional<Window> windowAt(Granularity granularity, Instant t) {
        List<Window> found = windowsContaining(granularity, t);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** The planned (in-calendar) parts of {@code [from, to)}: sorted, disjoint, non-empty, not touching. */
    public List<Interval> plannedIntervals(Instant from, Instant to) {
        if (!to.isAfter(from)) {
            return List.of();
        }
        if (isTwentyFourSeven()) {
            return List.of(new Interval(from, to));
        }
        List<Interval> merged = new ArrayList<>();
        Interval range = new Interval(from, to);
        for (Window shift : shiftOccurrences(from, to)) {
            Interval part = shift.interval().intersect(range);
            if (part.isEmpty()) {
                continue;
            }
            if (!merged.isEmpty() && !merged.get(merged.size() - 1).end().isBefore(part.start())) {
                Interval last = merged.remove(merged.size() - 1);
                merged.add(new Interval(last.start(), last.end().isAfter(part.end()) ? last.end() : part.end()));
            } else {
                merged.add(part);
            }
        }
        return merged;
    }

    /** Total planned milliseconds in {@code [from, to)}. */
    public long plannedMs(Instant from, Instant to) {
        return plannedIntervals(from, to).stream().mapToLong(Interval::lengthMs).sum();
    }

    private static List<Window> hours(Instant from, Instant to) {
        List<Window> out = new ArrayList<>();
        long start = Math.floorDiv(from.toEpochMilli(), HOUR_MS) * HOUR_MS;
        for (long s = start; s < to.toEpochMilli(); s += HOUR_MS) {
            out.add(new Window(Granularity.HOUR, null, Instant.ofEpochMilli(s), Instant.ofEpochMilli(s + HOUR_MS)));
        }
        return out;
    }

    private List<Window> days(Instant from, Instant to) {
        List<Window> out = new ArrayList<>();
        for (LocalDate day = from.atZone(zone).toLocalDate(); ; day = day.plusDays(1)) {
            Window w = on(day).day;
            if (!w.start().isBefore(to)) {
                return out;
            }
            if (w.end().isAfter(from)) {
                out.add(w);
            }
        }
    }

    private List<Window> shiftOccurrences(Instant from, Instant to) {
        if (shifts.isEmpty()) {
            return List.of();
        }
        List<Window> out = new ArrayList<>();
        // a shift starting the local day before 'from' may still be running (night shift)
        LocalDate first = from.atZone(zone).toLocalDate().minusDays(1);
        LocalDate last = to.atZone(zone).toLocalDate();
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            for (Window shift : on(day).shifts) {
                if (shift.start().isBefore(to) && shift.end().isAfter(from)) {
                    out.add(shift);
                }
            }
        }
        out.sort(BY_START);
        return out;
    }

    /** The DAY window of a local date and the shift occurrences that start on it, computed once per date. */
    private record LocalDay(Window day, List<Window> shifts) {
    }

    /**
     * Local days already computed: every event asks for the windows containing it, and the zone rules behind a
     * day's start and its shifts' starts and ends are the costly part. Bounded (about eleven years of
     * days).
     */
    private final BoundedMemo<LocalDate, LocalDay> localDays = new BoundedMemo<>(4096);

    private LocalDay on(LocalDate date) {
        return localDays.get(date, this::computeDay);
    }

    private LocalDay computeDay(LocalDate date) {
        Window day = new Window(Granularity.DAY, null, date.atStartOfDay(zone).toInstant(),
                date.plusDays(1).atStartOfDay(zone).toInstant());
        List<Window> starting = new ArrayList<>();
        for (ShiftDefinition shift : shifts) {
            if (!shift.days().contains(date.getDayOfWeek())) {
                continue;
            }
            Instant start = ZonedDateTime.of(date, shift.start(), zone).toInstant();
            LocalDate endDay = shift.crossesMidnight() ? date.plusDays(1) : date;
            Instant end = ZonedDateTime.of(endDay, shift.end(), zone).toInstant();
            // a shift wholly inside a DST gap has no length: it does not occur that day
            if (end.isAfter(start)) {
                starting.add(new Window(Granularity.SHIFT, shift.name(), start, end));
            }
        }
        return new LocalDay(day, List.copyOf(starting));
    }

    /** The start of the UTC hour containing {@code t}. */
    public static Instant hourStart(Instant t) {
        return t.truncatedTo(ChronoUnit.HOURS);
    }
}

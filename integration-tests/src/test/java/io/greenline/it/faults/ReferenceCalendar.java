package io.greenline.it.faults;

import io.greenline.events.Granularity;
import io.greenline.events.LineConfig;
import io.greenline.events.Shift;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The oracle's own reading of a line's window calendar (docs/oee.md "Windows"), written from the documentation
 * and sharing no code with the application: UTC hours, local days, every occurrence of every shift in the line's
 * timezone (a shift ending at or before its start ends the next local day), planned time = the union of the
 * shift occurrences, or all time for a line without shifts.
 */
final class ReferenceCalendar {

    static final long HOUR = 3_600_000L;

    /** One KPI window. */
    record Win(Granularity granularity, String shiftName, long start, long end) {
        boolean contains(long t) {
            return start <= t && t < end;
        }
    }

    private record ShiftRule(String name, LocalTime start, LocalTime end, Set<DayOfWeek> days) {
    }

    private final ZoneId zone;
    private final List<ShiftRule> shifts;

    private ReferenceCalendar(ZoneId zone, List<ShiftRule> shifts) {
        this.zone = zone;
        this.shifts = shifts;
    }

    /** The calendar of a config; UTC 24/7 without one. */
    static ReferenceCalendar of(LineConfig config) {
        if (config == null) {
            return new ReferenceCalendar(ZoneOffset.UTC, List.of());
        }
        List<ShiftRule> rules = new ArrayList<>();
        for (Shift s : config.getShifts()) {
            Set<DayOfWeek> days = s.getDays().stream().map(d -> DayOfWeek.valueOf(d.name())).collect(Collectors.toSet());
            rules.add(new ShiftRule(s.getName(), LocalTime.parse(s.getStart()), LocalTime.parse(s.getEnd()), days));
        }
        return new ReferenceCalendar(ZoneId.of(config.getTimezone()), rules);
    }

    /** Every window of every granularity sharing an instant with {@code [from, to)}. */
    List<Win> overlapping(long from, long to) {
        List<Win> out = new ArrayList<>();
        if (to <= from) {
            return out;
        }
        for (long h = Math.floorDiv(from, HOUR) * HOUR; h < to; h += HOUR) {
            out.add(new Win(Granularity.HOUR, null, h, h + HOUR));
        }
        for (LocalDate d = localDate(from); ; d = d.plusDays(1)) {
            long start = d.atStartOfDay(zone).toInstant().toEpochMilli();
            long end = d.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
            if (start >= to) {
                break;
            }
            if (end > from) {
                out.add(new Win(Granularity.DAY, null, start, end));
            }
        }
        out.addAll(shiftsOverlapping(from, to));
        return out;
    }

    /** The windows containing {@code t}. */
    List<Win> containing(long t) {
        return overlapping(t, t + 1);
    }

    private List<Win> shiftsOverlapping(long from, long to) {
        List<Win> out = new ArrayList<>();
        for (LocalDate d = localDate(from).minusDays(1); !d.isAfter(localDate(to)); d = d.plusDays(1)) {
            for (ShiftRule s : shifts) {
                if (!s.days().contains(d.getDayOfWeek())) {
                    continue;
                }
                long start = ZonedDateTime.of(d, s.start(), zone).toInstant().toEpochMilli();
                LocalDate endDay = s.end().isAfter(s.start()) ? d : d.plusDays(1);
                long end = ZonedDateTime.of(endDay, s.end(), zone).toInstant().toEpochMilli();
                if (end > start && start < to && end > from) {
                    out.add(new Win(Granularity.SHIFT, s.name(), start, end));
                }
            }
        }
        out.sort(Comparator.comparingLong(Win::start));
        return out;
    }

    /** Planned milliseconds of {@code [from, to)}: overlap with the union of shift occurrences (all of it when 24/7). */
    long plannedMs(long from, long to) {
        if (to <= from) {
            return 0;
        }
        if (shifts.isEmpty()) {
            return to - from;
        }
        long total = 0;
        long coveredUpTo = from;
        for (Win w : shiftsOverlapping(from, to)) {
            long s = Math.max(coveredUpTo, w.start());
            long e = Math.min(to, w.end());
            if (e > s) {
                total += e - s;
            }
            coveredUpTo = Math.max(coveredUpTo, e);
        }
        return total;
    }

    private LocalDate localDate(long t) {
        return java.time.Instant.ofEpochMilli(t).atZone(zone).toLocalDate();
    }
}

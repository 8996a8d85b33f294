package io.greenline.streams.windows;

import io.greenline.events.Shift;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One shift of a line's calendar in local time: it starts at {@code start} on each of {@code days} and ends at
 * {@code end} the same day, or the next day when {@code end <= start} (a night shift crossing midnight; an end
 * equal to the start is a 24-hour shift).
 */
public record ShiftDefinition(String name, LocalTime start, LocalTime end, Set<DayOfWeek> days) {

    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

    public ShiftDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        days = days.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(days));
    }

    /** Parses an Avro {@link Shift}: times "HH:mm", days ISO day names. */
    public static ShiftDefinition from(Shift shift) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        shift.getDays().forEach(d -> days.add(DayOfWeek.valueOf(d.name())));
        return new ShiftDefinition(shift.getName(), parse(shift.getStart(), shift), parse(shift.getEnd(), shift), days);
    }

    public static ShiftDefinition of(String name, String start, String end, DayOfWeek... days) {
        Set<DayOfWeek> set = days.length == 0 ? EnumSet.noneOf(DayOfWeek.class) : EnumSet.of(days[0], days);
        return new ShiftDefinition(name, LocalTime.parse(start, HH_MM), LocalTime.parse(end, HH_MM), set);
    }

    /** True when the shift ends on the day after it starts. */
    public boolean crossesMidnight() {
        return !end.isAfter(start);
    }

    private static LocalTime parse(String hhmm, Shift shift) {
        try {
            return LocalTime.parse(hhmm, HH_MM);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("shift " + shift.getName() + ": not HH:mm: " + hhmm, e);
        }
    }
}

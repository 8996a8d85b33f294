package io.greenline.producers.sim;

import io.greenline.producers.sim.SimulatorConfig.PlannedStop;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;

/** Planned stops of a line (maintenance windows repeating on weekdays at a local time). */
final class PlannedCalendar {

    /** One occurrence of a planned stop. */
    record Window(long start, long end, String reasonCode) {
        boolean contains(long t) {
            return t >= start && t < end;
        }
    }

    private final List<PlannedStop> stops;
    private final ZoneId zone;

    PlannedCalendar(List<PlannedStop> stops, ZoneId zone) {
        this.stops = List.copyOf(stops);
        this.zone = zone;
    }

    /** The first planned window that starts at or after {@code t}, or null when there are none. */
    Window nextStartingAtOrAfter(long t) {
        Window best = null;
        for (Window window : occurrencesAround(t)) {
            if (window.start() >= t && (best == null || window.start() < best.start())) {
                best = window;
            }
        }
        return best;
    }

    /** The planned window containing {@code t}, or null. */
    Window containing(long t) {
        for (Window window : occurrencesAround(t)) {
            if (window.contains(t)) {
                return window;
            }
        }
        return null;
    }

    private List<Window> occurrencesAround(long t) {
        if (stops.isEmpty()) {
            return List.of();
        }
        LocalDate today = ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(t), zone).toLocalDate();
        java.util.ArrayList<Window> windows = new java.util.ArrayList<>();
        for (int offset = -1; offset <= 8; offset++) {
            LocalDate day = today.plusDays(offset);
            for (PlannedStop stop : stops) {
                if (stop.days().stream().anyMatch(d -> d.name().equals(day.getDayOfWeek().name()))) {
                    long start = day.atTime(LocalTime.parse(stop.start())).atZone(zone).toInstant().toEpochMilli();
                    long end = start + (long) (stop.durationMinutes() * 60_000);
                    windows.add(new Window(start, end, stop.reasonCode()));
                }
            }
        }
        return windows;
    }
}

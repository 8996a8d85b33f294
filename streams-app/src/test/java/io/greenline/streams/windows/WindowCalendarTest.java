package io.greenline.streams.windows;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.DayOfWeek;
import io.greenline.events.Granularity;
import io.greenline.events.LineConfig;
import io.greenline.events.Shift;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WindowCalendarTest {

    private static final java.time.DayOfWeek[] WEEKDAYS = {java.time.DayOfWeek.MONDAY, java.time.DayOfWeek.TUESDAY,
            java.time.DayOfWeek.WEDNESDAY, java.time.DayOfWeek.THURSDAY, java.time.DayOfWeek.FRIDAY};
    private static final java.time.DayOfWeek[] ALL_DAYS = java.time.DayOfWeek.values();

    private static final ShiftDefinition EARLY = ShiftDefinition.of("early", "06:00", "14:00", WEEKDAYS);
    private static final ShiftDefinition LATE = ShiftDefinition.of("late", "14:00", "22:00", WEEKDAYS);
    private static final ShiftDefinition NIGHT = ShiftDefinition.of("night", "22:00", "06:00", WEEKDAYS);
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static Instant t(String iso) {
        return Instant.parse(iso);
    }

    private static Window shift(String name, String start, String end) {
        return new Window(Granularity.SHIFT, name, t(start), t(end));
    }

    @Test
    @DisplayName("HOUR windows are UTC-aligned whatever the zone; an instant on an edge belongs to the later hour")
    void hoursAreUtcAligned() {
        WindowCalendar cal = new WindowCalendar(ZoneId.of("Asia/Kolkata"), List.of(EARLY));
        assertThat(cal.windows(Granularity.HOUR, t("2026-01-05T10:30:00Z"), t("2026-01-05T12:00:00Z")))
                .extracting(Window::start)
                .containsExactly(t("2026-01-05T10:00:00Z"), t("2026-01-05T11:00:00Z"));
        assertThat(cal.windowAt(Granularity.HOUR, t("2026-01-05T11:00:00Z")).orElseThrow().interval())
                .isEqualTo(new Interval(t("2026-01-05T11:00:00Z"), t("2026-01-05T12:00:00Z")));
    }

    @Test
    @DisplayName("A night shift 22:00-06:00 belongs to the day it starts on and ends the next morning; Friday's night runs into Saturday")
    void nightShiftCrossesMidnight() {
        WindowCalendar cal = new WindowCalendar(ZoneOffset.UTC, List.of(EARLY, LATE, NIGHT));
        // 2026-01-05 is a Monday: Monday's night shift covers Tuesday 03:00
        assertThat(cal.windowsContaining(Granularity.SHIFT, t("2026-01-06T03:00:00Z")))
                .containsExactly(shift("night", "2026-01-05T22:00:00Z", "2026-01-06T06:00:00Z"));
        // Friday 2026-01-09 night ends Saturday 06:00; Saturday 23:00 is in no shift (no weekend shifts)
        assertThat(cal.windowsContaining(Granularity.SHIFT, t("2026-01-10T02:00:00Z")))
                .containsExactly(shift("night", "2026-01-09T22:00:00Z", "2026-01-10T06:00:00Z"));
        assertThat(cal.windowsContaining(Granularity.SHIFT, t("2026-01-10T23:00:00Z"))).isEmpty();
        // Monday 00:00-06:00 is not planned: Sunday has no night shift
        assertThat(cal.windowsContaining(Granularity.SHIFT, t("2026-01-05T03:00:00Z"))).isEmpty();
    }

    @Test
    @DisplayName("Planned time is the merged union of shift occurrences, clipped to the asked interval")
    void plannedIntervalsMerge() {
        WindowCalendar twoShifts = new WindowCalendar(ZoneOffset.UTC, List.of(EARLY, NIGHT));
        // Monday: early 06-14, night 22-24 (continues Tuesday 00-06)
        assertThat(twoShifts.plannedIntervals(t("2026-01-05T00:00:00Z"), t("2026-01-06T00:00:00Z"))).containsExactly(
                new Interval(t("2026-01-05T06:00:00Z"), t("2026-01-05T14:00:00Z")),
                new Interval(t("2026-01-05T22:00:00Z"), t("2026-01-06T00:00:00Z")));
        // 8 h + 2 h = 10 h = 36,000,000 ms
        assertThat(twoShifts.plannedMs(t("2026-01-05T00:00:00Z"), t("2026-01-06T00:00:00Z"))).isEqualTo(36_000_000L);
        WindowCalendar threeShifts = new WindowCalendar(ZoneOffset.UTC, List.of(EARLY, LATE, NIGHT));
        // Monday 06:00 to Saturday 06:00 without a gap: one interval
        assertThat(threeShifts.plannedIntervals(t("2026-01-05T00:00:00Z"), t("2026-01-12T00:00:00Z"))).containsExactly(
                new Interval(t("2026-01-05T06:00:00Z"), t("2026-01-10T06:00:00Z")));
    }

    @Test
    @DisplayName("Spring DST in Berlin: the 29 March 2026 day has 23 h and the night shift starting the 28th has 7 h")
    void springForward() {
        WindowCalendar cal = new WindowCalendar(BERLIN, List.of(ShiftDefinition.of("night", "22:00", "06:00", ALL_DAYS)));
        // day 2026-03-29 local: 00:00 CET (+01) = 03-28T23:00Z to 03-30 00:00 CEST (+02) = 03-29T22:00Z: 23 h
        Window day = cal.windowAt(Granularity.DAY, t("2026-03-29T12:00:00Z")).orElseThrow();
        assertThat(day.interval()).isEqualTo(new Interval(t("2026-03-28T23:00:00Z"), t("2026-03-29T22:00:00Z")));
        assertThat(day.lengthMs()).isEqualTo(23 * 3_600_000L);
        // night of the 28th: 22:00 CET = 21:00Z to 06:00 CEST = 04:00Z: 7 h
        Window night = cal.windowAt(Granularity.SHIFT, t("2026-03-29T01:00:00Z")).orElseThrow();
        assertThat(night).isEqualTo(shift("night", "2026-03-28T21:00:00Z", "2026-03-29T04:00:00Z"));
        assertThat(night.lengthMs()).isEqualTo(7 * 3_600_000L);
        // a shift starting 02:30 that Sunday starts in the gap: moved forward to 03:30 CEST = 01:30Z
        WindowCalendar gap = new WindowCalendar(BERLIN, List.of(ShiftDefinition.of("odd", "02:30", "10:00", java.time.DayOfWeek.SUNDAY)));
        assertThat(gap.windowAt(Granularity.SHIFT, t("2026-03-29T05:00:00Z")).orElseThrow())
                .isEqualTo(shift("odd", "2026-03-29T01:30:00Z", "2026-03-29T08:00:00Z"));
    }

    @Test
    @DisplayName("Autumn DST in Berlin: the 25 October 2026 day has 25 h and the night shift starting the 24th has 9 h")
    void fallBack() {
        WindowCalendar cal = new WindowCalendar(BERLIN, List.of(ShiftDefinition.of("night", "22:00", "06:00", ALL_DAYS)));
        // day 2026-10-25 local: 00:00 CEST (+02) = 10-24T22:00Z to 10-26 00:00 CET (+01) = 10-25T23:00Z: 25 h
        Window day = cal.windowAt(Granularity.DAY, t("2026-10-25T12:00:00Z")).orElseThrow();
        assertThat(day.interval()).isEqualTo(new Interval(t("2026-10-24T22:00:00Z"), t("2026-10-25T23:00:00Z")));
        assertThat(day.lengthMs()).isEqualTo(25 * 3_600_000L);
        // night of the 24th: 22:00 CEST = 20:00Z to 06:00 CET = 05:00Z: 9 h, all planned
        Window night = cal.windowAt(Granularity.SHIFT, t("2026-10-25T01:00:00Z")).orElseThrow();
        assertThat(night).isEqualTo(shift("night", "2026-10-24T20:00:00Z", "2026-10-25T05:00:00Z"));
        assertThat(cal.plannedMs(night.start(), night.end())).isEqualTo(9 * 3_600_000L);
        // the three DAY windows around the change tile the time without gap or overlap
        List<Window> days = cal.windows(Granularity.DAY, t("2026-10-24T12:00:00Z"), t("2026-10-26T12:00:00Z"));
        assertThat(days).hasSize(3);
        assertThat(days.get(0).end()).isEqualTo(days.get(1).start());
        assertThat(days.get(1).end()).isEqualTo(days.get(2).start());
    }

    @Test
    @DisplayName("A line without shifts is planned all the time and has no SHIFT windows")
    void twentyFourSeven() {
        WindowCalendar cal = WindowCalendar.twentyFourSeven(BERLIN);
        assertThat(cal.isTwentyFourSeven()).isTrue();
        assertThat(cal.windows(Granularity.SHIFT, t("2026-01-05T00:00:00Z"), t("2026-01-12T00:00:00Z"))).isEmpty();
        assertThat(cal.plannedIntervals(t("2026-01-05T00:00:00Z"), t("2026-01-05T05:00:00Z")))
                .containsExactly(new Interval(t("2026-01-05T00:00:00Z"), t("2026-01-05T05:00:00Z")));
        // Berlin winter day 2026-01-05: 23:00Z the day before to 23:00Z
        assertThat(cal.windowAt(Granularity.DAY, t("2026-01-05T23:30:00Z")).orElseThrow().start()).isEqualTo(t("2026-01-05T23:00:00Z"));
    }

    @Test
    @DisplayName("A LineConfig's timezone and Avro shifts build the calendar")
    void fromLineConfig() {
        LineConfig config = LineConfig.newBuilder()
                .setLineId("L1").setSiteId("S").setAreaId("A").setName("drums").setTimezone("Europe/Berlin")
                .setShifts(List.of(new Shift("night", "22:00", "06:00", List.of(DayOfWeek.MONDAY))))
                .setProducts(List.of()).setMicroStopThresholdMs(120_000L).setOeeTarget(null).setGridRegion("DE")
                .setValidFrom(t("2026-01-01T00:00:00Z")).build();
        WindowCalendar cal = WindowCalendar.of(config);
        assertThat(cal.zone()).isEqualTo(BERLIN);
        // Monday 2026-01-05 22:00 CET = 21:00Z to Tuesday 06:00 CET = 05:00Z
        assertThat(cal.windowsContaining(Granularity.SHIFT, t("2026-01-06T00:00:00Z")))
                .containsExactly(shift("night", "2026-01-05T21:00:00Z", "2026-01-06T05:00:00Z"));
    }
}

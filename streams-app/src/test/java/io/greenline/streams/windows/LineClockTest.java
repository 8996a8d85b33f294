package io.greenline.streams.windows;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.Granularity;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LineClockTest {

    private static final long GRACE = 300_000L;
    private static final long WALL = 1_000_000_000L;
    private static final WindowCalendar CAL = new WindowCalendar(ZoneOffset.UTC,
            List.of(ShiftDefinition.of("early", "06:00", "14:00", DayOfWeek.MONDAY)));

    private static long at(String hhmm) {
        return Instant.parse("2026-01-05T" + hhmm + ":00Z").toEpochMilli();
    }

    @Test
    @DisplayName("A window is final once the clock passes its end plus the grace, and is drained exactly once")
    void drainsEachWindowOnce() {
        LineClock clock = new LineClock();
        clock.observe(at("10:00"), WALL);
        clock.observe(at("11:04"), WALL);
        assertThat(clock.drainFinal(CAL, GRACE)).isEmpty();
        // 11:05 = 11:00 + 5 min: hour 10 is final; the shift and the day are not
        clock.observe(at("11:05"), WALL);
        assertThat(clock.drainFinal(CAL, GRACE)).extracting(Window::granularity, Window::start)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Granularity.HOUR, Instant.parse("2026-01-05T10:00:00Z")));
        assertThat(clock.drainFinal(CAL, GRACE)).isEmpty();
        // 14:06: hours 11, 12, 13 and the shift (ends 14:00) are final, in order of end
        clock.observe(at("14:06"), WALL);
        assertThat(clock.drainFinal(CAL, GRACE)).extracting(w -> w.granularity() + " " + w.start())
                .containsExactly("HOUR 2026-01-05T11:00:00Z", "HOUR 2026-01-05T12:00:00Z", "HOUR 2026-01-05T13:00:00Z",
                        "SHIFT 2026-01-05T06:00:00Z");
        // windows open at 14:06: hour 14 and the day
        assertThat(clock.openWindows(CAL, GRACE)).extracting(Window::granularity).containsExactly(Granularity.HOUR, Granularity.DAY);
    }

    @Test
    @DisplayName("A quiet line's clock moves by the wall-clock time passed since it last moved, only once it has been idle")
    void idleAdvance() {
        LineClock clock = new LineClock();
        clock.observe(at("10:00"), WALL);
        assertThat(clock.advanceIdle(WALL + 10_000, 30_000, 0)).isFalse();
        assertThat(clock.clockMs()).isEqualTo(at("10:00"));
        // idle 60 s: clock 10:00 + 60,000 ms
        assertThat(clock.advanceIdle(WALL + 60_000, 30_000, 0)).isTrue();
        assertThat(clock.clockMs()).isEqualTo(at("10:00") + 60_000);
        // 30 s later: + 30,000 (from the last move, not from the last record)
        assertThat(clock.advanceIdle(WALL + 90_000, 30_000, 0)).isTrue();
        assertThat(clock.clockMs()).isEqualTo(at("10:00") + 90_000);
        // a record resets the idle time
        clock.observe(at("10:00"), WALL + 100_000);
        assertThat(clock.advanceIdle(WALL + 110_000, 30_000, 0)).isFalse();
    }

    @Test
    @DisplayName("Wall-clock time before the owning processor started (a restart, a task move) does not advance a line")
    void downtimeIsNotSilence() {
        LineClock clock = new LineClock();
        clock.observe(at("10:00"), WALL);
        // the app was down for an hour and restarted at WALL + 3,600,000; 10 s later the line is not idle yet
        long restart = WALL + 3_600_000;
        assertThat(clock.advanceIdle(restart + 10_000, 30_000, restart)).isFalse();
        // 60 s after the restart: the clock moves by those 60,000 ms only, not by the downtime
        assertThat(clock.advanceIdle(restart + 60_000, 30_000, restart)).isTrue();
        assertThat(clock.clockMs()).isEqualTo(at("10:00") + 60_000);
    }

    @Test
    @DisplayName("A count is late when a window containing it is final; a state change when any window after it is final")
    void lateness() {
        LineClock clock = new LineClock();
        clock.observe(at("10:20"), WALL);
        clock.observe(at("11:06"), WALL);
        // 10:58: hour 10 ends 11:00, + 5 min = 11:05 <= 11:06: late
        assertThat(clock.isLateAt(at("10:58"), CAL, GRACE)).isTrue();
        assertThat(clock.isLateFrom(at("10:58"), CAL, GRACE)).isTrue();
        // 11:02 is in hour 11: not late either way
        assertThat(clock.isLateAt(at("11:02"), CAL, GRACE)).isFalse();
        assertThat(clock.isLateFrom(at("11:02"), CAL, GRACE)).isFalse();
        // a 10-minute shift 10:00-10:10: at clock 10:16 it is final while hour 10 is still open
        WindowCalendar tiny = new WindowCalendar(ZoneOffset.UTC, List.of(ShiftDefinition.of("tiny", "10:00", "10:10", DayOfWeek.MONDAY)));
        LineClock c2 = new LineClock();
        c2.observe(at("10:04"), WALL);
        c2.observe(at("10:16"), WALL);
        // hour 10 (10:00-11:00) is open; the tiny shift ended 10:10 + 5 = 10:15 <= 10:16: final
        assertThat(c2.isLateAt(at("10:05"), tiny, GRACE)).isTrue();
        assertThat(c2.isLateAt(at("10:12"), tiny, GRACE)).isFalse();
        // a state change at 10:12 changes nothing final; one at 10:02 would change the final tiny shift
        assertThat(c2.isLateFrom(at("10:12"), tiny, GRACE)).isFalse();
        assertThat(c2.isLateFrom(at("10:02"), tiny, GRACE)).isTrue();
    }

    @Test
    @DisplayName("When the earliest event moves back, windows that now exist and are already final are drained once")
    void earliestMovesBack() {
        WindowCalendar tiny = new WindowCalendar(ZoneOffset.UTC, List.of(ShiftDefinition.of("tiny", "10:05", "10:10", DayOfWeek.MONDAY)));
        LineClock clock = new LineClock();
        clock.observe(at("10:12"), WALL);
        clock.observe(at("10:16"), WALL);
        // the tiny shift ended before the line's first event: it does not exist
        assertThat(clock.drainFinal(tiny, GRACE)).isEmpty();
        // a count at 10:03 is in hour 10 and the day, both open, and in no shift: not late
        assertThat(clock.isLateAt(at("10:03"), tiny, GRACE)).isFalse();
        // accepting it makes the tiny shift (10:05-10:10, final since 10:15) exist: drained now, once
        clock.observe(at("10:03"), WALL);
        assertThat(clock.drainFinal(tiny, GRACE)).extracting(Window::shiftName).containsExactly("tiny");
        assertThat(clock.drainFinal(tiny, GRACE)).isEmpty();
    }

    @Test
    @DisplayName("Worst case the event-time guard allows: a line's clock moving 407 days (400 behind + 7 ahead) makes 9,768 hours, 407 days and 1,221 shifts final")
    void worstCaseGap() {
        WindowCalendar threeShifts = new WindowCalendar(ZoneOffset.UTC, List.of(
                ShiftDefinition.of("early", "06:00", "14:00", DayOfWeek.values()),
                ShiftDefinition.of("late", "14:00", "22:00", DayOfWeek.values()),
                ShiftDefinition.of("night", "22:00", "06:00", DayOfWeek.values())));
        long first = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();
        long gap = 407L * 86_400_000L;
        LineClock clock = new LineClock();
        clock.observe(first, WALL);
        clock.observe(first + gap + GRACE, WALL);
        List<Window> all = clock.drainFinal(threeShifts, GRACE);
        // 407 days x 24 hours; 407 days; 3 shifts a day, the night shift of 2024-12-31 22:00 ending 06:00 counted too
        // (it exists: it ends after the first event), the one starting 2026-02-12 22:00 not yet final
        assertThat(all.stream().filter(w -> w.granularity() == Granularity.HOUR)).hasSize(9_768);
        assertThat(all.stream().filter(w -> w.granularity() == Granularity.DAY)).hasSize(407);
        assertThat(all.stream().filter(w -> w.granularity() == Granularity.SHIFT)).hasSize(1_221);
        assertThat(all).hasSize(11_396);
    }

    @Test
    @DisplayName("A long gap drains in slices of at most the given size, oldest first, each window exactly once")
    void drainsInSlices() {
        long first = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();
        LineClock whole = new LineClock();
        LineClock sliced = new LineClock();
        for (LineClock c : List.of(whole, sliced)) {
            c.observe(first, WALL);
            c.observe(first + 30L * 86_400_000L + GRACE, WALL);
        }
        List<Window> expected = whole.drainFinal(CAL, GRACE);
        assertThat(expected).hasSize(30 * 24 + 30 + 4); // hours, days and the Monday shifts of 30 days from a Wednesday
        List<Window> drained = new java.util.ArrayList<>();
        int slices = 0;
        while (sliced.hasUndrained()) {
            List<Window> slice = sliced.drainFinal(CAL, GRACE, 100);
            assertThat(slice).hasSizeLessThanOrEqualTo(100 + Granularity.values().length);
            drained.addAll(slice);
            slices++;
        }
        assertThat(drained).containsExactlyElementsOf(expected);
        assertThat(slices).isEqualTo(8);
        assertThat(sliced.drainFinal(CAL, GRACE, 100)).isEmpty();
    }
}

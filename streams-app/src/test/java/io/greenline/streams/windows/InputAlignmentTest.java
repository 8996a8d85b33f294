package io.greenline.streams.windows;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.Granularity;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InputAlignmentTest {

    private static final int STATES = 0;
    private static final int COUNTS = 1;
    private static final long IDLE = 5_000L;
    private static final long WALL = 1_000_000_000L;
    private static final long GRACE = 300_000L;
    private static final WindowCalendar UTC = new WindowCalendar(ZoneOffset.UTC, List.of());

    private static long at(String hhmm) {
        return Instant.parse("2026-01-05T" + hhmm + ":00Z").toEpochMilli();
    }

    @Test
    @DisplayName("The frontier is the least event time of the inputs; an unseen input holds at nothing until idle time passed")
    void leastOfTheInputs() {
        InputAlignment a = new InputAlignment(2, IDLE);
        assertThat(a.frontier("L", WALL)).isEqualTo(InputAlignment.NONE);
        a.observe("L", STATES, at("10:00"), WALL);
        // counts not seen yet: they hold everything, for the idle time from the line's first sighting
        assertThat(a.frontier("L", WALL + 1_000)).isEqualTo(Long.MIN_VALUE);
        a.observe("L", COUNTS, at("12:00"), WALL + 1_000);
        assertThat(a.frontier("L", WALL + 1_000)).isEqualTo(at("10:00"));
        a.observe("L", STATES, at("11:00"), WALL + 2_000);
        a.observe("L", STATES, at("10:30"), WALL + 2_000); // an older event does not move it back
        assertThat(a.frontier("L", WALL + 2_000)).isEqualTo(at("11:00"));
        // other lines are apart
        assertThat(a.frontier("M", WALL + 2_000)).isEqualTo(InputAlignment.NONE);
    }

    @Test
    @DisplayName("An input silent while the other delivers for the idle time no longer holds; a silent line holds nothing; 0 aligns nothing")
    void idleInputsDoNotHold() {
        InputAlignment a = new InputAlignment(2, IDLE);
        a.observe("L", STATES, at("10:00"), WALL);
        a.observe("L", COUNTS, at("08:00"), WALL);
        // the counter stops; states come every second: the counts are behind from the first of them (WALL + 1 s)
        for (int s = 1; s <= 6; s++) {
            a.observe("L", STATES, at("10:00") + s * 60_000L, WALL + s * 1_000L);
            if (s == 5) {
                assertThat(a.frontier("L", WALL + 5_000)).as("behind for 4 s").isEqualTo(at("08:00"));
            }
        }
        assertThat(a.frontier("L", WALL + 6_000)).as("behind for 5 s: idle").isEqualTo(at("10:06"));
        // the whole line silent for the idle time: nothing holds (its idle advance may close its windows)
        assertThat(a.frontier("L", WALL + 11_000)).isEqualTo(InputAlignment.NONE);
        // a count after the silence re-arms the wait for the states: a fresh batch of one topic often lands first
        a.observe("L", COUNTS, at("10:40"), WALL + 20_000);
        assertThat(a.frontier("L", WALL + 20_000)).isEqualTo(at("10:06"));
        for (int s = 21; s <= 24; s++) {
            a.observe("L", COUNTS, at("10:40") + (s - 20) * 1_000L, WALL + s * 1_000L);
        }
        assertThat(a.frontier("L", WALL + 24_999)).isEqualTo(at("10:06"));
        a.observe("L", COUNTS, at("10:41"), WALL + 25_000);
        assertThat(a.frontier("L", WALL + 25_000)).as("states behind for 5 s").isEqualTo(at("10:41"));

        InputAlignment off = new InputAlignment(2, 0);
        off.observe("L", STATES, at("10:00"), WALL);
        assertThat(off.frontier("L", WALL)).isEqualTo(InputAlignment.NONE);
    }

    @Test
    @DisplayName("A pause of the task (no record, no punctuation) is not silence: after it every input holds again for the idle time")
    void pauseOfTheTaskIsNotSilence() {
        InputAlignment a = new InputAlignment(2, IDLE);
        a.observe("L", STATES, at("10:00"), WALL);
        a.observe("L", COUNTS, at("10:00"), WALL);
        // punctuations every second while the task runs and the line is quiet: its inputs fall idle
        for (long s = 1; s <= 6; s++) {
            a.touch(WALL + s * 1_000);
        }
        assertThat(a.frontier("L", WALL + 6_000)).isEqualTo(InputAlignment.NONE);
        a.observe("L", STATES, at("10:05"), WALL + 6_500);
        // the task stalls 40 s (a blocked commit); then a count comes first: the states, silent only because the
        // task did not run, still hold
        a.observe("L", COUNTS, at("11:00"), WALL + 46_500);
        assertThat(a.frontier("L", WALL + 46_500)).isEqualTo(at("10:05"));
        assertThat(a.frontier("L", WALL + 46_500 + IDLE)).isEqualTo(InputAlignment.NONE);
    }

    @Test
    @DisplayName("A line clock drains against the frontier: held windows stay open, lateness is judged against what was made final")
    void clockDrainsAgainstTheFrontier() {
        LineClock clock = new LineClock();
        clock.observe(at("10:00"), WALL);
        clock.observe(at("14:06"), WALL);
        // frontier 11:30: only hour 10 (ends 11:00, + 5 min) is final; hours 11 to 13 stay open
        assertThat(clock.drainFinal(UTC, GRACE, at("11:30"))).extracting(Window::granularity, w -> w.start().toString())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Granularity.HOUR, "2026-01-05T10:00:00Z"));
        assertThat(clock.finalizedClockMs()).isEqualTo(at("11:30"));
        assertThat(clock.openWindows(UTC, GRACE, at("11:30"))).extracting(w -> w.start().toString())
                .contains("2026-01-05T11:00:00Z", "2026-01-05T12:00:00Z", "2026-01-05T13:00:00Z", "2026-01-05T14:00:00Z");
        // a count at 12:30 is not late against what was finalized, though the raw clock would call it late
        assertThat(clock.isLateAtFinalized(at("12:30"), UTC, GRACE)).isFalse();
        assertThat(clock.isLateAt(at("12:30"), UTC, GRACE)).isTrue();
        assertThat(clock.isLateAtFinalized(at("10:30"), UTC, GRACE)).isTrue();
        // a frontier behind what was finalized never takes finality back
        assertThat(clock.drainFinal(UTC, GRACE, at("09:00"))).isEmpty();
        assertThat(clock.finalizedClockMs()).isEqualTo(at("11:30"));
        // the frontier released: hours 11 to 13 are final, each once
        assertThat(clock.drainFinal(UTC, GRACE, InputAlignment.NONE)).extracting(w -> w.start().toString())
                .containsExactly("2026-01-05T11:00:00Z", "2026-01-05T12:00:00Z", "2026-01-05T13:00:00Z");
        assertThat(clock.drainFinal(UTC, GRACE, InputAlignment.NONE)).isEmpty();
    }
}

package io.greenline.streams.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventTimeRuleTest {

    private static final EventTimeRule RULE = EventTimeRule.defaults();
    private static final long DAY = 86_400_000L;
    /** 2026-03-03T06:00:00Z = 1772517600000 ms (20515 days and 6 h since the epoch). */
    private static final long T = 1_772_517_600_000L;

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    @DisplayName("The defaults: 2000-01-01, 7 days ahead, 400 days behind")
    void defaults() {
        assertThat(T).isEqualTo(at("2026-03-03T06:00:00Z"));
        assertThat(RULE.min()).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
        assertThat(RULE.maxAhead()).isEqualTo(Duration.ofDays(7));
        assertThat(RULE.maxBehind()).isEqualTo(Duration.ofDays(400));
    }

    @Test
    @DisplayName("An ordinary event on a known line, its record stamped with its time, is accepted")
    void ordinary() {
        assertThat(RULE.violation(T, T, T + DAY, T - 60_000, T)).isEmpty();
    }

    @Test
    @DisplayName("Year 3000 is refused whatever its record timestamp says (the wall clock and the partition are references it cannot move)")
    void year3000() {
        long y3000 = at("3000-01-01T00:00:00Z");
        assertThat(RULE.violation(y3000, y3000, T, T, T)).hasValueSatisfying(m -> assertThat(m).contains("ahead of the application's clock"));
        assertThat(RULE.violation(y3000, y3000, T, null, null)).isPresent();
        assertThat(RULE.violation(y3000, T, T, T, T)).isPresent();
    }

    @Test
    @DisplayName("Epoch 1 and 1969 are before the floor, even as a new line's first event in an empty partition")
    void epochAnd1969() {
        assertThat(RULE.violation(1, 1, T, null, null)).hasValueSatisfying(m -> assertThat(m).contains("greenline.event-time.min"));
        long moonLanding = at("1969-07-20T20:17:00Z");
        assertThat(moonLanding).isNegative();
        assertThat(RULE.violation(moonLanding, T, T, null, T)).isPresent();
        assertThat(RULE.violation(at("1999-12-31T23:59:59.999Z"), T, T, null, null)).isPresent();
        assertThat(RULE.violation(at("2000-01-01T00:00:00Z"), at("2000-01-01T00:00:00Z"), T, null, null)).isEmpty();
    }

    @Test
    @DisplayName("A payload time 7 days ahead of its record timestamp is accepted, a millisecond more is refused")
    void aheadOfRecord() {
        assertThat(RULE.violation(T + 7 * DAY, T, T + 30 * DAY, T, T)).isEmpty();
        assertThat(RULE.violation(T + 7 * DAY + 1, T, T + 30 * DAY, T, T))
                .hasValueSatisfying(m -> assertThat(m).contains("ahead of its record timestamp"));
    }

    @Test
    @DisplayName("A replay of last year (wall clock far ahead) and an accelerated simulator (partition ahead of the wall clock) both pass")
    void replaysAndSimulators() {
        long lastYear = T - 365 * DAY;
        assertThat(RULE.violation(lastYear, lastYear, T, null, null)).isEmpty();
        assertThat(RULE.violation(lastYear + 60_000, lastYear + 60_000, T, lastYear, lastYear)).isEmpty();
        // a simulator 30 days ahead of the wall clock, moving a minute at a time
        long sim = T + 30 * DAY;
        assertThat(RULE.violation(sim + 60_000, sim + 60_000, T, sim, sim)).isEmpty();
        // but not 8 days past the partition's clock
        assertThat(RULE.violation(sim + 8 * DAY, sim + 8 * DAY, T, sim, sim)).isPresent();
    }

    @Test
    @DisplayName("Behind: 400 days behind the line's clock (or a new line's partition) or its record timestamp is the limit")
    void behind() {
        assertThat(RULE.violation(T - 400 * DAY, T - 400 * DAY, T, T, T)).isEmpty();
        assertThat(RULE.violation(T - 400 * DAY - 1, T - 400 * DAY - 1, T, T, T))
                .hasValueSatisfying(m -> assertThat(m).contains("behind its line's clock"));
        assertThat(RULE.violation(T - 400 * DAY - 1, T - 400 * DAY - 1, T, null, T))
                .hasValueSatisfying(m -> assertThat(m).contains("a new line's first event"));
        // a backfill stamped now, of data older than the retention
        assertThat(RULE.violation(T - 401 * DAY, T, T, null, null))
                .hasValueSatisfying(m -> assertThat(m).contains("behind its record timestamp"));
        // a line behind the partition is fine while it is within its own clock's reach
        assertThat(RULE.violation(T - 500 * DAY, T - 500 * DAY, T, T - 450 * DAY, T - 450 * DAY)).isEmpty();
    }
}

package io.greenline.producers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TimeSpecTest {

    private static final Instant NOW = Instant.parse("2026-11-29T05:00:00Z");

    @Test
    @DisplayName("instants: now, now minus or plus a duration, ISO-8601 with any offset, epoch milliseconds")
    void instants() {
        assertThat(TimeSpec.instant("now", NOW)).isEqualTo(NOW);
        assertThat(TimeSpec.instant("now-6h", NOW)).isEqualTo(Instant.parse("2026-11-28T23:00:00Z"));
        assertThat(TimeSpec.instant("now+30m", NOW)).isEqualTo(Instant.parse("2026-11-29T05:30:00Z"));
        assertThat(TimeSpec.instant("2026-11-23T06:00:00Z", NOW)).isEqualTo(Instant.parse("2026-11-23T06:00:00Z"));
        // 1795413900000 ms since the epoch = 2026-11-23T06:05:00Z
        assertThat(TimeSpec.instant("1795413900000", NOW)).isEqualTo(Instant.parse("2026-11-23T06:05:00Z"));
    }

    @Test
    @DisplayName("durations: 90s, 15m, 6h, 2d and ISO-8601; anything else is rejected with the accepted forms")
    void durations() {
        assertThat(TimeSpec.duration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(TimeSpec.duration("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(TimeSpec.duration("6h")).isEqualTo(Duration.ofHours(6));
        assertThat(TimeSpec.duration("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(TimeSpec.duration("PT1H30M")).isEqualTo(Duration.ofMinutes(90));
        assertThatThrownBy(() -> TimeSpec.duration("soon")).hasMessageContaining("90s, 15m, 6h, 2d or PT6H");
        assertThatThrownBy(() -> TimeSpec.instant("yesterday", NOW)).hasMessageContaining("now-6h");
    }
}

package io.greenline.streams.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenline.events.Granularity;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RollupSettingsTest {

    @Test
    @DisplayName("rollup.* keys override the defaults; calendar keys name a line per area or site")
    void readsKeys() {
        RollupSettings s = RollupSettings.from(Map.of("rollup.wait", "PT30M", "rollup.retention.day", "P30D",
                "rollup.calendar.area.foundry", "A2", "rollup.calendar.site.plant-1", "B1", "oee.grace", "PT1M"));
        assertThat(s.waitForLines()).isEqualTo(Duration.ofMinutes(30));
        assertThat(s.retention(Granularity.DAY)).isEqualTo(Duration.ofDays(30));
        assertThat(s.retention(Granularity.HOUR)).isEqualTo(Duration.ofDays(7));
        assertThat(s.correctionWindow()).isEqualTo(Duration.ofDays(2));
        assertThat(s.calendarLines()).containsOnly(Map.entry("area:foundry", "A2"), Map.entry("site:plant-1", "B1"));
    }

    @Test
    @DisplayName("a bad duration or calendar key fails, naming the key")
    void refusesBadValues() {
        assertThatThrownBy(() -> RollupSettings.from(Map.of("rollup.wait", "10 minutes")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rollup.wait");
        assertThatThrownBy(() -> RollupSettings.from(Map.of("rollup.calendar.line.L1", "L1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rollup.calendar.line.L1");
        assertThatThrownBy(() -> RollupSettings.from(Map.of("rollup.member-ttl", "PT0S")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rollup.member-ttl");
        assertThatThrownBy(() -> RollupSettings.from(Map.of("rollup.max-hold", "PT0S")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rollup.max-hold");
        assertThat(RollupSettings.from(Map.of("rollup.max-hold", "P10D")).maxHold()).isEqualTo(java.time.Duration.ofDays(10));
        assertThat(RollupSettings.defaults().maxHold()).isEqualTo(java.time.Duration.ofDays(30));
    }
}

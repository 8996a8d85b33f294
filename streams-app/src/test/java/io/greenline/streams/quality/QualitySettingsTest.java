package io.greenline.streams.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenline.events.Granularity;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class QualitySettingsTest {

    @Test
    @DisplayName("Defaults: 5 min grace, 7 day unit TTL, hourly p-chart over 24 windows needing 20, OEE alerts on every granularity")
    void defaults() {
        QualitySettings d = QualitySettings.defaults();
        assertThat(d.grace()).isEqualTo(Duration.ofMinutes(5));
        assertThat(d.unitTtl()).isEqualTo(Duration.ofDays(7));
        assertThat(d.spcGranularity()).isEqualTo(Granularity.HOUR);
        assertThat(d.spcWindows()).isEqualTo(24);
        assertThat(d.spcMinWindows()).isEqualTo(20);
        assertThat(d.oeeAlertGranularities()).isEqualTo(EnumSet.allOf(Granularity.class));
        assertThat(QualitySettings.fromConfig(Map.of())).isEqualTo(d);
    }

    @Test
    @DisplayName("quality.* keys override the defaults; a bad value names its key")
    void fromConfig() {
        QualitySettings s = QualitySettings.fromConfig(Map.of("quality.grace", "PT10M", "quality.unit-ttl", "P30D",
                "quality.spc.granularity", "shift", "quality.spc.windows", "30", "quality.spc.min-windows", "25",
                "quality.oee-alert.granularities", "SHIFT, DAY"));
        assertThat(s.grace()).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.unitTtl()).isEqualTo(Duration.ofDays(30));
        assertThat(s.spcGranularity()).isEqualTo(Granularity.SHIFT);
        assertThat(s.spcWindows()).isEqualTo(30);
        assertThat(s.spcMinWindows()).isEqualTo(25);
        assertThat(s.oeeAlertGranularities()).containsExactlyInAnyOrder(Granularity.SHIFT, Granularity.DAY);
        assertThatThrownBy(() -> QualitySettings.fromConfig(Map.of("quality.grace", "5 minutes")))
                .hasMessageContaining("quality.grace");
        assertThatThrownBy(() -> QualitySettings.fromConfig(Map.of("quality.spc.min-windows", "30")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

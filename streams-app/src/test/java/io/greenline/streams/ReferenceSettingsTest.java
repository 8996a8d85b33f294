package io.greenline.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenline.streams.config.ConfigSources;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReferenceSettingsTest {

    @Test
    @DisplayName("each shared reference store's history comes from one key, whichever topology reads the store")
    void oneKeyEach() {
        ReferenceSettings s = ReferenceSettings.from(Map.of(ReferenceSettings.LINE_CONFIG_HISTORY, "P30D",
                "oee.config-history", "P900D", "quality.line-config-history", "P5D",
                ReferenceSettings.EMISSION_FACTOR_HISTORY, "P40D", "carbon.factor-history", "P1D"));
        assertThat(s.lineConfigHistory()).isEqualTo(Duration.ofDays(30));
        assertThat(s.emissionFactorHistory()).isEqualTo(Duration.ofDays(40));
    }

    @Test
    @DisplayName("without the reference key, the 0.1 topology keys still apply: the longest history wins, not the first topology added")
    void legacyKeysLongestWins() {
        ReferenceSettings s = ReferenceSettings.from(Map.of("oee.config-history", "P10D", "quality.line-config-history", "P500D",
                "carbon.factor-history", "P20D"));
        assertThat(s.lineConfigHistory()).isEqualTo(Duration.ofDays(500));
        assertThat(s.emissionFactorHistory()).isEqualTo(Duration.ofDays(20));
        assertThat(ReferenceSettings.from(Map.of())).isEqualTo(ReferenceSettings.defaults());
    }

    @Test
    @DisplayName("the gate's settings come from reference.* keys and their GREENLINE_REFERENCE_* variables; bad values name the key")
    void gateSettings() {
        Map<String, String> fromEnv = ConfigSources.fromEnvironment(Map.of("GREENLINE_REFERENCE_MISSING_WAIT", "PT2H",
                "GREENLINE_REFERENCE_MISSING_WALL_CLOCK_MIN", "PT5S", "GREENLINE_REFERENCE_RECHECK_INTERVAL", "PT3S"));
        ReferenceSettings s = ReferenceSettings.from(fromEnv);
        assertThat(s.missingWait()).isEqualTo(Duration.ofHours(2));
        assertThat(s.missingWallClockMin()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.recheckInterval()).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> ReferenceSettings.from(Map.of(ReferenceSettings.MISSING_WAIT, "half an hour")))
                .hasMessageContaining(ReferenceSettings.MISSING_WAIT);
        assertThatThrownBy(() -> ReferenceSettings.from(Map.of(ReferenceSettings.RECHECK_INTERVAL, "PT0S")))
                .hasMessageContaining(ReferenceSettings.RECHECK_INTERVAL);
    }
}

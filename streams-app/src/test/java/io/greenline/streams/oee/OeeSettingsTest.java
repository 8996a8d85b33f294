package io.greenline.streams.oee;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenline.events.Granularity;
import io.greenline.streams.config.AppSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OeeSettingsTest {

    private static final Map<String, String> EVERY_KEY = Map.of(
            "oee.grace", "PT1M",
            "oee.idle-advance-interval", "PT10S",
            "oee.dedup-retention", "P3D",
            "oee.config-history", "P30D",
            "oee.retention.hour", "P1D",
            "oee.retention.shift", "P14D",
            "oee.retention.day", "P100D");

    @Test
    @DisplayName("With no oee.* key the defaults hold: grace 5 min, idle advance 30 s, dedup 2 days, config history 365 days, retention 7/35/400 days")
    void defaultsWhenUnset() {
        assertThat(OeeSettings.from(Map.of())).isEqualTo(OeeSettings.defaults());
        assertThat(OeeSettings.from(Map.of("oee.grace", " "))).isEqualTo(OeeSettings.defaults());
        assertThat(OeeSettings.defaults().grace()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    @DisplayName("Every oee.* key is read as an ISO-8601 duration")
    void everyKeyIsRead() {
        OeeSettings settings = OeeSettings.from(EVERY_KEY);
        assertThat(settings.grace()).isEqualTo(Duration.ofMinutes(1));
        assertThat(settings.idleAdvanceInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.dedupRetention()).isEqualTo(Duration.ofDays(3));
        assertThat(settings.configHistory()).isEqualTo(Duration.ofDays(30));
        assertThat(settings.retention(Granularity.HOUR)).isEqualTo(Duration.ofDays(1));
        assertThat(settings.retention(Granularity.SHIFT)).isEqualTo(Duration.ofDays(14));
        assertThat(settings.retention(Granularity.DAY)).isEqualTo(Duration.ofDays(100));
    }

    @Test
    @DisplayName("A value that is no duration fails naming the key; so does an out-of-range one")
    void badValueNamesTheKey() {
        assertThatThrownBy(() -> OeeSettings.from(Map.of("oee.grace", "5 minutes")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("oee.grace").hasMessageContaining("5 minutes");
        assertThatThrownBy(() -> OeeSettings.from(Map.of("oee.retention.shift", "PT0S")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("oee.retention.shift");
        assertThatThrownBy(() -> OeeSettings.from(Map.of("oee.grace", "-PT1M")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("oee.grace");
    }

    @Test
    @DisplayName("GREENLINE_OEE_GRACE and GREENLINE_OEE_RETENTION_HOUR in the environment reach the OEE settings through the app's merged settings; a flag beats the environment")
    void environmentReachesTheTopology() {
        AppSettings app = AppSettings.of(Map.of("oee.dedup-retention", "P4D"),
                Map.of("GREENLINE_OEE_GRACE", "PT2M", "GREENLINE_OEE_RETENTION_HOUR", "P2D",
                        "GREENLINE_OEE_IDLE_ADVANCE_INTERVAL", "PT15S"),
                Map.of("oee.retention.hour", "P3D"));
        OeeSettings settings = OeeSettings.from(app.all());
        assertThat(settings.grace()).isEqualTo(Duration.ofMinutes(2));
        assertThat(settings.idleAdvanceInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(settings.dedupRetention()).isEqualTo(Duration.ofDays(4));
        assertThat(settings.retention(Granularity.HOUR)).isEqualTo(Duration.ofDays(3));
    }
}

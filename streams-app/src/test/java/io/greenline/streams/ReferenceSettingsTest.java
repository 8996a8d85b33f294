package io.greenline.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenline.streams.config.ConfigSources;
import io.greenline.streams.guard.EventTimeRule;
import java.time.Duration;
import java.time.Instant;
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

    @Test
    @DisplayName("reference.max-ahead (default 90 days, at most half the store's history) bounds a version's validFrom against the wall clock, the newest version and its record")
    void versionRule() {
        assertThat(ReferenceSettings.defaults().maxAhead()).isEqualTo(Duration.ofDays(90));
        assertThat(ReferenceSettings.from(Map.of(ReferenceSettings.MAX_AHEAD, "P30D")).maxAhead()).isEqualTo(Duration.ofDays(30));
        assertThatThrownBy(() -> ReferenceSettings.from(Map.of(ReferenceSettings.MAX_AHEAD, "-P1D")))
                .hasMessageContaining(ReferenceSettings.MAX_AHEAD);
        Instant min = Instant.parse("2000-01-01T00:00:00Z");
        // a 60-day history allows 30 days ahead whatever the key says; 10 years allow the 90
        assertThat(ReferenceSettings.versionRule(min, Duration.ofDays(90), Duration.ofDays(60)).maxAhead()).isEqualTo(Duration.ofDays(30));
        EventTimeRule rule = ReferenceSettings.versionRule(min, Duration.ofDays(90), Duration.ofDays(3650));
        assertThat(rule.maxAhead()).isEqualTo(Duration.ofDays(90));

        long wall = Instant.parse("2026-12-03T00:00:00Z").toEpochMilli();
        long day = Duration.ofDays(1).toMillis();
        // next year's factor, published a month ahead, stamped when sent: accepted
        assertThat(rule.earlyOrAhead("validFrom", wall + 29 * day, wall, wall, null)).isEmpty();
        // valid since 2019, sent today: accepted (only the store's history can refuse it, as LATE)
        assertThat(rule.earlyOrAhead("validFrom", Instant.parse("2019-01-01T00:00:00Z").toEpochMilli(), wall, wall, null)).isEmpty();
        assertThat(rule.earlyOrAhead("validFrom", Instant.parse("3000-01-01T00:00:00Z").toEpochMilli(), Instant.parse("3000-01-01T00:00:00Z").toEpochMilli(),
                wall, null)).get().asString().contains("validFrom 3000-01-01T00:00:00Z is more than PT2160H ahead of the application's clock");
        assertThat(rule.earlyOrAhead("validFrom", Instant.parse("1999-12-31T00:00:00Z").toEpochMilli(), wall, wall, null)).get().asString()
                .contains("before greenline.event-time.min");
        // an accelerated simulator ahead of the wall clock: ahead of the newest version by less than 90 days passes
        long newest = wall + 200 * day;
        assertThat(rule.earlyOrAhead("validFrom", newest + 10 * day, newest + 10 * day, wall, newest)).isEmpty();
        assertThat(rule.earlyOrAhead("validFrom", newest + 10 * day, newest, wall, newest)).isEmpty();
        assertThat(rule.earlyOrAhead("validFrom", newest + 91 * day, newest + 91 * day, wall, newest)).isPresent();
    }
}

package io.greenline.streams.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenline.streams.ReferenceSettings;
import io.greenline.streams.carbon.CarbonSettings;
import io.greenline.streams.carbon.pact.PactSettings;
import io.greenline.streams.oee.OeeSettings;
import io.greenline.streams.quality.QualitySettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ConfigSourcesTest {

    @Test
    @DisplayName("Topology keys are set from GREENLINE_ variables: the key upper-cased, '.' and '-' as '_'")
    void topologyKeysFromEnvironment() {
        Map<String, String> keys = ConfigSources.fromEnvironment(Map.of(
                "GREENLINE_OEE_GRACE", "PT1M",
                "GREENLINE_OEE_RETENTION_DAY", "P10D",
                "GREENLINE_QUALITY_SPC_MIN_WINDOWS", "10",
                "GREENLINE_QUALITY_OEE_ALERT_GRANULARITIES", "HOUR",
                "GREENLINE_CARBON_FACTOR_RECHECK_INTERVAL", "PT1M",
                "GREENLINE_PACT_COMPANY_NAME", "Acme",
                "GREENLINE_HTTP_PORT", "9090"));
        assertThat(keys).containsOnly(
                Map.entry("oee.grace", "PT1M"),
                Map.entry("oee.retention.day", "P10D"),
                Map.entry("quality.spc.min-windows", "10"),
                Map.entry("quality.oee-alert.granularities", "HOUR"),
                Map.entry("carbon.factor-recheck-interval", "PT1M"),
                Map.entry("pact.company-name", "Acme"),
                Map.entry("greenline.http.port", "9090"));
    }

    @Test
    @DisplayName("Every key of the topologies (OEE, quality, carbon, roll-ups) and PACT has exactly one environment variable")
    void everyTopologyKeyReachable() {
        List<String> all = Stream.of(OeeSettings.KEYS, QualitySettings.KEYS, CarbonSettings.KEYS, PactSettings.KEYS,
                        ReferenceSettings.KEYS, io.greenline.streams.rollup.RollupSettings.KEYS)
                .flatMap(List::stream).toList();
        assertThat(ConfigSources.TOPOLOGY_KEYS.values()).containsExactlyInAnyOrderElementsOf(all);
        all.forEach(key -> assertThat(ConfigSources.fromEnvironment(Map.of(ConfigSources.variableOf(key), "x")))
                .containsOnlyKeys(key));
    }

    @Test
    @DisplayName("A GREENLINE_OEE_ variable naming no setting fails at start, naming the variable, instead of being ignored")
    void unknownTopologyVariableFails() {
        assertThatThrownBy(() -> ConfigSources.fromEnvironment(Map.of("GREENLINE_OEE_GRACE_PERIOD", "PT1M")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("GREENLINE_OEE_GRACE_PERIOD")
                .hasMessageContaining("GREENLINE_OEE_GRACE");
    }

    @Test
    @DisplayName("Carbon and quality settings read from the environment through AppSettings")
    void carbonAndQualityFromEnvironment() {
        AppSettings app = AppSettings.of(Map.of(), Map.of("GREENLINE_CARBON_LINE_ENERGY_GRACE", "PT2M",
                "GREENLINE_QUALITY_GRACE", "PT3M"), Map.of());
        assertThat(CarbonSettings.from(app.all()).lineEnergyGrace()).isEqualTo(Duration.ofMinutes(2));
        assertThat(QualitySettings.fromConfig(app.all()).grace()).isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    @DisplayName("A roll-up's calendar line is set from GREENLINE_ROLLUP_CALENDAR_AREA_<id> / _SITE_<id>, the id as written; another level or no id fails")
    void rollupCalendarsFromEnvironment() {
        Map<String, String> env = Map.of("GREENLINE_ROLLUP_CALENDAR_AREA_foundry", "F1",
                "GREENLINE_ROLLUP_CALENDAR_SITE_plant-1.North", "A2",
                "GREENLINE_ROLLUP_CALENDAR_AREA_PAINT_SHOP", "P1",
                "GREENLINE_ROLLUP_WAIT", "PT20M");
        assertThat(ConfigSources.fromEnvironment(env)).containsOnly(
                Map.entry("rollup.calendar.area.foundry", "F1"),
                Map.entry("rollup.calendar.site.plant-1.North", "A2"),
                Map.entry("rollup.calendar.area.PAINT_SHOP", "P1"),
                Map.entry("rollup.wait", "PT20M"));

        // through the application's layers to the roll-up settings, as `greenline streams` reads them
        AppSettings app = AppSettings.of(Map.of(), env, Map.of());
        io.greenline.streams.rollup.RollupSettings rollup = io.greenline.streams.rollup.RollupSettings.from(app.all());
        assertThat(rollup.calendarLines()).containsOnly(Map.entry("area:foundry", "F1"), Map.entry("site:plant-1.North", "A2"),
                Map.entry("area:PAINT_SHOP", "P1"));
        assertThat(rollup.waitForLines()).isEqualTo(Duration.ofMinutes(20));

        assertThatThrownBy(() -> ConfigSources.fromEnvironment(Map.of("GREENLINE_ROLLUP_CALENDAR_LINE_L1", "L1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("GREENLINE_ROLLUP_CALENDAR_LINE_L1")
                .hasMessageContaining("GREENLINE_ROLLUP_CALENDAR_AREA_<areaId>");
        assertThatThrownBy(() -> ConfigSources.fromEnvironment(Map.of("GREENLINE_ROLLUP_CALENDAR_SITE_", "L1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("GREENLINE_ROLLUP_CALENDAR_SITE_");
    }
}

package io.greenline.streams.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.greenline.events.EmissionBasis;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EmissionScope;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyMetered;
import io.greenline.events.EnergyUnit;
import io.greenline.events.Granularity;
import io.greenline.events.LineConfig;
import io.greenline.events.LineEnergyWindow;
import io.greenline.events.ProductionCounted;
import io.greenline.schemas.Topics;
import io.greenline.streams.GreenlineTopology;
import io.greenline.streams.StoreNames;
import io.greenline.streams.app.GreenlineApp;
import io.greenline.streams.config.AppSettings;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What {@code GET /api/v1/lines} reads as {@code latestEnergy}: {@link WindowScan#latestPerLine} over the
 * {@code line-energy-windows} store of the whole application topology (all three analyses in one builder, as
 * {@code greenline local} and the app run it). {@code QueryApi.localLines} leaves {@code latestEnergy} null when the
 * router does not serve that store, which is what a {@code greenline local} run built before the line-energy
 * processor was merged showed.
 */
class LatestEnergyTest {

    private static final AppSettings SETTINGS = AppSettings.of(Map.of("schema.registry.url", "mock://latest-energy-test"));
    private static final Topics TOPICS = new Topics(SETTINGS.serdes());
    private static final Instant CONFIG_FROM = Instant.parse("2026-01-01T00:00:00Z");
    private static final LineConfig LINE = LineConfig.newBuilder().setLineId("drum-line-1").setSiteId("zwickau")
            .setAreaId("area-z").setName("drum line 1").setTimezone("Europe/Berlin").setGridRegion("DE")
            .setValidFrom(CONFIG_FROM).build();
    private static final EmissionFactor DE_LOCATION = new EmissionFactor(EnergyCarrier.ELECTRICITY, "DE", EmissionBasis.LOCATION,
            EmissionScope.SCOPE2, 0.4, EnergyUnit.KWH, CONFIG_FROM, "test");

    private TopologyTestDriver driver;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private static Instant at(String hhmm) {
        return Instant.parse("2026-03-02T" + hhmm + ":00Z");
    }

    private static EnergyMetered reading(String id, Instant from, Instant to, double kwh) {
        return new EnergyMetered(id, "drum-line-1-main", "zwickau", "drum-line-1", EnergyCarrier.ELECTRICITY, from, to, kwh, EnergyUnit.KWH);
    }

    private static ProductionCounted count(String id, Instant at, double quantity) {
        return ProductionCounted.newBuilder().setEventId(id).setLineId("drum-line-1").setWorkcellId("lathe")
                .setProductId("DRUM-A").setTimestamp(at).setQuantity(quantity).setScrapQuantity(0).setReworkQuantity(0).build();
    }

    @Test
    @DisplayName("Energy readings of a line make its latest hourly line-energy window the one GET /api/v1/lines shows as latestEnergy")
    void latestEnergyOfTheWholeApplication() {
        Properties props = SETTINGS.streamsProperties();
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/latest-energy-test-" + System.nanoTime());
        Topology topology = GreenlineTopology.build(TOPICS, SETTINGS);
        // the store set the app's StoreRouter serves: without it, latestEnergy stays null whatever the data
        assertThat(GreenlineApp.storesOf(topology)).contains(StoreNames.LINE_ENERGY_WINDOWS, StoreNames.OEE_WINDOWS,
                StoreNames.QUALITY_WINDOWS);
        driver = new TopologyTestDriver(topology, props, at("06:00"));
        StringSerializer keys = new StringSerializer();
        TestInputTopic<String, LineConfig> lines = driver.createInputTopic(TOPICS.lineConfig.name(), keys, TOPICS.lineConfig.valueSerde().serializer());
        TestInputTopic<String, EmissionFactor> factors = driver.createInputTopic(TOPICS.emissionFactors.name(), keys, TOPICS.emissionFactors.valueSerde().serializer());
        TestInputTopic<String, EnergyMetered> energy = driver.createInputTopic(TOPICS.energy.name(), keys, TOPICS.energy.valueSerde().serializer());
        TestInputTopic<String, ProductionCounted> counts = driver.createInputTopic(TOPICS.productionCount.name(), keys, TOPICS.productionCount.valueSerde().serializer());
        lines.pipeInput(LINE.getLineId(), LINE, CONFIG_FROM);
        factors.pipeInput(Topics.emissionFactorKey(DE_LOCATION), DE_LOCATION, CONFIG_FROM);

        // 15-minute meter readings as the simulator sends them, keyed by lineId: 04:45..05:15 = 100 + 120 kWh
        energy.pipeInput("drum-line-1", reading("m1", at("04:45"), at("05:00"), 100), at("05:00"));
        counts.pipeInput("drum-line-1", count("c1", at("05:05"), 40), at("05:05"));
        energy.pipeInput("drum-line-1", reading("m2", at("05:00"), at("05:15"), 120), at("05:15"));

        KeyValueStore<String, LineEnergyWindow> store = driver.getKeyValueStore(StoreNames.LINE_ENERGY_WINDOWS);
        Map<String, LineEnergyWindow> latest = WindowScan.latestPerLine(store, Granularity.HOUR);
        assertThat(latest).containsOnlyKeys("drum-line-1");
        LineEnergyWindow hour5 = latest.get("drum-line-1");
        assertThat(hour5).isNotNull();
        assertThat(hour5.getWindowStart()).isEqualTo(at("05:00"));
        // hour 05:00-06:00 holds m2 only (m1 ends at 05:00): 120 kWh; 120 x 0.4 = 48 kg; 40 good drums: 3 kWh, 1.2 kg each
        assertThat(hour5.getElectricityKwh()).isCloseTo(120.0, within(1e-9));
        assertThat(hour5.getKgCo2eLocation()).isCloseTo(48.0, within(1e-9));
        assertThat(hour5.getKwhPerGoodUnit()).isCloseTo(3.0, within(1e-9));
    }
}

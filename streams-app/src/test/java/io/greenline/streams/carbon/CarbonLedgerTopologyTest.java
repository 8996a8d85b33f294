package io.greenline.streams.carbon;

import static io.greenline.streams.carbon.CarbonFixtures.at;
import static io.greenline.streams.carbon.CarbonFixtures.batch;
import static io.greenline.streams.carbon.CarbonFixtures.completed;
import static io.greenline.streams.carbon.CarbonFixtures.kwh;
import static io.greenline.streams.carbon.CarbonFixtures.line;
import static io.greenline.streams.carbon.CarbonFixtures.material;
import static io.greenline.streams.carbon.CarbonFixtures.reading;
import static io.greenline.streams.carbon.CarbonFixtures.started;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchEventType;
import io.greenline.events.BatchFootprint;
import io.greenline.events.CarbonDue;
import io.greenline.events.CarbonReading;
import io.greenline.events.EmissionBasis;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyMetered;
import io.greenline.events.EnergyUnit;
import io.greenline.events.FootprintGap;
import io.greenline.events.FootprintStatus;
import io.greenline.events.LineConfig;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.DeadLetterHandler;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CarbonLedgerTopologyTest {

    private static final Topics TOPICS = new Topics(GreenlineSerdes.inMemory("carbon-ledger-topology-test"));
    private static final double EPS = 1e-9;
    private static final Instant WALL_START = Instant.parse("2026-03-01T12:00:00Z");

    private TopologyTestDriver driver;
    private TestInputTopic<String, BatchEvent> batches;
    private TestInputTopic<String, EnergyMetered> energy;
    private TestInputTopic<String, EmissionFactor> factors;
    private TestInputTopic<String, LineConfig> lines;
    private TestOutputTopic<String, BatchFootprint> footprints;
    private TestOutputTopic<byte[], byte[]> dlq;

    private void start(CarbonSettings settings) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "carbon-ledger-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/carbon-ledger-test-" + System.nanoTime());
        driver = new TopologyTestDriver(CarbonLedgerTopology.build(TOPICS, settings), props, WALL_START);
        StringSerializer keys = new StringSerializer();
        batches = driver.createInputTopic(TOPICS.batch.name(), keys, TOPICS.batch.valueSerde().serializer());
        energy = driver.createInputTopic(TOPICS.energy.name(), keys, TOPICS.energy.valueSerde().serializer());
        factors = driver.createInputTopic(TOPICS.emissionFactors.name(), keys, TOPICS.emissionFactors.valueSerde().serializer());
        lines = driver.createInputTopic(TOPICS.lineConfig.name(), keys, TOPICS.lineConfig.valueSerde().serializer());
        footprints = driver.createOutputTopic(TOPICS.batchFootprint.name(), new StringDeserializer(),
                TOPICS.batchFootprint.valueSerde().deserializer());
        dlq = driver.createOutputTopic(TOPICS.dlq.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (LineConfig l : List.of(line("L1", "S1", "DE"), line("L2", "S1", "DE"), line("L3", "S1", "DE"),
                line("L5", "S2", "DE"), line("L6", "S2", "DE"), line("L7", "S3", "PL"), line("L8", "S3", "PL"))) {
            lines.pipeInput(l.getLineId(), l, l.getValidFrom());
        }
        List<EmissionFactor> all = new ArrayList<>(CarbonFixtures.germanFactors());
        all.addAll(CarbonFixtures.polishFactors());
        all.forEach(f -> factors.pipeInput(Topics.emissionFactorKey(f), f, f.getValidFrom()));
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void send(BatchEvent e) {
        batches.pipeInput(e.getLineId(), e, e.getTimestamp());
    }

    private void send(EnergyMetered e) {
        energy.pipeInput(e.getLineId() != null ? e.getLineId() : e.getSiteId(), e, e.getTimestamp());
    }

    private List<BatchFootprint> published() {
        List<BatchFootprint> out = new ArrayList<>();
        footprints.readValuesToList().forEach(out::add);
        return out;
    }

    private static Map<String, BatchFootprint> latest(List<BatchFootprint> all) {
        Map<String, BatchFootprint> latest = new LinkedHashMap<>();
        all.forEach(f -> latest.put(f.getBatchId(), f));
        return latest;
    }

    /** The polyolefin batch PO-1 on L1 (site S1, grid DE), 08:00 to 12:00. */
    private void polyolefinBatch() {
        // waste cooking oil 2000 kg x 0.3 = 600; fossil naphtha co-feed 500 kg x 0.6 = 300
        send(batch("po1-start", "PO-1", "L1", BatchEventType.STARTED, at("08:00"))
                .setMaterials(List.of(material("WCO", 2000, 0.3, 0.77), material("NAPHTHA", 500, 0.6, 0.0))).build());
        // palm oil residue 200 kg x 0.5 = 100
        send(batch("po1-charge", "PO-1", "L1", BatchEventType.MATERIAL_CHARGED, at("09:00"))
                .setMaterials(List.of(material("POME", 200, 0.5, 0.78))).build());
        send(kwh("e1", "S1", "L1", at("08:00"), at("10:00"), 1000));
        send(kwh("e2", "S1", "L1", at("10:00"), at("12:00"), 1000));
        send(reading("steam1", "S1", "L1", EnergyCarrier.STEAM, at("08:00"), at("12:00"), 2, EnergyUnit.TONNE));
        send(reading("gas1", "S1", "L1", EnergyCarrier.NATURAL_GAS, at("08:00"), at("12:00"), 100, EnergyUnit.NM3));
        send(batch("po1-done", "PO-1", "L1", BatchEventType.COMPLETED, at("12:00"))
                .setProcessCo2Kg(50.0).setOutputGoodMassKg(2000.0).setOutputTotalMassKg(2200.0)
                .setProductBiogenicCarbonKgPerKg(0.68).build());
    }

    @Test
    @DisplayName("A polyolefin batch from waste cooking oil and a fossil co-feed gets every scope on both scope-2 bases, both PACT totals and its per-tonne intensity")
    void polyolefinBatch_everyScope() {
        start(CarbonSettings.defaults());
        polyolefinBatch();

        List<BatchFootprint> out = published();
        assertThat(out).hasSize(1);
        BatchFootprint f = out.get(0);
        assertThat(f.getStatus()).isEqualTo(FootprintStatus.PROVISIONAL);
        assertThat(f.getVersion()).isEqualTo(1);
        assertThat(f.getReplacesVersion()).isNull();
        assertThat(f.getSiteId()).isEqualTo("S1");
        assertThat(f.getStartedAt()).isEqualTo(at("08:00"));
        assertThat(f.getCompletedAt()).isEqualTo(at("12:00"));
        // electricity: e1 priced at 10:00 (LOCATION v1 0.380) = 380, e2 at 12:00 (LOCATION v2 0.360) = 360;
        // MARKET 0.050 x 1000 = 50 each. Steam 2 t x 200 = 400 on LOCATION and (residual-mix fallback) on MARKET.
        // Gas 100 Nm3 x 2.0 = 200 (scope 1) + process CO2 50 -> scope 1 = 250.
        assertThat(f.getScope1KgCo2e()).isCloseTo(250.0, within(EPS));
        assertThat(f.getScope2LocationKgCo2e()).isCloseTo(380 + 360 + 400, within(EPS));
        assertThat(f.getScope2MarketKgCo2e()).isCloseTo(50 + 50 + 400, within(EPS));
        // materials: 600 + 300 + 100
        assertThat(f.getScope3UpstreamKgCo2e()).isCloseTo(1000.0, within(EPS));
        assertThat(f.getTotalLocationKgCo2e()).isCloseTo(250 + 1140 + 1000, within(EPS)); // 2390
        assertThat(f.getTotalMarketKgCo2e()).isCloseTo(250 + 500 + 1000, within(EPS)); // 1750
        assertThat(f.getFossilGhgEmissionsKgCo2e()).isCloseTo(1750.0, within(EPS));
        // per tonne of good output (2 t): 1750 / 2 = 875 (market), 2390 / 2 = 1195 (location); of total output: 1750 / 2.2
        assertThat(f.getIntensityKgCo2ePerTonne()).isCloseTo(875.0, within(EPS));
        assertThat(f.getIntensityLocationKgCo2ePerTonne()).isCloseTo(1195.0, within(EPS));
        assertThat(f.getIntensityPerTonneTotalOutput()).isCloseTo(1750.0 / 2.2, within(EPS));
        // measured biogenic C 0.68 kg/kg -> uptake -0.68 x 44/12 = -2.493333...
        assertThat(f.getBiogenicCarbonKgPerKg()).isCloseTo(0.68, within(EPS));
        assertThat(f.getBiogenicCo2UptakeKgCo2ePerKg()).isCloseTo(-0.68 * 44 / 12, within(EPS));
        // PACT per kg: 1750 / 2000 = 0.875; including uptake 0.875 - 2.493333... = -1.618333...
        assertThat(f.getDeclaredUnit()).isEqualTo("kilogram");
        assertThat(f.getPcfExcludingBiogenicUptake()).isCloseTo(0.875, within(EPS));
        assertThat(f.getPcfIncludingBiogenicUptake()).isCloseTo(0.875 - 0.68 * 44 / 12, within(EPS));
        // primary: metered energy on the market basis 500 + gas 200 + process 50 = 750 of 1750 -> 42.857142...%
        assertThat(f.getPrimaryDataShare()).isCloseTo(100.0 * 750 / 1750, within(EPS));
        assertThat(f.getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(2000.0, within(EPS));
        assertThat(f.getEnergy().get("ELECTRICITY").getUnit()).isEqualTo(EnergyUnit.KWH);
        assertThat(f.getEnergy().get("STEAM").getQuantity()).isCloseTo(2.0, within(EPS));
        assertThat(f.getEnergy().get("NATURAL_GAS").getQuantity()).isCloseTo(100.0, within(EPS));
        assertThat(f.getEnergyPerTonneGoodOutput().get("ELECTRICITY").getQuantity()).isCloseTo(1000.0, within(EPS));
        assertThat(f.getFactorVersions()).containsExactly(
                "ELECTRICITY/DE/LOCATION@2026-01-01T00:00:00Z",
                "ELECTRICITY/DE/LOCATION@2026-03-01T10:30:00Z",
                "ELECTRICITY/DE/MARKET@2026-01-01T00:00:00Z",
                "NATURAL_GAS/DE/DIRECT@2026-01-01T00:00:00Z",
                "STEAM/DE/LOCATION@2026-01-01T00:00:00Z");
        assertThat(f.getNotes()).singleElement().asString().contains("MARKET basis of STEAM").contains("residual-mix");
        assertThat(f.getGaps()).isEmpty();
        assertThat(dlq.isEmpty()).isTrue();
        KeyValueStore<String, BatchFootprint> store = driver.getKeyValueStore(StoreNames.BATCH_FOOTPRINTS);
        assertThat(store.get("PO-1")).isEqualTo(f);
    }

    @Test
    @DisplayName("A PROVISIONAL footprint becomes FINAL, same version, once the event clock passes completion + 5 minutes, even with no new events")
    void finalizesWithoutNewEvents() {
        start(CarbonSettings.defaults());
        polyolefinBatch();
        assertThat(published()).extracting(BatchFootprint::getStatus).containsExactly(FootprintStatus.PROVISIONAL);

        driver.advanceWallClockTime(Duration.ofMinutes(4));
        assertThat(footprints.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        BatchFootprint fin = footprints.readValue();
        assertThat(fin.getStatus()).isEqualTo(FootprintStatus.FINAL);
        assertThat(fin.getVersion()).isEqualTo(1);
        assertThat(fin.getTotalMarketKgCo2e()).isCloseTo(1750.0, within(EPS));
        assertThat(footprints.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("A late reading after FINAL publishes version 2, which names version 1 as the one it replaces")
    void lateReadingPublishesVersionTwo() {
        start(CarbonSettings.defaults());
        polyolefinBatch();
        driver.advanceWallClockTime(Duration.ofMinutes(6));
        assertThat(published()).extracting(BatchFootprint::getStatus)
                .containsExactly(FootprintStatus.PROVISIONAL, FootprintStatus.FINAL);

        // a second meter's 50 kWh over [11:00, 12:00), priced at 12:00: LOCATION 0.360 x 50 = 18, MARKET 0.050 x 50 = 2.5
        send(kwh("e-late", "S1", "L1", at("11:00"), at("12:00"), 50));
        BatchFootprint v2 = footprints.readValue();
        assertThat(v2.getVersion()).isEqualTo(2);
        assertThat(v2.getReplacesVersion()).isEqualTo(1);
        assertThat(v2.getStatus()).isEqualTo(FootprintStatus.FINAL);
        assertThat(v2.getTotalMarketKgCo2e()).isCloseTo(1752.5, within(EPS));
        assertThat(v2.getTotalLocationKgCo2e()).isCloseTo(2408.0, within(EPS));
        assertThat(v2.getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(2050.0, within(EPS));
        assertThat(driver.<String, BatchFootprint>getKeyValueStore(StoreNames.BATCH_FOOTPRINTS).get("PO-1").getVersion()).isEqualTo(2);
    }

    @Test
    @DisplayName("A factor correction published after FINAL is found by the periodic re-check and publishes a new version")
    void factorCorrectionPublishesNewVersion() {
        start(CarbonSettings.defaults());
        polyolefinBatch();
        driver.advanceWallClockTime(Duration.ofMinutes(6));
        published();
        // the steam supplier publishes a MARKET factor of 150 kg/t valid from the start of the year
        EmissionFactor steamMarket = CarbonFixtures.factor(EnergyCarrier.STEAM, "DE", EmissionBasis.MARKET, 150.0, EnergyUnit.TONNE,
                CarbonFixtures.FACTORS_FROM);
        factors.pipeInput(Topics.emissionFactorKey(steamMarket), steamMarket, steamMarket.getValidFrom());
        driver.advanceWallClockTime(CarbonSettings.defaults().factorRecheckInterval());
        BatchFootprint v2 = footprints.readValue();
        // market steam now 2 t x 150 = 300 instead of 400: 1750 - 100 = 1650
        assertThat(v2.getVersion()).isEqualTo(2);
        assertThat(v2.getReplacesVersion()).isEqualTo(1);
        assertThat(v2.getScope2MarketKgCo2e()).isCloseTo(400.0, within(EPS));
        assertThat(v2.getTotalMarketKgCo2e()).isCloseTo(1650.0, within(EPS));
        assertThat(v2.getNotes()).isEmpty();
        assertThat(v2.getFactorVersions()).contains("STEAM/DE/MARKET@2026-01-01T00:00:00Z");
    }

    @Test
    @DisplayName("A reading that spans two batches is split in proportion to time, both parts priced at the reading's end")
    void readingSpansTwoBatches() {
        start(CarbonSettings.defaults());
        send(started("B1", "L2", at("08:00")));
        send(completed("B1", "L2", at("10:00"), 1000, 1000));
        send(started("B2", "L2", at("10:00")));
        // [09:30, 11:00) 300 kWh: 30 of 90 minutes in B1 -> 100 kWh, 60 in B2 -> 200 kWh; factor at 11:00: LOCATION 0.360
        send(kwh("span", "S1", "L2", at("09:30"), at("11:00"), 300));
        send(completed("B2", "L2", at("12:00"), 1000, 1000));

        Map<String, BatchFootprint> latest = latest(published());
        BatchFootprint b1 = latest.get("B1");
        BatchFootprint b2 = latest.get("B2");
        assertThat(b1.getVersion()).isEqualTo(2);
        assertThat(b1.getReplacesVersion()).isEqualTo(1);
        assertThat(b1.getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(100.0, within(EPS));
        assertThat(b1.getScope2LocationKgCo2e()).isCloseTo(36.0, within(EPS)); // 100 x 0.360
        assertThat(b1.getScope2MarketKgCo2e()).isCloseTo(5.0, within(EPS)); // 100 x 0.050
        assertThat(b2.getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(200.0, within(EPS));
        assertThat(b2.getScope2LocationKgCo2e()).isCloseTo(72.0, within(EPS));
        assertThat(b2.getScope2MarketKgCo2e()).isCloseTo(10.0, within(EPS));
    }

    /** Line L3: B3a runs 06:00-07:00; energy [07:00, 08:00) while nothing runs; B3b runs 08:30-09:30. */
    private void idleBetweenBatches() {
        send(started("B3a", "L3", at("06:00")));
        send(completed("B3a", "L3", at("07:00"), 500, 500));
        send(kwh("idle", "S1", "L3", at("07:00"), at("08:00"), 60)); // priced at 08:00: 0.380 / 0.050
        send(started("B3b", "L3", at("08:30")));
        send(kwh("run", "S1", "L3", at("08:30"), at("09:30"), 100)); // priced at 09:30: 0.380 / 0.050
        send(completed("B3b", "L3", at("09:30"), 500, 500));
    }

    @Test
    @DisplayName("Energy used while no batch runs (heat-up) is charged to the next batch on the line")
    void idleEnergyGoesToNextBatch() {
        start(CarbonSettings.defaults());
        idleBetweenBatches();
        Map<String, BatchFootprint> latest = latest(published());
        assertThat(latest.get("B3a").getEnergy()).isEmpty();
        BatchFootprint b = latest.get("B3b");
        assertThat(b.getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(160.0, within(EPS));
        assertThat(b.getScope2LocationKgCo2e()).isCloseTo(60 * 0.380 + 100 * 0.380, within(EPS)); // 60.8
        assertThat(b.getScope2MarketKgCo2e()).isCloseTo(160 * 0.050, within(EPS)); // 8
    }

    @Test
    @DisplayName("With carbon.idle-energy=unallocated, idle energy stays in the line's unallocated ledger")
    void idleEnergyUnallocated() {
        start(CarbonSettings.defaults().withIdleEnergy(CarbonSettings.IdleEnergy.UNALLOCATED));
        idleBetweenBatches();
        BatchFootprint b = latest(published()).get("B3b");
        assertThat(b.getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(100.0, within(EPS));
        assertThat(b.getScope2LocationKgCo2e()).isCloseTo(38.0, within(EPS));
        BatchFootprint unallocated = driver.<String, BatchFootprint>getKeyValueStore(StoreNames.CARBON_UNALLOCATED).get("line:L3");
        assertThat(unallocated.getUnallocatedLedger()).isTrue();
        assertThat(unallocated.getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(60.0, within(EPS));
        assertThat(unallocated.getScope2LocationKgCo2e()).isCloseTo(22.8, within(EPS)); // 60 x 0.380
        assertThat(unallocated.getScope2MarketKgCo2e()).isCloseTo(3.0, within(EPS)); // 60 x 0.050
    }

    @Test
    @DisplayName("A shared site meter is split equally among the batches running at the site, piece by piece of its period")
    void sharedSiteMeter() {
        start(CarbonSettings.defaults());
        send(started("A", "L5", at("08:00")));
        send(started("B", "L6", at("10:00")));
        // site meter [08:00, 12:00) 400 kWh: [08:00, 10:00) 200 kWh to A alone; [10:00, 12:00) 200 kWh halved -> A 300, B 100
        send(kwh("site", "S2", null, at("08:00"), at("12:00"), 400));
        send(completed("A", "L5", at("12:00"), 1000, 1000));
        send(completed("B", "L6", at("14:00"), 1000, 1000));
        Map<String, BatchFootprint> latest = latest(published());
        assertThat(latest.get("A").getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(300.0, within(EPS));
        assertThat(latest.get("B").getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(100.0, within(EPS));
        assertThat(latest.get("A").getScope2LocationKgCo2e()).isCloseTo(108.0, within(EPS)); // 300 x 0.360 (at 12:00)
        assertThat(latest.get("B").getScope2LocationKgCo2e()).isCloseTo(36.0, within(EPS));
    }

    @Test
    @DisplayName("Energy with no valid factor is recorded as a gap, lowers primaryDataShare and is counted, never silently zero")
    void missingFactorIsAGap() {
        start(CarbonSettings.defaults());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Metrics.addRegistry(meters);
        send(started("G", "L7", at("08:00")));
        send(kwh("g-el", "S3", "L7", at("08:00"), at("10:00"), 100));
        // the PL gas factor is only valid from April: no factor at 10:00
        send(reading("g-gas", "S3", "L7", EnergyCarrier.NATURAL_GAS, at("08:00"), at("10:00"), 50, EnergyUnit.NM3));
        send(completed("G", "L7", at("10:00"), 1000, 1000));

        BatchFootprint f = latest(published()).get("G");
        // electricity 100 x 0.700 = 70 on both bases (no PL MARKET factor: residual-mix fallback); gas adds nothing
        assertThat(f.getScope1KgCo2e()).isCloseTo(0.0, within(EPS));
        assertThat(f.getTotalMarketKgCo2e()).isCloseTo(70.0, within(EPS));
        assertThat(f.getEnergy().get("NATURAL_GAS").getQuantity()).isCloseTo(50.0, within(EPS));
        FootprintGap gap = f.getGaps().get(0);
        assertThat(f.getGaps()).hasSize(1);
        assertThat(gap.getCarrier()).isEqualTo(EnergyCarrier.NATURAL_GAS);
        assertThat(gap.getBasis()).isEqualTo(EmissionBasis.DIRECT);
        assertThat(gap.getPeriodStart()).isEqualTo(at("08:00"));
        assertThat(gap.getPeriodEnd()).isEqualTo(at("10:00"));
        assertThat(gap.getQuantity()).isCloseTo(50.0, within(EPS));
        assertThat(gap.getUnit()).isEqualTo(EnergyUnit.NM3);
        assertThat(gap.getReason()).contains("no DIRECT factor for NATURAL_GAS");
        // the gap would have been 50 x 2.0 (latest version) = 100: share = 70 / (70 + 100) = 41.176...%
        assertThat(f.getPrimaryDataShare()).isCloseTo(100.0 * 70 / 170, within(EPS));
        try {
            assertThat(meters.counter(CarbonSiteLedger.GAPS_METRIC, "carrier", "NATURAL_GAS", "basis", "DIRECT").count()).isEqualTo(1.0);
        } finally {
            Metrics.removeRegistry(meters);
        }
    }

    @Test
    @DisplayName("A brake-drum lot with pieces is declared per piece, with the mass per piece from good output / pieces")
    void brakeDrumPerPiece() {
        start(CarbonSettings.defaults());
        send(batch("bd-start", "BD-1", "L8", BatchEventType.STARTED, at("00:00")).setProductId("DRUM-70")
                .setMaterials(List.of(material("STEEL-SCRAP", 7500, 0.4, 0.0))).build()); // 3000
        send(kwh("bd-el", "S3", "L8", at("00:00"), at("10:00"), 5000)); // 5000 x 0.700 = 3500, both bases
        send(batch("bd-done", "BD-1", "L8", BatchEventType.COMPLETED, at("10:00")).setProductId("DRUM-70")
                .setOutputGoodMassKg(7000.0).setOutputTotalMassKg(7210.0).setPieces(100L).build());
        BatchFootprint f = latest(published()).get("BD-1");
        assertThat(f.getDeclaredUnit()).isEqualTo("piece");
        assertThat(f.getProductMassPerDeclaredUnitKg()).isCloseTo(70.0, within(EPS)); // 7000 / 100
        assertThat(f.getTotalMarketKgCo2e()).isCloseTo(6500.0, within(EPS));
        assertThat(f.getPcfExcludingBiogenicUptake()).isCloseTo(65.0, within(EPS)); // 6500 / 100 pieces
        assertThat(f.getPcfIncludingBiogenicUptake()).isCloseTo(65.0, within(EPS)); // no biogenic carbon
        assertThat(f.getIntensityKgCo2ePerTonne()).isCloseTo(6500.0 / 7.0, within(EPS));
        assertThat(f.getIntensityPerTonneTotalOutput()).isCloseTo(6500.0 / 7.21, within(EPS));
        assertThat(f.getPrimaryDataShare()).isCloseTo(100.0 * 3500 / 6500, within(EPS));
    }

    @Test
    @DisplayName("A CANCELLED batch is published as CANCELLED with the energy it used, not dropped")
    void cancelledBatchIsMarked() {
        start(CarbonSettings.defaults());
        send(started("C", "L2", at("08:00")));
        send(kwh("c-el", "S1", "L2", at("08:00"), at("09:00"), 100));
        send(batch("c-cancel", "C", "L2", BatchEventType.CANCELLED, at("09:00")).build());
        BatchFootprint f = latest(published()).get("C");
        assertThat(f.getStatus()).isEqualTo(FootprintStatus.CANCELLED);
        assertThat(f.getCancelledAt()).isEqualTo(at("09:00"));
        assertThat(f.getScope2LocationKgCo2e()).isCloseTo(38.0, within(EPS));
        driver.advanceWallClockTime(Duration.ofMinutes(10));
        assertThat(footprints.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("Bad readings go to mfg.dlq as INVALID_VALUE; a duplicate eventId is applied once")
    void badDataAndDuplicates() {
        start(CarbonSettings.defaults());
        send(started("D", "L2", at("08:00")));
        send(kwh("neg", "S1", "L2", at("08:00"), at("09:00"), -5));
        send(kwh("inverted", "S1", "L2", at("09:00"), at("08:00"), 5));
        send(reading("litres", "S1", "L2", EnergyCarrier.ELECTRICITY, at("08:00"), at("09:00"), 5, EnergyUnit.LITRE));
        send(kwh("absurd", "S1", "L2", at("08:00"), at("09:00"), 5e12));
        send(kwh("ok", "S1", "L2", at("08:00"), at("09:00"), 10));
        send(kwh("ok", "S1", "L2", at("08:00"), at("09:00"), 10));
        send(completed("D", "L2", at("09:00"), 100, 100));

        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(4);
        assertThat(dead).allSatisfy(r -> {
            assertThat(new String(r.headers().lastHeader(DeadLetterHandler.HEADER_REASON).value(), StandardCharsets.UTF_8)).isEqualTo("INVALID_VALUE");
            assertThat(new String(r.headers().lastHeader(DeadLetterHandler.HEADER_SOURCE_TOPIC).value(), StandardCharsets.UTF_8)).isEqualTo("mfg.energy");
        });
        assertThat(latest(published()).get("D").getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(10.0, within(EPS));
    }

    /**
     * B1 starts on L1 at 09:45 and four readings of L1's meter follow, up to 10:45, before B1's COMPLETED at 10:10 is
     * sent (seen in a local run: batch and energy come from different input partitions); r4 ends at 10:45, after DE
     * LOCATION v2 became valid (10:30).
     */
    private void b1AndFourReadingsBeforeItsCompletion() {
        send(started("B1", "L1", at("09:45")));
        send(kwh("r1", "S1", "L1", at("09:45"), at("10:00"), 100));
        send(kwh("r2", "S1", "L1", at("10:00"), at("10:15"), 120));
        send(kwh("r3", "S1", "L1", at("10:15"), at("10:30"), 90));
        send(kwh("r4", "S1", "L1", at("10:30"), at("10:45"), 150));
    }

    @Test
    @DisplayName("Readings that arrive before a batch's late COMPLETED are split again at the completion: the batch keeps only energy up to it, priced with factors valid at those readings' timestamps, and the rest is idle energy for the next batch")
    void lateCompletion_readingsAfterItAreSplitAgain() {
        start(CarbonSettings.defaults());
        b1AndFourReadingsBeforeItsCompletion();
        send(completed("B1", "L1", at("10:10"), 1000, 1000));

        BatchFootprint b1 = latest(published()).get("B1");
        // B1 ran 09:45..10:10: r1 whole = 100 kWh, r2 10:00..10:10 = 120 x 10/15 = 80 kWh; total 180 kWh
        assertThat(b1.getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(180.0, within(EPS));
        // factors at r1's 10:00 and r2's 10:15: LOCATION v1 0.380 -> 180 x 0.380 = 68.4; MARKET 0.050 -> 9.0
        assertThat(b1.getScope2LocationKgCo2e()).isCloseTo(68.4, within(EPS));
        assertThat(b1.getScope2MarketKgCo2e()).isCloseTo(9.0, within(EPS));
        // 9.0 kg over 1 t of good output
        assertThat(b1.getIntensityKgCo2ePerTonne()).isCloseTo(9.0, within(EPS));
        assertThat(b1.getFactorVersions()).containsExactly(
                "ELECTRICITY/DE/LOCATION@2026-01-01T00:00:00Z", "ELECTRICITY/DE/MARKET@2026-01-01T00:00:00Z");

        send(started("B2", "L1", at("11:00")));
        BatchFootprint b1Later = latest(published()).get("B1");
        assertThat(b1Later).as("B1 is not republished by B2's start").isNull();
        send(completed("B2", "L1", at("11:30"), 1000, 1000));
        BatchFootprint b2 = latest(published()).get("B2");
        // idle since 10:10 goes to B2: r2 10:10..10:15 = 40, r3 = 90, r4 = 150 -> 280 kWh
        assertThat(b2.getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(280.0, within(EPS));
        // r2 part at 10:15: 40 x 0.380 = 15.2; r3 (10:30) and r4 (10:45) at v2 0.360: 240 x 0.360 = 86.4; total 101.6
        assertThat(b2.getScope2LocationKgCo2e()).isCloseTo(101.6, within(EPS));
        // MARKET 0.050 throughout: 280 x 0.050 = 14.0
        assertThat(b2.getScope2MarketKgCo2e()).isCloseTo(14.0, within(EPS));
        assertThat(b2.getFactorVersions()).containsExactly("ELECTRICITY/DE/LOCATION@2026-01-01T00:00:00Z",
                "ELECTRICITY/DE/LOCATION@2026-03-01T10:30:00Z", "ELECTRICITY/DE/MARKET@2026-01-01T00:00:00Z");
    }

    private List<KeyValue<String, CarbonReading>> readingsKept() {
        List<KeyValue<String, CarbonReading>> all = new ArrayList<>();
        try (KeyValueIterator<String, CarbonReading> it = driver.<String, CarbonReading>getKeyValueStore(StoreNames.CARBON_READINGS).all()) {
            it.forEachRemaining(all::add);
        }
        return all;
    }

    private List<String> readingDueEntries() {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, CarbonDue> it = driver.<String, CarbonDue>getKeyValueStore(StoreNames.CARBON_DUE).prefixScan("R|", new StringSerializer())) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.removeIf(k -> k.startsWith("R|~")); // the key space's end markers
        return keys;
    }

    @Test
    @DisplayName("A reading is kept under its end and eventId, with no due entry of its own, and forgotten once the event clock is a correction window past its end")
    void readingsAreKeptByTheirEndAndForgottenAfterTheCorrectionWindow() {
        start(CarbonSettings.defaults());
        polyolefinBatch();
        // e1 ends 10:00, e2, steam1 and gas1 12:00: each under its end (epoch ms, 19 digits) then its eventId
        assertThat(readingsKept()).extracting(kv -> kv.key).containsExactly(
                String.format("%019d|e1", at("10:00").toEpochMilli()), String.format("%019d|e2", at("12:00").toEpochMilli()),
                String.format("%019d|gas1", at("12:00").toEpochMilli()), String.format("%019d|steam1", at("12:00").toEpochMilli()));
        assertThat(readingDueEntries()).isEmpty();

        // the event clock moves with the wall clock: 6 days on, the readings are still inside the 7-day window
        driver.advanceWallClockTime(Duration.ofDays(6));
        assertThat(readingsKept()).hasSize(4);
        // 12:00 + 7 days passed: e1 (10:00) and the readings ending 12:00 are all older than the clock less 7 days
        driver.advanceWallClockTime(Duration.ofDays(1).plusHours(1));
        assertThat(readingsKept()).isEmpty();
        // a reading accepted now is kept, and forgotten in its turn
        send(kwh("e-next", "S1", "L1", at("13:00").plus(Duration.ofDays(7)), at("14:00").plus(Duration.ofDays(7)), 10));
        assertThat(readingsKept()).extracting(kv -> kv.value.getEventId()).containsExactly("e-next");
        driver.advanceWallClockTime(Duration.ofDays(8));
        assertThat(readingsKept()).isEmpty();
    }

    @Test
    @DisplayName("Readings kept by an earlier version (under their eventId, with a due entry each) are still split again by a late edge and still forgotten")
    void readingsKeptUnderTheirEventIdStillWork() {
        start(CarbonSettings.defaults());
        b1AndFourReadingsBeforeItsCompletion();
        // the state as the previous version kept it: each reading under its eventId, due a correction window after its end
        KeyValueStore<String, CarbonReading> readings = driver.getKeyValueStore(StoreNames.CARBON_READINGS);
        KeyValueStore<String, CarbonDue> due = driver.getKeyValueStore(StoreNames.CARBON_DUE);
        for (KeyValue<String, CarbonReading> kv : readingsKept()) {
            readings.delete(kv.key);
            readings.put(kv.value.getEventId(), kv.value);
            long dueAt = kv.value.getPeriodEnd().plus(Duration.ofDays(7)).toEpochMilli() + 1;
            due.put(String.format("R|%019d|%s", dueAt, kv.value.getEventId()), new CarbonDue(kv.value.getEventId()));
        }
        assertThat(readingsKept()).extracting(kv -> kv.key).containsExactly("r1", "r2", "r3", "r4");

        // the late COMPLETED splits them again, as in lateCompletion_readingsAfterItAreSplitAgain
        send(completed("B1", "L1", at("10:10"), 1000, 1000));
        BatchFootprint b1 = latest(published()).get("B1");
        assertThat(b1.getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(180.0, within(EPS));
        assertThat(b1.getScope2LocationKgCo2e()).isCloseTo(68.4, within(EPS));
        send(started("B2", "L1", at("11:00")));
        send(completed("B2", "L1", at("11:30"), 1000, 1000));
        BatchFootprint b2 = latest(published()).get("B2");
        assertThat(b2.getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(280.0, within(EPS));
        assertThat(b2.getScope2LocationKgCo2e()).isCloseTo(101.6, within(EPS));
        // each reading split again moved to its key by time
        assertThat(readingsKept()).extracting(kv -> kv.key).containsExactlyInAnyOrder("r1",
                String.format("%019d|r2", at("10:15").toEpochMilli()), String.format("%019d|r3", at("10:30").toEpochMilli()),
                String.format("%019d|r4", at("10:45").toEpochMilli()));

        // a correction window later every one is forgotten, moved or not, and the old due entries are taken
        driver.advanceWallClockTime(Duration.ofDays(8));
        assertThat(readingsKept()).isEmpty();
        assertThat(readingDueEntries()).isEmpty();
    }
}

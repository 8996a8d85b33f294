package io.greenline.streams.carbon;

import static io.greenline.streams.carbon.CarbonFixtures.at;
import static io.greenline.streams.carbon.CarbonFixtures.kwh;
import static io.greenline.streams.carbon.CarbonFixtures.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.greenline.events.EmissionFactor;
import io.greenline.events.EnergyMetered;
import io.greenline.events.Granularity;
import io.greenline.events.LineConfig;
import io.greenline.events.LineEnergyWindow;
import io.greenline.events.ProductionCounted;
import io.greenline.schemas.Topics;
import io.greenline.schemas.WindowKey;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.DeadLetterHandler;
import io.greenline.streams.InputStreams;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LineEnergyTopologyTest {

    private static final Topics TOPICS = new Topics(GreenlineSerdes.inMemory("line-energy-topology-test"));
    private static final double EPS = 1e-9;

    private TopologyTestDriver driver;

    private static Properties props() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "line-energy-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/line-energy-test-" + System.nanoTime());
        return props;
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private static ProductionCounted count(String id, Instant at, double quantity, double scrap, double rework) {
        return ProductionCounted.newBuilder().setEventId(id).setLineId("L1").setWorkcellId("reactor").setProductId("PO-BIO")
                .setTimestamp(at).setQuantity(quantity).setScrapQuantity(scrap).setReworkQuantity(rework).build();
    }

    @Test
    @DisplayName("A line meter's reading is spread over the hours it covers, priced at its end, and divided by the window's good units")
    void energyPerLineAndHour() {
        driver = new TopologyTestDriver(CarbonLedgerTopology.build(TOPICS, CarbonSettings.defaults()), props(), Instant.parse("2026-03-01T10:00:00Z"));
        StringSerializer keys = new StringSerializer();
        TestInputTopic<String, LineConfig> lines = driver.createInputTopic(TOPICS.lineConfig.name(), keys, TOPICS.lineConfig.valueSerde().serializer());
        TestInputTopic<String, EmissionFactor> factors = driver.createInputTopic(TOPICS.emissionFactors.name(), keys, TOPICS.emissionFactors.valueSerde().serializer());
        TestInputTopic<String, EnergyMetered> energy = driver.createInputTopic(TOPICS.energy.name(), keys, TOPICS.energy.valueSerde().serializer());
        TestInputTopic<String, ProductionCounted> counts = driver.createInputTopic(TOPICS.productionCount.name(), keys, TOPICS.productionCount.valueSerde().serializer());
        TestOutputTopic<String, LineEnergyWindow> out = driver.createOutputTopic(TOPICS.lineEnergy.name(), new StringDeserializer(), TOPICS.lineEnergy.valueSerde().deserializer());
        TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(TOPICS.dlq.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        LineConfig l1 = line("L1", "S1", "DE");
        lines.pipeInput("L1", l1, l1.getValidFrom());
        CarbonFixtures.germanFactors().forEach(f -> factors.pipeInput(Topics.emissionFactorKey(f), f, f.getValidFrom()));

        // [08:30, 10:00) 300 kWh priced at 10:00 (LOCATION 0.380, MARKET 0.050): hour 08 gets 30/90 -> 100 kWh, hour 09 200 kWh
        energy.pipeInput("L1", kwh("e1", "S1", "L1", at("08:30"), at("10:00"), 300), at("10:00"));
        // GQ = 110 - 5 - 5 = 100 at 09:15 (hour 09 is still open: it ends at 10:00, final at 10:05)
        counts.pipeInput("L1", count("c1", at("09:15"), 110, 5, 5), at("09:15"));

        // the clock is at 10:00: hour 08 (ends 09:00, + 5 min grace) is final, hour 09 not yet
        LineEnergyWindow h8 = out.readValue();
        assertThat(h8.getGranularity()).isEqualTo(Granularity.HOUR);
        assertThat(h8.getWindowStart()).isEqualTo(at("08:00"));
        assertThat(h8.getFinal$()).isTrue();
        assertThat(h8.getElectricityKwh()).isCloseTo(100.0, within(EPS));
        assertThat(h8.getKgCo2eLocation()).isCloseTo(38.0, within(EPS)); // 100 x 0.380
        assertThat(h8.getKgCo2eMarket()).isCloseTo(5.0, within(EPS)); // 100 x 0.050
        assertThat(h8.getGoodQuantity()).isNull();
        assertThat(h8.getKgCo2ePerGoodUnit()).isNull();
        assertThat(out.isEmpty()).isTrue();

        LineEnergyWindow liveH9 = driver.<String, LineEnergyWindow>getKeyValueStore(StoreNames.LINE_ENERGY_WINDOWS)
                .get(WindowKey.of("L1", Granularity.HOUR, at("09:00")).format());
        assertThat(liveH9.getFinal$()).isFalse();
        assertThat(liveH9.getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(200.0, within(EPS));

        // the line goes quiet: the idle advance moves its clock by the wall time passed and hour 09 becomes final
        driver.advanceWallClockTime(Duration.ofMinutes(6));
        LineEnergyWindow h9 = out.readValue();
        assertThat(h9.getWindowStart()).isEqualTo(at("09:00"));
        assertThat(h9.getFinal$()).isTrue();
        assertThat(h9.getElectricityKwh()).isCloseTo(200.0, within(EPS));
        assertThat(h9.getKgCo2eLocation()).isCloseTo(76.0, within(EPS)); // 200 x 0.380
        assertThat(h9.getKgCo2eMarket()).isCloseTo(10.0, within(EPS)); // 200 x 0.050
        assertThat(h9.getGoodQuantity()).isCloseTo(100.0, within(EPS));
        assertThat(h9.getKgCo2ePerGoodUnit()).isCloseTo(0.1, within(EPS)); // 10 / 100
        assertThat(h9.getKwhPerGoodUnit()).isCloseTo(2.0, within(EPS)); // 200 / 100

        LineEnergyWindow day = driver.<String, LineEnergyWindow>getKeyValueStore(StoreNames.LINE_ENERGY_WINDOWS)
                .get(WindowKey.of("L1", Granularity.DAY, Instant.parse("2026-02-28T23:00:00Z")).format()); // local day, Europe/Berlin
        assertThat(day.getElectricityKwh()).isCloseTo(300.0, within(EPS));
        assertThat(day.getKgCo2eMarket()).isCloseTo(15.0, within(EPS));
        assertThat(day.getGoodQuantity()).isCloseTo(100.0, within(EPS));

        // a gas reading over [08:00, 10:10) ends in the open hour 10: it revises the final hours 08 and 09 (published again)
        // 130 Nm3 over 130 min at 2.0 kg/Nm3: hour 08 60 Nm3 -> 120 kg, hour 09 60 Nm3 -> 120 kg, hour 10 10 Nm3 -> 20 kg
        energy.pipeInput("L1", CarbonFixtures.reading("gas", "S1", "L1", io.greenline.events.EnergyCarrier.NATURAL_GAS,
                at("08:00"), at("10:10"), 130, io.greenline.events.EnergyUnit.NM3), at("10:10"));
        LineEnergyWindow revised8 = out.readValue();
        assertThat(revised8.getWindowStart()).isEqualTo(at("08:00"));
        assertThat(revised8.getFinal$()).isTrue();
        assertThat(revised8.getRevision()).isGreaterThan(h8.getRevision());
        assertThat(revised8.getEnergy().get("NATURAL_GAS").getQuantity()).isCloseTo(60.0, within(EPS));
        assertThat(revised8.getKgCo2eMarket()).isCloseTo(5.0 + 120.0, within(EPS));
        assertThat(out.readValue().getWindowStart()).isEqualTo(at("09:00"));

        // a count in the final hour 08 is LATE
        counts.pipeInput("L1", count("c-late", at("08:40"), 10, 0, 0), at("08:40"));
        TestRecord<byte[], byte[]> late = dlq.readRecord();
        assertThat(new String(late.headers().lastHeader(DeadLetterHandler.HEADER_REASON).value(), StandardCharsets.UTF_8)).isEqualTo("LATE");
    }

    @Test
    @DisplayName("Topologies sharing an input get its one source node from InputStreams: mfg.production-count is read once")
    void sharesProductionCountSource() {
        StreamsBuilder builder = new StreamsBuilder();
        CarbonLedgerTopology.addTo(builder, TOPICS, CarbonSettings.defaults());
        // a second reader of the counts (OEE does exactly this) gets the same stream instead of a second source
        assertThat(InputStreams.of(builder, TOPICS.productionCount)).isSameAs(InputStreams.of(builder, TOPICS.productionCount));
        InputStreams.of(builder, TOPICS.productionCount).filter((k, v) -> false, org.apache.kafka.streams.kstream.Named.as("another-reader"));
        Topology topology = builder.build();
        driver = new TopologyTestDriver(topology, props());
        String description = topology.describe().toString();
        assertThat(description).contains("carbon-site-ledger", "carbon-line-energy", "another-reader");
        assertThat(description.split("topics: \\[mfg.production-count\\]", -1)).hasSize(2);
    }
}

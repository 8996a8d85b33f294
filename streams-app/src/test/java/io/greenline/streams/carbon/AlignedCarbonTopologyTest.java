package io.greenline.streams.carbon;

import static io.greenline.streams.carbon.CarbonFixtures.DAY;
import static io.greenline.streams.carbon.CarbonFixtures.completed;
import static io.greenline.streams.carbon.CarbonFixtures.kwh;
import static io.greenline.streams.carbon.CarbonFixtures.line;
import static io.greenline.streams.carbon.CarbonFixtures.started;
import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchFootprint;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EnergyMetered;
import io.greenline.events.LineConfig;
import io.greenline.events.LineEnergyWindow;
import io.greenline.events.ProductionCounted;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.schemas.serde.TrustedEventClasses;
import io.greenline.streams.InputStreams;
import io.greenline.streams.errors.DeadLetterHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The carbon ledger and line-energy windows with their inputs aligned as in the application: a day of a line's meter
 * readings and counts and its batches, arriving topic by topic in any order, gives the final line-energy windows
 * and the last footprint version of each batch of the run in event-time order, with nothing dead-lettered.
 */
class AlignedCarbonTopologyTest {

    private static final String LINE = "L1";
    private static final String SITE = "S1";
    private static final CarbonSettings SETTINGS = CarbonSettings.from(Map.of(CarbonSettings.LINE_ENERGY_ALIGN_IDLE, "PT5S"));
    /** Less than the idle advance (30 s), more than the alignment's idle time (5 s here). */
    private static final Duration PAST_ALIGN_IDLE = Duration.ofSeconds(6);

    /** In which order the input topics arrive. */
    enum Arrival {
        COUNTS_FIRST(List.of("mfg.production-count", "mfg.batch", "mfg.energy")),
        READINGS_FIRST(List.of("mfg.energy", "mfg.production-count", "mfg.batch")),
        BATCHES_FIRST(List.of("mfg.batch", "mfg.energy", "mfg.production-count"));

        final List<String> topics;

        Arrival(List<String> topics) {
            this.topics = topics;
        }
    }

    private record In(String topic, SpecificRecord value, Instant at) {
    }

    @BeforeAll
    static void trustEventClasses() {
        // the events are built before any serde exists, and their builders deep-copy nested Avro records
        TrustedEventClasses.install();
    }

    /** 00:00 to 25:00: a reading every 15 min, counts every 7 to 13 min, four batches of about five hours. */
    private static List<In> day(long seed) {
        Random random = new Random(seed);
        List<In> out = new ArrayList<>();
        for (int minute = 0; minute < 25 * 60; minute += 15) {
            Instant from = DAY.plus(Duration.ofMinutes(minute));
            Instant to = from.plus(Duration.ofMinutes(15));
            out.add(new In("mfg.energy", kwh("e" + minute, SITE, LINE, from, to, 20 + random.nextInt(30)), to));
        }
        for (int minute = 3; minute < 25 * 60; minute += 7 + random.nextInt(7)) {
            Instant at = DAY.plus(Duration.ofMinutes(minute)).plusSeconds(random.nextInt(60));
            double q = 5 + random.nextInt(10);
            out.add(new In("mfg.production-count", ProductionCounted.newBuilder().setEventId("c" + minute).setLineId(LINE)
                    .setWorkcellId("reactor").setProductId("PO-BIO").setTimestamp(at).setQuantity(q)
                    .setScrapQuantity(random.nextInt(2)).setReworkQuantity(0).build(), at));
        }
        for (int b = 0; b < 4; b++) {
            Instant start = DAY.plus(Duration.ofMinutes(b * 330L + 10 + random.nextInt(20)));
            Instant end = start.plus(Duration.ofMinutes(240 + random.nextInt(60)));
            out.add(new In("mfg.batch", started("B" + b, LINE, start), start));
            out.add(new In("mfg.batch", completed("B" + b, LINE, end, 900 + random.nextInt(100), 1000), end));
        }
        out.sort(Comparator.comparing(In::at));
        return out;
    }

    private record Results(Map<String, LineEnergyWindow> energyFinals, Map<String, BatchFootprint> footprints, int deadLetters) {
    }

    private static Results run(List<In> events, String scope) {
        Topics topics = new Topics(GreenlineSerdes.inMemory(scope));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "aligned-carbon-" + scope);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/aligned-carbon-" + scope + "-" + System.nanoTime());
        StreamsBuilder builder = new StreamsBuilder();
        InputStreams.align(builder);
        CarbonLedgerTopology.addTo(builder, topics, SETTINGS);
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props, Instant.parse("2026-06-01T00:00:00Z"))) {
            StringSerializer keys = new StringSerializer();
            TestInputTopic<String, LineConfig> lines = driver.createInputTopic(topics.lineConfig.name(), keys, topics.lineConfig.valueSerde().serializer());
            TestInputTopic<String, EmissionFactor> factors = driver.createInputTopic(topics.emissionFactors.name(), keys,
                    topics.emissionFactors.valueSerde().serializer());
            LineConfig config = line(LINE, SITE, "DE");
            lines.pipeInput(LINE, config, config.getValidFrom());
            CarbonFixtures.germanFactors().forEach(f -> factors.pipeInput(Topics.emissionFactorKey(f), f, f.getValidFrom()));
            Map<String, TestInputTopic<String, SpecificRecord>> inputs = Map.of(
                    topics.energy.name(), input(driver, topics.energy.name(), topics.energy.valueSerde().serializer()),
                    topics.productionCount.name(), input(driver, topics.productionCount.name(), topics.productionCount.valueSerde().serializer()),
                    topics.batch.name(), input(driver, topics.batch.name(), topics.batch.valueSerde().serializer()));
            for (In e : events) {
                String key = e.value() instanceof EnergyMetered m ? m.getLineId() : e.value() instanceof BatchEvent b ? b.getLineId() : LINE;
                inputs.get(e.topic()).pipeInput(key, e.value(), e.at());
            }
            // the inputs fall idle (alignment releases), no idle advance yet
            driver.advanceWallClockTime(PAST_ALIGN_IDLE);
            Map<String, LineEnergyWindow> energy = new LinkedHashMap<>();
            for (TestRecord<String, LineEnergyWindow> r : driver.createOutputTopic(topics.lineEnergy.name(), new StringDeserializer(),
                    topics.lineEnergy.valueSerde().deserializer()).readRecordsToList()) {
                if (r.value().getFinal$()) {
                    energy.put(r.key(), LineEnergyWindow.newBuilder(r.value()).setRevision(0).build());
                }
            }
            Map<String, BatchFootprint> footprints = new LinkedHashMap<>();
            for (TestRecord<String, BatchFootprint> r : driver.createOutputTopic(topics.batchFootprint.name(), new StringDeserializer(),
                    topics.batchFootprint.valueSerde().deserializer()).readRecordsToList()) {
                // the content of the latest version: how many versions led there depends on arrival order
                footprints.put(r.key(), BatchFootprint.newBuilder(r.value()).setVersion(0).setReplacesVersion(null).build());
            }
            int dead = driver.createOutputTopic(topics.dlq.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer())
                    .readRecordsToList().size();
            return new Results(energy, footprints, dead);
        }
    }

    @SuppressWarnings("unchecked")
    private static TestInputTopic<String, SpecificRecord> input(TopologyTestDriver driver, String topic, Serializer<?> values) {
        return driver.createInputTopic(topic, new StringSerializer(), (Serializer<SpecificRecord>) values);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Arrival.class)
    @DisplayName("A day's input topics one after the other give the line-energy finals and footprints of event-time order")
    void topicByTopicEqualsEventTimeOrder(Arrival arrival) {
        List<In> events = day(7);
        Results expected = run(events, "expected-" + arrival);
        assertThat(expected.deadLetters()).isZero();
        // 25 hours a day and a bit, the day; four batches
        assertThat(expected.energyFinals()).hasSizeGreaterThanOrEqualTo(25);
        assertThat(expected.footprints()).hasSize(4);

        List<In> topicByTopic = new ArrayList<>();
        for (String topic : arrival.topics) {
            events.stream().filter(e -> e.topic().equals(topic)).forEach(topicByTopic::add);
        }
        Results actual = run(topicByTopic, arrival.name());
        assertThat(actual.deadLetters()).as("dead letters").isZero();
        assertThat(actual.energyFinals()).isEqualTo(expected.energyFinals());
        assertThat(actual.footprints()).isEqualTo(expected.footprints());
    }
}

package io.greenline.it.app;

import static io.greenline.it.support.DeadLetters.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchEventType;
import io.greenline.events.BatchFootprint;
import io.greenline.events.DayOfWeek;
import io.greenline.events.EmissionBasis;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EmissionScope;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyMetered;
import io.greenline.events.EnergyUnit;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.InspectionResult;
import io.greenline.events.LineConfig;
import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.MaterialCharge;
import io.greenline.events.ProductRate;
import io.greenline.events.ProductionCounted;
import io.greenline.events.Shift;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.Topic;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.Topics;
import io.greenline.local.kafka.KafkaBroker;
import io.greenline.streams.GreenlineTopology;
import io.greenline.streams.ReferenceSettings;
import io.greenline.streams.app.GreenlineApp;
import io.greenline.streams.config.AppSettings;
import io.greenline.streams.errors.DeadLetterHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reference data and events in any order, on the real broker: for twenty seeds, new lines' configs are produced
 * interleaved with their events in one producer batch into a running application, and every final OEE window,
 * quality window, energy window and footprint equals the run where the configs came first (the whole application in
 * a TopologyTestDriver, fed configs first); nothing of theirs is dead-lettered. A line that never gets a config
 * ends in mfg.dlq as MISSING_REFERENCE.
 */
class ReferenceOrderIT {

    private static final Instant CONFIG_FROM = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant DAY = Instant.parse("2026-03-04T00:00:00Z");
    private static final int SEEDS = 20;
    private static final List<String> OUTPUTS = List.of(TopicNames.OEE, TopicNames.QUALITY, TopicNames.LINE_ENERGY,
            TopicNames.BATCH_FOOTPRINT);

    @TempDir
    static Path dirs;
    private static KafkaBroker broker;
    private static GreenlineApp app;

    /** One record to produce: topic, key, value, timestamp. */
    private record Out(String topic, String key, SpecificRecord value, Instant at) {
    }

    @BeforeAll
    static void start() {
        // its own broker: the app must see only this test's events, not first replay the other tests' days
        broker = AppItSupport.ownBroker();
        Map<String, String> props = new HashMap<>(AppItSupport.settings("it-reference-order", AppItSupport.freePort(),
                dirs.resolve("app"), broker.bootstrapServers(), AppItSupport.REGISTRY, Map.of()).all());
        props.put(ReferenceSettings.MISSING_WAIT, "PT10M");
        props.put(ReferenceSettings.MISSING_WALL_CLOCK_MIN, "PT5S");
        app = AppItSupport.startApp(AppSettings.of(props));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    /**
     * The reference gate keeps each line's events in the order the task gave them, but the task itself may take one
     * input topic's freshly produced records before another topic's first fetch lands (a line's counts before its
     * machine states): the windows are final against each line's aligned frontier over its input topics
     * ({@code oee.align-idle}, docs/design.md section 4), so that order decides nothing either.
     */
    @Test
    @DisplayName("configs interleaved with their lines' events in one producer batch give the results of configs first, for 20 seeds")
    void anyOrderGivesTheConfigsFirstResults() throws Exception {
        Map<String, Map<String, Object>> expected = new LinkedHashMap<>();
        OUTPUTS.forEach(t -> expected.put(t, new HashMap<>()));
        List<String> lines = new ArrayList<>();
        // the run to match: the whole application fed each seed's configs first, seed after seed as the running
        // application gets them (one driver for all seeds: a driver per seed spent most of the test's time starting)
        List<Out> configsFirst = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = batchingProducer()) {
            List<Out> factors = factors();
            send(producer, factors);
            producer.flush();
            configsFirst.addAll(factors);
            for (int seed = 1; seed <= SEEDS; seed++) {
                Random random = new Random(seed);
                String site = "ref-site-" + seed;
                List<LineConfig> configs = List.of(config("ref-" + seed + "-a", site, random), config("ref-" + seed + "-b", site, random));
                configs.forEach(c -> lines.add(c.getLineId()));
                List<Out> events = new ArrayList<>();
                for (LineConfig c : configs) {
                    events.addAll(lineEvents(c.getLineId(), site, random));
                }
                events.addAll(siteMeter(site, random));
                events.sort((x, y) -> x.at().compareTo(y.at()));

                configs.forEach(c -> configsFirst.add(new Out(TopicNames.LINE_CONFIG, c.getLineId(), c, CONFIG_FROM)));
                configsFirst.addAll(events);

                // into the running application: configs at random places among the events, one batch
                List<Out> interleaved = new ArrayList<>(events);
                for (LineConfig c : configs) {
                    interleaved.add(random.nextInt(interleaved.size() + 1), new Out(TopicNames.LINE_CONFIG, c.getLineId(), c, CONFIG_FROM));
                }
                send(producer, interleaved);
            }
            producer.flush();
        }
        configsFirstRun(configsFirst).forEach((topic, byKey) -> expected.get(topic).putAll(byKey));
        assertThat(expected.get(TopicNames.OEE)).hasSizeGreaterThanOrEqualTo(SEEDS * 2 * 3);
        assertThat(expected.get(TopicNames.BATCH_FOOTPRINT)).hasSize(SEEDS * 2);

        Map<String, Map<String, Object>> actual = new HashMap<>();
        OUTPUTS.forEach(t -> actual.put(t, new HashMap<>()));
        List<ConsumerRecord<String, byte[]>> deadLetters = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer("reference-order-reader")) {
            List<String> topics = new ArrayList<>(OUTPUTS);
            topics.add(TopicNames.DLQ);
            consumer.subscribe(topics);
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.topic().equals(TopicNames.DLQ)) {
                        deadLetters.add(r);
                    } else {
                        actual.get(r.topic()).put(r.key(), withoutRevision(decode(r.topic(), r.value())));
                    }
                }
                for (String topic : OUTPUTS) {
                    assertThat(actual.get(topic)).as(topic).containsAllEntriesOf(expected.get(topic));
                }
            });
        }
        assertThat(deadLetters).as("dead letters of the new lines")
                .noneMatch(r -> r.key() != null && lines.stream().anyMatch(l -> r.key().startsWith(l) || r.key().startsWith("ref-site-")));
    }

    @Test
    @DisplayName("a line that never gets a config ends in mfg.dlq as MISSING_REFERENCE after the wait, every event of it")
    void neverConfiguredLineIsDeadLettered() throws Exception {
        String ghost = "ghost-line-7";
        // a configured line on the ghost's partition moves that task's stream time past the 10-minute wait
        String steady = null;
        for (int i = 0; steady == null; i++) {
            if (partition("steady-" + i) == partition(ghost)) {
                steady = "steady-" + i;
            }
        }
        Random random = new Random(99);
        List<Out> ghostEvents = lineEvents(ghost, "ghost-site", random).stream()
                .filter(o -> o.at().isBefore(DAY.plus(Duration.ofHours(7)))).toList();
        List<Out> steadyEvents = new ArrayList<>();
        steadyEvents.add(new Out(TopicNames.LINE_CONFIG, steady, config(steady, "steady-site", random), CONFIG_FROM));
        steadyEvents.addAll(lineEvents(steady, "steady-site", random));
        try (KafkaProducer<String, byte[]> producer = batchingProducer()) {
            send(producer, ghostEvents);
            send(producer, steadyEvents);
            producer.flush();
        }
        List<ConsumerRecord<String, byte[]>> dead = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer("reference-ghost-reader")) {
            consumer.subscribe(List.of(TopicNames.DLQ));
            await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (ghost.equals(r.key())) {
                        dead.add(r);
                    }
                });
                assertThat(dead).hasSize(ghostEvents.size());
            });
        }
        for (ConsumerRecord<String, byte[]> r : dead) {
            assertThat(header(r, DeadLetterHandler.HEADER_REASON)).isEqualTo(DeadLetterReason.MISSING_REFERENCE.name());
            assertThat(header(r, DeadLetterHandler.HEADER_EXCEPTION_MESSAGE)).contains(ghost);
        }
        assertThat(dead.stream().map(r -> decode(header(r, DeadLetterHandler.HEADER_SOURCE_TOPIC), r.value())).toList())
                .containsExactlyInAnyOrderElementsOf(ghostEvents.stream().map(Out::value).toList());
    }

    // ---- the configs-first run ----

    private static Map<String, Map<String, Object>> configsFirstRun(List<Out> records) {
        AppSettings settings = AppSettings.of(Map.of("schema.registry.url", "mock://reference-order-expected"));
        Topics topics = new Topics(settings.serdes());
        Properties props = settings.streamsProperties();
        props.put(StreamsConfig.STATE_DIR_CONFIG, dirs.resolve("expected").toString());
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(GreenlineTopology.build(topics, settings), props, DAY)) {
            Map<String, TestInputTopic<String, SpecificRecord>> inputs = new HashMap<>();
            for (Topic<String, ? extends SpecificRecord> t : inputTopics(topics)) {
                inputs.put(t.name(), driver.createInputTopic(t.name(), new StringSerializer(), serializer(t)));
            }
            for (Out r : records) {
                inputs.get(r.topic()).pipeInput(r.key(), r.value(), r.at());
            }
            // past oee.align-idle (30 s): the windows the lines' clocks made final are emitted (the idle advance moves
            // the clocks by these 31 s too, as it does in the running application)
            driver.advanceWallClockTime(Duration.ofSeconds(31));
            for (String topic : OUTPUTS) {
                Map<String, Object> byKey = new HashMap<>();
                driver.createOutputTopic(topic, new StringDeserializer(), cast(topicOf(topics, topic).valueSerde().deserializer()))
                        .readKeyValuesToList().forEach(kv -> byKey.put(kv.key, withoutRevision(kv.value)));
                out.put(topic, byKey);
            }
            assertThat(driver.createOutputTopic(TopicNames.DLQ, new StringDeserializer(), new ByteArrayDeserializer())
                    .readRecordsToList()).as("dead letters of the configs-first run").isEmpty();
        }
        return out;
    }

    private static List<Topic<String, ? extends SpecificRecord>> inputTopics(Topics topics) {
        return List.of(topics.machineState, topics.productionCount, topics.inspection, topics.energy, topics.batch,
                topics.lineConfig, topics.emissionFactors);
    }

    @SuppressWarnings("unchecked")
    private static Serializer<SpecificRecord> serializer(Topic<String, ? extends SpecificRecord> topic) {
        return (Serializer<SpecificRecord>) topic.valueSerde().serializer();
    }

    // ---- seeded data ----

    private static LineConfig config(String lineId, String site, Random random) {
        List<Shift> shifts = random.nextBoolean() ? List.of()
                : List.of(new Shift("early", "06:00", "14:00", List.of(DayOfWeek.values())),
                        new Shift("late", "14:00", "22:00", List.of(DayOfWeek.values())));
        return LineConfig.newBuilder().setLineId(lineId).setSiteId(site).setAreaId("area-" + site).setName(lineId)
                .setTimezone(random.nextBoolean() ? "Europe/Berlin" : "Asia/Shanghai").setShifts(shifts)
                .setProducts(List.of(new ProductRate("P1", 20_000.0 + random.nextInt(40_000))))
                .setMicroStopThresholdMs(120_000L).setOeeTarget(0.75).setGridRegion("DE").setValidFrom(CONFIG_FROM).build();
    }

    private static Instant at(int minutes) {
        return DAY.plus(Duration.ofHours(6)).plus(Duration.ofMinutes(minutes));
    }

    /** 06:00 to 09:40 of a line: random states, counts, inspections, one batch and its line meter. */
    private static List<Out> lineEvents(String line, String site, Random random) {
        List<Out> out = new ArrayList<>();
        MachineState[] states = MachineState.values();
        int n = 0;
        for (int minute = 0; minute < 200; minute += 5 + random.nextInt(16)) {
            MachineState state = minute == 0 ? MachineState.RUNNING : states[random.nextInt(states.length)];
            MachineStateChanged e = new MachineStateChanged(line + "-ms-" + n++, line, "cell", at(minute), state,
                    state == MachineState.RUNNING ? null : "R" + random.nextInt(3));
            out.add(new Out(TopicNames.MACHINE_STATE, line, e, e.getTimestamp()));
        }
        out.add(new Out(TopicNames.MACHINE_STATE, line, new MachineStateChanged(line + "-ms-end", line, "cell", at(220),
                MachineState.RUNNING, null), at(220)));
        for (int minute = 3; minute < 200; minute += 10) {
            double quantity = 2 + random.nextInt(8);
            double scrap = random.nextInt(2);
            ProductionCounted c = ProductionCounted.newBuilder().setEventId(line + "-pc-" + minute).setLineId(line)
                    .setWorkcellId("cell").setProductId("P1").setTimestamp(at(minute)).setQuantity(quantity)
                    .setScrapQuantity(scrap).setReworkQuantity(random.nextInt(2)).setBatchId(null).build();
            out.add(new Out(TopicNames.PRODUCTION_COUNT, line, c, c.getTimestamp()));
            InspectionResult result = InspectionResult.values()[random.nextInt(3)];
            InspectionRecorded i = InspectionRecorded.newBuilder().setEventId(line + "-in-" + minute).setLineId(line)
                    .setStationId("cmm").setProductId("P1").setTimestamp(at(minute + 1))
                    .setUnitId("U" + random.nextInt(12)).setBatchId(null).setResult(result)
                    .setDefectCodes(result == InspectionResult.PASS ? List.of() : List.of("D" + random.nextInt(4)))
                    .setQuantity(1.0).build();
            out.add(new Out(TopicNames.INSPECTION, line, i, i.getTimestamp()));
        }
        String batchId = line + "-lot";
        int started = random.nextInt(30);
        int completed = 120 + random.nextInt(30);
        out.add(new Out(TopicNames.BATCH, line, BatchEvent.newBuilder().setEventId(batchId + "-start").setBatchId(batchId)
                .setLineId(line).setProductId("P1").setTimestamp(at(started)).setEventType(BatchEventType.STARTED)
                .setMaterials(List.of(new MaterialCharge("waste-oil", 500.0 + random.nextInt(500), 0.3, 0.8))).build(), at(started)));
        out.add(new Out(TopicNames.BATCH, line, BatchEvent.newBuilder().setEventId(batchId + "-done").setBatchId(batchId)
                .setLineId(line).setProductId("P1").setTimestamp(at(completed)).setEventType(BatchEventType.COMPLETED)
                .setOutputGoodMassKg(900.0 + random.nextInt(100)).setOutputTotalMassKg(1000.0).build(), at(completed)));
        for (int minute = 0; minute < 210; minute += 15) {
            EnergyMetered r = new EnergyMetered(line + "-en-" + minute, line + "-meter", site, line, EnergyCarrier.ELECTRICITY,
                    at(minute), at(minute + 15), 20.0 + random.nextInt(40), EnergyUnit.KWH);
            out.add(new Out(TopicNames.ENERGY, line, r, r.getTimestamp()));
        }
        return out;
    }

    /** A shared site meter (no line): its readings are split among the batches running at the site. */
    private static List<Out> siteMeter(String site, Random random) {
        List<Out> out = new ArrayList<>();
        for (int minute = 0; minute < 210; minute += 30) {
            EnergyMetered r = new EnergyMetered(site + "-shared-" + minute, site + "-main", site, null, EnergyCarrier.ELECTRICITY,
                    at(minute), at(minute + 30), 50.0 + random.nextInt(50), EnergyUnit.KWH);
            out.add(new Out(TopicNames.ENERGY, site, r, r.getTimestamp()));
        }
        return out;
    }

    private static List<Out> factors() {
        List<Out> out = new ArrayList<>();
        for (EmissionBasis basis : List.of(EmissionBasis.LOCATION, EmissionBasis.MARKET)) {
            EmissionFactor f = new EmissionFactor(EnergyCarrier.ELECTRICITY, "DE", basis, EmissionScope.SCOPE2,
                    basis == EmissionBasis.LOCATION ? 0.4 : 0.05, EnergyUnit.KWH, CONFIG_FROM, "it");
            out.add(new Out(TopicNames.EMISSION_FACTORS, Topics.emissionFactorKey(f), f, CONFIG_FROM));
        }
        return out;
    }

    // ---- Kafka ----

    private static KafkaProducer<String, byte[]> batchingProducer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "200");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(1 << 20));
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<String, byte[]> producer, List<Out> records) {
        for (Out r : records) {
            byte[] value = ReferenceOrderIT.<Serializer<SpecificRecord>>cast(topicOf(AppItSupport.TOPICS, r.topic()).valueSerde().serializer())
                            .serialize(r.topic(), r.value());
            producer.send(new ProducerRecord<>(r.topic(), null, r.at().toEpochMilli(), r.key(), value));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
    }

    /**
     * A window with its {@code revision} (how many live updates it had before it was final) set to 0, and a
     * footprint with its {@code version} and {@code replacesVersion} left out: those count publications, which
     * depend on how a task interleaves the records of its input topics (the carbon ledger's repartition topic
     * interleaves two upstream tasks), not on the data, so they are no part of the comparison. The content of the
     * last version, status included, is: every other field is compared.
     */
    private static Object withoutRevision(Object value) {
        if (value instanceof SpecificRecord record && record.getSchema().getField("revision") != null) {
            record.put(record.getSchema().getField("revision").pos(), 0);
        }
        if (value instanceof BatchFootprint footprint) {
            footprint.setVersion(0);
            footprint.setReplacesVersion(null);
        }
        return value;
    }

    private static Object decode(String topic, byte[] value) {
        return topicOf(AppItSupport.TOPICS, topic).valueSerde().deserializer().deserialize(topic, value);
    }

    private static KafkaConsumer<String, byte[]> consumer(String group) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static Topic<String, ?> topicOf(Topics topics, String name) {
        for (Topic<String, ?> t : List.of(topics.machineState, topics.productionCount, topics.inspection, topics.energy,
                topics.batch, topics.lineConfig, topics.emissionFactors, topics.oee, topics.quality, topics.lineEnergy,
                topics.batchFootprint)) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException(name);
    }

    private static int partition(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % AppItSupport.PARTITIONS;
    }

}

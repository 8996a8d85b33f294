package io.greenline.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchEventType;
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
import io.greenline.schemas.Topics;
import io.greenline.streams.config.AppSettings;
import io.greenline.streams.errors.DeadLetterHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The reference gate in the whole application (GreenlineTopology): events of a line whose config the global store
 * does not hold yet give the same windows and footprints as when the config came first; events of a line that never
 * gets one end in mfg.dlq as MISSING_REFERENCE.
 */
class ReferenceGateTest {

    private static final Instant CONFIG_FROM = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant START = Instant.parse("2026-03-02T00:00:00Z");

    /** One record to pipe: topic, key, value, record timestamp. */
    private record In(String topic, String key, SpecificRecord value, Instant at) {
    }

    private static Instant at(String hhmm) {
        return Instant.parse("2026-03-02T" + hhmm + ":00Z");
    }

    private static LineConfig config(String lineId) {
        return LineConfig.newBuilder().setLineId(lineId).setSiteId("site-" + lineId).setAreaId("area-g")
                .setName(lineId).setTimezone("Europe/Berlin")
                .setShifts(List.of(new Shift("early", "06:00", "14:00", List.of(DayOfWeek.values()))))
                .setProducts(List.of(new ProductRate("P1", 60_000.0))).setMicroStopThresholdMs(120_000L)
                .setOeeTarget(0.8).setGridRegion("DE").setValidFrom(CONFIG_FROM).build();
    }

    private static List<In> factors(Topics topics) {
        List<In> out = new ArrayList<>();
        for (EmissionBasis basis : List.of(EmissionBasis.LOCATION, EmissionBasis.MARKET)) {
            EmissionFactor f = new EmissionFactor(EnergyCarrier.ELECTRICITY, "DE", basis, EmissionScope.SCOPE2,
                    basis == EmissionBasis.LOCATION ? 0.4 : 0.3, EnergyUnit.KWH, CONFIG_FROM, "test");
            out.add(new In(topics.emissionFactors.name(), Topics.emissionFactorKey(f), f, CONFIG_FROM));
        }
        return out;
    }

    /** Three hours of a line: states, counts, inspections, a batch and its energy. */
    private static List<In> events(Topics topics, String line) {
        List<In> out = new ArrayList<>();
        String[][] states = {{"06:00", "RUNNING"}, {"06:40", "FAULT"}, {"06:50", "RUNNING"}, {"07:30", "IDLE"},
                {"07:45", "RUNNING"}, {"08:30", "MINOR_STOP"}, {"08:32", "RUNNING"}};
        int n = 0;
        for (String[] s : states) {
            MachineStateChanged e = new MachineStateChanged(line + "-ms-" + n++, line, "cell", at(s[0]),
                    MachineState.valueOf(s[1]), s[1].equals("FAULT") ? "JAM" : null);
            out.add(new In(topics.machineState.name(), line, e, e.getTimestamp()));
        }
        out.add(new In(topics.batch.name(), line, batch(line, "06:00", BatchEventType.STARTED), at("06:00")));
        double[][] counts = {{30, 25, 1, 0}, {65, 10, 0, 0}, {120, 30, 0, 2}, {170, 20, 1, 1}};
        for (double[] c : counts) {
            Instant t = at("06:00").plusSeconds((long) c[0] * 60);
            ProductionCounted e = ProductionCounted.newBuilder().setEventId(line + "-pc-" + (int) c[0]).setLineId(line)
                    .setWorkcellId("cell").setProductId("P1").setTimestamp(t).setQuantity(c[1]).setScrapQuantity(c[2])
                    .setReworkQuantity(c[3]).setBatchId(null).build();
            out.add(new In(topics.productionCount.name(), line, e, t));
            InspectionRecorded i = InspectionRecorded.newBuilder().setEventId(line + "-in-" + (int) c[0]).setLineId(line)
                    .setStationId("cmm").setProductId("P1").setTimestamp(t.plusSeconds(30)).setUnitId("U" + (int) c[0])
                    .setBatchId(null).setResult(c[2] > 0 ? InspectionResult.SCRAP : InspectionResult.PASS)
                    .setDefectCodes(c[2] > 0 ? List.of("CRACK") : List.of()).setQuantity(1.0).build();
            out.add(new In(topics.inspection.name(), line, i, i.getTimestamp()));
        }
        for (int h = 6; h < 9; h++) {
            EnergyMetered r = new EnergyMetered(line + "-en-" + h, line + "-meter", "site-" + line, line,
                    EnergyCarrier.ELECTRICITY, START.plus(Duration.ofHours(h)), START.plus(Duration.ofHours(h + 1)),
                    100.0 + h, EnergyUnit.KWH);
            out.add(new In(topics.energy.name(), line, r, r.getTimestamp()));
        }
        out.add(new In(topics.batch.name(), line, batch(line, "08:00", BatchEventType.COMPLETED), at("08:00")));
        MachineStateChanged last = new MachineStateChanged(line + "-ms-last", line, "cell", at("09:30"),
                MachineState.RUNNING, null);
        out.add(new In(topics.machineState.name(), line, last, last.getTimestamp()));
        out.sort((a, b) -> a.at().compareTo(b.at()));
        return out;
    }

    private static BatchEvent batch(String line, String hhmm, BatchEventType type) {
        boolean done = type == BatchEventType.COMPLETED;
        return BatchEvent.newBuilder().setEventId(line + "-b-" + type).setBatchId(line + "-lot-1").setLineId(line)
                .setProductId("P1").setTimestamp(at(hhmm)).setEventType(type)
                .setMaterials(done ? List.of() : List.of(new MaterialCharge("waste-oil", 900.0, 0.3, 0.8)))
                .setProcessCo2Kg(null).setOutputGoodMassKg(done ? 1000.0 : null).setOutputTotalMassKg(done ? 1100.0 : null)
                .setPieces(null).setProductBiogenicCarbonKgPerKg(null).build();
    }

    /** What a run leaves: every store the API reads and every output record. */
    private record Outcome(Map<String, Map<String, Object>> stores, Map<String, List<KeyValue<String, Object>>> outputs,
                           List<TestRecord<String, byte[]>> deadLetters) {
    }

    private static final List<String> STORES = List.of(StoreNames.OEE_WINDOWS, StoreNames.QUALITY_WINDOWS,
            StoreNames.BATCH_FOOTPRINTS, StoreNames.LINE_ENERGY_WINDOWS);

    /** Runs the whole application over the steps: each is a list of records to pipe, or a wall-clock advance. */
    private static Outcome run(String scope, List<Object> steps) {
        AppSettings settings = AppSettings.of(Map.of("schema.registry.url", "mock://" + scope,
                ReferenceSettings.RECHECK_INTERVAL, "PT1S", ReferenceSettings.MISSING_WAIT, "PT30M",
                ReferenceSettings.MISSING_WALL_CLOCK_MIN, "PT10S",
                // a refused reference version's dead letter is written by the handler's own producer: nothing listens here
                StreamsConfig.producerPrefix("max.block.ms"), "200"));
        Topics topics = new Topics(settings.serdes());
        Properties props = settings.streamsProperties();
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/reference-gate-test-" + System.nanoTime());
        try (TopologyTestDriver driver = new TopologyTestDriver(GreenlineTopology.build(topics, settings), props, at("10:00"))) {
            Map<String, TestInputTopic<String, SpecificRecord>> inputs = new LinkedHashMap<>();
            for (Topic<String, ? extends SpecificRecord> t : List.of(topics.machineState, topics.productionCount,
                    topics.inspection, topics.energy, topics.batch, topics.lineConfig, topics.emissionFactors)) {
                inputs.put(t.name(), driver.createInputTopic(t.name(), new StringSerializer(), serializer(t)));
            }
            for (Object step : steps) {
                if (step instanceof Duration wall) {
                    driver.advanceWallClockTime(wall);
                    continue;
                }
                @SuppressWarnings("unchecked")
                List<In> records = (List<In>) step;
                for (In r : records) {
                    inputs.get(r.topic()).pipeInput(r.key(), r.value(), r.at());
                }
            }
            Map<String, Map<String, Object>> stores = new LinkedHashMap<>();
            for (String name : STORES) {
                Map<String, Object> content = new TreeMap<>();
                KeyValueStore<String, Object> store = driver.getKeyValueStore(name);
                try (KeyValueIterator<String, Object> all = store.all()) {
                    all.forEachRemaining(kv -> content.put(kv.key, kv.value));
                }
                stores.put(name, content);
            }
            Map<String, List<KeyValue<String, Object>>> outputs = new LinkedHashMap<>();
            for (Topic<String, ?> t : List.of(topics.oee, topics.quality, topics.batchFootprint, topics.lineEnergy)) {
                @SuppressWarnings("unchecked")
                TestOutputTopic<String, Object> out = driver.createOutputTopic(t.name(), new StringDeserializer(),
                        (org.apache.kafka.common.serialization.Deserializer<Object>) t.valueSerde().deserializer());
                outputs.put(t.name(), out.readKeyValuesToList());
            }
            List<TestRecord<String, byte[]>> dlq = driver.createOutputTopic(topics.dlq.name(), new StringDeserializer(),
                    new ByteArrayDeserializer()).readRecordsToList();
            return new Outcome(stores, outputs, dlq);
        }
    }

    @SuppressWarnings("unchecked")
    private static Serializer<SpecificRecord> serializer(Topic<String, ? extends SpecificRecord> topic) {
        return (Serializer<SpecificRecord>) topic.valueSerde().serializer();
    }

    private static List<In> lineConfig(Topics topics, String line) {
        return List.of(new In(topics.lineConfig.name(), line, config(line), CONFIG_FROM));
    }

    private static Topics topics() {
        return new Topics(AppSettings.of(Map.of("schema.registry.url", "mock://reference-gate-names")).serdes());
    }

    @Test
    @DisplayName("events that arrive before their line's config give the same windows and footprints as when the config came first")
    void configAfterEventsEqualsConfigFirst() {
        Topics t = topics();
        List<In> events = events(t, "gate-line-1");
        Outcome configFirst = run("gate-first", List.of(factors(t), lineConfig(t, "gate-line-1"), events, Duration.ofSeconds(1)));

        // the config arrives after all events: held, then released by the wall-clock recheck
        Outcome configLast = run("gate-last", List.of(factors(t), events, lineConfig(t, "gate-line-1"), Duration.ofSeconds(1)));

        // the config arrives mid-stream: the next event of the line releases the queue ahead of itself
        int half = events.size() / 2;
        Outcome configMid = run("gate-mid", List.of(factors(t), events.subList(0, half), lineConfig(t, "gate-line-1"),
                events.subList(half, events.size()), Duration.ofSeconds(1)));

        assertThat(configFirst.stores().get(StoreNames.OEE_WINDOWS)).isNotEmpty();
        assertThat(configFirst.outputs().get(t.oee.name())).isNotEmpty();
        assertThat(configFirst.outputs().get(t.quality.name())).isNotEmpty();
        assertThat(configFirst.outputs().get(t.batchFootprint.name())).isNotEmpty();
        assertThat(configFirst.deadLetters()).isEmpty();
        for (Outcome other : List.of(configLast, configMid)) {
            assertThat(other.deadLetters()).isEmpty();
            assertThat(other.stores()).isEqualTo(configFirst.stores());
            assertThat(other.outputs()).isEqualTo(configFirst.outputs());
        }
    }

    @Test
    @DisplayName("events of a line that never gets a config end in mfg.dlq as MISSING_REFERENCE after the wait, with their bytes")
    void neverConfiguredLineIsDeadLettered() {
        Topics t = topics();
        List<In> ghost = events(t, "ghost-line").subList(0, 3);
        List<In> steady = events(t, "steady-line");
        // the steady line moves stream time to 09:30, past 06:00 + 30 min; the wall clock passes the 10 s minimum
        Outcome outcome = run("gate-ghost", List.of(factors(t), lineConfig(t, "steady-line"), ghost, steady,
                Duration.ofSeconds(1), Duration.ofSeconds(11)));

        assertThat(outcome.deadLetters()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            TestRecord<String, byte[]> dead = outcome.deadLetters().get(i);
            assertThat(header(dead, DeadLetterHandler.HEADER_REASON)).isEqualTo(DeadLetterReason.MISSING_REFERENCE.name());
            assertThat(header(dead, DeadLetterHandler.HEADER_SOURCE_TOPIC)).isEqualTo(ghost.get(i).topic());
            assertThat(header(dead, DeadLetterHandler.HEADER_EXCEPTION_MESSAGE)).contains("ghost-line");
            assertThat(dead.key()).isEqualTo("ghost-line");
            // the run's registry scope knows the writer schema
            Object decoded = io.greenline.schemas.serde.GreenlineSerdes.inMemory("gate-ghost").value(ghost.get(i).value().getClass()).deserializer().deserialize(ghost.get(i).topic(), dead.value());
            assertThat(decoded).isEqualTo(ghost.get(i).value());
        }
        // nothing of the ghost line was computed with defaults
        assertThat(outcome.stores().get(StoreNames.OEE_WINDOWS).keySet()).noneMatch(k -> k.startsWith("ghost-line"))
                .anyMatch(k -> k.startsWith("steady-line"));
        assertThat(outcome.stores().get(StoreNames.QUALITY_WINDOWS).keySet()).noneMatch(k -> k.startsWith("ghost-line"));
    }

    @Test
    @DisplayName("a held event is not dead-lettered before the wall-clock minimum, however far stream time has moved")
    void wallClockMinimumHoldsBack() {
        Topics t = topics();
        List<In> ghost = events(t, "ghost-line").subList(0, 1);
        Outcome outcome = run("gate-wall", List.of(factors(t), lineConfig(t, "steady-line"), ghost, events(t, "steady-line"),
                Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertThat(outcome.deadLetters()).isEmpty();
    }

    @Test
    @DisplayName("a null value on an event topic is dead-lettered as NULL_VALUE by the gate, not dropped")
    void nullValueIsDeadLettered() {
        Topics t = topics();
        Outcome outcome = run("gate-null", List.of(factors(t), lineConfig(t, "steady-line"),
                List.of(new In(t.machineState.name(), "steady-line", null, at("06:00")))));
        assertThat(outcome.deadLetters()).hasSize(1);
        assertThat(header(outcome.deadLetters().get(0), DeadLetterHandler.HEADER_REASON)).isEqualTo(DeadLetterReason.NULL_VALUE.name());
    }

    private static String header(TestRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("versions stamped year 3000 or before 2000 (a line config, a factor, a tombstone) are refused: the configs and factors after them are used as if they never came")
    void implausibleReferenceVersionsDoNotHideLaterOnes() {
        Topics t = topics();
        List<In> events = events(t, "gate-line-1");
        Outcome clean = run("rogue-clean", List.of(factors(t), lineConfig(t, "gate-line-1"), events, Duration.ofSeconds(1)));

        Instant y3000 = Instant.parse("3000-01-01T00:00:00Z");
        LineConfig future = LineConfig.newBuilder(config("rogue-line")).setValidFrom(y3000).build();
        LineConfig ancient = LineConfig.newBuilder(config("ancient-line")).setValidFrom(Instant.parse("1970-01-02T00:00:00Z")).build();
        EmissionFactor futureFactor = new EmissionFactor(EnergyCarrier.ELECTRICITY, "DE", EmissionBasis.LOCATION, EmissionScope.SCOPE2,
                99.0, EnergyUnit.KWH, y3000, "rogue");
        List<In> rogue = List.of(
                new In(t.lineConfig.name(), "rogue-line", future, CONFIG_FROM),
                new In(t.lineConfig.name(), "ancient-line", ancient, CONFIG_FROM),
                new In(t.lineConfig.name(), "tombstone-line", null, y3000),
                new In(t.emissionFactors.name(), Topics.emissionFactorKey(futureFactor), futureFactor, CONFIG_FROM));
        // before the fix the year-3000 version moved the store's clock: the line's config (365 days of history) and the
        // factors were dropped as too old, and every event of the line was dead-lettered as MISSING_REFERENCE
        Outcome afterRogue = run("rogue-first", List.of(rogue, factors(t), lineConfig(t, "gate-line-1"), events,
                Duration.ofSeconds(1), Duration.ofSeconds(11)));

        assertThat(clean.stores().get(StoreNames.BATCH_FOOTPRINTS)).isNotEmpty();
        assertThat(afterRogue.deadLetters()).isEmpty();
        assertThat(afterRogue.stores()).isEqualTo(clean.stores());
        assertThat(afterRogue.outputs()).isEqualTo(clean.outputs());
    }
}

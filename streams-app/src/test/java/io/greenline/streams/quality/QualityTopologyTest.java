package io.greenline.streams.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.greenline.events.Alert;
import io.greenline.events.AlertType;
import io.greenline.events.DayOfWeek;
import io.greenline.events.DefectCount;
import io.greenline.events.Granularity;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.InspectionResult;
import io.greenline.events.LineConfig;
import io.greenline.events.OeeWindow;
import io.greenline.events.QualityWindow;
import io.greenline.events.Shift;
import io.greenline.schemas.WindowKey;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.DeadLetterHandler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class QualityTopologyTest {

    private static final double EPS = 1e-9;
    private static final Topics TOPICS = new Topics(GreenlineSerdes.inMemory("quality-topology-test"));
    private static final Instant WALL_START = Instant.parse("2026-03-02T00:00:00Z");

    /** Brake-drum line 1: Berlin (UTC+1 in early March), Early 06:00-14:00 and Late 14:00-22:00 local, Mon-Fri; target OEE 85 %. */
    private static final String BD1 = "BD1";
    /** Brake-drum line 2: 24/7 in UTC, no shifts, no OEE target. */
    private static final String BD2 = "BD2";
    private static final String DRUM_A = "DRUM-A-70KG";
    private static final String DRUM_B = "DRUM-B-70KG";
    private static final Instant CONFIG_FROM = Instant.parse("2026-01-01T00:00:00Z");

    private static final List<DayOfWeek> WEEKDAYS = List.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY,
            DayOfWeek.THURSDAY, DayOfWeek.FRIDAY);
    private static final LineConfig BD1_CONFIG = new LineConfig(BD1, "site-1", "casting", "Brake drum line 1", "Europe/Berlin",
            List.of(new Shift("Early", "06:00", "14:00", WEEKDAYS), new Shift("Late", "14:00", "22:00", WEEKDAYS)),
            List.of(), 120_000L, 0.85, "DE", CONFIG_FROM);
    private static final LineConfig BD2_CONFIG = new LineConfig(BD2, "site-1", "casting", "Brake drum line 2", "UTC",
            List.of(), List.of(), 120_000L, null, "DE", CONFIG_FROM);

    /** Monday 2 March 2026: the Early shift is 05:00Z-13:00Z. */
    private static final Instant EARLY_START = Instant.parse("2026-03-02T05:00:00Z");
    private static final Instant EARLY_END = Instant.parse("2026-03-02T13:00:00Z");

    private TopologyTestDriver driver;
    private TestInputTopic<String, InspectionRecorded> inspections;
    private TestInputTopic<String, LineConfig> configs;
    private TestInputTopic<String, OeeWindow> oee;
    private TestOutputTopic<String, QualityWindow> quality;
    private TestOutputTopic<String, Alert> alerts;
    private TestOutputTopic<byte[], byte[]> dlq;
    private KeyValueStore<String, QualityWindow> store;

    private static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();

    @BeforeAll
    static void meters() {
        Metrics.addRegistry(METERS);
    }

    @AfterAll
    static void removeMeters() {
        Metrics.removeRegistry(METERS);
    }

    @BeforeEach
    void start() {
        start(QualitySettings.defaults());
    }

    private void start(QualitySettings settings) {
        start(settings, null);
    }

    /**
     * @param taskDir where task 0_0's state lives, linked from the driver's own state directory (which a
     *                TopologyTestDriver deletes when closed), so a second driver opens the stores the first closed; null: in it
     */
    private void start(QualitySettings settings, java.nio.file.Path taskDir) {
        if (driver != null) {
            driver.close();
        }
        Properties props = new Properties();
        if (taskDir != null) {
            try {
                java.nio.file.Path stateDir = java.nio.file.Files.createTempDirectory("quality-test-state");
                java.nio.file.Files.createSymbolicLink(java.nio.file.Files.createDirectories(stateDir.resolve("quality-test")).resolve("0_0"), taskDir);
                props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "quality-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(props)));
        QualityTopology.addTo(builder, TOPICS, settings);
        driver = new TopologyTestDriver(builder.build(props), props, WALL_START);
        inspections = driver.createInputTopic(TOPICS.inspection.name(), new StringSerializer(), TOPICS.inspection.valueSerde().serializer());
        configs = driver.createInputTopic(TOPICS.lineConfig.name(), new StringSerializer(), TOPICS.lineConfig.valueSerde().serializer());
        oee = driver.createInputTopic(TOPICS.oee.name(), new StringSerializer(), TOPICS.oee.valueSerde().serializer());
        quality = driver.createOutputTopic(TOPICS.quality.name(), new StringDeserializer(), TOPICS.quality.valueSerde().deserializer());
        alerts = driver.createOutputTopic(TOPICS.alerts.name(), new StringDeserializer(), TOPICS.alerts.valueSerde().deserializer());
        dlq = driver.createOutputTopic(TOPICS.dlq.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        store = driver.getKeyValueStore(StoreNames.QUALITY_WINDOWS);
        configs.pipeInput(BD1, BD1_CONFIG, CONFIG_FROM);
        configs.pipeInput(BD2, BD2_CONFIG, CONFIG_FROM);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static InspectionRecorded inspection(String eventId, String line, String product, String at, String unitId,
                                                 InspectionResult result, double quantity, String... codes) {
        return new InspectionRecorded(eventId, line, "station-xray", product, Instant.parse(at), unitId, null, result,
                List.of(codes), quantity);
    }

    private void pipe(InspectionRecorded i) {
        inspections.pipeInput(i.getLineId(), i, i.getTimestamp());
    }

    private Map<String, QualityWindow> finals() {
        Map<String, QualityWindow> out = new LinkedHashMap<>();
        for (KeyValue<String, QualityWindow> kv : quality.readKeyValuesToList()) {
            assertThat(out.put(kv.key, kv.value)).as("exactly one final record for %s", kv.key).isNull();
            assertThat(kv.value.getFinal$()).isTrue();
        }
        return out;
    }

    private static String key(String line, Granularity g, Instant start, String product) {
        return new WindowKey(line, g, start, product).format();
    }

    private static String header(TestRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The Early shift of BD1 on Monday 2 March 2026 (UTC times; the shift is 05:00Z-13:00Z). */
    private void pipeEarlyShift() {
        pipe(inspection("e1", BD1, DRUM_A, "2026-03-02T06:10:00Z", "u1", InspectionResult.PASS, 1));
        pipe(inspection("e2", BD1, DRUM_A, "2026-03-02T06:20:00Z", "u2", InspectionResult.SCRAP, 1, "CRACK", "POROSITY"));
        pipe(inspection("e3", BD1, DRUM_A, "2026-03-02T06:30:00Z", "u3", InspectionResult.REWORK, 1, "POROSITY", "BALANCE"));
        pipe(inspection("e4", BD1, DRUM_B, "2026-03-02T07:00:00Z", "u4", InspectionResult.REWORK, 1, "POROSITY"));
        pipe(inspection("e5", BD1, DRUM_A, "2026-03-02T07:30:00Z", "u3", InspectionResult.PASS, 1));
        pipe(inspection("e6", BD1, DRUM_B, "2026-03-02T08:00:00Z", null, InspectionResult.PASS, 4));
        pipe(inspection("e7", BD1, DRUM_B, "2026-03-02T08:10:00Z", null, InspectionResult.SCRAP, 2, "CRACK", "BURR"));
        pipe(inspection("e8", BD1, DRUM_A, "2026-03-02T09:00:00Z", "u5", InspectionResult.PASS, 1));
        pipe(inspection("e8", BD1, DRUM_A, "2026-03-02T09:00:00Z", "u5", InspectionResult.PASS, 1)); // duplicate: ignored
        pipe(inspection("e9", BD1, DRUM_B, "2026-03-02T09:05:00Z", "u4", InspectionResult.PASS, 1));
        pipe(inspection("e10", BD1, DRUM_A, "2026-03-02T10:00:00Z", "u6", InspectionResult.SCRAP, 1, "CRACK", "BALANCE"));
    }

    @Test
    @DisplayName("A shift of brake-drum inspections: quantities, rates, defect Pareto (several codes per unit, ties by code) and first pass yield, final once after the grace")
    void shiftOfBrakeDrums() {
        pipeEarlyShift();
        String shiftKey = key(BD1, Granularity.SHIFT, EARLY_START, null);
        // live in the store before the shift is final, not on the topic yet (only the hours closed so far are)
        assertThat(store.get(shiftKey).getFinal$()).isFalse();
        assertThat(store.get(shiftKey).getInspected()).isCloseTo(14, within(EPS));
        Map<String, QualityWindow> finals = finals();
        assertThat(finals).doesNotContainKey(shiftKey)
                .containsKey(key(BD1, Granularity.HOUR, Instant.parse("2026-03-02T08:00:00Z"), null));

        // 13:04Z is inside the grace of the shift (ends 13:00Z + 5 min): still not final
        pipe(inspection("e11", BD1, DRUM_A, "2026-03-02T13:04:00Z", "u7", InspectionResult.PASS, 1));
        finals.putAll(finals());
        assertThat(finals).doesNotContainKey(shiftKey);
        // 13:05Z closes the Early shift (and the hours up to 12:00Z)
        pipe(inspection("e12", BD1, DRUM_A, "2026-03-02T13:05:00Z", "u8", InspectionResult.PASS, 1));
        Map<String, QualityWindow> closing = finals();
        assertThat(closing).doesNotContainKeys(finals.keySet().toArray(String[]::new));
        finals.putAll(closing);

        // Line, Early shift: inspected = 1+1+1+1+1+4+2+1+1+1 = 14 (the duplicate e8 not counted)
        // passed = e1 1 + e5 1 + e6 4 + e8 1 + e9 1 = 8; rework = e3 1 + e4 1 = 2; scrap = e2 1 + e7 2 + e10 1 = 4
        // defectRate = 6/14, scrapRate = 4/14, reworkRate = 2/14
        // codes: CRACK e2 1 + e7 2 + e10 1 = 4; POROSITY e2 1 + e3 1 + e4 1 = 3; BALANCE e3 1 + e10 1 = 2; BURR e7 2
        // first inspections: u1 P, u2 S, u3 R, u4 R, lot e6 4 P, lot e7 2 S, u5 P, u6 S = 12 units, 1+4+1 = 6 good: FPY 0.5
        QualityWindow shift = finals.get(shiftKey);
        assertThat(shift.getShiftName()).isEqualTo("Early");
        assertThat(shift.getWindowEnd()).isEqualTo(EARLY_END);
        assertThat(shift.getInspected()).isCloseTo(14, within(EPS));
        assertThat(shift.getPassed()).isCloseTo(8, within(EPS));
        assertThat(shift.getRework()).isCloseTo(2, within(EPS));
        assertThat(shift.getScrap()).isCloseTo(4, within(EPS));
        assertThat(shift.getDefectRate()).isCloseTo(6.0 / 14.0, within(EPS));
        assertThat(shift.getScrapRate()).isCloseTo(4.0 / 14.0, within(EPS));
        assertThat(shift.getReworkRate()).isCloseTo(2.0 / 14.0, within(EPS));
        assertThat(shift.getDefects()).containsExactly(new DefectCount("CRACK", 4.0), new DefectCount("POROSITY", 3.0),
                new DefectCount("BALANCE", 2.0), new DefectCount("BURR", 2.0));
        assertThat(shift.getFirstInspectedUnits()).isCloseTo(12, within(EPS));
        assertThat(shift.getFirstPassUnits()).isCloseTo(6, within(EPS));
        assertThat(shift.getFirstPassYield()).isCloseTo(0.5, within(EPS));
        assertThat(store.get(shiftKey)).isEqualTo(shift);

        // The Late shift and the day stay open
        assertThat(finals).doesNotContainKey(key(BD1, Granularity.DAY, Instant.parse("2026-03-01T23:00:00Z"), null));
        assertThat(store.get(key(BD1, Granularity.SHIFT, EARLY_END, null)).getFinal$()).isFalse();
    }

    @Test
    @DisplayName("Per product: each product of the line has its own window records, which add up to the line's")
    void productBreakdown() {
        pipeEarlyShift();
        pipe(inspection("close", BD1, DRUM_A, "2026-03-02T13:05:00Z", "u8", InspectionResult.PASS, 1));
        Map<String, QualityWindow> finals = finals();
        // DRUM-A: e1 P, e2 S, e3 R, e5 P, e8 P, e10 S: inspected 6, passed 3, rework 1, scrap 2, defectRate 3/6
        // codes: CRACK e2+e10 = 2, POROSITY e2+e3 = 2, BALANCE e3+e10 = 2: all tied, so by code
        // first: u1 P, u2 S, u3 R, u5 P, u6 S = 5 units, 2 good: FPY 0.4
        QualityWindow a = finals.get(key(BD1, Granularity.SHIFT, EARLY_START, DRUM_A));
        assertThat(a.getProductId()).isEqualTo(DRUM_A);
        assertThat(a.getInspected()).isCloseTo(6, within(EPS));
        assertThat(a.getPassed()).isCloseTo(3, within(EPS));
        assertThat(a.getRework()).isCloseTo(1, within(EPS));
        assertThat(a.getScrap()).isCloseTo(2, within(EPS));
        assertThat(a.getDefectRate()).isCloseTo(0.5, within(EPS));
        assertThat(a.getDefects()).containsExactly(new DefectCount("BALANCE", 2.0), new DefectCount("CRACK", 2.0),
                new DefectCount("POROSITY", 2.0));
        assertThat(a.getFirstPassYield()).isCloseTo(0.4, within(EPS));
        // DRUM-B: e4 R, e6 P x4, e7 S x2, e9 P: inspected 8, passed 5, rework 1, scrap 2, defectRate 3/8
        // codes: BURR 2, CRACK 2 (tie, by code), POROSITY 1; first: u4 R 1, e6 4 P, e7 2 S = 7 units, 4 good: FPY 4/7
        QualityWindow b = finals.get(key(BD1, Granularity.SHIFT, EARLY_START, DRUM_B));
        assertThat(b.getInspected()).isCloseTo(8, within(EPS));
        assertThat(b.getPassed()).isCloseTo(5, within(EPS));
        assertThat(b.getDefectRate()).isCloseTo(3.0 / 8.0, within(EPS));
        assertThat(b.getDefects()).containsExactly(new DefectCount("BURR", 2.0), new DefectCount("CRACK", 2.0),
                new DefectCount("POROSITY", 1.0));
        assertThat(b.getFirstInspectedUnits()).isCloseTo(7, within(EPS));
        assertThat(b.getFirstPassYield()).isCloseTo(4.0 / 7.0, within(EPS));
        // 6 + 8 = 14 inspected, 5 + 7 = 12 first-inspected units: the line record
        QualityWindow line = finals.get(key(BD1, Granularity.SHIFT, EARLY_START, null));
        assertThat(a.getInspected() + b.getInspected()).isCloseTo(line.getInspected(), within(EPS));
        assertThat(a.getFirstInspectedUnits() + b.getFirstInspectedUnits()).isCloseTo(line.getFirstInspectedUnits(), within(EPS));
    }

    @Test
    @DisplayName("A unit that fails, is reworked and passes counts once, in the window of its first inspection, and not as first-pass good")
    void reworkedUnitCountedOnce() {
        pipeEarlyShift();
        pipe(inspection("close", BD1, DRUM_A, "2026-03-02T13:05:00Z", "u8", InspectionResult.PASS, 1));
        Map<String, QualityWindow> finals = finals();
        // 06:00Z hour: u1 PASS, u2 SCRAP, u3 REWORK -> 3 first-inspected units, 1 good: FPY 1/3
        QualityWindow h06 = finals.get(key(BD1, Granularity.HOUR, Instant.parse("2026-03-02T06:00:00Z"), null));
        assertThat(h06.getFirstInspectedUnits()).isCloseTo(3, within(EPS));
        assertThat(h06.getFirstPassUnits()).isCloseTo(1, within(EPS));
        assertThat(h06.getFirstPassYield()).isCloseTo(1.0 / 3.0, within(EPS));
        // 07:00Z hour: u4 REWORK (first) and u3 PASS after rework (not first): 2 inspected, 1 passed,
        // but only u4 first-inspected and it failed: FPY 0/1 = 0
        QualityWindow h07 = finals.get(key(BD1, Granularity.HOUR, Instant.parse("2026-03-02T07:00:00Z"), null));
        assertThat(h07.getInspected()).isCloseTo(2, within(EPS));
        assertThat(h07.getPassed()).isCloseTo(1, within(EPS));
        assertThat(h07.getFirstInspectedUnits()).isCloseTo(1, within(EPS));
        assertThat(h07.getFirstPassUnits()).isCloseTo(0, within(EPS));
        assertThat(h07.getFirstPassYield()).isCloseTo(0.0, within(EPS));
    }

    @Test
    @DisplayName("Inspections without a unitId are each a first inspection, weighted by quantity")
    void withoutUnitId() {
        pipeEarlyShift();
        pipe(inspection("close", BD1, DRUM_A, "2026-03-02T13:05:00Z", "u8", InspectionResult.PASS, 1));
        // 08:00Z hour: e6 PASS x4 and e7 SCRAP x2, no serials: 6 first-inspected units, 4 good: FPY 4/6
        QualityWindow h08 = finals().get(key(BD1, Granularity.HOUR, Instant.parse("2026-03-02T08:00:00Z"), null));
        assertThat(h08.getFirstInspectedUnits()).isCloseTo(6, within(EPS));
        assertThat(h08.getFirstPassUnits()).isCloseTo(4, within(EPS));
        assertThat(h08.getFirstPassYield()).isCloseTo(4.0 / 6.0, within(EPS));
    }

    @Test
    @DisplayName("An inspection for a window already final goes to mfg.dlq as LATE and changes nothing; a re-delivered one is ignored; bad values and keys are dead-lettered")
    void lateAndInvalid() {
        pipeEarlyShift();
        pipe(inspection("close", BD1, DRUM_A, "2026-03-02T13:05:00Z", "u8", InspectionResult.PASS, 1));
        String shiftKey = key(BD1, Granularity.SHIFT, EARLY_START, null);
        QualityWindow before = store.get(shiftKey);
        double lateBefore = lateCount();
        pipe(inspection("late", BD1, DRUM_A, "2026-03-02T12:59:00Z", null, InspectionResult.SCRAP, 1, "CRACK"));
        pipe(inspection("e2", BD1, DRUM_A, "2026-03-02T06:20:00Z", "u2", InspectionResult.SCRAP, 1, "CRACK", "POROSITY"));
        pipe(inspection("neg", BD1, DRUM_A, "2026-03-02T13:06:00Z", null, InspectionResult.PASS, -1));
        InspectionRecorded misfiled = inspection("misfiled", BD1, DRUM_A, "2026-03-02T13:06:00Z", null, InspectionResult.PASS, 1);
        inspections.pipeInput(BD2, misfiled, misfiled.getTimestamp());
        TestRecord<byte[], byte[]> late = dlq.readRecord();
        assertThat(header(late, DeadLetterHandler.HEADER_REASON)).isEqualTo("LATE");
        assertThat(TOPICS.inspection.valueSerde().deserializer().deserialize(TOPICS.inspection.name(), late.value()).getEventId())
                .isEqualTo("late");
        // the re-delivered e2 is a duplicate: ignored, not LATE
        assertThat(header(dlq.readRecord(), DeadLetterHandler.HEADER_REASON)).isEqualTo("INVALID_VALUE");
        assertThat(header(dlq.readRecord(), DeadLetterHandler.HEADER_REASON)).isEqualTo("MISSING_KEY");
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(store.get(shiftKey)).isEqualTo(before);
        assertThat(lateCount() - lateBefore).isEqualTo(1.0);
    }

    private static double lateCount() {
        var counter = Metrics.globalRegistry.find(DeadLetterHandler.METRIC).tag("reason", "LATE").tag("topic", "mfg.inspection").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    @DisplayName("A line that goes quiet still closes its windows: its clock moves by the wall-clock time passed since its last record")
    void idleLineCloses() {
        // wall clock starts at 00:00Z; the record is processed then, with event time 10:20Z
        pipe(inspection("q1", BD2, DRUM_A, "2026-03-02T10:20:00Z", null, InspectionResult.PASS, 1));
        driver.advanceWallClockTime(Duration.ofMinutes(40));
        // clock 10:20 + 40 min = 11:00 < 11:05: the 10:00Z hour is not final yet
        assertThat(quality.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofMinutes(5));
        // clock 10:20 + 45 min = 11:05 = end + grace: final
        assertThat(finals()).containsOnlyKeys(key(BD2, Granularity.HOUR, Instant.parse("2026-03-02T10:00:00Z"), null),
                key(BD2, Granularity.HOUR, Instant.parse("2026-03-02T10:00:00Z"), DRUM_A));
    }

    /** Hours from 00:00Z on 2 March 2026 on BD2: {@code defective} of 100 drums. */
    private void pipeHour(int hour, int defective) {
        Instant start = Instant.parse("2026-03-02T00:00:00Z").plus(Duration.ofHours(hour));
        String at = start.plus(Duration.ofMinutes(10)).toString();
        pipe(inspection("h" + hour + "-pass", BD2, DRUM_A, at, null, InspectionResult.PASS, 100 - defective));
        if (defective > 0) {
            pipe(inspection("h" + hour + "-scrap", BD2, DRUM_A, at, null, InspectionResult.SCRAP, defective, "CRACK"));
        }
    }

    @Test
    @DisplayName("The p-chart stays quiet on normal variation and fires once on a defect spike above p-bar + 3 sqrt(p-bar (1 - p-bar) / n)")
    void pChart() {
        // hours 0..23: 4 and 6 defective of 100, alternately: p-bar over any 20+ of them is about 0.05,
        // the limit about 0.115; hours 20..23 are judged (20+ windows of history) and stay quiet (0.04, 0.06)
        for (int h = 0; h < 24; h++) {
            pipeHour(h, h % 2 == 0 ? 4 : 6);
        }
        // hour 24: 11 of 100 = 0.11; p-bar from hours 0..23 = (12*4 + 12*6) / 2400 = 120/2400 = 0.05
        // limit = 0.05 + 3 sqrt(0.05 * 0.95 / 100) = 0.05 + 3 * 0.0217944947 = 0.1153834842 > 0.11: quiet
        pipeHour(24, 11);
        // hour 25: 15 of 100 = 0.15; p-bar from hours 1..24 = (11*4 + 12*6 + 11) / 2400 = 127/2400 = 0.0529166667
        // limit = 0.0529166667 + 3 sqrt(0.0529166667 * 0.9470833333 / 100) = 0.1200768064 < 0.15: alert
        pipeHour(25, 15);
        pipeHour(26, 5); // 02:10Z on 3 March closes hour 25 (ends 02:00Z, + 5 min grace)
        pipe(inspection("close", BD2, DRUM_A, "2026-03-03T02:10:00Z", null, InspectionResult.PASS, 1));

        double pBar24 = 120.0 / 2400.0;
        assertThat(PChart.upperLimit(pBar24, 100)).isCloseTo(0.1153834841531101, within(EPS));
        List<Alert> raised = alerts.readValuesToList();
        assertThat(raised).hasSize(1);
        Alert spike = raised.get(0);
        double pBar25 = 127.0 / 2400.0;
        double limit25 = pBar25 + 3 * Math.sqrt(pBar25 * (1 - pBar25) / 100);
        assertThat(limit25).isCloseTo(0.12007680644466295, within(EPS));
        assertThat(spike.getType()).isEqualTo(AlertType.SPC_DEFECT_RATE);
        assertThat(spike.getLineId()).isEqualTo(BD2);
        assertThat(spike.getGranularity()).isEqualTo(Granularity.HOUR);
        assertThat(spike.getWindowStart()).isEqualTo(Instant.parse("2026-03-03T01:00:00Z"));
        assertThat(spike.getWindowEnd()).isEqualTo(Instant.parse("2026-03-03T02:00:00Z"));
        assertThat(spike.getValue()).isCloseTo(0.15, within(EPS));
        assertThat(spike.getLimit()).isCloseTo(limit25, within(EPS));
        assertThat(spike.getAlertId()).isEqualTo("SPC_DEFECT_RATE/BD2/HOUR/2026-03-03T01:00:00Z");
        assertThat(spike.getMessage()).contains("BD2", "15.00%", "12.01%", "2026-03-03T01:00:00Z");
    }

    private static OeeWindow oeeWindow(String line, Granularity g, String shift, String start, String end, Double value, boolean isFinal) {
        return OeeWindow.newBuilder().setLineId(line).setGranularity(g).setShiftName(shift)
                .setWindowStart(Instant.parse(start)).setWindowEnd(Instant.parse(end))
                .setPotMs(0).setPdotMs(0).setPbtMs(0).setAptMs(0).setAsutMs(0).setAdetMs(0).setAdotMs(0).setUnknownMs(0)
                .setAuptMs(0).setAubtMs(0).setProducedQuantity(0).setGoodQuantity(0).setScrapQuantity(0).setReworkQuantity(0)
                .setIdealTimeMs(0).setFailures(0).setOee(value).setFinal$(isFinal).setRevision(1).build();
    }

    @Test
    @DisplayName("A final OEE window below the line's oeeTarget raises OEE_BELOW_TARGET once; live windows, good windows and lines without a target raise nothing")
    void oeeBelowTarget() {
        OeeWindow low = oeeWindow(BD1, Granularity.SHIFT, "Early", "2026-03-02T05:00:00Z", "2026-03-02T13:00:00Z", 0.62, true);
        String key = key(BD1, Granularity.SHIFT, EARLY_START, null);
        oee.pipeInput(key, oeeWindow(BD1, Granularity.SHIFT, "Early", "2026-03-02T05:00:00Z", "2026-03-02T13:00:00Z", 0.50, false));
        oee.pipeInput(key, low);
        oee.pipeInput(key, low); // re-delivered: no second alert
        oee.pipeInput(key, oeeWindow(BD1, Granularity.HOUR, null, "2026-03-02T13:00:00Z", "2026-03-02T14:00:00Z", 0.90, true));
        oee.pipeInput(key, oeeWindow(BD1, Granularity.HOUR, null, "2026-03-02T14:00:00Z", "2026-03-02T15:00:00Z", null, true));
        oee.pipeInput(key, oeeWindow(BD2, Granularity.HOUR, null, "2026-03-02T13:00:00Z", "2026-03-02T14:00:00Z", 0.10, true));

        List<TestRecord<String, Alert>> raised = alerts.readRecordsToList();
        assertThat(raised).hasSize(1);
        Alert a = raised.get(0).value();
        assertThat(raised.get(0).key()).isEqualTo(BD1);
        assertThat(a.getType()).isEqualTo(AlertType.OEE_BELOW_TARGET);
        assertThat(a.getAlertId()).isEqualTo("OEE_BELOW_TARGET/BD1/SHIFT/2026-03-02T05:00:00Z");
        assertThat(a.getValue()).isCloseTo(0.62, within(EPS));
        assertThat(a.getLimit()).isCloseTo(0.85, within(EPS));
        assertThat(a.getWindowEnd()).isEqualTo(EARLY_END);
        assertThat(a.getMessage()).isEqualTo("Line BD1: OEE 62.0% in the SHIFT 'Early' window [2026-03-02T05:00:00Z, "
                + "2026-03-02T13:00:00Z) is below the target 85.0%");
    }

    @Test
    @DisplayName("An OEE alert of a window published more than the alert retention behind the partition's newest window is still raised once")
    void oeeAlertOfAWindowFarBehind() {
        // BD1 is sent every minute; a line with sparse events publishes a week of windows at once, far behind it
        OeeWindow recent = oeeWindow(BD1, Granularity.HOUR, null, "2026-03-20T08:00:00Z", "2026-03-20T09:00:00Z", 0.50, true);
        oee.pipeInput(key(BD1, Granularity.HOUR, Instant.parse("2026-03-20T08:00:00Z"), null), recent, Instant.parse("2026-03-20T09:00:00Z"));
        OeeWindow old = oeeWindow(BD1, Granularity.SHIFT, "Early", "2026-03-02T05:00:00Z", "2026-03-02T13:00:00Z", 0.62, true);
        String oldKey = key(BD1, Granularity.SHIFT, EARLY_START, null);
        oee.pipeInput(oldKey, old, EARLY_END); // 18 days behind, more than the 7-day alert retention
        oee.pipeInput(oldKey, old, EARLY_END); // re-delivered
        oee.pipeInput(key(BD1, Granularity.HOUR, Instant.parse("2026-03-20T08:00:00Z"), null), recent, Instant.parse("2026-03-20T09:00:00Z"));

        assertThat(alerts.readRecordsToList()).extracting(r -> r.value().getAlertId()).containsExactly(
                "OEE_BELOW_TARGET/BD1/HOUR/2026-03-20T08:00:00Z", "OEE_BELOW_TARGET/BD1/SHIFT/2026-03-02T05:00:00Z");
    }

    private static double unitsRemembered() {
        return Metrics.globalRegistry.find(QualityWindowsProcessor.UNITS_GAUGE).gauges().stream().mapToDouble(Gauge::value).sum();
    }

    @Test
    @DisplayName("A unit is remembered until the TTL (default 7 days) after its last inspection; then it is forgotten and a new inspection is a first one again")
    void unitMemoryExpires() {
        pipe(inspection("m1", BD2, DRUM_A, "2026-03-02T08:00:00Z", "u9", InspectionResult.REWORK, 1, "POROSITY"));
        pipe(inspection("m2", BD2, DRUM_A, "2026-03-02T09:00:00Z", "u11", InspectionResult.REWORK, 1, "POROSITY"));
        assertThat(unitsRemembered()).isEqualTo(2.0);
        // 6 days later, within the TTL: u11's re-inspection is not a first inspection
        pipe(inspection("m3", BD2, DRUM_A, "2026-03-08T09:00:00Z", "u11", InspectionResult.PASS, 1));
        QualityWindow sixDays = store.get(key(BD2, Granularity.HOUR, Instant.parse("2026-03-08T09:00:00Z"), null));
        assertThat(sixDays.getFirstInspectedUnits()).isCloseTo(0, within(EPS));
        // 8 days after u9's last inspection (clock 2026-03-10T08:00Z > 2026-03-02T08:00Z + 7 days)
        pipe(inspection("m4", BD2, DRUM_A, "2026-03-10T08:00:00Z", "u10", InspectionResult.PASS, 1));
        assertThat(unitsRemembered()).isEqualTo(3.0);
        driver.advanceWallClockTime(QualitySettings.defaults().punctuateEvery());
        // u9 forgotten; u11 (last seen 2026-03-08) and u10 kept
        assertThat(unitsRemembered()).isEqualTo(2.0);
        KeyValueStore<String, io.greenline.events.QualityUnitMemory> units = driver.getKeyValueStore(StoreNames.QUALITY_UNITS);
        assertThat(units.get("BD2/u9")).isNull();
        assertThat(units.get("BD2/u11")).isNotNull();
        // u9 inspected again: a first inspection, and good at first pass
        pipe(inspection("m5", BD2, DRUM_A, "2026-03-10T09:00:00Z", "u9", InspectionResult.PASS, 1));
        QualityWindow again = store.get(key(BD2, Granularity.HOUR, Instant.parse("2026-03-10T09:00:00Z"), null));
        assertThat(again.getFirstInspectedUnits()).isCloseTo(1, within(EPS));
        assertThat(again.getFirstPassYield()).isCloseTo(1.0, within(EPS));
    }

    @Test
    @DisplayName("The TTL sweep reads the expiry index (line, last inspection, unit), which follows every unit's last inspection")
    void unitExpiryIndex() {
        pipe(inspection("x1", BD2, DRUM_A, "2026-03-02T08:00:00Z", "u1", InspectionResult.REWORK, 1, "BURR"));
        pipe(inspection("x2", BD2, DRUM_A, "2026-03-02T09:00:00Z", "u2", InspectionResult.PASS, 1));
        pipe(inspection("x3", BD2, DRUM_A, "2026-03-03T10:00:00Z", "u1", InspectionResult.PASS, 1));
        long march2At9 = Instant.parse("2026-03-02T09:00:00Z").toEpochMilli();
        long march3At10 = Instant.parse("2026-03-03T10:00:00Z").toEpochMilli();
        assertThat(expiryIndex()).as("u1 moved to its re-inspection; in time order").containsExactly(
                "BD2/" + march2At9 + "/u2", "BD2/" + march3At10 + "/u1");
        // 2026-03-09T09:30Z: the clock is past u2's last inspection + 7 days, not u1's
        pipe(inspection("x4", BD2, DRUM_A, "2026-03-09T09:30:00Z", "u3", InspectionResult.PASS, 1));
        driver.advanceWallClockTime(QualitySettings.defaults().punctuateEvery());
        KeyValueStore<String, io.greenline.events.QualityUnitMemory> units = driver.getKeyValueStore(StoreNames.QUALITY_UNITS);
        assertThat(units.get("BD2/u2")).isNull();
        assertThat(units.get("BD2/u1")).isNotNull();
        assertThat(expiryIndex()).containsExactly("BD2/" + march3At10 + "/u1",
                "BD2/" + Instant.parse("2026-03-09T09:30:00Z").toEpochMilli() + "/u3");
        assertThat(unitsRemembered()).isEqualTo(2.0);
    }

    @Test
    @DisplayName("Unit memory kept before the expiry index existed is indexed when the task opens, and forgotten after the TTL")
    void unitMemoryOfTheEarlierLayoutExpires() throws Exception {
        java.nio.file.Path taskDir = java.nio.file.Files.createTempDirectory("quality-test-task");
        start(QualitySettings.defaults(), taskDir);
        pipe(inspection("y1", BD2, DRUM_A, "2026-03-02T08:00:00Z", "u7", InspectionResult.REWORK, 1, "BURR"));
        pipe(inspection("y2", BD2, DRUM_A, "2026-03-05T08:00:00Z", "u8", InspectionResult.PASS, 1));
        // as version 0.1 left the stores: the units, no index
        KeyValueStore<String, String> index = driver.getKeyValueStore(StoreNames.QUALITY_UNIT_EXPIRY);
        expiryIndex().forEach(index::delete);
        assertThat(expiryIndex()).isEmpty();

        start(QualitySettings.defaults(), taskDir);
        assertThat(expiryIndex()).as("indexed when the task opened").containsExactly(
                "BD2/" + Instant.parse("2026-03-02T08:00:00Z").toEpochMilli() + "/u7",
                "BD2/" + Instant.parse("2026-03-05T08:00:00Z").toEpochMilli() + "/u8");
        // 2026-03-10T09:00Z: u7 (last inspected 2026-03-02T08:00Z) is past the 7-day TTL, u8 is not
        pipe(inspection("y3", BD2, DRUM_A, "2026-03-10T09:00:00Z", "u9", InspectionResult.PASS, 1));
        driver.advanceWallClockTime(QualitySettings.defaults().punctuateEvery());
        KeyValueStore<String, io.greenline.events.QualityUnitMemory> units = driver.getKeyValueStore(StoreNames.QUALITY_UNITS);
        assertThat(units.get("BD2/u7")).isNull();
        assertThat(units.get("BD2/u8")).isNotNull();
    }

    @Test
    @DisplayName("The expiry index has no changelog and is rebuilt from the unit memory when the task opens: an entry it lost is written again, and an entry older than its unit's last inspection is dropped by the sweep without forgetting the unit")
    void expiryIndexRebuiltWhenTheTaskOpens() throws Exception {
        java.nio.file.Path taskDir = java.nio.file.Files.createTempDirectory("quality-test-task");
        start(QualitySettings.defaults(), taskDir);
        pipe(inspection("z1", BD2, DRUM_A, "2026-03-02T08:00:00Z", "u7", InspectionResult.PASS, 1));
        pipe(inspection("z2", BD2, DRUM_A, "2026-03-05T08:00:00Z", "u8", InspectionResult.PASS, 1));
        assertThat(driver.producedTopicNames()).as("the unit memory is logged, its index is not")
                .contains("quality-test-" + StoreNames.QUALITY_UNITS + "-changelog")
                .doesNotContain("quality-test-" + StoreNames.QUALITY_UNIT_EXPIRY + "-changelog");
        long march1 = Instant.parse("2026-03-01T08:00:00Z").toEpochMilli();
        long march2 = Instant.parse("2026-03-02T08:00:00Z").toEpochMilli();
        long march5 = Instant.parse("2026-03-05T08:00:00Z").toEpochMilli();
        // as a restore can leave the local index behind the memory: u8's entry lost, and one of u8 before its last
        // inspection (as when it was inspected again on another instance)
        KeyValueStore<String, String> index = driver.getKeyValueStore(StoreNames.QUALITY_UNIT_EXPIRY);
        index.delete("BD2/" + march5 + "/u8");
        index.put("BD2/" + march1 + "/u8", "");

        start(QualitySettings.defaults(), taskDir);
        assertThat(expiryIndex()).as("every unit indexed again when the task opened")
                .containsExactly("BD2/" + march1 + "/u8", "BD2/" + march2 + "/u7", "BD2/" + march5 + "/u8");
        assertThat(unitsRemembered()).isEqualTo(2.0);
        // 2026-03-09T09:00Z: past u7's last inspection + 7 days and the stale entry's, not u8's
        pipe(inspection("z3", BD2, DRUM_A, "2026-03-09T09:00:00Z", "u9", InspectionResult.PASS, 1));
        driver.advanceWallClockTime(QualitySettings.defaults().punctuateEvery());
        KeyValueStore<String, io.greenline.events.QualityUnitMemory> units = driver.getKeyValueStore(StoreNames.QUALITY_UNITS);
        assertThat(units.get("BD2/u7")).isNull();
        assertThat(units.get("BD2/u8")).as("its stale entry swept, the unit kept").isNotNull();
        assertThat(expiryIndex()).containsExactly("BD2/" + march5 + "/u8",
                "BD2/" + Instant.parse("2026-03-09T09:00:00Z").toEpochMilli() + "/u9");
        assertThat(unitsRemembered()).isEqualTo(2.0);
    }

    private List<String> seenEventKeys() {
        org.apache.kafka.streams.state.WindowStore<String, Long> seen = driver.getWindowStore(StoreNames.QUALITY_SEEN_EVENTS);
        List<String> keys = new ArrayList<>();
        try (var all = seen.all()) {
            all.forEachRemaining(kv -> keys.add(kv.key.key()));
        }
        return keys;
    }

    private double duplicatesCounted() {
        var counter = Metrics.globalRegistry.find(QualityWindowsProcessor.DUPLICATES_COUNTER).counter();
        return counter == null ? 0 : counter.count();
    }

    private double dayInspected(String line, String day) {
        return store.get(key(line, Granularity.DAY, Instant.parse(day), null)).getInspected();
    }

    @Test
    @DisplayName("A serialized unit's first 16 inspections are found again in its memory, with no entry in quality-seen-events; later ones and inspections without a unit in the store")
    void duplicatesOfAUnitFoundInItsMemory() {
        pipe(inspection("d1", BD2, DRUM_A, "2026-03-02T08:00:00Z", "u1", InspectionResult.SCRAP, 1, "POROSITY"));
        pipe(inspection("d2", BD2, DRUM_A, "2026-03-02T08:10:00Z", null, InspectionResult.PASS, 1));
        KeyValueStore<String, io.greenline.events.QualityUnitMemory> units = driver.getKeyValueStore(StoreNames.QUALITY_UNITS);
        assertThat(units.get("BD2/u1").getEventIds()).containsExactly("d1");
        assertThat(seenEventKeys()).containsExactly("BD2/d2");
        double before = duplicatesCounted();
        pipe(inspection("d1", BD2, DRUM_A, "2026-03-02T08:00:00Z", "u1", InspectionResult.SCRAP, 1, "POROSITY"));
        pipe(inspection("d2", BD2, DRUM_A, "2026-03-02T08:10:00Z", null, InspectionResult.PASS, 1));
        assertThat(duplicatesCounted() - before).isEqualTo(2.0);
        assertThat(dayInspected(BD2, "2026-03-02T00:00:00Z")).isEqualTo(2.0);

        // re-inspections of u1 up to 16 ids in its memory; the 17th and later in the store
        for (int n = 2; n <= 17; n++) {
            pipe(inspection("d1-" + n, BD2, DRUM_A, "2026-03-02T09:" + (10 + n) + ":00Z", "u1", InspectionResult.PASS, 1));
        }
        assertThat(units.get("BD2/u1").getEventIds()).hasSize(QualityWindowsProcessor.UNIT_EVENT_IDS)
                .startsWith("d1", "d1-2").endsWith("d1-16");
        assertThat(seenEventKeys()).containsExactlyInAnyOrder("BD2/d2", "BD2/d1-17");
        assertThat(dayInspected(BD2, "2026-03-02T00:00:00Z")).isEqualTo(18.0);
        before = duplicatesCounted();
        pipe(inspection("d1-9", BD2, DRUM_A, "2026-03-02T09:19:00Z", "u1", InspectionResult.PASS, 1));
        pipe(inspection("d1-17", BD2, DRUM_A, "2026-03-02T09:27:00Z", "u1", InspectionResult.PASS, 1));
        assertThat(duplicatesCounted() - before).isEqualTo(2.0);
        assertThat(dayInspected(BD2, "2026-03-02T00:00:00Z")).isEqualTo(18.0);
        // first inspections: u1 once (its first was scrap, so not first-pass) and d2 (no unit: always a first, passed)
        QualityWindow day = store.get(key(BD2, Granularity.DAY, Instant.parse("2026-03-02T00:00:00Z"), null));
        assertThat(day.getFirstInspectedUnits()).isEqualTo(2.0);
        assertThat(day.getFirstPassUnits()).isEqualTo(1.0);
    }

    @Test
    @DisplayName("A unit remembered by state version 2 (no eventIds; its inspections in quality-seen-events) keeps using the store: a duplicate of its inspection is still ignored")
    void unitOfStateVersion2KeepsItsDuplicatesInTheStore() {
        pipe(inspection("v1", BD2, DRUM_A, "2026-03-02T08:00:00Z", "u2", InspectionResult.PASS, 1));
        // the unit and its inspection as version 2 kept them
        KeyValueStore<String, io.greenline.events.QualityUnitMemory> units = driver.getKeyValueStore(StoreNames.QUALITY_UNITS);
        io.greenline.events.QualityUnitMemory u2 = units.get("BD2/u2");
        u2.setEventIds(List.of());
        units.put("BD2/u2", u2);
        org.apache.kafka.streams.state.WindowStore<String, Long> seen = driver.getWindowStore(StoreNames.QUALITY_SEEN_EVENTS);
        long at = Instant.parse("2026-03-02T08:00:00Z").toEpochMilli();
        long retention = QualitySettings.defaults().dedupRetention().toMillis();
        seen.put("BD2/v1", at, Math.floorDiv(at, retention) * retention);

        double before = duplicatesCounted();
        pipe(inspection("v1", BD2, DRUM_A, "2026-03-02T08:00:00Z", "u2", InspectionResult.PASS, 1));
        assertThat(duplicatesCounted() - before).isEqualTo(1.0);
        pipe(inspection("v2", BD2, DRUM_A, "2026-03-02T08:30:00Z", "u2", InspectionResult.PASS, 1));
        assertThat(units.get("BD2/u2").getEventIds()).as("still a unit of version 2").isEmpty();
        assertThat(seenEventKeys()).containsExactlyInAnyOrder("BD2/v1", "BD2/v2");
        pipe(inspection("v2", BD2, DRUM_A, "2026-03-02T08:30:00Z", "u2", InspectionResult.PASS, 1));
        assertThat(duplicatesCounted() - before).isEqualTo(2.0);
        assertThat(dayInspected(BD2, "2026-03-02T00:00:00Z")).isEqualTo(2.0);
    }

    @Test
    @DisplayName("With a unit TTL shorter than the duplicate retention, every inspection's eventId goes to the store (a unit forgotten sooner would let a duplicate through)")
    void shortUnitTtlKeepsEveryIdInTheStore() {
        QualitySettings d = QualitySettings.defaults();
        start(new QualitySettings(d.grace(), java.time.Duration.ofHours(1), d.spcGranularity(), d.spcWindows(), d.spcMinWindows(),
                d.oeeAlertGranularities(), d.idleAfter(), d.punctuateEvery(), d.dedupRetention(), d.windowRetention(),
                d.alertRetention(), d.lineConfigHistory()));
        pipe(inspection("s1", BD2, DRUM_A, "2026-03-02T08:00:00Z", "u3", InspectionResult.PASS, 1));
        assertThat(seenEventKeys()).containsExactly("BD2/s1");
    }

    private List<String> expiryIndex() {
        KeyValueStore<String, String> index = driver.getKeyValueStore(StoreNames.QUALITY_UNIT_EXPIRY);
        List<String> keys = new ArrayList<>();
        try (org.apache.kafka.streams.state.KeyValueIterator<String, String> all = index.all()) {
            all.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    @Test
    @DisplayName("An inspection arriving out of order before a unit's remembered first inspection becomes its first; the later one is taken back")
    void outOfOrderFirstInspection() {
        pipe(inspection("o2", BD2, DRUM_A, "2026-03-02T10:20:00Z", "u20", InspectionResult.PASS, 1));
        pipe(inspection("o1", BD2, DRUM_A, "2026-03-02T10:10:00Z", "u20", InspectionResult.REWORK, 1, "BURR"));
        assertPassTakenBackForRework();
    }

    /**
     * Hour 10:00Z on BD2 after a PASS at 10:20 and an earlier REWORK of the same unit at 10:10: 2 inspected; the first
     * inspection is the REWORK, so 1 unit first inspected and 0 good at first pass (line and product records).
     */
    private void assertPassTakenBackForRework() {
        QualityWindow h10 = store.get(key(BD2, Granularity.HOUR, Instant.parse("2026-03-02T10:00:00Z"), null));
        assertThat(h10.getInspected()).isCloseTo(2, within(EPS));
        assertThat(h10.getFirstInspectedUnits()).isCloseTo(1, within(EPS));
        assertThat(h10.getFirstPassUnits()).isCloseTo(0, within(EPS));
        QualityWindow product = store.get(key(BD2, Granularity.HOUR, Instant.parse("2026-03-02T10:00:00Z"), DRUM_A));
        assertThat(product.getFirstInspectedUnits()).isCloseTo(1, within(EPS));
        assertThat(product.getFirstPassUnits()).isCloseTo(0, within(EPS));
    }

    @Test
    @DisplayName("A unit remembered by state version 1 (its windows as formatted keys) is taken back from those windows when an earlier inspection arrives")
    void unitMemoryOfVersionOneIsTakenBack() {
        pipe(inspection("p2", BD2, DRUM_A, "2026-03-02T10:20:00Z", "u30", InspectionResult.PASS, 1));
        KeyValueStore<String, io.greenline.events.QualityUnitMemory> units = driver.getKeyValueStore(StoreNames.QUALITY_UNITS);
        io.greenline.events.QualityUnitMemory written = units.get("BD2/u30");
        assertThat(written.getWindowKeys()).isEmpty();
        // BD2 is on UTC and has no shift at 10:20: its hour and its day
        assertThat(written.getWindows()).containsExactlyInAnyOrder(
                new io.greenline.events.QualityUnitWindow(Granularity.HOUR, Instant.parse("2026-03-02T10:00:00Z")),
                new io.greenline.events.QualityUnitWindow(Granularity.DAY, Instant.parse("2026-03-02T00:00:00Z")));
        // the same memory as version 1 wrote it: the windows as formatted keys
        units.put("BD2/u30", io.greenline.events.QualityUnitMemory.newBuilder(written)
                .setWindowKeys(List.of("BD2/HOUR/2026-03-02T10:00:00Z", "BD2/DAY/2026-03-02T00:00:00Z"))
                .setWindows(List.of()).build());

        pipe(inspection("p1", BD2, DRUM_A, "2026-03-02T10:10:00Z", "u30", InspectionResult.REWORK, 1, "BURR"));
        assertPassTakenBackForRework();
        io.greenline.events.QualityUnitMemory rewritten = units.get("BD2/u30");
        assertThat(rewritten.getWindowKeys()).as("rewritten in version 2").isEmpty();
        assertThat(rewritten.getWindows()).hasSize(2);
        assertThat(rewritten.getFirstInspectedAt()).isEqualTo(Instant.parse("2026-03-02T10:10:00Z"));
    }

    @Test
    @DisplayName("Every step of the topology has an explicit name (no generated KSTREAM-/KTABLE- names)")
    void everyStepNamed() {
        String description = QualityTopology.build(TOPICS, QualitySettings.defaults()).describe().toString();
        assertThat(description).doesNotContain("KSTREAM-", "KTABLE-");
    }
}

package io.greenline.streams.oee;

import io.greenline.events.LineConfig;
import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.OeeWindow;
import io.greenline.events.ProductRate;
import io.greenline.events.ProductionCounted;
import io.greenline.events.Shift;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.InputStreams;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.DeadLetterHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/** The OEE topology in a TopologyTestDriver with the dead-letter handler, plus typed inputs and outputs. */
final class OeeDriver implements AutoCloseable {

    /** Wall clock of the driver at start: months after the event times, as in a replay. */
    static final Instant WALL_START = Instant.parse("2026-06-01T00:00:00Z");

    final Topics topics;
    final TopologyTestDriver driver;
    final TestInputTopic<String, MachineStateChanged> states;
    final TestInputTopic<String, ProductionCounted> counts;
    final TestInputTopic<String, LineConfig> configs;
    final TestOutputTopic<String, OeeWindow> oee;
    final TestOutputTopic<byte[], byte[]> dlq;
    private final List<TestRecord<String, OeeWindow>> finals = new ArrayList<>();
    private int seq;

    OeeDriver(String scope, OeeSettings settings) {
        this(scope, settings, false);
    }

    /** @param aligned whether the inputs are aligned as in the application ({@link InputStreams#align}) */
    OeeDriver(String scope, OeeSettings settings, boolean aligned) {
        topics = new Topics(GreenlineSerdes.inMemory(scope));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "oee-test-" + scope);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/oee-ttd-" + scope + "-" + System.nanoTime());
        StreamsBuilder builder = new StreamsBuilder();
        if (aligned) {
            InputStreams.align(builder);
        }
        OeeTopology.addTo(builder, topics, settings);
        driver = new TopologyTestDriver(builder.build(), props, WALL_START);
        states = driver.createInputTopic(topics.machineState.name(), new StringSerializer(), topics.machineState.valueSerde().serializer());
        counts = driver.createInputTopic(topics.productionCount.name(), new StringSerializer(), topics.productionCount.valueSerde().serializer());
        configs = driver.createInputTopic(topics.lineConfig.name(), new StringSerializer(), topics.lineConfig.valueSerde().serializer());
        oee = driver.createOutputTopic(topics.oee.name(), new StringDeserializer(), topics.oee.valueSerde().deserializer());
        dlq = driver.createOutputTopic(topics.dlq.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static LineConfig config(String lineId, String zone, List<Shift> shifts, Map<String, Double> prus, Instant validFrom) {
        List<ProductRate> rates = new ArrayList<>();
        prus.forEach((p, ms) -> rates.add(new ProductRate(p, ms)));
        return LineConfig.newBuilder().setLineId(lineId).setSiteId("site-1").setAreaId("area-1").setName(lineId)
                .setTimezone(zone).setShifts(shifts).setProducts(rates).setMicroStopThresholdMs(120_000L)
                .setOeeTarget(null).setGridRegion("DE").setValidFrom(validFrom).build();
    }

    void config(LineConfig config) {
        configs.pipeInput(config.getLineId(), config, config.getValidFrom());
    }

    MachineStateChanged state(String lineId, String eventId, Instant at, MachineState state, String reason) {
        MachineStateChanged e = new MachineStateChanged(eventId, lineId, "cell-1", at, state, reason);
        states.pipeInput(lineId, e, at);
        return e;
    }

    MachineStateChanged state(String lineId, Instant at, MachineState state, String reason) {
        return state(lineId, "s" + (++seq), at, state, reason);
    }

    ProductionCounted count(String lineId, String eventId, Instant at, String product, double q, double scrap, double rework) {
        ProductionCounted c = new ProductionCounted(eventId, lineId, "cell-1", product, at, q, scrap, rework, null);
        counts.pipeInput(lineId, c, at);
        return c;
    }

    ProductionCounted count(String lineId, Instant at, String product, double q, double scrap, double rework) {
        return count(lineId, "c" + (++seq), at, product, q, scrap, rework);
    }

    void advanceWallClock(Duration d) {
        driver.advanceWallClockTime(d);
    }

    /** Every final record emitted so far, in order. */
    List<TestRecord<String, OeeWindow>> finals() {
        finals.addAll(oee.readRecordsToList());
        return finals;
    }

    /** Final records by key; fails on a key emitted twice. */
    Map<String, OeeWindow> finalsByKey() {
        Map<String, OeeWindow> out = new LinkedHashMap<>();
        for (TestRecord<String, OeeWindow> r : finals()) {
            if (out.put(r.key(), r.value()) != null) {
                throw new AssertionError("window emitted twice: " + r.key());
            }
        }
        return out;
    }

    KeyValueStore<String, OeeWindow> windowStore() {
        return driver.getKeyValueStore(StoreNames.OEE_WINDOWS);
    }

    static String header(TestRecord<byte[], byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        driver.close();
    }
}

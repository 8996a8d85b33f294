package io.greenline.streams.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.InputStreams;
import io.greenline.streams.errors.DeadLetterHandler;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventTimeGuardTest {

    private static final Topics TOPICS = new Topics(GreenlineSerdes.inMemory("event-time-guard-test"));
    private static final Instant WALL = Instant.parse("2026-03-03T12:00:00Z");
    private static final Instant T = Instant.parse("2026-03-03T06:00:00Z");
    private static final String STORE = InputStreams.guardStoreName(TOPICS.machineState.name());

    @TempDir
    Path stateDir;

    private final PoisonPills pills = new PoisonPills(2);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, MachineStateChanged> in;
    private TestOutputTopic<String, MachineStateChanged> out;
    private TestOutputTopic<byte[], byte[]> dlq;

    @BeforeEach
    void start() {
        Metrics.globalRegistry.add(meters);
        StreamsBuilder builder = new StreamsBuilder();
        InputStreams.guard(builder, EventTimeRule.defaults(), pills);
        InputStreams.of(builder, TOPICS.machineState)
                .peek((k, v) -> {
                    // stand-ins for a processor hitting a bug or an outage on one record
                    if ("kills-thread".equals(v.getEventId())) {
                        throw new StackOverflowError("a bug that kills the stream thread");
                    }
                    if ("outage".equals(v.getEventId())) {
                        throw new TimeoutException("registry unreachable");
                    }
                }, Named.as("guard-test-downstream"))
                .to("out", TOPICS.machineState.produced());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "guard-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(builder.build(), props, WALL);
        in = driver.createInputTopic(TOPICS.machineState.name(), new StringSerializer(), TOPICS.machineState.valueSerde().serializer());
        out = driver.createOutputTopic("out", new StringDeserializer(), TOPICS.machineState.valueSerde().deserializer());
        dlq = driver.createOutputTopic(TOPICS.dlq.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
        Metrics.globalRegistry.remove(meters);
    }

    private static MachineStateChanged event(String line, String id, Instant at) {
        return new MachineStateChanged(id, line, "cell-1", at, MachineState.RUNNING, null);
    }

    private void send(String line, String id, Instant payload, Instant recordTime) {
        in.pipeInput(new TestRecord<>(line, event(line, id, payload), recordTime));
    }

    private static String header(TestRecord<byte[], byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private List<String> outIds() {
        return out.readValuesToList().stream().map(MachineStateChanged::getEventId).toList();
    }

    @Test
    @DisplayName("Year 3000, epoch 1, 1969 and a payload 8 days ahead of its record go to mfg.dlq as TIMESTAMP_OUT_OF_RANGE, counted; good events around them pass")
    void implausibleTimesAreDeadLettered() {
        send("L1", "good-1", T, T);
        send("L1", "y3000", Instant.parse("3000-01-01T00:00:00Z"), T);
        send("NEW", "epoch-1", Instant.ofEpochMilli(1), T);
        send("NEW2", "y1969", Instant.parse("1969-07-20T20:17:00Z"), T);
        send("L2", "skewed", T.plusSeconds(8 * 86_400), T);
        send("L1", "good-2", T.plusSeconds(60), T.plusSeconds(60));

        assertThat(outIds()).containsExactly("good-1", "good-2");
        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(4).allSatisfy(r ->
                assertThat(header(r, DeadLetterHandler.HEADER_REASON)).isEqualTo(DeadLetterReason.TIMESTAMP_OUT_OF_RANGE.name()));
        assertThat(dead).extracting(r -> header(r, DeadLetterHandler.HEADER_SOURCE_OFFSET)).containsExactly("1", "2", "3", "4");
        assertThat(header(dead.get(0), DeadLetterHandler.HEADER_EXCEPTION_MESSAGE)).contains("timestamp", "3000-01-01T00:00:00Z");
        assertThat(meters.counter(EventTimeGuard.METRIC, "topic", TOPICS.machineState.name()).count()).isEqualTo(4.0);
        assertThat(meters.counter(DeadLetterHandler.METRIC, "reason", "TIMESTAMP_OUT_OF_RANGE", "topic", TOPICS.machineState.name()).count())
                .isEqualTo(4.0);
    }

    @Test
    @DisplayName("The guard keeps one clock per line and one per partition: the latest accepted event time, never a refused one")
    void clocks() {
        send("L1", "a", T, T);
        send("L1", "b", T.minusSeconds(600), T);
        send("L2", "c", T.plusSeconds(3600), T.plusSeconds(3600));
        send("L2", "d", Instant.parse("3000-01-01T00:00:00Z"), T);
        KeyValueStore<String, Long> clocks = driver.getKeyValueStore(STORE);
        assertThat(clocks.get("L1")).isEqualTo(T.toEpochMilli());
        assertThat(clocks.get("L2")).isEqualTo(T.plusSeconds(3600).toEpochMilli());
        assertThat(clocks.get(EventTimeGuard.TASK_CLOCK_KEY)).isEqualTo(T.plusSeconds(3600).toEpochMilli());
        int entries = 0;
        try (var all = clocks.all()) {
            for (; all.hasNext(); all.next()) {
                entries++;
            }
        }
        assertThat(entries).isEqualTo(3);
    }

    @Test
    @DisplayName("A new line's first event 401 days behind the partition is refused; 399 days behind is a backfill and passes")
    void newLineAgainstPartition() {
        send("L1", "a", T, T);
        send("OLD", "too-old", T.minusSeconds(401 * 86_400L), T.minusSeconds(401 * 86_400L));
        send("BACKFILL", "ok", T.minusSeconds(399 * 86_400L), T.minusSeconds(399 * 86_400L));
        assertThat(outIds()).containsExactly("a", "ok");
        assertThat(header(dlq.readRecord(), DeadLetterHandler.HEADER_EXCEPTION_MESSAGE)).contains("new line's first event");
    }

    @Test
    @DisplayName("An Error that kills the thread is counted against the record's offset; a retriable outage is not")
    void failuresAreCounted() {
        String topic = TOPICS.machineState.name();
        send("L1", "good", T, T);
        assertThatThrownBy(() -> send("L1", "kills-thread", T.plusSeconds(1), T.plusSeconds(1))).isInstanceOf(StackOverflowError.class);
        assertThat(pills.failures(topic, 0, 1)).isEqualTo(1);
        assertThatThrownBy(() -> send("L1", "outage", T.plusSeconds(2), T.plusSeconds(2))).isNotNull();
        assertThat(pills.failures(topic, 0, 2)).isZero();
        assertThat(pills.failures(topic, 0, 0)).isZero();
    }

    @Test
    @DisplayName("A record that failed max-attempts times at its partition and offset is quarantined as POISON; the next one is processed")
    void poisonIsQuarantined() {
        String topic = TOPICS.machineState.name();
        // the thread died twice on offset 0 (what a replaced thread reading it again would count)
        pills.failed(topic, 0, 0);
        pills.failed(topic, 0, 0);
        send("L1", "kills-thread", T, T);
        send("L1", "next", T.plusSeconds(1), T.plusSeconds(1));
        assertThat(outIds()).containsExactly("next");
        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(header(dead, DeadLetterHandler.HEADER_REASON)).isEqualTo(DeadLetterReason.POISON.name());
        assertThat(header(dead, DeadLetterHandler.HEADER_SOURCE_OFFSET)).isEqualTo("0");
        assertThat(TOPICS.machineState.valueSerde().deserializer().deserialize(topic, dead.value()).getEventId()).isEqualTo("kills-thread");
    }
}

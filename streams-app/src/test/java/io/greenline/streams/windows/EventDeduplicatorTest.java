package io.greenline.streams.windows;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The bucketed duplicate detector against hand-worked times: retention R = 1 day, so an id is stored under the day
 * (UTC) of its time and a lookup at t reads the buckets of t - R, t and t + R. Each input record is a command
 * "seen id" or "remember id" at the record's timestamp; the output is the answer of each "seen".
 */
class EventDeduplicatorTest {

    private static final Duration R = Duration.ofDays(1);
    private static final Instant T = Instant.parse("2026-03-10T23:00:00Z");

    private TopologyTestDriver driver;
    private TestInputTopic<String, String> commands;
    private TestOutputTopic<String, String> answers;

    @BeforeEach
    void start() throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(EventDeduplicator.storeBuilder("dedup", R));
        builder.stream("commands", Consumed.with(Serdes.String(), Serdes.String()))
                .process(() -> new Processor<String, String, String, String>() {
                    private ProcessorContext<String, String> context;
                    private EventDeduplicator dedup;

                    @Override
                    public void init(ProcessorContext<String, String> context) {
                        this.context = context;
                        dedup = new EventDeduplicator(context.getStateStore("dedup"), R);
                    }

                    @Override
                    public void process(Record<String, String> record) {
                        if (record.value().equals("remember")) {
                            dedup.remember(record.key(), record.timestamp());
                        } else {
                            context.forward(record.withValue(String.valueOf(dedup.seen(record.key(), record.timestamp()))));
                        }
                    }
                }, "dedup")
                .to("answers", Produced.with(Serdes.String(), Serdes.String()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dedup-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("dedup-test").toString());
        driver = new TopologyTestDriver(builder.build(), props);
        commands = driver.createInputTopic("commands", new StringSerializer(), new StringSerializer());
        answers = driver.createOutputTopic("answers", new StringDeserializer(), new StringDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private boolean seen(String id, Instant at) {
        commands.pipeInput(id, "seen", at);
        return Boolean.parseBoolean(answers.readValue());
    }

    @Test
    @DisplayName("An id is a duplicate within R either side of its time, across bucket edges, and not one ms beyond; other ids are not")
    void withinRetentionEitherSide() {
        assertThat(seen("a", T)).isFalse();
        commands.pipeInput("a", "remember", T); // stored in the bucket of 2026-03-10
        List<Boolean> within = List.of(
                seen("a", T), // same time
                seen("a", T.plus(R)), // 2026-03-11T23:00, the next bucket, exactly R later
                seen("a", T.minus(R)), // 2026-03-09T23:00, the bucket before, exactly R earlier
                seen("a", Instant.parse("2026-03-11T00:00:00Z"))); // one hour later, across the bucket edge
        assertThat(within).containsOnly(true);
        assertThat(seen("a", T.plus(R).plusMillis(1))).isFalse();
        assertThat(seen("a", T.minus(R).minusMillis(1))).isFalse();
        assertThat(seen("b", T)).isFalse();
    }

    @Test
    @DisplayName("Two remembered times of one id in different buckets are both found")
    void oneIdInTwoBuckets() {
        commands.pipeInput("a", "remember", Instant.parse("2026-03-10T01:00:00Z"));
        commands.pipeInput("a", "remember", Instant.parse("2026-03-11T20:00:00Z"));
        assertThat(seen("a", Instant.parse("2026-03-11T00:30:00Z"))).isTrue(); // 23.5 h after the first
        assertThat(seen("a", Instant.parse("2026-03-12T19:00:00Z"))).isTrue(); // 23 h after the second
        assertThat(seen("a", Instant.parse("2026-03-09T00:30:00Z"))).isFalse(); // 24.5 h before the first
    }

    @Test
    @DisplayName("Retention is enforced: once the store's time is 3 buckets past an entry's bucket, the entry is gone")
    void forgottenAfterThreeBuckets() {
        commands.pipeInput("a", "remember", Instant.parse("2026-03-10T01:00:00Z")); // bucket 03-10
        commands.pipeInput("b", "remember", Instant.parse("2026-03-12T23:00:00Z")); // store time: bucket 03-12
        assertThat(seen("a", Instant.parse("2026-03-10T12:00:00Z"))).isTrue(); // 03-10 > 03-12 - 3 days: kept
        commands.pipeInput("b", "remember", Instant.parse("2026-03-13T01:00:00Z")); // store time: bucket 03-13
        assertThat(seen("a", Instant.parse("2026-03-10T12:00:00Z"))).isFalse(); // 03-10 = 03-13 - 3 days: dropped
    }
}

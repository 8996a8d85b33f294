package io.greenline.streams.errors;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DeadLetterHandlerTest {

    private static final Topics TOPICS = new Topics(GreenlineSerdes.inMemory("dead-letter-handler-test"));

    private static TopologyTestDriver driver() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(TOPICS.machineState.name(), TOPICS.machineState.consumed())
                .peek((k, v) -> {
                    if (v.getState() == MachineState.FAULT) {
                        throw BadRecordException.invalid("FAULT is refused by this test topology");
                    }
                }, Named.as("refuse-faults"))
                .to("out", TOPICS.machineState.produced());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dlq-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        return new TopologyTestDriver(builder.build(), props);
    }

    private static MachineStateChanged event(String id, MachineState state) {
        return new MachineStateChanged(id, "L1", "cell", Instant.parse("2026-01-01T00:00:00Z"), state, null);
    }

    private static String header(TestRecord<byte[], byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("A record a processor refuses goes to mfg.dlq with its original bytes and reason; the next record is processed")
    void processingErrorIsDeadLettered() {
        try (TopologyTestDriver driver = driver()) {
            TestInputTopic<String, MachineStateChanged> in = driver.createInputTopic(TOPICS.machineState.name(),
                    new StringSerializer(), TOPICS.machineState.valueSerde().serializer());
            TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(TOPICS.dlq.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<String, MachineStateChanged> out = driver.createOutputTopic("out",
                    new org.apache.kafka.common.serialization.StringDeserializer(), TOPICS.machineState.valueSerde().deserializer());

            in.pipeInput("L1", event("e1", MachineState.FAULT));
            in.pipeInput("L1", event("e2", MachineState.RUNNING));

            TestRecord<byte[], byte[]> dead = dlq.readRecord();
            assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("L1");
            MachineStateChanged original = TOPICS.machineState.valueSerde().deserializer().deserialize(TOPICS.machineState.name(), dead.value());
            assertThat(original.getEventId()).isEqualTo("e1");
            assertThat(header(dead, DeadLetterHandler.HEADER_REASON)).isEqualTo(DeadLetterReason.INVALID_VALUE.name());
            assertThat(header(dead, DeadLetterHandler.HEADER_SOURCE_TOPIC)).isEqualTo("mfg.machine-state");
            assertThat(header(dead, DeadLetterHandler.HEADER_SOURCE_OFFSET)).isEqualTo("0");
            assertThat(header(dead, DeadLetterHandler.HEADER_EXCEPTION)).isEqualTo(BadRecordException.class.getName());
            assertThat(dlq.isEmpty()).isTrue();
            assertThat(out.readValue().getEventId()).isEqualTo("e2");
        }
    }

    @Test
    @DisplayName("Bytes that are not Confluent-framed Avro go to mfg.dlq as MALFORMED or UNKNOWN_MAGIC_BYTE")
    void deserializationErrorIsDeadLettered() {
        try (TopologyTestDriver driver = driver()) {
            TestInputTopic<byte[], byte[]> raw = driver.createInputTopic(TOPICS.machineState.name(), new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(TOPICS.dlq.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            raw.pipeInput("L1".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2});
            raw.pipeInput("L1".getBytes(StandardCharsets.UTF_8), new byte[] {7, 0, 0, 0, 1, 2});
            TestRecord<byte[], byte[]> first = dlq.readRecord();
            assertThat(first.value()).containsExactly(1, 2);
            assertThat(header(first, DeadLetterHandler.HEADER_REASON)).isEqualTo("MALFORMED");
            assertThat(header(dlq.readRecord(), DeadLetterHandler.HEADER_REASON)).isEqualTo("UNKNOWN_MAGIC_BYTE");
        }
    }

    @Test
    @DisplayName("A record the global store's processor refuses does not end the client, and the next one is stored (garbage bytes on a global topic: ReferenceBadRecordsIT, on a real broker)")
    void globalThreadRecordsDoNotFailTheClient() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("states"), Serdes.String(),
                        Serdes.String()).withLoggingDisabled(), TOPICS.machineState.name(), TOPICS.machineState.consumed(),
                () -> new Processor<String, MachineStateChanged, Void, Void>() {
                    private KeyValueStore<String, String> store;

                    @Override
                    public void init(ProcessorContext<Void, Void> context) {
                        store = context.getStateStore("states");
                    }

                    @Override
                    public void process(Record<String, MachineStateChanged> record) {
                        if (record.value().getState() == MachineState.FAULT) {
                            throw BadRecordException.invalid("FAULT is refused by this test's global store");
                        }
                        store.put(record.value().getEventId(), record.value().getState().name());
                    }
                });
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dlq-global-test");
        // nothing listens there: the handler's own producer fails, logs, and the global thread goes on
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_BLOCK_MS_CONFIG), "200");
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
            TestInputTopic<String, MachineStateChanged> events = driver.createInputTopic(TOPICS.machineState.name(), new StringSerializer(),
                    TOPICS.machineState.valueSerde().serializer());
            events.pipeInput("L1", event("refused", MachineState.FAULT));
            events.pipeInput("L1", event("kept", MachineState.RUNNING));
            KeyValueStore<String, String> states = driver.getKeyValueStore("states");
            assertThat(states.get("kept")).isEqualTo("RUNNING");
            assertThat(states.get("refused")).isNull();
            // Kafka Streams cannot send a global record's dead letter: the handler hands it none (it writes its own)
            TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(TOPICS.dlq.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            assertThat(dlq.isEmpty()).isTrue();
        }
    }

    @Test
    @DisplayName("The global dead-letter producer takes the client settings and the producer.-prefixed ones, never a transactional id or serializers")
    void globalDeadLetterProducerSettings() {
        Map<String, Object> configs = new HashMap<>();
        configs.put(StreamsConfig.APPLICATION_ID_CONFIG, "greenline-x");
        configs.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9093");
        configs.put("security.protocol", "SSL");
        configs.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        configs.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTIONAL_ID_CONFIG), "tx");
        configs.put(StreamsConfig.producerPrefix(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG), "x.Y");
        configs.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        Map<String, Object> producer = GlobalDeadLetters.producerConfigs(configs);
        assertThat(producer).containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9093")
                .containsEntry("security.protocol", "SSL")
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.CLIENT_ID_CONFIG, "greenline-x-global-dead-letters")
                .doesNotContainKeys(ProducerConfig.TRANSACTIONAL_ID_CONFIG, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                        StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.APPLICATION_ID_CONFIG);
    }
}

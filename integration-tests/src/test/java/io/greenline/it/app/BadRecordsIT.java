package io.greenline.it.app;

import static io.greenline.it.app.AppItSupport.TOPICS;
import static io.greenline.it.app.AppItSupport.get;
import static io.greenline.it.support.DeadLetters.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.registry.InMemorySchemaRegistryClient;
import io.greenline.streams.app.GreenlineApp;
import io.greenline.streams.errors.DeadLetterHandler;
import io.greenline.streams.query.QueryServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad record, sent between good ones on the real broker, to one instance running the whole
 * application: each lands in {@code mfg.dlq} with its reason, the good ones are all counted, and the
 * DLQ counters and Kafka Streams metrics show on {@code /metrics}.
 */
class BadRecordsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LINE = "DLQ-LINE";
    private static final Instant START = Instant.parse("2026-03-03T06:00:00Z");

    @TempDir
    static Path dirs;

    private static GreenlineApp app;
    private static int port;
    private static final Map<DeadLetterReason, RecordMetadata> BAD = new HashMap<>();

    /** A MachineStateChanged schema from a newer producer, with a state symbol this application does not know. */
    private static byte[] newerSchemaRecord() throws IOException {
        String json = MachineStateChanged.getClassSchema().toString().replace("\"PLANNED_STOP\"", "\"PLANNED_STOP\",\"MAINTENANCE\"");
        Schema newer = new Schema.Parser().parse(json);
        int id = InMemorySchemaRegistryClient.forScope("greenline-app-it").register("it-newer-machine-state-value", newer);
        GenericRecord record = new GenericData.Record(newer);
        record.put("eventId", "newer-1");
        record.put("lineId", LINE);
        record.put("workcellId", "cell-1");
        record.put("timestamp", START.plusSeconds(90).toEpochMilli());
        record.put("state", new GenericData.EnumSymbol(newer.getField("state").schema(), "MAINTENANCE"));
        record.put("reasonCode", null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(newer).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    @BeforeAll
    static void start() throws IOException {
        AppItSupport.broker();
        String states = TOPICS.machineState.name();
        try (KafkaProducer<String, byte[]> p = AppItSupport.producer()) {
            AppItSupport.sendConfig(p, AppItSupport.lineConfig(LINE, Instant.parse("2026-01-01T00:00:00Z")));
            AppItSupport.sendState(p, AppItSupport.state(LINE, "good-1", START, MachineState.RUNNING, null));
            BAD.put(DeadLetterReason.MALFORMED, AppItSupport.send(p, states, LINE, new byte[] {0, 1}, START.plusSeconds(10)));
            BAD.put(DeadLetterReason.UNKNOWN_MAGIC_BYTE, AppItSupport.send(p, states, LINE,
                    "garbage, not Avro".getBytes(StandardCharsets.UTF_8), START.plusSeconds(20)));
            BAD.put(DeadLetterReason.UNKNOWN_SCHEMA_ID, AppItSupport.send(p, states, LINE,
                    new byte[] {0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0, 2, 4}, START.plusSeconds(30)));
            BAD.put(DeadLetterReason.NULL_VALUE, AppItSupport.send(p, states, LINE, null, START.plusSeconds(40)));
            BAD.put(DeadLetterReason.INVALID_VALUE, AppItSupport.sendCount(p,
                    AppItSupport.count(LINE, "negative-1", START.plusSeconds(50), -5, 0)));
            BAD.put(DeadLetterReason.INCOMPATIBLE_SCHEMA, AppItSupport.send(p, states, LINE, newerSchemaRecord(), START.plusSeconds(90)));
            // good records after every bad one: 3 counts of 10 drums, a fault, running again
            AppItSupport.sendCount(p, AppItSupport.count(LINE, "good-c1", START.plusSeconds(100), 10, 0));
            AppItSupport.sendState(p, AppItSupport.state(LINE, "good-2", START.plusSeconds(600), MachineState.FAULT, "JAM"));
            AppItSupport.sendCount(p, AppItSupport.count(LINE, "good-c2", START.plusSeconds(700), 10, 0));
            AppItSupport.sendState(p, AppItSupport.state(LINE, "good-3", START.plusSeconds(900), MachineState.RUNNING, null));
            AppItSupport.sendCount(p, AppItSupport.count(LINE, "good-c3", START.plusSeconds(1000), 10, 1));
        }
        port = AppItSupport.freePort();
        app = AppItSupport.startApp(AppItSupport.settings("it-bad-records", port, dirs.resolve("app")));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }


    private static List<ConsumerRecord<byte[], byte[]>> readDlq(List<ConsumerRecord<byte[], byte[]>> seen, KafkaConsumer<byte[], byte[]> consumer) {
        consumer.poll(Duration.ofMillis(500)).forEach(seen::add);
        return seen;
    }

    @Test
    @DisplayName("Garbage, wrong magic byte, unknown schema id, null, negative quantity and an unknown enum symbol each land in mfg.dlq with their reason; every good record is still counted")
    void badRecordsAreDeadLetteredAndGoodOnesProcessed() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, AppItSupport.broker().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bad-records-it-reader");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TopicNames.DLQ));
            await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
                readDlq(seen, consumer);
                for (Map.Entry<DeadLetterReason, RecordMetadata> bad : BAD.entrySet()) {
                    RecordMetadata source = bad.getValue();
                    assertThat(seen).as("%s at %s", bad.getKey(), source).anySatisfy(r -> {
                        assertThat(header(r, DeadLetterHandler.HEADER_SOURCE_TOPIC)).isEqualTo(source.topic());
                        assertThat(header(r, DeadLetterHandler.HEADER_SOURCE_PARTITION)).isEqualTo(String.valueOf(source.partition()));
                        assertThat(header(r, DeadLetterHandler.HEADER_SOURCE_OFFSET)).isEqualTo(String.valueOf(source.offset()));
                        assertThat(header(r, DeadLetterHandler.HEADER_REASON)).isEqualTo(bad.getKey().name());
                        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(LINE);
                    });
                }
            });
        }
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            HttpResponse<String> response = get(port, "/api/v1/lines/" + LINE + "/oee?granularity=hour");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode first = JSON.readTree(response.body()).get("items").get(0);
            // good counts 10 + 10 + 10 (1 scrapped); the -5 never counted
            assertThat(first.get("producedQuantity").asDouble()).isEqualTo(30.0);
            assertThat(first.get("goodQuantity").asDouble()).isEqualTo(29.0);
            // the fault 06:10-06:15 was applied: the states around the bad records went through
            assertThat(first.get("adetMs").asLong()).isEqualTo(5 * 60_000L);
        });
    }

    @Test
    @DisplayName("/metrics has Kafka Streams metrics and the DLQ counters by reason; /openapi.json parses and lists every path")
    void metricsAndOpenApi() throws IOException {
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            String metrics = get(port, "/metrics").body();
            assertThat(metrics).contains("kafka_stream_thread_");
            for (DeadLetterReason reason : BAD.keySet()) {
                assertThat(metrics).contains("greenline_dlq_records_total{reason=\"" + reason.name() + "\"");
            }
        });
        HttpResponse<String> response = get(port, "/openapi.json");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode doc = JSON.readTree(response.body());
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        assertThat(doc.get("paths").fieldNames()).toIterable().containsAll(QueryServer.PATHS);
    }
}

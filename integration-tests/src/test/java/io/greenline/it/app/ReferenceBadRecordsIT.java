package io.greenline.it.app;

import static io.greenline.it.app.AppItSupport.TOPICS;
import static io.greenline.it.app.AppItSupport.get;
import static io.greenline.it.support.DeadLetters.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenline.events.EmissionBasis;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EmissionScope;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyUnit;
import io.greenline.events.LineConfig;
import io.greenline.events.MachineState;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.Topics;
import io.greenline.streams.app.GreenlineApp;
import io.greenline.streams.errors.DeadLetterHandler;
import io.greenline.local.kafka.KafkaBroker;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad records on the reference topics ({@code mfg.line-config}, {@code mfg.emission-factors}), which the global
 * thread reads into the shared versioned stores. That thread cannot be replaced: one record it fails on would end
 * the whole application, and one version stamped year 3000 would move the store's clock so far that every later
 * version (of every line) falls outside its history and is dropped. Each bad record must end in {@code mfg.dlq}
 * with its reason, and the good versions around it must still be used.
 *
 * <p>On a broker of its own: the year-3000 versions must not reach the shared reference topics of the other tests.
 */
class ReferenceBadRecordsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant CONFIG_FROM = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant START = Instant.parse("2026-03-02T06:00:00Z");
    private static final String LINE = "REF-GOOD";

    @TempDir
    Path dirs;

    private static byte[] config(LineConfig c) {
        return TOPICS.lineConfig.valueSerde().serializer().serialize(TOPICS.lineConfig.name(), c);
    }

    private static byte[] factor(EmissionFactor f) {
        return TOPICS.emissionFactors.valueSerde().serializer().serialize(TOPICS.emissionFactors.name(), f);
    }


    @Test
    @DisplayName("Garbage, a version from year 3000, one before 2000 and one older than the store's history, on both reference topics: each in mfg.dlq with its reason; the app stays up, uses the good line's config, and starts again over them")
    void badReferenceRecordsAreDeadLetteredAndGoodVersionsKept() {
        KafkaBroker own = AppItSupport.ownBroker();
        try {
            Map<String, RecordMetadata> bad = new LinkedHashMap<>();
            Map<String, DeadLetterReason> reasons = new LinkedHashMap<>();
            String configs = TOPICS.lineConfig.name();
            String factors = TOPICS.emissionFactors.name();
            try (KafkaProducer<String, byte[]> p = AppItSupport.producer(own.bootstrapServers())) {
                bad.put("config garbage", AppItSupport.send(p, configs, "REF-GARBAGE", "not Avro".getBytes(StandardCharsets.UTF_8), CONFIG_FROM));
                reasons.put("config garbage", DeadLetterReason.UNKNOWN_MAGIC_BYTE);
                bad.put("config year 3000", AppItSupport.send(p, configs, "REF-3000",
                        config(AppItSupport.lineConfig("REF-3000", Instant.parse("3000-01-01T00:00:00Z"))), CONFIG_FROM));
                reasons.put("config year 3000", DeadLetterReason.TIMESTAMP_OUT_OF_RANGE);
                bad.put("config 1999", AppItSupport.send(p, configs, "REF-1999",
                        config(AppItSupport.lineConfig("REF-1999", Instant.parse("1999-06-01T00:00:00Z"))), CONFIG_FROM));
                reasons.put("config 1999", DeadLetterReason.TIMESTAMP_OUT_OF_RANGE);
                // the good line's version, after the year-3000 one
                AppItSupport.sendConfig(p, AppItSupport.lineConfig(LINE, CONFIG_FROM));
                // older than the store's history (365 days before the newest version, 2026-01-01): it could never be read
                bad.put("config older than history", AppItSupport.send(p, configs, "REF-OLD",
                        config(AppItSupport.lineConfig("REF-OLD", Instant.parse("2024-06-01T00:00:00Z"))), CONFIG_FROM));
                reasons.put("config older than history", DeadLetterReason.LATE);

                EmissionFactor y3000 = new EmissionFactor(EnergyCarrier.ELECTRICITY, "DE", EmissionBasis.LOCATION, EmissionScope.SCOPE2,
                        9.9, EnergyUnit.KWH, Instant.parse("3000-01-01T00:00:00Z"), "rogue");
                bad.put("factor garbage", AppItSupport.send(p, factors, "garbage", new byte[] {0, 1}, CONFIG_FROM));
                reasons.put("factor garbage", DeadLetterReason.MALFORMED);
                bad.put("factor year 3000", AppItSupport.send(p, factors, Topics.emissionFactorKey(y3000), factor(y3000), CONFIG_FROM));
                reasons.put("factor year 3000", DeadLetterReason.TIMESTAMP_OUT_OF_RANGE);
                AppItSupport.sendFactors(p);

                // an hour of the good line: running, a 10-minute fault, running; 30 drums
                AppItSupport.sendState(p, AppItSupport.state(LINE, "ref-s1", START, MachineState.RUNNING, null));
                AppItSupport.sendCount(p, AppItSupport.count(LINE, "ref-c1", START.plusSeconds(600), 10, 0));
                AppItSupport.sendState(p, AppItSupport.state(LINE, "ref-s2", START.plusSeconds(1200), MachineState.FAULT, "JAM"));
                AppItSupport.sendState(p, AppItSupport.state(LINE, "ref-s3", START.plusSeconds(1800), MachineState.RUNNING, null));
                AppItSupport.sendCount(p, AppItSupport.count(LINE, "ref-c2", START.plusSeconds(2400), 20, 0));
                AppItSupport.sendState(p, AppItSupport.state(LINE, "ref-s4", START.plusSeconds(7200), MachineState.RUNNING, null));
            }

            int port = AppItSupport.freePort();
            try (GreenlineApp app = AppItSupport.startApp(AppItSupport.settings("it-reference-bad-records", port, dirs.resolve("app"),
                    own.bootstrapServers(), AppItSupport.REGISTRY, Map.of()))) {
                Properties props = new Properties();
                props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, own.bootstrapServers());
                props.put(ConsumerConfig.GROUP_ID_CONFIG, "reference-bad-records-it-reader");
                props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    consumer.subscribe(List.of(TopicNames.DLQ));
                    await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
                        consumer.poll(Duration.ofMillis(500)).forEach(seen::add);
                        assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
                        for (Map.Entry<String, RecordMetadata> b : bad.entrySet()) {
                            RecordMetadata source = b.getValue();
                            assertThat(seen).as("%s at %s", b.getKey(), source).anySatisfy(r -> {
                                assertThat(header(r, DeadLetterHandler.HEADER_SOURCE_TOPIC)).isEqualTo(source.topic());
                                assertThat(header(r, DeadLetterHandler.HEADER_SOURCE_PARTITION)).isEqualTo(String.valueOf(source.partition()));
                                assertThat(header(r, DeadLetterHandler.HEADER_SOURCE_OFFSET)).isEqualTo(String.valueOf(source.offset()));
                                assertThat(header(r, DeadLetterHandler.HEADER_REASON)).isEqualTo(reasons.get(b.getKey()).name());
                            });
                        }
                    });
                }
                // the good line was computed with its config, which came after the year-3000 version
                await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                    HttpResponse<String> response = get(port, "/api/v1/lines/" + LINE + "/oee?granularity=hour");
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    JsonNode first = JSON.readTree(response.body()).get("items").get(0);
                    assertThat(first.get("producedQuantity").asDouble()).isEqualTo(30.0);
                    assertThat(first.get("adetMs").asLong()).isEqualTo(10 * 60_000L);
                });
                // nothing of the bad versions reached the store: the year-3000 line has no config, so none of its lines are listed
                assertThat(get(port, "/api/v1/lines").body()).doesNotContain("REF-3000").doesNotContain("REF-1999");
                assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            }
            // a restart reads the reference topics again (the global stores restore through their processors): it starts
            // and serves the good line, where a bad record used to end the application at every start
            try (GreenlineApp again = AppItSupport.startApp(AppItSupport.settings("it-reference-bad-records", port, dirs.resolve("app"),
                    own.bootstrapServers(), AppItSupport.REGISTRY, Map.of()))) {
                await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                    assertThat(again.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
                    HttpResponse<String> response = get(port, "/api/v1/lines/" + LINE + "/oee?granularity=hour");
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    assertThat(JSON.readTree(response.body()).get("items").get(0).get("producedQuantity").asDouble()).isEqualTo(30.0);
                });
            }
        } finally {
            own.stop();
        }
    }
}

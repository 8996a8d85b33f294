package io.greenline.it.app;

import static io.greenline.it.app.AppItSupport.TOPICS;
import static io.greenline.it.app.AppItSupport.get;
import static io.greenline.it.support.DeadLetters.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyMetered;
import io.greenline.events.EnergyUnit;
import io.greenline.events.InspectionResult;
import io.greenline.events.MachineState;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.TopicNames;
import io.greenline.streams.app.GreenlineApp;
import io.greenline.streams.errors.DeadLetterHandler;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, items 1 and 2 on the real broker: a replay of good events for two lines, with one event each at year
 * 3000, epoch 1, 1969 and with a payload time far from its record time (on four other lines, on four input
 * topics). Before the event-time guard, year 3000 filled the heap building windows up to it and epoch 1 built
 * ~500,000 final windows in one transaction. Now each goes to mfg.dlq as TIMESTAMP_OUT_OF_RANGE, the good lines'
 * final windows are right and arrive within two minutes, the heap stays small, /health/ready stays true and no
 * stream thread is replaced.
 */
class ImplausibleTimesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Earlier than the other ITs' data on the shared broker, so this test never puts theirs behind partition time. */
    private static final Instant START = Instant.parse("2026-02-03T06:00:00Z");
    /** The bad events' lines and records come first, before the good lines' replay. */
    private static final Instant EARLY = START.minus(Duration.ofMinutes(20));

    @TempDir
    Path dirs;


    @Test
    @DisplayName("Year 3000, epoch 1, 1969 and a payload 30 days ahead of its record: each in mfg.dlq as TIMESTAMP_OUT_OF_RANGE; good lines final and right within 2 min; ready throughout; no thread replaced; heap bounded")
    void implausibleTimesAreDeadLetteredAndGoodLinesGoOn() throws Exception {
        AppItSupport.broker();
        Map<String, RecordMetadata> bad = new LinkedHashMap<>();
        try (KafkaProducer<String, byte[]> p = AppItSupport.producer()) {
            AppItSupport.sendFactors(p);
            // a line with ordinary 2026 history, then one state change stamped year 3000 (record time 2026)
            AppItSupport.sendConfig(p, AppItSupport.lineConfig("ROGUE", Instant.parse("2026-01-01T00:00:00Z")));
            AppItSupport.sendState(p, AppItSupport.state("ROGUE", "rogue-1", EARLY, MachineState.RUNNING, null));
            byte[] y3000 = TOPICS.machineState.valueSerde().serializer().serialize(TOPICS.machineState.name(),
                    AppItSupport.state("ROGUE", "rogue-3000", Instant.parse("3000-01-01T00:00:00Z"), MachineState.FAULT, "JAM"));
            bad.put("year 3000", AppItSupport.send(p, TOPICS.machineState.name(), "ROGUE", y3000, EARLY.plusSeconds(60)));
            // a new line whose first count is at epoch 1 ms (record stamped so too, as a replay does), then one in 2026
            byte[] epoch1 = TOPICS.productionCount.valueSerde().serializer().serialize(TOPICS.productionCount.name(),
                    AppItSupport.count("EPOCH", "epoch-1", Instant.ofEpochMilli(1), 5, 0));
            bad.put("epoch 1", AppItSupport.send(p, TOPICS.productionCount.name(), "EPOCH", epoch1, Instant.ofEpochMilli(1)));
            AppItSupport.sendCount(p, AppItSupport.count("EPOCH", "epoch-2026", EARLY.plusSeconds(120), 5, 0));
            // an inspection in 1969 (a negative epoch; its record can only carry a 2026 time)
            byte[] y1969 = TOPICS.inspection.valueSerde().serializer().serialize(TOPICS.inspection.name(),
                    AppItSupport.inspection("SIXTIES", "i-1969", Instant.parse("1969-07-20T20:17:00Z"), InspectionResult.PASS, List.of()));
            bad.put("year 1969", AppItSupport.send(p, TOPICS.inspection.name(), "SIXTIES", y1969, EARLY.plusSeconds(180)));
            // an energy reading whose payload is 30 days after the time it was produced
            Instant future = EARLY.plus(Duration.ofDays(30));
            byte[] skewed = TOPICS.energy.valueSerde().serializer().serialize(TOPICS.energy.name(), new EnergyMetered("skewed-1",
                    "meter-SKEW", "site-1", "SKEW", EnergyCarrier.ELECTRICITY, future, future.plusSeconds(1800), 50.0, EnergyUnit.KWH));
            bad.put("payload far from record time", AppItSupport.send(p, TOPICS.energy.name(), "SKEW", skewed, EARLY.plusSeconds(240)));
            // the good lines, after the bad events on their partitions
            AppItSupport.produceLines(p, new java.util.TreeMap<>(Map.of("GOOD-A", 10.0, "GOOD-B", 20.0)), START);
        }

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        AtomicLong peakHeap = new AtomicLong();
        AtomicInteger notReady = new AtomicInteger();
        AtomicInteger readySamples = new AtomicInteger();
        int port = AppItSupport.freePort();
        long started = System.nanoTime();
        java.util.concurrent.atomic.AtomicReference<String> lastAnswer = new java.util.concurrent.atomic.AtomicReference<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try (GreenlineApp app = AppItSupport.startApp(AppItSupport.settings("it-implausible-times", port, dirs.resolve("app")))) {
            sampler.scheduleAtFixedRate(() -> peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max),
                    0, 100, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofMinutes(1)).until(() -> app.health().ready());
            sampler.scheduleAtFixedRate(() -> {
                readySamples.incrementAndGet();
                if (!app.health().ready()) {
                    notReady.incrementAndGet();
                }
            }, 0, 250, TimeUnit.MILLISECONDS);

            List<ConsumerRecord<byte[], byte[]>> dead = readDeadLetters(bad);
            dead.forEach(r -> System.out.printf("ImplausibleTimesIT: dead letter %s %s-%s@%s: %s%n", header(r, DeadLetterHandler.HEADER_REASON),
                    header(r, DeadLetterHandler.HEADER_SOURCE_TOPIC), header(r, DeadLetterHandler.HEADER_SOURCE_PARTITION),
                    header(r, DeadLetterHandler.HEADER_SOURCE_OFFSET), header(r, DeadLetterHandler.HEADER_EXCEPTION_MESSAGE)));
            for (Map.Entry<String, RecordMetadata> b : bad.entrySet()) {
                RecordMetadata source = b.getValue();
                assertThat(dead).as(b.getKey()).anySatisfy(r -> {
                    assertThat(header(r, DeadLetterHandler.HEADER_SOURCE_TOPIC)).isEqualTo(source.topic());
                    assertThat(header(r, DeadLetterHandler.HEADER_SOURCE_PARTITION)).isEqualTo(String.valueOf(source.partition()));
                    assertThat(header(r, DeadLetterHandler.HEADER_SOURCE_OFFSET)).isEqualTo(String.valueOf(source.offset()));
                    assertThat(header(r, DeadLetterHandler.HEADER_REASON)).isEqualTo(DeadLetterReason.TIMESTAMP_OUT_OF_RANGE.name());
                });
            }

            // the good lines: hours 06 and 07 final (the clock is at 09:00:02, grace 5 min), worked out by hand from
            // AppItSupport.produceLine: six counts an hour (one scrapped each), a 5-minute jam each hour
            await().atMost(Duration.ofMinutes(2).minus(Duration.ofNanos(System.nanoTime() - started))).untilAsserted(() -> {
                for (Map.Entry<String, Double> line : Map.of("GOOD-A", 10.0, "GOOD-B", 20.0).entrySet()) {
                    HttpResponse<String> response = get(port, "/api/v1/lines/" + line.getKey() + "/oee?granularity=hour");
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    lastAnswer.set(response.body());
                    JsonNode items = JSON.readTree(response.body()).get("items");
                    for (int hour = 0; hour < 2; hour++) {
                        JsonNode w = items.get(hour);
                        assertThat(w.get("windowStart").asText()).isEqualTo(START.plus(Duration.ofHours(hour)).toString());
                        assertThat(w.get("final").asBoolean()).as("%s hour %d final", line.getKey(), hour).isTrue();
                        assertThat(w.get("producedQuantity").asDouble()).isEqualTo(6 * line.getValue());
                        assertThat(w.get("goodQuantity").asDouble()).isEqualTo(6 * (line.getValue() - 1));
                        assertThat(w.get("adetMs").asLong()).isEqualTo(5 * 60_000L);
                        assertThat(w.get("aptMs").asLong()).isEqualTo(55 * 60_000L);
                    }
                    HttpResponse<String> quality = get(port, "/api/v1/lines/" + line.getKey() + "/quality?granularity=hour");
                    JsonNode q = JSON.readTree(quality.body()).get("items").get(0);
                    // inspections at :00..:50 of the first hour; the third and the sixth are REWORK
                    assertThat(q.get("inspected").asDouble()).isEqualTo(6.0);
                    assertThat(q.get("rework").asDouble()).isEqualTo(2.0);
                }
            });
            // the rogue line's windows end where its good history ends: nothing was built towards year 3000
            HttpResponse<String> rogue = get(port, "/api/v1/lines/ROGUE/oee?granularity=day");
            assertThat(rogue.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(rogue.body()).get("items")).hasSize(1);

            sampler.shutdownNow();
            System.out.printf("ImplausibleTimesIT: peak heap %d MiB of %d MiB; ready in %d of %d samples; threads replaced %d%n",
                    peakHeap.get() >> 20, Runtime.getRuntime().maxMemory() >> 20, readySamples.get() - notReady.get(),
                    readySamples.get(), app.threadsReplaced());
            assertThat(notReady.get()).as("samples of /health/ready false").isZero();
            assertThat(readySamples.get()).isPositive();
            assertThat(app.threadsReplaced()).isZero();
            assertThat(app.health().live()).isTrue();
            assertThat(get(port, "/health/ready").statusCode()).isEqualTo(200);
            assertThat(peakHeap.get()).isLessThan(Runtime.getRuntime().maxMemory() / 2);
            assertThat(get(port, "/metrics").body()).contains("greenline_dlq_records_total{reason=\"TIMESTAMP_OUT_OF_RANGE\"");
        } finally {
            System.out.println("ImplausibleTimesIT: last answer " + lastAnswer.get());
            sampler.shutdownNow();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readDeadLetters(Map<String, RecordMetadata> expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, AppItSupport.broker().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "implausible-times-it-reader");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TopicNames.DLQ));
            await().atMost(Duration.ofMinutes(2)).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(seen::add);
                return expected.values().stream().allMatch(m -> seen.stream().anyMatch(r ->
                        m.topic().equals(header(r, DeadLetterHandler.HEADER_SOURCE_TOPIC))
                                && String.valueOf(m.offset()).equals(header(r, DeadLetterHandler.HEADER_SOURCE_OFFSET))
                                && String.valueOf(m.partition()).equals(header(r, DeadLetterHandler.HEADER_SOURCE_PARTITION))));
            });
        }
        return seen;
    }
}

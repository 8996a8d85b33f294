package io.greenline.it.app;

import static io.greenline.it.app.AppItSupport.TOPICS;
import static io.greenline.it.app.AppItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyMetered;
import io.greenline.events.EnergyUnit;
import io.greenline.streams.GreenlineTopology;
import io.greenline.streams.StoreNames;
import io.greenline.streams.app.GreenlineApp;
import io.greenline.streams.config.AppSettings;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, items 3 and 5 on the real broker (exactly-once, the default). A clean stop leaves every store
 * checkpointed: the next start wipes nothing ("did not find checkpoint offsets ... wipe" never logged) and restores
 * nothing. An instance that must restore is not ready while its stores cannot answer, and ready once they can.
 */
class CleanRestartIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.parse("2026-02-10T06:00:00Z");
    private static final String LINE = "RESTART-L";

    @TempDir
    Path dirs;

    /** Records restored per store, and lets a test hold restoration. */
    private static final class Restores implements StateRestoreListener {
        final Map<String, AtomicLong> restored = new ConcurrentHashMap<>();
        final CountDownLatch started = new CountDownLatch(1);
        volatile CountDownLatch hold = new CountDownLatch(0);

        @Override
        public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
            restored.computeIfAbsent(store, s -> new AtomicLong());
        }

        @Override
        public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
            restored.computeIfAbsent(store, s -> new AtomicLong()).addAndGet(numRestored);
            if (!StoreNames.OEE_WINDOWS.equals(store)) {
                // only a queried store of a stream task is held: the global stores must load for start() to return
                return;
            }
            started.countDown();
            try {
                hold.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        }

        long total() {
            return restored.values().stream().mapToLong(AtomicLong::get).sum();
        }
    }

    private static GreenlineApp startWith(AppSettings settings, Restores restores) {
        GreenlineApp app = new GreenlineApp(settings, GreenlineTopology.build(new io.greenline.schemas.Topics(settings.serdes()), settings));
        app.streams().setGlobalStateRestoreListener(restores);
        return app.start();
    }

    private static JsonNode firstHour(int port) throws Exception {
        HttpResponse<String> response = get(port, "/api/v1/lines/" + LINE + "/oee?granularity=hour");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("items").get(0);
    }

    @Test
    @DisplayName("A clean stop and start wipes no store and restores nothing; a restoring instance is not ready until its stores answer")
    void cleanRestartRestoresNothing() throws Exception {
        AppItSupport.broker();
        try (KafkaProducer<String, byte[]> p = AppItSupport.producer()) {
            AppItSupport.sendFactors(p);
            AppItSupport.produceLine(p, LINE, START, 10);
            // energy readings of the line without a batch (so no footprint joins the other ITs' on the shared broker)
            for (int half = 0; half < 6; half++) {
                Instant from = START.plus(Duration.ofMinutes(30L * half));
                AppItSupport.sendEnergy(p, new EnergyMetered("restart-e" + half, "meter-" + LINE, "site-1", LINE,
                        EnergyCarrier.ELECTRICITY, from, from.plus(Duration.ofMinutes(30)), 50.0, EnergyUnit.KWH));
            }
        }
        Path state = dirs.resolve("state");
        Map<String, String> extra = Map.of(org.apache.kafka.streams.StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "2000");

        // 1. first run: every topology's stores get data (OEE, quality's seen events, carbon's line-energy dedup)
        int port1 = AppItSupport.freePort();
        JsonNode before;
        try (GreenlineApp first = startWith(AppItSupport.settings("it-clean-restart", port1, state, extra), new Restores())) {
            await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
                assertThat(firstHour(port1).get("final").asBoolean()).isTrue();
                HttpResponse<String> energy = get(port1, "/api/v1/lines/" + LINE + "/energy?granularity=hour");
                assertThat(energy.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(energy.body()).path("items").size()).as(energy.body()).isPositive();
                HttpResponse<String> quality = get(port1, "/api/v1/lines/" + LINE + "/quality?granularity=hour");
                assertThat(JSON.readTree(quality.body()).path("items").size()).as(quality.body()).isPositive();
            });
            before = firstHour(port1);
        }

        // 2. clean restart on the same state directory
        int port2 = AppItSupport.freePort();
        Restores restores = new Restores();
        try (LogCapture logs = LogCapture.open();
             GreenlineApp second = startWith(AppItSupport.settings("it-clean-restart", port2, state, extra), restores)) {
            await().atMost(Duration.ofMinutes(1)).until(() -> second.health().ready());
            assertThat(firstHour(port2)).isEqualTo(before);
            System.out.println("CleanRestartIT: restored after a clean restart " + restores.restored);
            assertThat(logs.containing("did not find checkpoint offsets")).as("wipes").isEmpty();
            assertThat(logs.containing("TaskCorrupted")).isEmpty();
            assertThat(restores.total()).as("records restored: %s", restores.restored).isZero();
        }

        // 3. a new instance (its state lost) restores; held mid-restore it is not ready, then ready with the same answer
        try (Stream<Path> files = Files.walk(state)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        int port3 = AppItSupport.freePort();
        Restores restoring = new Restores();
        restoring.hold = new CountDownLatch(1);
        try (GreenlineApp third = startWith(AppItSupport.settings("it-clean-restart", port3, state, extra), restoring)) {
            assertThat(restoring.started.await(1, TimeUnit.MINUTES)).isTrue();
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> ready = get(port3, "/health/ready");
                assertThat(ready.statusCode()).as("ready while restoring (state %s)", third.streams().state()).isEqualTo(503);
                assertThat(get(port3, "/health/live").statusCode()).isEqualTo(200);
                Thread.sleep(200);
            }
            System.out.println("CleanRestartIT: state while restoring " + third.streams().state());
            restoring.hold.countDown();
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(get(port3, "/health/ready").statusCode()).isEqualTo(200));
            assertThat(firstHour(port3)).isEqualTo(before);
            assertThat(restoring.total()).isPositive();
        }
    }
}

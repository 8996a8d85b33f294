package io.greenline.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.InspectionResult;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.ProductionCounted;
import io.greenline.local.kafka.KafkaBroker;
import io.greenline.local.registry.EmbeddedSchemaRegistry;
import io.greenline.producers.EventSink;
import io.greenline.producers.KafkaEventSink;
import io.greenline.producers.sim.FactorySimulation;
import io.greenline.producers.sim.SimulatorConfig;
import io.greenline.schemas.Topic;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.GreenlineTopology;
import io.greenline.streams.app.GreenlineApp;
import io.greenline.streams.config.AppSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Latency of {@code GET /api/v1/lines} with many lines and a week of windows: its own broker, registry and load.
 *
 * <p>Load (untimed): {@code bench.lines.count} lines (the simulators' line configs, {@code count / 2} factory
 * copies) over {@code bench.lines.days} simulated days, each line sending one RUNNING state a day, one production
 * count and one inspection an hour (so every hourly OEE and quality window of the week exists), processed by the
 * whole application (exactly_once_v2, its default settings). Then {@code bench.lines.queries} calls of
 * {@code GET /api/v1/lines} interleaved with {@code GET /health/live} (the same HTTP stack without a store), after
 * 20 warm-up calls of each: p50 and p99 to the console, {@code target/bench-lines-results.txt} and
 * {@code target/bench-results.json} ({@code lines_p50_ms}, {@code lines_p99_ms}). Only sanity is asserted.
 */
class LinesQueryLatencyBenchmark {

    static final int LINES = Integer.getInteger("bench.lines.count", 1000);
    static final int DAYS = Integer.getInteger("bench.lines.days", 7);
    static final int QUERIES = Integer.getInteger("bench.lines.queries", 200);
    static final int PARTITIONS = Integer.getInteger("bench.partitions", 4);
    static final int THREADS = Integer.getInteger("bench.threads", 2);
    static final Duration PROCESS_TIMEOUT = Duration.ofMinutes(Long.getLong("bench.timeout.minutes", 30));
    static final Instant START = Instant.parse("2026-01-05T00:00:00Z");
    static final Path RESULTS = Path.of(System.getProperty("bench.lines.results", "target/bench-lines-results.txt"));

    private static Path workDir;
    private static KafkaBroker broker;
    private static EmbeddedSchemaRegistry registry;
    private static List<String> lineIds;
    private static long events;
    private static Duration loadTime;

    @BeforeAll
    static void load() throws IOException {
        workDir = Files.createDirectories(Path.of("target", "bench")).resolve("lines-" + System.currentTimeMillis());
        broker = KafkaBroker.builder(workDir.resolve("kafka")).maxHeap("1g").build().start();
        registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0);
        Topics topics = new Topics(new GreenlineSerdes(Map.of("schema.registry.url", registry.url())));
        createTopics();
        long started = System.nanoTime();
        Map<String, Object> producer = new HashMap<>();
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        producer.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-lines-loader");
        producer.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        producer.put(ProducerConfig.LINGER_MS_CONFIG, 50);
        producer.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000); // a shared, loaded machine: retry longer than the default 2 min
        try (KafkaEventSink kafka = KafkaEventSink.connect(producer)) {
            // the simulators' line configs and emission factors (nothing else) for LINES lines
            SimulatorConfig config = SimulatorConfig.defaults().replicated(Math.max(1, LINES / 2));
            ReferenceOnly reference = new ReferenceOnly(kafka, topics);
            FactorySimulation simulation = new FactorySimulation(config, START, reference, topics);
            simulation.advanceTo(START.toEpochMilli());
            lineIds = simulation.lineIds().subList(0, Math.min(LINES, simulation.lineIds().size()));
            Map<String, String[]> cells = new HashMap<>();
            config.brakeDrumLines().forEach(d -> cells.put(d.line().lineId(),
                    new String[] {d.outputWorkcellId(), d.products().get(0).productId(), d.inspectionStationId()}));
            config.polyolefinPlants().forEach(p -> cells.put(p.line().lineId(),
                    new String[] {p.workcellId(), p.grades().get(0).productId(), p.workcellId()}));
            long count = reference.sent;
            long hour = Duration.ofHours(1).toMillis();
            for (long h = 0; h < DAYS * 24L; h++) {
                long t = START.toEpochMilli() + h * hour;
                for (String line : lineIds) {
                    String[] c = cells.get(line);
                    if (h % 24 == 0) {
                        kafka.send(topics.machineState, line, new MachineStateChanged(line + "-s-" + h, line, c[0],
                                Instant.ofEpochMilli(t + 1_000), MachineState.RUNNING, null), t + 1_000);
                        count++;
                    }
                    kafka.send(topics.productionCount, line, new ProductionCounted(line + "-p-" + h, line, c[0], c[1],
                            Instant.ofEpochMilli(t + 1_800_000), 100.0, 1.0, 1.0, null), t + 1_800_000);
                    kafka.send(topics.inspection, line, new InspectionRecorded(line + "-i-" + h, line, c[2], c[1],
                            Instant.ofEpochMilli(t + 1_900_000), null, null, h % 10 == 0 ? InspectionResult.SCRAP : InspectionResult.PASS,
                            h % 10 == 0 ? List.of("D1") : List.of(), 1.0), t + 1_900_000);
                    count += 2;
                }
            }
            kafka.flush();
            assertThat(kafka.failures()).as("send failures (first: %s)", kafka.firstFailure()).isZero();
            events = count;
        }
        loadTime = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("bench: lines setup loaded %d events for %d lines x %d days in %.1f s%n", events, lineIds.size(), DAYS,
                loadTime.toMillis() / 1000.0);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    @DisplayName("GET /api/v1/lines answers for every line; its p50/p99 with a week of windows are reported against /health/live")
    void linesLatency() throws Exception {
        double loadBefore = BenchResults.loadAverage();
        String applicationId = "bench-lines-" + System.currentTimeMillis();
        int port = freePort();
        Map<String, String> props = new HashMap<>();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put("schema.registry.url", registry.url());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, workDir.resolve("state").toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(THREADS));
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "0");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        props.put(AppSettings.HTTP_PORT, String.valueOf(port));
        AppSettings settings = AppSettings.of(props);
        List<String> grouped = List.of(TopicNames.MACHINE_STATE, TopicNames.PRODUCTION_COUNT, TopicNames.INSPECTION);
        Map<String, Long> ends = endOffsets(grouped);
        long total = ends.values().stream().mapToLong(Long::longValue).sum();
        long started = System.nanoTime();
        String text;
        try (GreenlineApp app = new GreenlineApp(settings, GreenlineTopology.build(new Topics(settings.serdes()), settings)).start();
             Admin admin = admin()) {
            long deadline = started + PROCESS_TIMEOUT.toNanos();
            long nextReport = started;
            while (true) {
                long committed = GroupOffsets.committed(admin, applicationId, grouped);
                if (committed >= total && app.streams().state() == KafkaStreams.State.RUNNING) {
                    break;
                }
                assertThat(app.streams().state()).isNotIn(KafkaStreams.State.ERROR, KafkaStreams.State.NOT_RUNNING);
                assertThat(System.nanoTime()).as("processed within " + PROCESS_TIMEOUT + " (committed " + committed + " of " + total + ")")
                        .isLessThan(deadline);
                if (System.nanoTime() >= nextReport) {
                    nextReport = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    System.out.printf("bench: lines setup committed %d of %d%n", committed, total);
                }
                Thread.sleep(200); // polling interval of the progress loop
            }
            double processSeconds = (System.nanoTime() - started) / 1e9;
            // the inputs are read; the rest of the application (repartitions, roll-ups reading mfg.oee and the other
            // outputs, the latest-per-line views) drains before the calls are timed: "after processing"
            double drainSeconds = GroupOffsets.drain(admin, applicationId, Duration.ofMinutes(5));
            System.out.printf("bench: lines setup drained %.1f s after the inputs were read%n", drainSeconds);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            for (int i = 0; i < 20; i++) {
                get(http, port, "/api/v1/lines");
                get(http, port, "/health/live");
            }
            long[] lines = new long[QUERIES];
            long[] live = new long[QUERIES];
            Map<Integer, Integer> statuses = new TreeMap<>();
            HttpResponse<String> last = null;
            for (int i = 0; i < QUERIES; i++) {
                long t0 = System.nanoTime();
                last = get(http, port, "/api/v1/lines");
                long t1 = System.nanoTime();
                get(http, port, "/health/live");
                long t2 = System.nanoTime();
                lines[i] = t1 - t0;
                live[i] = t2 - t1;
                statuses.merge(last.statusCode(), 1, Integer::sum);
            }
            assertThat(statuses).as("GET /api/v1/lines statuses").containsOnlyKeys(200);
            String body = last.body();
            assertThat(lineIds).as("every line in the answer").allMatch(id -> body.contains("\"" + id + "\""));
            Arrays.sort(lines);
            Arrays.sort(live);
            text = String.format(Locale.ROOT,
                    "(e) GET /api/v1/lines with %d lines x %d simulated days of windows (%d events processed in %.1f s, the rest drained in %.1f s, load %.1f s; "
                            + "load average %.1f -> %.1f, shared machine), %d calls, response %d bytes:%n"
                            + "    GET /api/v1/lines  p50 %.2f ms  p99 %.2f ms (target p99 <= 50 ms)%n"
                            + "    GET /health/live   p50 %.2f ms  p99 %.2f ms%n",
                    lineIds.size(), DAYS, events, processSeconds, drainSeconds, loadTime.toMillis() / 1000.0, loadBefore, BenchResults.loadAverage(),
                    QUERIES, body.length(), ms(pct(lines, 50)), ms(pct(lines, 99)), ms(pct(live, 50)), ms(pct(live, 99)));
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("lines_count", lineIds.size());
            json.put("lines_days", DAYS);
            json.put("lines_process_seconds", processSeconds);
            json.put("lines_drain_seconds", drainSeconds);
            json.put("lines_p50_ms", ms(pct(lines, 50)));
            json.put("lines_p99_ms", ms(pct(lines, 99)));
            json.put("lines_live_p50_ms", ms(pct(live, 50)));
            json.put("lines_live_p99_ms", ms(pct(live, 99)));
            json.put("lines_response_bytes", body.length());
            BenchResults.merge(json);
        }
        System.out.println(text);
        Files.createDirectories(RESULTS.toAbsolutePath().getParent());
        Files.writeString(RESULTS, text);
    }

    /** Passes on only reference data (line configs, emission factors) and counts it. */
    private static final class ReferenceOnly implements EventSink {
        private final EventSink target;
        private final Set<String> passed;
        private long sent;

        ReferenceOnly(EventSink target, Topics topics) {
            this.target = target;
            this.passed = Set.of(topics.lineConfig.name(), topics.emissionFactors.name());
        }

        @Override
        public <V extends SpecificRecord> void send(Topic<String, V> topic, String key, V value, long timestampMs) {
            if (passed.contains(topic.name())) {
                target.send(topic, key, value, timestampMs);
                sent++;
            }
        }
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static void createTopics() {
        try (Admin admin = admin()) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> create = new ArrayList<>();
            for (TopicNames.TopicSpec spec : TopicNames.ALL) {
                if (!existing.contains(spec.name())) {
                    NewTopic topic = new NewTopic(spec.name(), spec.singlePartition() ? 1 : PARTITIONS, (short) 1);
                    topic.configs(spec.compacted() ? Map.of("cleanup.policy", "compact") : Map.of("retention.ms", "-1"));
                    create.add(topic);
                }
            }
            admin.createTopics(create).all().get();
            // a loaded machine can take seconds to elect the new partitions' leader: produce only once every one has one
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            List<String> names = TopicNames.ALL.stream().map(TopicNames.TopicSpec::name).toList();
            while (admin.describeTopics(names).allTopicNames().get().values().stream()
                    .flatMap(d -> d.partitions().stream()).anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
                assertThat(System.nanoTime()).as("every partition has a leader within 2 minutes").isLessThan(deadline);
                Thread.sleep(200); // polling for the broker's leader election
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Long> endOffsets(List<String> names) {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(names).allTopicNames().get().forEach((name, description) ->
                    description.partitions().forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            Map<String, Long> totals = new TreeMap<>();
            admin.listOffsets(request).all().get().forEach((tp, info) -> totals.merge(tp.topic(), info.offset(), Long::sum));
            return totals;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

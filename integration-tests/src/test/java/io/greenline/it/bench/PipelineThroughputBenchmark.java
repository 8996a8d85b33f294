package io.greenline.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Throughput of the whole Greenline pipeline against baselines measured in the same run, on a fresh
 * child-JVM broker with the embedded schema registry (the production serde path).
 *
 * <p>Untimed preparation: the input topics are loaded with {@code bench.events} events of the
 * simulators' realistic mix ({@link FactorySimulation} replicated {@code bench.copies} times, as fast
 * as possible). Timed, in this order: (a) a raw {@code KafkaConsumer<byte[],byte[]>} reading every
 * input topic to its end; (b) the same consumer deserializing keys and values with Greenline's Avro
 * serdes; (c) the full application ({@link GreenlineTopology} in {@link GreenlineApp}) under
 * at_least_once and exactly_once_v2, each with a fresh application.id, until the group's committed
 * offsets reach the end offsets of every partitioned input topic; (d) latency of keyed
 * {@code GET /api/v1/lines/{id}/oee} against {@code GET /health/live} on the same server.
 *
 * <p>Only sanity is asserted (every record read/processed, rates positive); the figures are printed and
 * written to {@code target/bench-results.txt}. Run with {@code mvn -Pbench} (see docs/benchmarks.md).
 */
class PipelineThroughputBenchmark {

    /** Parameters (system properties) with their defaults. */
    static final long EVENTS = Long.getLong("bench.events", 200_000);
    static final int PARTITIONS = Integer.getInteger("bench.partitions", 4);
    static final int THREADS = Integer.getInteger("bench.threads", 2);
    static final int COPIES = Integer.getInteger("bench.copies", 10);
    static final int QUERIES = Integer.getInteger("bench.queries", 2_000);
    static final long ROCKSDB_MEMORY_BYTES = Long.getLong("bench.rocksdb.memory.bytes", 64L * 1024 * 1024);
    static final Duration PROCESS_TIMEOUT = Duration.ofMinutes(Long.getLong("bench.timeout.minutes", 30));
    /** Simulated start: fixed (deterministic event mix), in the past; input topics keep records forever. */
    static final Instant SIM_START = Instant.parse("2026-01-05T00:00:00Z");
    static final Path RESULTS = Path.of(System.getProperty("bench.results", "target/bench-results.txt"));

    static final List<String> INPUT_TOPICS = List.of(TopicNames.MACHINE_STATE, TopicNames.PRODUCTION_COUNT,
            TopicNames.INSPECTION, TopicNames.ENERGY, TopicNames.BATCH, TopicNames.LINE_CONFIG, TopicNames.EMISSION_FACTORS);

    private static Path workDir;
    private static KafkaBroker broker;
    private static EmbeddedSchemaRegistry registry;
    private static Topics topics;
    private static Map<String, Long> loaded;
    private static long loadedTotal;
    private static List<String> lineIds;
    private static Duration loadTime;

    @BeforeAll
    static void loadInputTopics() throws IOException {
        workDir = Files.createDirectories(Path.of("target", "bench")).resolve("run-" + System.currentTimeMillis());
        broker = KafkaBroker.builder(workDir.resolve("kafka")).maxHeap("1g").build().start();
        registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0);
        topics = new Topics(new GreenlineSerdes(Map.of("schema.registry.url", registry.url())));
        createTopics();

        long started = System.nanoTime();
        try (KafkaEventSink kafka = KafkaEventSink.connect(broker.bootstrapServers(), "bench-loader")) {
            CappedSink capped = new CappedSink(kafka, EVENTS);
            FactorySimulation simulation = new FactorySimulation(SimulatorConfig.defaults().replicated(COPIES), SIM_START, capped, topics);
            long cursor = SIM_START.toEpochMilli();
            while (!capped.full()) {
                cursor += Duration.ofHours(1).toMillis();
                simulation.advanceTo(cursor);
            }
            kafka.flush();
            assertThat(kafka.failures()).as("send failures (first: %s)", kafka.firstFailure()).isZero();
            lineIds = simulation.lineIds();
            System.out.printf("bench: loaded %d events up to simulated %s%n", capped.sent, simulation.simulatedTime());
        }
        loadTime = Duration.ofNanos(System.nanoTime() - started);
        loaded = endOffsets(INPUT_TOPICS);
        loadedTotal = loaded.values().stream().mapToLong(Long::longValue).sum();
        assertThat(loadedTotal).as("records in the input topics").isEqualTo(EVENTS);
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
    @DisplayName("The full pipeline processes every loaded event; its rate is reported against a raw consumer on the same topics")
    void pipelineThroughputAgainstRawConsumer() throws Exception {
        Map<String, String> rows = new LinkedHashMap<>();

        consume("warm-up", false); // untimed: JIT and page cache
        Rate raw = consume("raw", false);
        Rate avro = consume("avro", true);
        Rate alos = runApp(StreamsConfig.AT_LEAST_ONCE, false);
        Rate eos = runApp(StreamsConfig.EXACTLY_ONCE_V2, true);

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Greenline pipeline benchmark, %s%n",
                DateTimeFormatter.ISO_INSTANT.format(Instant.now().atOffset(ZoneOffset.UTC).withNano(0))));
        out.append(String.format(Locale.ROOT, "machine: %d cores (%s %s), JVM %s, max heap %d MiB%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20));
        out.append(String.format(Locale.ROOT, "events %d (%s), partitions %d, stream threads %d, factory copies %d, load %.1f s (untimed)%n",
                loadedTotal, loaded, PARTITIONS, THREADS, COPIES, loadTime.toMillis() / 1000.0));
        out.append(String.format(Locale.ROOT, "%-44s %10s %9s %14s %13s%n", "run", "records/s", "seconds", "vs raw (a)", "peak heap MiB"));
        for (Rate r : List.of(raw, avro, alos, eos)) {
            out.append(String.format(Locale.ROOT, "%-44s %10.0f %9.2f %14.3f %13d%n", r.name, r.perSecond(), r.seconds(),
                    r.perSecond() / raw.perSecond(), r.peakHeapBytes >> 20));
        }
        out.append(String.format(Locale.ROOT, "ratios: (b)/(a) = %.3f, (c) at_least_once/(a) = %.3f, (c) exactly_once_v2/(a) = %.3f%n",
                avro.perSecond() / raw.perSecond(), alos.perSecond() / raw.perSecond(), eos.perSecond() / raw.perSecond()));
        out.append(String.format(Locale.ROOT, "app start to RUNNING: at_least_once %.2f s, exactly_once_v2 %.2f s (not in the rates)%n",
                alos.startupSeconds, eos.startupSeconds));
        out.append(String.format(Locale.ROOT, "RocksDB memory bound (%s, block cache + memtables shared by all stores): %d MiB%n",
                AppSettings.ROCKSDB_MEMORY_BYTES, ROCKSDB_MEMORY_BYTES >> 20));
        out.append(latencies);

        String table = out.toString();
        System.out.println(table);
        Files.createDirectories(RESULTS.toAbsolutePath().getParent());
        Files.writeString(RESULTS, table);

        for (Rate r : List.of(raw, avro, alos, eos)) {
            assertThat(r.records).as(r.name + " records").isEqualTo(loadedTotal);
            assertThat(r.perSecond()).as(r.name + " rate").isPositive();
        }
    }

    private static String latencies = "";

    // ---- (a) and (b): a plain consumer over every input partition ----

    private static Rate consume(String name, boolean deserialize) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, Topic<String, ? extends SpecificRecord>> byName = new HashMap<>();
        for (Topic<String, ? extends SpecificRecord> t : List.of(topics.machineState, topics.productionCount, topics.inspection,
                topics.energy, topics.batch, topics.lineConfig, topics.emissionFactors)) {
            byName.put(t.name(), t);
        }
        resetPeakHeap();
        long started = System.nanoTime();
        long records = 0;
        long checksum = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : INPUT_TOPICS) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Set<TopicPartition> open = new HashSet<>(partitions);
            open.removeIf(tp -> ends.get(tp) == 0);
            while (!open.isEmpty()) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    records++;
                    if (deserialize) {
                        Topic<String, ? extends SpecificRecord> topic = byName.get(record.topic());
                        String key = topic.keySerde().deserializer().deserialize(record.topic(), record.headers(), record.key());
                        SpecificRecord value = topic.valueSerde().deserializer().deserialize(record.topic(), record.headers(), record.value());
                        checksum += (key == null ? 0 : key.length()) + value.getSchema().getFields().size();
                    } else {
                        checksum += record.value().length;
                    }
                }
                open.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        assertThat(checksum).isPositive();
        return new Rate((deserialize ? "(b) consumer + Greenline Avro serdes" : "(a) raw KafkaConsumer<byte[],byte[]>")
                + ("warm-up".equals(name) ? " warm-up" : ""), records, elapsed, peakHeap(), 0);
    }

    // ---- (c) the full application, (d) query latency ----

    private static Rate runApp(String guarantee, boolean measureQueries) throws Exception {
        String applicationId = "bench-" + guarantee.replace('_', '-') + "-" + System.currentTimeMillis();
        int port = freePort();
        Map<String, String> props = new HashMap<>();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put("schema.registry.url", registry.url());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, workDir.resolve("state-" + applicationId).toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(THREADS));
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "0");
        // the rate is measured on committed offsets: commit at least once a second under either guarantee
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, StreamsConfig.EXACTLY_ONCE_V2.equals(guarantee) ? "100" : "1000");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        props.put(AppSettings.HTTP_PORT, String.valueOf(port));
        props.put(AppSettings.ROCKSDB_MEMORY_BYTES, String.valueOf(ROCKSDB_MEMORY_BYTES));
        AppSettings settings = AppSettings.of(props);
        Topology topology = GreenlineTopology.build(new Topics(settings.serdes()), settings);
        Set<String> globalTopics = new HashSet<>();
        for (TopologyDescription.GlobalStore store : topology.describe().globalStores()) {
            globalTopics.addAll(store.source().topicSet());
        }
        List<String> grouped = INPUT_TOPICS.stream().filter(t -> !globalTopics.contains(t)).toList();

        resetPeakHeap();
        long created = System.nanoTime();
        GreenlineApp app = new GreenlineApp(settings, topology).start();
        try {
            long running = 0;
            long deadline = created + PROCESS_TIMEOUT.toNanos();
            long committed = 0;
            long nextReport = created;
            long groupTotal = grouped.stream().mapToLong(loaded::get).sum();
            try (Admin admin = admin()) {
                while (true) {
                    long now = System.nanoTime();
                    if (running == 0 && app.streams().state() == KafkaStreams.State.RUNNING) {
                        running = now;
                    }
                    committed = committed(admin, applicationId, grouped);
                    if (committed >= groupTotal && running != 0) {
                        break;
                    }
                    assertThat(app.streams().state()).as("streams state").isNotIn(KafkaStreams.State.ERROR, KafkaStreams.State.NOT_RUNNING);
                    assertThat(now).as("processing finished within " + PROCESS_TIMEOUT + " (committed " + committed + " of " + groupTotal + ")")
                            .isLessThan(deadline);
                    if (now >= nextReport) {
                        nextReport = now + Duration.ofSeconds(10).toNanos();
                        System.out.printf("bench: %s committed %d of %d%n", guarantee, committed, groupTotal);
                    }
                    sleepQuietly(200);
                }
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - running);
            long records = committed + globalTopics.stream().filter(loaded::containsKey).mapToLong(loaded::get).sum();
            Rate rate = new Rate("(c) GreenlineTopology " + guarantee + " (" + THREADS + " thr)", records, elapsed, peakHeap(),
                    (running - created) / 1e9);
            if (measureQueries) {
                latencies = queryLatencies(port);
            }
            return rate;
        } finally {
            app.close();
        }
    }

    /** Sum over the input partitions of the group's committed offsets (0 where none yet). */
    private static long committed(Admin admin, String group, List<String> inputTopics) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        long sum = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            if (inputTopics.contains(e.getKey().topic()) && e.getValue() != null) {
                sum += e.getValue().offset();
            }
        }
        return sum;
    }

    private static String queryLatencies(int port) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        // warm-up of both paths (JIT, connection), then the measured calls interleaved so both see the same load
        List<String> drumLines = lineIds;
        long[] oee = new long[QUERIES];
        long[] live = new long[QUERIES];
        int[] oeeStatus = new int[QUERIES];
        for (int i = 0; i < 200; i++) {
            get(http, port, "/api/v1/lines/" + drumLines.get(i % drumLines.size()) + "/oee");
            get(http, port, "/health/live");
        }
        for (int i = 0; i < QUERIES; i++) {
            long t0 = System.nanoTime();
            oeeStatus[i] = get(http, port, "/api/v1/lines/" + drumLines.get(i % drumLines.size()) + "/oee").statusCode();
            long t1 = System.nanoTime();
            get(http, port, "/health/live");
            long t2 = System.nanoTime();
            oee[i] = t1 - t0;
            live[i] = t2 - t1;
        }
        Map<Integer, Long> statuses = new TreeMap<>(Arrays.stream(oeeStatus).boxed().collect(Collectors.groupingBy(s -> s, Collectors.counting())));
        assertThat(statuses).as("OEE query answers by status").containsKey(200);
        Arrays.sort(oee);
        Arrays.sort(live);
        return String.format(Locale.ROOT,
                "(d) query latency over %d calls each, %d lines (exactly_once_v2 instance, after processing; statuses %s):%n"
                        + "    GET /api/v1/lines/{id}/oee  p50 %.2f ms  p99 %.2f ms%n"
                        + "    GET /health/live            p50 %.2f ms  p99 %.2f ms%n"
                        + "    ratio oee/live              p50 %.2f    p99 %.2f%n",
                QUERIES, drumLines.size(), statuses, ms(pct(oee, 50)), ms(pct(oee, 99)), ms(pct(live, 50)), ms(pct(live, 99)),
                (double) pct(oee, 50) / pct(live, 50), (double) pct(oee, 99) / pct(live, 99));
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(15)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- setup helpers ----

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static void createTopics() {
        try (Admin admin = admin()) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> create = new ArrayList<>();
            for (TopicNames.TopicSpec spec : TopicNames.ALL) {
                if (existing.contains(spec.name())) {
                    continue; // the registry made _schemas
                }
                NewTopic topic = new NewTopic(spec.name(), spec.singlePartition() ? 1 : PARTITIONS, (short) 1);
                // events are stamped in the (fixed) past: keep them whatever their age
                topic.configs(spec.compacted() ? Map.of("cleanup.policy", "compact") : Map.of("retention.ms", "-1"));
                create.add(topic);
            }
            admin.createTopics(create).all().get();
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

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis); // polling interval of the measurement loop, not a wait for a test to pass
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void resetPeakHeap() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** Sum of the heap pools' peaks since the last reset (an upper bound of the peak heap used). */
    private static long peakHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }

    /** One measured run. */
    record Rate(String name, long records, Duration elapsed, long peakHeapBytes, double startupSeconds) {
        double seconds() {
            return elapsed.toNanos() / 1e9;
        }

        double perSecond() {
            return records / seconds();
        }
    }

    /** Passes the first {@code cap} events on, drops the rest (the simulation emits in whole time slices). */
    private static final class CappedSink implements EventSink {
        private final EventSink target;
        private final long cap;
        private long sent;

        CappedSink(EventSink target, long cap) {
            this.target = target;
            this.cap = cap;
        }

        boolean full() {
            return sent >= cap;
        }

        @Override
        public <V extends SpecificRecord> void send(Topic<String, V> topic, String key, V value, long timestampMs) {
            if (sent < cap) {
                target.send(topic, key, value, timestampMs);
                sent++;
            }
        }
    }
}

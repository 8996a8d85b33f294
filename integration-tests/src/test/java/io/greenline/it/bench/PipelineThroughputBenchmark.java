package io.greenline.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.it.support.DeadLetters;
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
import io.greenline.streams.CachedStoresBuilder;
import io.greenline.streams.GreenlineTopology;
import io.greenline.streams.app.BoundedMemoryRocksDBConfig;
import io.greenline.streams.carbon.CarbonLedgerTopology;
import io.greenline.streams.carbon.CarbonSettings;
import io.greenline.streams.oee.OeeSettings;
import io.greenline.streams.oee.OeeTopology;
import io.greenline.streams.quality.QualitySettings;
import io.greenline.streams.quality.QualityTopology;
import io.greenline.streams.app.GreenlineApp;
import io.greenline.streams.config.AppSettings;
import io.greenline.streams.errors.DeadLetterHandler;
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
import java.util.Collections;
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
import java.util.concurrent.Phaser;
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
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.rocksdb.FlushReason;

/**
 * Throughput of the whole Greenline pipeline against baselines measured in the same run, on a fresh
 * child-JVM broker with the embedded schema registry (the production serde path).
 *
 * <p>Untimed preparation: the input topics are loaded with {@code bench.events} events of the
 * simulators' realistic mix ({@link FactorySimulation} replicated {@code bench.copies} times, as fast
 * as possible). Timed, in this order: (a) a raw {@code KafkaConsumer<byte[],byte[]>} reading every
 * input topic to its end; (b) the same consumer deserializing keys and values with Greenline's Avro
 * serdes; (b2) the framework's floor: a plain Kafka Streams app over the same input topics that decodes every
 * record with Greenline's serdes and counts per key into a persistent store (exactly_once_v2, same threads and
 * Streams settings as the application); (c) the full application ({@link GreenlineTopology} in
 * {@link GreenlineApp}) under exactly_once_v2 and at_least_once, and each topology alone (OEE, quality, carbon)
 * under exactly_once_v2, each with a fresh application.id, until the group's committed offsets reach the end
 * offsets of every partitioned input topic it reads; (d) latency of keyed {@code GET /api/v1/lines/{id}/oee}
 * against {@code GET /health/live} on the same server. Of every Streams run: the rate of the first and the last
 * tenth of its input, CPU seconds of this JVM per million events, peak heap, RocksDB memtable flushes per 10,000
 * events (counted by {@link BoundedMemoryRocksDBConfig}), RocksDB instances open, and bytes on disk of its
 * state directory.
 *
 * <p>Only sanity is asserted (every record read/processed, rates positive); the figures are printed and
 * written to {@code target/bench-results.txt} and {@code target/bench-results.json}. Run with
 * {@code mvn -Pbench} (see docs/benchmarks.md).
 */
class PipelineThroughputBenchmark {

    /** Parameters (system properties) with their defaults. */
    static final long EVENTS = Long.getLong("bench.events", 200_000);
    static final int PARTITIONS = Integer.getInteger("bench.partitions", 4);
    static final int THREADS = Integer.getInteger("bench.threads", 2);
    /**
     * Factory copies (2 lines, 2 sites each). A multiple of the partitions, and each copy's suffix is chosen so its
     * ids land on partition (copy mod partitions) ({@link SimulatorConfig#evenSuffixes}): every task gets the same
     * load, so the last tenth of a run is not one thread finishing a partition with five lines while the other idles.
     */
    static final int COPIES = Integer.getInteger("bench.copies", 8);
    static final int QUERIES = Integer.getInteger("bench.queries", 2_000);
    static final long ROCKSDB_MEMORY_BYTES = Long.getLong("bench.rocksdb.memory.bytes", AppSettings.DEFAULT_ROCKSDB_MEMORY_BYTES);
    /** Runs of the topologies alone ("oee,quality,carbon", empty for none). */
    static final List<String> ALONE = Arrays.stream(System.getProperty("bench.alone", "oee,quality,carbon").split(","))
            .map(String::trim).filter(x -> !x.isEmpty()).toList();
    /**
     * Extra whole-app exactly_once_v2 runs, each with one of the throughput settings switched back, to show what it
     * buys in the same run: {@code nocache} (statestore.cache.max.bytes=0), {@code commit100} (commit.interval.ms=100,
     * Kafka's exactly_once_v2 default), {@code cache16m} (statestore.cache.max.bytes=16 MiB, a quarter of the default),
     * {@code bytecache} (greenline.state.cache.entries=0: the key-value stores behind the record cache of bytes, not
     * the decoded write-back cache), {@code batch64k} (producer batch.size 64 KiB instead of 256 KiB),
     * {@code linger200} (producer linger.ms 200 and batch.size 64 KiB), {@code linger1000} (producer linger.ms 1000, the
     * commit interval, and buffer.memory 64 MiB: a batch per partition and commit), {@code zstd}, {@code snappy}, {@code uncompressed}
     * (producer compression.type instead of lz4), {@code fetch1m} (main consumer max.partition.fetch.bytes 1 MiB, Kafka's
     * default, instead of 256 KiB), {@code fetch128k} (128 KiB), {@code noidle} (max.task.idle.ms -1: a task takes whatever
     * input is buffered, without first fetching what its empty partitions have on the broker), {@code again}
     * (the defaults once more: does the order of the runs matter?).
     * Comma-separated; none by default.
     */
    static final List<String> ABLATIONS = Arrays.stream(System.getProperty("bench.ablations", "").split(","))
            .map(String::trim).filter(x -> !x.isEmpty()).toList();
    static final Map<String, Map<String, String>> ABLATION_SETTINGS = Map.ofEntries(
            Map.entry("nocache", Map.of(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0")),
            Map.entry("commit100", Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100")),
            Map.entry("cache16m", Map.of(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, String.valueOf(16L * 1024 * 1024))),
            Map.entry("bytecache", Map.of(AppSettings.STATE_CACHE_ENTRIES, "0")),
            Map.entry("batch64k", Map.of(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), String.valueOf(64 * 1024))),
            Map.entry("linger200", Map.of(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), String.valueOf(64 * 1024),
                    StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "200")),
            Map.entry("linger1000", Map.of(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "1000",
                    StreamsConfig.producerPrefix(ProducerConfig.BUFFER_MEMORY_CONFIG), String.valueOf(64L * 1024 * 1024))),
            Map.entry("zstd", Map.of(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "zstd")),
            Map.entry("snappy", Map.of(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "snappy")),
            Map.entry("uncompressed", Map.of(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "none")),
            Map.entry("fetch1m", Map.of(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), String.valueOf(1024 * 1024))),
            Map.entry("fetch128k", Map.of(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), String.valueOf(128 * 1024))),
            Map.entry("noidle", Map.of(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, String.valueOf(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED))),
            Map.entry("again", Map.of()));
    /**
     * Seconds of an untimed whole-app run before the measured ones (JIT warm-up). On a loaded 2-core machine the
     * first application run in the JVM was 3-7x slower than the same run repeated (docs/benchmarks.md), so without
     * it the first measured run pays for compiling the code. 0 = none.
     */
    static final long WARMUP_SECONDS = Long.getLong("bench.warmup.seconds", 90);
    /** Producers loading the input in parallel (each simulates its share of the factory copies). */
    static final int LOADERS = Integer.getInteger("bench.loaders", 2);
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
    private static Map<Integer, Long> loadedByPartition;
    private static long loadedTotal;
    private static List<String> lineIds;
    private static Duration loadTime;
    private static double simulatedDays;

    @BeforeAll
    static void loadInputTopics() throws IOException {
        workDir = Files.createDirectories(Path.of("target", "bench")).resolve("run-" + System.currentTimeMillis());
        Files.deleteIfExists(RESULTS.toAbsolutePath().resolveSibling("bench-dead-letters.txt"));
        broker = KafkaBroker.builder(workDir.resolve("kafka")).maxHeap("1g").build().start();
        registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0);
        topics = new Topics(new GreenlineSerdes(Map.of("schema.registry.url", registry.url())));
        createTopics();

        long started = System.nanoTime();
        lineIds = load();
        loadTime = Duration.ofNanos(System.nanoTime() - started);
        loaded = endOffsets(INPUT_TOPICS);
        loadedByPartition = endOffsetsByPartition(INPUT_TOPICS);
        loadedTotal = loaded.values().stream().mapToLong(Long::longValue).sum();
        assertThat(loadedTotal).as("records in the input topics").isEqualTo(EVENTS);
    }

    /**
     * Loads exactly {@code bench.events} events: {@code bench.loaders} producers in parallel, each simulating its own
     * factory copies (copy k, counted from 0, goes to loader k mod loaders; each copy is simulated whole, so the event mix is
     * the simulators' own), in step: every loader finishes a simulated hour before any starts the next, so the
     * partitions see event time advance together as from one plant. Producer batches up to 512 KiB, lz4, 50 ms
     * linger. Returns the simulated line ids.
     */
    private static List<String> load() {
        int loaders = Math.max(1, Math.min(LOADERS, COPIES));
        Map<String, Object> producer = new HashMap<>();
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        producer.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        producer.put(ProducerConfig.LINGER_MS_CONFIG, 50);
        producer.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        producer.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000); // a shared, loaded machine: retry longer than the default 2 min
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        List<Instant> reached = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        SimulatorConfig factory = SimulatorConfig.defaults();
        List<String> suffixes = factory.evenSuffixes(COPIES, PARTITIONS, PipelineThroughputBenchmark::partitionOf);
        Phaser hours = new Phaser(loaders);
        List<Thread> threads = new ArrayList<>();
        for (int l = 0; l < loaders; l++) {
            int loader = l;
            long cap = EVENTS / loaders + (loader < EVENTS % loaders ? 1 : 0);
            Thread t = new Thread(() -> {
                Map<String, Object> config = new HashMap<>(producer);
                config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-loader-" + loader);
                try (KafkaEventSink kafka = KafkaEventSink.connect(config)) {
                    Topics own = new Topics(new GreenlineSerdes(Map.of("schema.registry.url", registry.url())));
                    CappedSink capped = new CappedSink(kafka, cap);
                    FactorySimulation simulation = new FactorySimulation(share(factory, suffixes, loader, loaders), SIM_START, capped, own);
                    long cursor = SIM_START.toEpochMilli();
                    while (!capped.full()) {
                        cursor += Duration.ofHours(1).toMillis();
                        simulation.advanceTo(cursor);
                        if (!capped.full()) {
                            hours.arriveAndAwaitAdvance();
                        }
                    }
                    kafka.flush();
                    assertThat(kafka.failures()).as("send failures (first: %s)", kafka.firstFailure()).isZero();
                    lines.addAll(simulation.lineIds());
                    reached.add(simulation.simulatedTime());
                } catch (Throwable e) {
                    errors.add(e);
                } finally {
                    hours.arriveAndDeregister();
                }
            }, "bench-loader-" + loader);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        assertThat(errors).as("loader failures").isEmpty();
        Instant until = reached.stream().min(Instant::compareTo).orElseThrow();
        simulatedDays = Duration.between(SIM_START, until).toMillis() / 86_400_000.0;
        System.out.printf("bench: loaded %d events with %d producers, simulated up to %s (%.2f days)%n", EVENTS, loaders, until, simulatedDays);
        List<String> sorted = new ArrayList<>(lines);
        Collections.sort(sorted);
        return sorted;
    }

    /** The factory copies that loader {@code index} of {@code count} simulates: copy k goes to loader k mod count. */
    private static SimulatorConfig share(SimulatorConfig factory, List<String> suffixes, int index, int count) {
        List<String> mine = new ArrayList<>();
        for (int k = index; k < suffixes.size(); k += count) {
            mine.add(suffixes.get(k));
        }
        return factory.replicated(mine);
    }

    /** The partition of a String key by Kafka's default partitioner (murmur2 of its UTF-8 bytes). */
    static int partitionOf(String key) {
        return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                key.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % PARTITIONS;
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
    @DisplayName("The full pipeline processes every loaded event; its rate is reported against a raw consumer and a plain Streams app on the same topics")
    void pipelineThroughputAgainstBaselines() throws Exception {
        double loadBefore = BenchResults.loadAverage();
        consume("warm-up", false); // untimed: JIT and page cache
        Rate raw = consume("raw", false);
        Rate avro = consume("avro", true);
        List<Rate> runs = new ArrayList<>();
        if (WARMUP_SECONDS > 0) {
            runStreams("warm-up (untimed)", StreamsConfig.EXACTLY_ONCE_V2, Kind.APP, false, Map.of(), Duration.ofSeconds(WARMUP_SECONDS));
        }
        Rate floor = runStreams("(b2) plain Streams: decode + count/key, exactly_once_v2", StreamsConfig.EXACTLY_ONCE_V2, Kind.FLOOR, false);
        runs.add(floor);
        Rate eos = runStreams("(c) GreenlineTopology exactly_once_v2", StreamsConfig.EXACTLY_ONCE_V2, Kind.APP, true);
        runs.add(eos);
        Rate alos = runStreams("(c) GreenlineTopology at_least_once", StreamsConfig.AT_LEAST_ONCE, Kind.APP, false);
        runs.add(alos);
        Map<String, Rate> ablations = new LinkedHashMap<>();
        for (String ablation : ABLATIONS) {
            Map<String, String> overrides = ABLATION_SETTINGS.get(ablation);
            assertThat(overrides).as("bench.ablations: one of " + ABLATION_SETTINGS.keySet()).isNotNull();
            String label = overrides.isEmpty() ? "(c) GreenlineTopology exactly_once_v2, again" : "(c) GreenlineTopology exactly_once_v2, " + overrides;
            Rate r = runStreams(label, StreamsConfig.EXACTLY_ONCE_V2, Kind.APP, false, overrides);
            ablations.put(ablation, r);
            runs.add(r);
        }
        Map<String, Rate> alone = new LinkedHashMap<>();
        for (String name : ALONE) {
            Kind kind = Kind.valueOf(name.toUpperCase(Locale.ROOT));
            Rate r = runStreams("(c1) " + kind.label + " topology alone, exactly_once_v2", StreamsConfig.EXACTLY_ONCE_V2, kind, false);
            alone.put(name, r);
            runs.add(r);
        }
        double loadAfter = BenchResults.loadAverage();

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Greenline pipeline benchmark, %s%n",
                DateTimeFormatter.ISO_INSTANT.format(Instant.now().atOffset(ZoneOffset.UTC).withNano(0))));
        out.append(String.format(Locale.ROOT, "machine: %d cores (%s %s), JVM %s, max heap %d MiB, load average %.1f before / %.1f after (shared machine: compare ratios)%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20, loadBefore, loadAfter));
        out.append(String.format(Locale.ROOT, "events %d (%s; by partition %s), partitions %d, stream threads %d, factory copies %d (%d lines, %.2f simulated days), load %.1f s with %d producers (untimed)%n",
                loadedTotal, loaded, loadedByPartition, PARTITIONS, THREADS, COPIES, lineIds.size(), simulatedDays, loadTime.toMillis() / 1000.0, LOADERS));
        out.append(String.format(Locale.ROOT, "RocksDB bound %d MiB (%s), memtable per instance %d KiB, planned instances %s; Streams settings: the application's defaults%n",
                ROCKSDB_MEMORY_BYTES >> 20, AppSettings.ROCKSDB_MEMORY_BYTES, BoundedMemoryRocksDBConfig.writeBufferBytes() >> 10,
                AppSettings.DEFAULT_ROCKSDB_STORE_INSTANCES));
        out.append(String.format(Locale.ROOT, "%-58s %9s %8s %8s %8s %8s %9s %6s %7s %6s %9s%n", "run", "records/s", "seconds", "vs (a)",
                "1st 10%", "last 10%", "CPU s/M", "heap", "flush", "rocks", "disk MiB"));
        out.append(String.format(Locale.ROOT, "%-58s %9s %8s %8s %8s %8s %9s %6s %7s %6s %9s%n", "", "", "", "", "rec/s", "rec/s",
                "events", "MiB", "/10k ev", "inst.", ""));
        for (Rate r : List.of(raw, avro)) {
            out.append(String.format(Locale.ROOT, "%-58s %9.0f %8.2f %8.3f %8s %8s %9.1f %6d %7s %6s %9s%n", r.name, r.perSecond(), r.seconds(),
                    r.perSecond() / raw.perSecond(), "", "", r.cpuSecondsPerMillion(), r.peakHeapBytes >> 20, "", "", ""));
        }
        for (Rate r : runs) {
            out.append(String.format(Locale.ROOT, "%-58s %9.0f %8.2f %8.3f %8.0f %8.0f %9.1f %6d %7.1f %6d %9.1f%n", r.name, r.perSecond(), r.seconds(),
                    r.perSecond() / raw.perSecond(), r.firstTenthPerSecond(), r.lastTenthPerSecond(), r.cpuSecondsPerMillion(),
                    r.peakHeapBytes >> 20, r.flushesPer10k(), r.rocksInstances, r.diskBytes / 1048576.0));
        }
        out.append(String.format(Locale.ROOT, "ratios (same run): app exactly_once_v2 / floor (b2) = %.3f (target >= 0.25); exactly_once_v2 / at_least_once = %.3f (target >= 0.8); "
                        + "last tenth / first tenth (exactly_once_v2) = %.3f (target >= 0.8); (b2) / (a) = %.3f%n",
                eos.perSecond() / floor.perSecond(), eos.perSecond() / alos.perSecond(), eos.lastTenthPerSecond() / eos.firstTenthPerSecond(),
                floor.perSecond() / raw.perSecond()));
        for (Rate r : List.of(eos, alos)) {
            out.append(String.format(Locale.ROOT, "%s: drained %.1f s after its input was committed; %.0f records/s until drained%n",
                    r.name.replace("(c) GreenlineTopology ", ""), r.drainSeconds(), r.drainedPerSecond()));
        }
        for (Rate r : runs) {
            if (r.name.startsWith("(c) ")) {
                out.append(String.format(Locale.ROOT, "dead letters (mfg.dlq, by reason and source topic) of %s: %d %s%n", r.name.replace("(c) GreenlineTopology ", ""),
                        r.deadLetterCount(), r.deadLetters));
            }
        }
        for (Rate r : List.of(eos, alos)) {
            out.append(String.format(Locale.ROOT, "by tenth of the input, %s: records/s %s; CPU s per million events %s, of which its stream threads %s%n",
                    r.name.replaceAll(",.*", "").replace("(c) GreenlineTopology ", ""), tenths(r.tenthRates(), "%.0f"),
                    tenths(r.tenthCpuPerMillion(), "%.1f"), tenths(r.tenthStreamCpuPerMillion(), "%.1f")));
            out.append(String.format(Locale.ROOT, "input by partition number, %s: share committed when the last tenth began %s; "
                            + "all committed at s after RUNNING %s (the run: %.1f s)%n",
                    r.name.replace("(c) GreenlineTopology ", ""), byPartition(r.partitionShareAtLastTenth(), "%.3f"),
                    byPartition(r.partitionDoneSeconds(), "%.1f"), r.seconds()));
        }
        double diskPerLineDay = eos.diskBytes / (double) lineIds.size() / simulatedDays;
        out.append(String.format(Locale.ROOT, "RocksDB on disk after the exactly_once_v2 run: %.0f bytes per line per simulated day (%d lines, %.2f days); flushes by reason %s%n",
                diskPerLineDay, lineIds.size(), simulatedDays, eos.flushesByReason));
        out.append(String.format(Locale.ROOT, "flushes by store and reason (exactly_once_v2 run, most first): %s%n", mostFirst(eos.flushesByStore)));
        out.append(String.format(Locale.ROOT, "memtables at their peak (cur-size-all-mem-tables, all stores): exactly_once_v2 %.1f MiB, at_least_once %.1f MiB,"
                        + " of a write-buffer budget of %.1f MiB (memtable per instance %d KiB)%n", eos.peakMemtableBytes / 1048576.0,
                alos.peakMemtableBytes / 1048576.0, BoundedMemoryRocksDBConfig.writeBufferBudgetBytes() / 1048576.0,
                BoundedMemoryRocksDBConfig.writeBufferBytes() >> 10));
        for (Rate r : List.of(eos, alos)) {
            out.append(String.format(Locale.ROOT, "offsets written per input event (records, and transaction markers under exactly_once_v2), %s: "
                            + "%.2f (changelogs %.2f, repartition %.2f, outputs %.2f); by topic, most first: %s%n",
                    r.name.replace("(c) GreenlineTopology ", ""), r.writtenPerEvent(""), r.writtenPerEvent("-changelog"),
                    r.writtenPerEvent("-repartition"), r.outputsWrittenPerEvent(), mostFirst(r.written)));
        }
        out.append(String.format(Locale.ROOT, "start to RUNNING (not in the rates): %s%n",
                runs.stream().map(r -> String.format(Locale.ROOT, "%s %.1f s", r.name.replaceAll(",.*", ""), r.startupSeconds)).collect(Collectors.joining("; "))));
        out.append(latencies);

        String table = out.toString();
        System.out.println(table);
        Files.createDirectories(RESULTS.toAbsolutePath().getParent());
        Files.writeString(RESULTS, table);

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("timestamp", Instant.now().toString());
        json.put("machine", Runtime.getRuntime().availableProcessors() + " cores, shared with other builds");
        json.put("load_average_before", loadBefore);
        json.put("load_average_after", loadAfter);
        json.put("events", loadedTotal);
        json.put("partitions", PARTITIONS);
        json.put("events_by_partition", loadedByPartition);
        json.put("stream_threads", THREADS);
        json.put("lines", lineIds.size());
        json.put("simulated_days", simulatedDays);
        json.put("load_seconds", loadTime.toMillis() / 1000.0);
        json.put("rocksdb_memory_bytes", ROCKSDB_MEMORY_BYTES);
        json.put("raw_rps", raw.perSecond());
        json.put("avro_rps", avro.perSecond());
        json.put("streams_floor_eos_rps", floor.perSecond());
        json.put("app_alos_rps", alos.perSecond());
        json.put("app_eos_rps", eos.perSecond());
        alone.forEach((name, r) -> json.put(name + "_alone_eos_rps", r.perSecond()));
        ablations.forEach((name, r) -> {
            json.put("app_eos_" + name + "_rps", r.perSecond());
            json.put("app_eos_" + name + "_flushes_per_10k_events", r.flushesPer10k());
            json.put("app_eos_" + name + "_dead_letters", r.deadLetterCount());
        });
        json.put("app_eos_dead_letters", eos.deadLetterCount());
        json.put("app_eos_dead_letters_by_reason", eos.deadLetters.toString());
        json.put("app_alos_dead_letters", alos.deadLetterCount());
        json.put("app_alos_dead_letters_by_reason", alos.deadLetters.toString());
        json.put("first_tenth_rps", eos.firstTenthPerSecond());
        json.put("last_tenth_rps", eos.lastTenthPerSecond());
        json.put("app_eos_drain_seconds", eos.drainSeconds());
        json.put("app_eos_drained_rps", eos.drainedPerSecond());
        json.put("app_alos_drain_seconds", alos.drainSeconds());
        json.put("app_alos_drained_rps", alos.drainedPerSecond());
        json.put("tenths_rps", tenths(eos.tenthRates(), "%.0f"));
        json.put("tenths_cpu_seconds_per_million_events", tenths(eos.tenthCpuPerMillion(), "%.1f"));
        json.put("tenths_stream_thread_cpu_seconds_per_million_events", tenths(eos.tenthStreamCpuPerMillion(), "%.1f"));
        json.put("partition_share_at_last_tenth", byPartition(eos.partitionShareAtLastTenth(), "%.3f"));
        json.put("partition_done_seconds", byPartition(eos.partitionDoneSeconds(), "%.1f"));
        json.put("app_alos_first_tenth_rps", alos.firstTenthPerSecond());
        json.put("app_alos_last_tenth_rps", alos.lastTenthPerSecond());
        json.put("eos_over_floor", eos.perSecond() / floor.perSecond());
        json.put("eos_over_alos", eos.perSecond() / alos.perSecond());
        json.put("last_over_first_tenth", eos.lastTenthPerSecond() / eos.firstTenthPerSecond());
        json.put("cpu_seconds_per_million_events", eos.cpuSecondsPerMillion());
        json.put("app_alos_cpu_seconds_per_million_events", alos.cpuSecondsPerMillion());
        json.put("floor_cpu_seconds_per_million_events", floor.cpuSecondsPerMillion());
        json.put("peak_heap_mib", eos.peakHeapBytes >> 20);
        json.put("rocksdb_bytes_per_line_per_day", diskPerLineDay);
        json.put("flushes_per_10k_events", eos.flushesPer10k());
        json.put("app_alos_flushes_per_10k_events", alos.flushesPer10k());
        json.put("flushes_by_reason", eos.flushesByReason.toString());
        json.put("peak_memtable_bytes", eos.peakMemtableBytes);
        json.put("app_alos_peak_memtable_bytes", alos.peakMemtableBytes);
        json.put("flushes_by_store", mostFirst(eos.flushesByStore));
        json.put("rocksdb_instances", eos.rocksInstances);
        json.put("memtable_bytes_per_instance", BoundedMemoryRocksDBConfig.writeBufferBytes());
        json.put("app_eos_startup_seconds", eos.startupSeconds);
        json.put("written_per_event", eos.writtenPerEvent(""));
        json.put("changelog_written_per_event", eos.writtenPerEvent("-changelog"));
        json.put("repartition_written_per_event", eos.writtenPerEvent("-repartition"));
        json.put("outputs_written_per_event", eos.outputsWrittenPerEvent());
        json.put("app_alos_written_per_event", alos.writtenPerEvent(""));
        json.put("written_by_topic", mostFirst(eos.written));
        json.putAll(latencyFields);
        BenchResults.merge(json);

        for (Rate r : List.of(raw, avro)) {
            assertThat(r.records).as(r.name + " records").isEqualTo(loadedTotal);
        }
        for (Rate r : runs) {
            assertThat(r.records).as(r.name + " records").isPositive();
            assertThat(r.perSecond()).as(r.name + " rate").isPositive();
        }
        assertThat(floor.records).as("the floor reads every input record").isEqualTo(loadedTotal);
        assertThat(eos.records).as("the application reads every input record").isEqualTo(loadedTotal);
        assertThat(alos.records).as("the application reads every input record").isEqualTo(loadedTotal);
    }

    private static String latencies = "";
    private static final Map<String, Object> latencyFields = new LinkedHashMap<>();

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
        long cpuStarted = processCpuNanos();
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
                + ("warm-up".equals(name) ? " warm-up" : ""), records, elapsed, peakHeap(), 0, (processCpuNanos() - cpuStarted) / 1e9,
                Double.NaN, Double.NaN, new double[0], new double[0], new double[0], Double.NaN, 0, Map.of(), Map.of(), 0, 0, 0, Map.of(),
                Map.of(), Map.of(), Map.of());
    }

    // ---- (b2), (c), (c1): Kafka Streams runs, (d) query latency ----

    /** What a Streams run executes. */
    enum Kind {
        FLOOR("plain Streams"), APP("GreenlineTopology"), OEE("OEE"), QUALITY("quality"), CARBON("carbon");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private static Rate runStreams(String name, String guarantee, Kind kind, boolean measureQueries) throws Exception {
        return runStreams(name, guarantee, kind, measureQueries, Map.of(), null);
    }

    private static Rate runStreams(String name, String guarantee, Kind kind, boolean measureQueries, Map<String, String> overrides)
            throws Exception {
        return runStreams(name, guarantee, kind, measureQueries, overrides, null);
    }

    /** One Streams run until every input record is committed, or for at most {@code limit} after RUNNING (a warm-up). */
    private static Rate runStreams(String name, String guarantee, Kind kind, boolean measureQueries, Map<String, String> overrides,
                                   Duration limit) throws Exception {
        Map<String, Long> outputsBefore = clearOutputs();
        String applicationId = "bench-" + kind.name().toLowerCase(Locale.ROOT) + "-" + guarantee.replace('_', '-') + "-" + System.currentTimeMillis();
        int port = freePort();
        Path stateDir = workDir.resolve("state-" + applicationId);
        Map<String, String> props = new HashMap<>();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put("schema.registry.url", registry.url());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(THREADS));
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "0");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        props.put(AppSettings.HTTP_PORT, String.valueOf(port));
        props.put(AppSettings.ROCKSDB_MEMORY_BYTES, String.valueOf(ROCKSDB_MEMORY_BYTES));
        // every other Streams setting (commit interval, record caches, producer batching) is the application's default
        props.putAll(overrides);
        AppSettings settings = AppSettings.of(props);
        Topics appTopics = new Topics(settings.serdes());
        Topology topology = switch (kind) {
            case FLOOR -> floorTopology(appTopics, settings);
            case APP -> GreenlineTopology.build(appTopics, settings);
            case OEE -> alone(settings, b -> OeeTopology.addTo(b, appTopics, OeeSettings.from(settings.all())));
            case QUALITY -> alone(settings, b -> QualityTopology.addTo(b, appTopics, QualitySettings.fromConfig(settings.all())));
            case CARBON -> alone(settings, b -> CarbonLedgerTopology.addTo(b, appTopics, CarbonSettings.from(settings.all())));
        };
        Set<String> globalTopics = new HashSet<>();
        for (TopologyDescription.GlobalStore store : topology.describe().globalStores()) {
            globalTopics.addAll(store.source().topicSet());
        }
        Set<String> sources = new HashSet<>();
        for (TopologyDescription.Subtopology sub : topology.describe().subtopologies()) {
            for (TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
                    sources.addAll(source.topicSet());
                }
            }
        }
        List<String> grouped = INPUT_TOPICS.stream().filter(sources::contains).toList();
        long globalRecords = globalTopics.stream().filter(loaded::containsKey).mapToLong(loaded::get).sum();

        resetPeakHeap();
        long flushesBefore = BoundedMemoryRocksDBConfig.flushes();
        Map<FlushReason, Long> reasonsBefore = BoundedMemoryRocksDBConfig.flushesByReason();
        Map<String, Long> storesBefore = BoundedMemoryRocksDBConfig.flushesByStoreAndReason();
        long created = System.nanoTime();
        GreenlineApp app = kind == Kind.APP ? new GreenlineApp(settings, topology).start() : null;
        KafkaStreams streams = app != null ? app.streams() : new KafkaStreams(topology, settings.streamsProperties());
        if (app == null) {
            streams.start();
        }
        try {
            long running = 0;
            long cpuAtRunning = 0;
            long deadline = created + PROCESS_TIMEOUT.toNanos();
            long committed = 0;
            long nextReport = created;
            long groupTotal = grouped.stream().mapToLong(loaded::get).sum();
            // each partition number's input (its tasks'), when it was all committed, and how far each was when the
            // last tenth began: says whether the last tenth is one thread finishing its partitions alone
            Map<Integer, Long> partitionTotals = new TreeMap<>();
            partitionEndOffsets(grouped).forEach((tp, offset) -> partitionTotals.merge(tp.partition(), offset, Long::sum));
            Map<Integer, Double> partitionDoneSeconds = new TreeMap<>();
            Map<Integer, Double> partitionShareAtLastTenth = new TreeMap<>();
            // when the committed input first reached k tenths of the total (k = 0: RUNNING; k = 10: the end), and the
            // process CPU then: the rate and the CPU per event of each tenth
            long[] tenthAt = new long[11];
            long[] tenthCommitted = new long[11];
            long[] tenthCpu = new long[11];
            long[] tenthStreamCpu = new long[11];
            int tenthsReached = 0;
            int peakInstances = 0;
            long peakMemtableBytes = 0;
            MemtableGauge memtables = new MemtableGauge(streams);
            try (Admin admin = admin()) {
                while (true) {
                    long now = System.nanoTime();
                    if (running == 0 && streams.state() == KafkaStreams.State.RUNNING) {
                        running = now;
                        cpuAtRunning = processCpuNanos();
                        tenthAt[0] = running;
                        tenthCpu[0] = cpuAtRunning;
                        tenthStreamCpu[0] = streamThreadCpuNanos(applicationId);
                    }
                    Map<Integer, Long> byPartition = GroupOffsets.committedByPartition(admin, applicationId, grouped);
                    committed = byPartition.values().stream().mapToLong(Long::longValue).sum();
                    if (running != 0) {
                        for (Map.Entry<Integer, Long> total : partitionTotals.entrySet()) {
                            if (byPartition.getOrDefault(total.getKey(), 0L) >= total.getValue()) {
                                partitionDoneSeconds.putIfAbsent(total.getKey(), (now - running) / 1e9);
                            }
                        }
                    }
                    peakInstances = Math.max(peakInstances, BoundedMemoryRocksDBConfig.openInstances());
                    peakMemtableBytes = Math.max(peakMemtableBytes, memtables.bytes(now));
                    while (running != 0 && tenthsReached < 9 && committed >= groupTotal * (tenthsReached + 1) / 10) {
                        tenthsReached++;
                        if (tenthsReached == 9) {
                            partitionTotals.forEach((partition, total) -> partitionShareAtLastTenth.put(partition,
                                    total == 0 ? 1.0 : byPartition.getOrDefault(partition, 0L) / (double) total));
                        }
                        tenthAt[tenthsReached] = now;
                        tenthCommitted[tenthsReached] = committed;
                        tenthCpu[tenthsReached] = processCpuNanos();
                        tenthStreamCpu[tenthsReached] = streamThreadCpuNanos(applicationId);
                    }
                    if (committed >= groupTotal && running != 0) {
                        break;
                    }
                    if (limit != null && running != 0 && now - running >= limit.toNanos()) {
                        break;
                    }
                    assertThat(streams.state()).as("streams state").isNotIn(KafkaStreams.State.ERROR, KafkaStreams.State.NOT_RUNNING);
                    assertThat(now).as("processing finished within " + PROCESS_TIMEOUT + " (committed " + committed + " of " + groupTotal + ")")
                            .isLessThan(deadline);
                    if (now >= nextReport) {
                        nextReport = now + Duration.ofSeconds(10).toNanos();
                        System.out.printf("bench: %s committed %d of %d%n", name, committed, groupTotal);
                    }
                    sleepQuietly(200);
                }
            }
            long end = System.nanoTime();
            long cpu = processCpuNanos() - cpuAtRunning;
            long streamCpuAtEnd = streamThreadCpuNanos(applicationId);
            double drainSeconds = Double.NaN;
            Map<String, Long> deadLetters = Map.of();
            Map<String, Long> written = Map.of();
            if (kind == Kind.APP && limit == null) {
                // the work the inputs caused downstream (carbon ledger, roll-ups, alerts) still queued in repartition
                // topics and read-back outputs when the last input offset was committed
                try (Admin admin = admin()) {
                    drainSeconds = GroupOffsets.drain(admin, applicationId, Duration.ofMinutes(10));
                }
                System.out.printf("bench: %s drained %.1f s after its input%n", name, drainSeconds);
                deadLetters = deadLettersByReason(applicationId);
                written = written(applicationId, outputsBefore);
            }
            Duration elapsed = Duration.ofNanos(end - running);
            long records = committed + globalRecords;
            tenthAt[10] = end;
            tenthCommitted[10] = committed;
            tenthCpu[10] = cpu + cpuAtRunning;
            tenthStreamCpu[10] = streamCpuAtEnd;
            double[] tenthRates = new double[10];
            double[] tenthCpuPerMillion = new double[10];
            double[] tenthStreamCpuPerMillion = new double[10];
            for (int k = 1; k <= 10; k++) {
                long n = tenthCommitted[k] - tenthCommitted[k - 1];
                // NaN when one commit crossed a whole tenth (too short a run to tell) or the run stopped before it
                boolean measured = (k < 10 ? k <= tenthsReached : tenthsReached == 9) && n > 0 && tenthAt[k] > tenthAt[k - 1];
                tenthRates[k - 1] = measured ? n / ((tenthAt[k] - tenthAt[k - 1]) / 1e9) : Double.NaN;
                tenthCpuPerMillion[k - 1] = measured ? (tenthCpu[k] - tenthCpu[k - 1]) / 1e9 / n * 1e6 : Double.NaN;
                tenthStreamCpuPerMillion[k - 1] = measured ? (tenthStreamCpu[k] - tenthStreamCpu[k - 1]) / 1e9 / n * 1e6 : Double.NaN;
            }
            double firstTenth = tenthRates[0];
            double lastTenth = tenthRates[9];
            Map<FlushReason, Long> reasons = new TreeMap<>(BoundedMemoryRocksDBConfig.flushesByReason());
            reasonsBefore.forEach((reason, count) -> reasons.computeIfPresent(reason, (r, c) -> c - count == 0 ? null : c - count));
            Map<String, Long> byStore = new TreeMap<>(BoundedMemoryRocksDBConfig.flushesByStoreAndReason());
            storesBefore.forEach((store, count) -> byStore.computeIfPresent(store, (st, c) -> c - count == 0 ? null : c - count));
            Rate rate = new Rate(name, records, elapsed, peakHeap(), (running - created) / 1e9, cpu / 1e9, firstTenth, lastTenth,
                    tenthRates, tenthCpuPerMillion, tenthStreamCpuPerMillion, drainSeconds,
                    BoundedMemoryRocksDBConfig.flushes() - flushesBefore, reasons, byStore, peakInstances, directoryBytes(stateDir),
                    peakMemtableBytes, deadLetters, partitionDoneSeconds, partitionShareAtLastTenth, written);
            if (measureQueries && app != null) {
                latencies = queryLatencies(port);
            }
            return rate;
        } finally {
            if (app != null) {
                app.close();
            } else {
                streams.close(Duration.ofSeconds(60));
            }
        }
    }

    /**
     * One topology of the application, alone, in the application's builder (record caches on its stores), aligned as
     * the application aligns it ({@code InputStreams.align}: windows final against each line's aligned frontier, the
     * carbon ledger's input in event-time order per site).
     */
    private static Topology alone(AppSettings settings, java.util.function.Consumer<StreamsBuilder> topology) {
        StreamsBuilder builder = new CachedStoresBuilder();
        io.greenline.streams.InputStreams.align(builder);
        topology.accept(builder);
        return builder.build(settings.streamsProperties());
    }

    /**
     * (b2) the framework's floor: every input topic decoded with Greenline's serdes (as the topologies consume it)
     * and counted per key in a persistent key-value store of its own, in the application's builder.
     */
    private static Topology floorTopology(Topics appTopics, AppSettings settings) {
        StreamsBuilder builder = new CachedStoresBuilder();
        for (Topic<String, ? extends SpecificRecord> topic : List.of(appTopics.machineState, appTopics.productionCount, appTopics.inspection,
                appTopics.energy, appTopics.batch, appTopics.lineConfig, appTopics.emissionFactors)) {
            addCount(builder, topic);
        }
        return builder.build(settings.streamsProperties());
    }

    private static <V extends SpecificRecord> void addCount(StreamsBuilder builder, Topic<String, V> topic) {
        String store = "bench-floor-count-" + topic.name().replace('.', '-');
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(), Serdes.Long()));
        builder.stream(topic.name(), topic.consumed())
                .process(() -> new CountPerKey<V>(store), Named.as(store + "-processor"), store);
    }

    /** Counts the records of each key (the value is decoded by the source's serde, then only checked for null). */
    private static final class CountPerKey<V> implements Processor<String, V, Void, Void> {
        private final String storeName;
        private KeyValueStore<String, Long> counts;

        CountPerKey(String storeName) {
            this.storeName = storeName;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            counts = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, V> record) {
            if (record.value() == null) {
                return;
            }
            String key = record.key() == null ? "" : record.key();
            Long count = counts.get(key);
            counts.put(key, count == null ? 1L : count + 1);
        }
    }

    /**
     * CPU time of the live stream threads of {@code applicationId} (Java threads named {@code <id>-<uuid>-StreamThread-n}):
     * the processing itself, without RocksDB's native compaction and flush threads, GC, the producers' I/O threads or the broker.
     */
    private static long streamThreadCpuNanos(String applicationId) {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(applicationId) && t.getName().contains("-StreamThread-")) {
                sum += Math.max(0, threads.getThreadCpuTime(t.getId()));
            }
        }
        return sum;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Bytes of every file under {@code dir} (0 when it does not exist). */
    private static long directoryBytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0; // a file removed while walking (compaction)
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return directoryBytes(dir); // the tree changed under the walk: walk again
        }
    }

    /** Sum over the input partitions of the group's committed offsets (0 where none yet). */
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
        latencyFields.put("oee_query_p50_ms", ms(pct(oee, 50)));
        latencyFields.put("oee_query_p99_ms", ms(pct(oee, 99)));
        latencyFields.put("live_p50_ms", ms(pct(live, 50)));
        latencyFields.put("live_p99_ms", ms(pct(live, 99)));
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
                // compact,delete with no time limit keeps what compaction keeps and allows deleteRecords (clearOutputs)
                topic.configs(spec.compacted() ? Map.of("cleanup.policy", "compact,delete", "retention.ms", "-1") : Map.of("retention.ms", "-1"));
                create.add(topic);
            }
            admin.createTopics(create).all().get();
            // a loaded machine can take seconds to elect the new partitions' leaders; an idempotent producer that
            // starts before can end up retrying OUT_OF_ORDER_SEQUENCE_NUMBER for minutes: load only once all have one
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            List<String> names = TopicNames.ALL.stream().map(TopicNames.TopicSpec::name).toList();
            while (admin.describeTopics(names).allTopicNames().get().values().stream()
                    .flatMap(d -> d.partitions().stream()).anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
                assertThat(System.nanoTime()).as("every partition has a leader within 2 minutes").isLessThan(deadline);
                sleepQuietly(200);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Empties the application's output topics (deleteRecords to their end), before each Streams run: the application
     * reads some of its own outputs (mfg.oee, mfg.quality, mfg.line-energy, mfg.batch-footprint feed the alerts and
     * the roll-ups), and each run starts from the earliest offset with a fresh application.id, so without this a run
     * would also process every earlier run's output. Returns their end offsets by topic, where the run's own writes
     * begin.
     */
    private static Map<String, Long> clearOutputs() {
        Map<TopicPartition, org.apache.kafka.clients.admin.RecordsToDelete> delete = new HashMap<>();
        Map<String, Long> ends = new TreeMap<>();
        partitionEndOffsets(outputTopics()).forEach((tp, end) -> {
            ends.merge(tp.topic(), end, Long::sum);
            if (end > 0) {
                delete.put(tp, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(end));
            }
        });
        try (Admin admin = admin()) {
            admin.deleteRecords(delete).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return ends;
    }

    private static List<String> outputTopics() {
        return TopicNames.ALL.stream().map(TopicNames.TopicSpec::name)
                .filter(n -> !INPUT_TOPICS.contains(n) && !n.equals(TopicNames.SCHEMAS)).toList();
    }

    /**
     * The offsets a run wrote, by topic: its changelog and repartition topics (named after its application id, the
     * prefix dropped) and the output topics (less their end offsets before the run). Under exactly_once_v2 an offset
     * is a record or a transaction marker (one per partition written in each transaction): either is a write the
     * broker, on the same two cores, makes and the producer sends.
     */
    private static Map<String, Long> written(String applicationId, Map<String, Long> outputsBefore) {
        List<String> names = new ArrayList<>(outputTopics());
        try (Admin admin = admin()) {
            admin.listTopics().names().get().stream().filter(n -> n.startsWith(applicationId + "-")).forEach(names::add);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<String, Long> written = new TreeMap<>();
        endOffsets(names).forEach((topic, end) -> {
            long n = end - outputsBefore.getOrDefault(topic, 0L);
            if (n > 0) {
                written.put(topic.startsWith(applicationId + "-") ? topic.substring(applicationId.length() + 1) : topic, n);
            }
        });
        return written;
    }

    private static Map<String, Long> endOffsets(List<String> names) {
        Map<String, Long> totals = new TreeMap<>();
        partitionEndOffsets(names).forEach((tp, offset) -> totals.merge(tp.topic(), offset, Long::sum));
        return totals;
    }

    /** Records of the input topics by partition number (the global topic's too: it has one partition). */
    private static Map<Integer, Long> endOffsetsByPartition(List<String> names) {
        Map<Integer, Long> totals = new TreeMap<>();
        partitionEndOffsets(names).forEach((tp, offset) -> totals.merge(tp.partition(), offset, Long::sum));
        return totals;
    }

    private static Map<TopicPartition, Long> partitionEndOffsets(List<String> names) {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(names).allTopicNames().get().forEach((name, description) ->
                    description.partitions().forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listOffsets(request).all().get().forEach((tp, info) -> offsets.put(tp, info.offset()));
            return offsets;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * What the run just finished sent to {@code mfg.dlq}, by reason and source topic, committed records only: the
     * outputs were emptied before the run, so this is the run's own. A setting that makes the application faster by
     * refusing events (LATE, ...) shows here. Every one is also written to {@code target/bench-dead-letters.txt}
     * (appended per run: application id, reason, source topic, partition, offset, message), to see what each refused.
     */
    private static Map<String, Long> deadLettersByReason(String applicationId) throws IOException {
        Map<String, Long> byReason = new TreeMap<>();
        Path dump = RESULTS.toAbsolutePath().resolveSibling("bench-dead-letters.txt");
        Files.createDirectories(dump.getParent());
        Map<TopicPartition, Long> ends = partitionEndOffsets(List.of(TopicNames.DLQ));
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             java.io.BufferedWriter out = Files.newBufferedWriter(dump, java.nio.charset.StandardCharsets.UTF_8,
                     java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
            consumer.assign(ends.keySet());
            consumer.seekToBeginning(ends.keySet());
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            // read_committed stops at the last stable offset: the run is drained, so no transaction is open there
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                assertThat(System.nanoTime()).as("mfg.dlq read to its end within 2 minutes").isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    // an internal topic without the run's application id, so runs compare
                    String key = DeadLetters.headerOrUnknown(r, DeadLetterHandler.HEADER_REASON) + " "
                            + DeadLetters.headerOrUnknown(r, DeadLetterHandler.HEADER_SOURCE_TOPIC).replace(applicationId + "-", "");
                    String message = DeadLetters.header(r, DeadLetterHandler.HEADER_EXCEPTION_MESSAGE);
                    if (byReason.merge(key, 1L, Long::sum) == 1L) {
                        System.out.printf("bench: first dead letter %s: %s%n", key, message);
                    }
                    out.write(String.join("\t", applicationId, key.replace(' ', '\t'),
                            DeadLetters.headerOrUnknown(r, DeadLetterHandler.HEADER_SOURCE_PARTITION),
                            DeadLetters.headerOrUnknown(r, DeadLetterHandler.HEADER_SOURCE_OFFSET), String.valueOf(message)));
                    out.newLine();
                }
            }
        }
        return byReason;
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
    /** Counts by name, largest first, as {@code name=count, ...}. */
    private static String mostFirst(Map<String, Long> counts) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    /**
     * Bytes in the memtables of every RocksDB instance of {@code streams} now (active and not yet flushed), from Kafka
     * Streams' RocksDB property metrics ({@code cur-size-all-mem-tables}, one per store and task, segments summed):
     * what the memtables take of the write-buffer manager's budget. The metrics are looked up again every 5 s only (stores and segments open and close), and their values read at every sample:
     * {@code KafkaStreams.metrics()} copies every metric of the application into a new map, and called every 200 ms
     * it took 8 % of the benchmark JVM's CPU samples in a JFR of a whole-application run (session 15), CPU the
     * application under measurement then did not have.
     */
    static final class MemtableGauge {
        private static final long REFRESH_NANOS = Duration.ofSeconds(5).toNanos();
        private final KafkaStreams streams;
        private List<org.apache.kafka.common.Metric> metrics = List.of();
        private long refreshedAt;
        private boolean refreshed;

        MemtableGauge(KafkaStreams streams) {
            this.streams = streams;
        }

        long bytes(long nowNanos) {
            if (!refreshed || nowNanos - refreshedAt >= REFRESH_NANOS) {
                metrics = streams.metrics().entrySet().stream().filter(e -> e.getKey().name().equals("cur-size-all-mem-tables"))
                        .map(e -> (org.apache.kafka.common.Metric) e.getValue()).toList();
                refreshedAt = nowNanos;
                refreshed = true;
            }
            long sum = 0;
            for (org.apache.kafka.common.Metric m : metrics) {
                try {
                    if (m.metricValue() instanceof Number n) {
                        sum += n.longValue();
                    }
                } catch (RuntimeException closedSinceTheLookup) {
                    // a store (segment) closed since the metrics were looked up: it holds no memtable
                }
            }
            return sum;
        }
    }

    private static long peakHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }

    /** One measured run; the Streams-only figures are NaN or 0 for the plain consumers. */
    record Rate(String name, long records, Duration elapsed, long peakHeapBytes, double startupSeconds, double cpuSeconds,
                double firstTenthPerSecond, double lastTenthPerSecond, double[] tenthRates, double[] tenthCpuPerMillion, double[] tenthStreamCpuPerMillion, double drainSeconds,
                long flushes, Map<FlushReason, Long> flushesByReason,
                Map<String, Long> flushesByStore,
                int rocksInstances, long diskBytes, long peakMemtableBytes, Map<String, Long> deadLetters,
                Map<Integer, Double> partitionDoneSeconds, Map<Integer, Double> partitionShareAtLastTenth,
                Map<String, Long> written) {
        double seconds() {
            return elapsed.toNanos() / 1e9;
        }

        double perSecond() {
            return records / seconds();
        }

        double cpuSecondsPerMillion() {
            return cpuSeconds / records * 1e6;
        }

        long deadLetterCount() {
            return deadLetters.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Records per second until the whole application drained (NaN when not measured). */
        double drainedPerSecond() {
            return records / (seconds() + drainSeconds);
        }

        double flushesPer10k() {
            return flushes * 10_000.0 / records;
        }

        /** Offsets written to the topics whose names end with {@code suffix} (all with ""), per input event. */
        double writtenPerEvent(String suffix) {
            return written.entrySet().stream().filter(e -> e.getKey().endsWith(suffix)).mapToLong(Map.Entry::getValue).sum()
                    / (double) records;
        }

        /** The same for the output topics: neither a changelog nor a repartition topic. */
        double outputsWrittenPerEvent() {
            return writtenPerEvent("") - writtenPerEvent("-changelog") - writtenPerEvent("-repartition");
        }
    }

    /** A figure by partition number as {@code {0=a, 1=b, ...}}. */
    private static String byPartition(Map<Integer, Double> values, String format) {
        return values.entrySet().stream().map(e -> e.getKey() + "=" + String.format(Locale.ROOT, format, e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    /** A tenth-by-tenth figure as {@code [a, b, ...]}. */
    private static String tenths(double[] values, String format) {
        return Arrays.stream(values).mapToObj(v -> Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "n/a")
                .collect(Collectors.joining(", ", "[", "]"));
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

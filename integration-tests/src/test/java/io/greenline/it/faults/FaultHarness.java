package io.greenline.it.faults;

import io.greenline.events.BatchFootprint;
import io.greenline.events.OeeWindow;
import io.greenline.events.QualityWindow;
import io.greenline.it.support.DeadLetters;
import io.greenline.local.GreenlineCli;
import io.greenline.local.kafka.BrokerClasspath;
import io.greenline.local.kafka.KafkaBroker;
import io.greenline.local.registry.EmbeddedSchemaRegistry;
import io.greenline.schemas.Topic;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.errors.DeadLetterHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A fault-injection run: a child-JVM Kafka broker, the embedded schema registry (HTTP, so separate processes share
 * it), every Greenline topic, and the streams app as separate JVM processes ({@code greenline streams}, the CLI's
 * own main class) that can be killed with SIGKILL ({@link Process#destroyForcibly()}) and started again on the same
 * state directory. It produces a recorded {@link EventLog} (and raw bad records), waits until the application has
 * consumed everything, and reads back every record of the output topics with {@code read_committed}.
 */
final class FaultHarness implements AutoCloseable {

    static final int PARTITIONS = 2;
    static final String APPLICATION_ID = "greenline-faults";

    final Path dir;
    /** When the run began (System.nanoTime), for its wall-clock time. */
    final long startedNanos = System.nanoTime();
    /** One child-JVM broker, or null when {@link #cluster} runs. */
    final KafkaBroker broker;
    /** Three child-JVM brokers (replication 3, min.insync.replicas 2), or null. */
    final io.greenline.local.kafka.KafkaCluster cluster;
    final String bootstrap;
    private final short replication;
    EmbeddedSchemaRegistry registry;
    private final int registryPort;
    /** The registry's URL, the same across a stop and start. */
    final String registryUrl;
    final Topics topics;
    private final KafkaProducer<byte[], byte[]> producer;
    private final List<AppProcess> apps = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicReference<Exception> sendFailure = new java.util.concurrent.atomic.AtomicReference<>();
    private final Map<String, Topic<String, ?>> inputTopics;
    private int maxBacklog;
    private int sentSincePace;
    /** How often sending waited for the application ({@link #boundBacklog}). */
    int paceWaits;

    /** One instance of the streams app in its own JVM. */
    final class AppProcess {
        final String name;
        final int httpPort;
        final Path stateDir;
        Process process;
        int starts;

        AppProcess(String name) {
            this.name = name;
            this.httpPort = freePort();
            this.stateDir = dir.resolve(name + "-state");
        }

        AppProcess start() {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:+UseSerialGC", "-cp", BrokerClasspath.resolve(),
                    GreenlineCli.class.getName(), "streams",
                    "--bootstrap-servers", bootstrap,
                    "--schema-registry-url", registryUrl,
                    "--application-id", APPLICATION_ID,
                    "--http-port", String.valueOf(httpPort),
                    "--state-dir", stateDir.toString(),
                    "--processing-guarantee", "exactly_once_v2",
                    "--standby-replicas", "0"));
            Map<String, String> sets = new HashMap<>(OracleAgainstTopologyTest.checkedSettings());
            sets.put("commit.interval.ms", "200");
            sets.put("consumer.session.timeout.ms", "10000");
            sets.put("consumer.heartbeat.interval.ms", "1000");
            sets.put("greenline.rocksdb.memory.bytes", String.valueOf(32L * 1024 * 1024));
            sets.put("carbon.factor-recheck-interval", "PT20S");
            if (replication > 1) {
                sets.put("replication.factor", String.valueOf(replication));
                sets.put("topic.min.insync.replicas", "2");
            }
            sets.forEach((k, v) -> {
                command.add("-D");
                command.add(k + "=" + v);
            });
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile())).start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            starts++;
            return this;
        }

        /** SIGKILL: no shutdown hook, no commit, an open transaction left to be fenced or to time out. */
        void kill9() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        void stop() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    FaultHarness(String scenario) throws IOException {
        this(scenario, 1);
    }

    /** A run on one broker, or on a three-broker cluster ({@code brokers = 3}). */
    FaultHarness(String scenario, int brokers) throws IOException {
        dir = Files.createDirectories(Path.of("target", "faults", scenario + "-" + System.currentTimeMillis())).toAbsolutePath();
        if (brokers == 1) {
            broker = KafkaBroker.builder(dir.resolve("kafka")).build().start();
            cluster = null;
            bootstrap = broker.bootstrapServers();
            replication = 1;
        } else {
            broker = null;
            cluster = io.greenline.local.kafka.KafkaCluster.builder(dir.resolve("kafka")).size(brokers).build().start();
            bootstrap = cluster.bootstrapServers();
            replication = 3;
        }
        registry = EmbeddedSchemaRegistry.start(bootstrap, 0);
        registryPort = registry.port();
        registryUrl = registry.url();
        topics = new Topics(new GreenlineSerdes(Map.of("schema.registry.url", registryUrl)));
        inputTopics = Map.of(
                topics.machineState.name(), topics.machineState, topics.productionCount.name(), topics.productionCount,
                topics.inspection.name(), topics.inspection, topics.energy.name(), topics.energy, topics.batch.name(), topics.batch,
                topics.lineConfig.name(), topics.lineConfig, topics.emissionFactors.name(), topics.emissionFactors);
        createTopics();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // one request in flight, as the application's producers (docs/app.md, "Throughput settings"): with five, a
        // batch of mfg.batch answered OUT_OF_ORDER_SEQUENCE_NUMBER was retried until its delivery timeout (120 s) on a
        // loaded machine, and the run's input was incomplete (FaultsIT.killNineThreeTimes, session 11's CI run)
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private void createTopics() {
        try (Admin admin = admin()) {
            List<NewTopic> all = new ArrayList<>();
            for (TopicNames.TopicSpec spec : TopicNames.ALL) {
                NewTopic topic = new NewTopic(spec.name(), spec.singlePartition() ? 1 : PARTITIONS, replication);
                Map<String, String> configs = new HashMap<>(spec.compacted() ? Map.of("cleanup.policy", "compact") : Map.of("retention.ms", "-1"));
                if (replication > 1) {
                    configs.put("min.insync.replicas", "2");
                }
                topic.configs(configs);
                all.add(topic);
            }
            for (var created : admin.createTopics(all).values().values()) {
                try {
                    created.get();
                } catch (ExecutionException e) {
                    // the registry made _schemas itself
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    /** The registry goes away (connections refused) until {@link #startRegistry()}. */
    void stopRegistry() {
        registry.close();
    }

    /** The registry comes back on the same port, with the schemas kept in {@code _schemas}. */
    void startRegistry() {
        registry = EmbeddedSchemaRegistry.start(bootstrap, registryPort);
    }

    /** The broker leading a partition now. */
    int leaderOf(String topic, int partition) throws Exception {
        try (Admin admin = admin()) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions().get(partition).leader().id();
        }
    }

    /** Whether every replica of a partition is in sync again. */
    boolean fullyInSync(String topic, int partition) throws Exception {
        try (Admin admin = admin()) {
            var p = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().get(partition);
            return p.isr().size() == p.replicas().size();
        }
    }

    /** The query port of the first instance (any instance answers for every key). */
    int queryPort() {
        return apps.get(0).httpPort;
    }

    AppProcess app(String name) {
        AppProcess app = new AppProcess(name);
        apps.add(app);
        return app;
    }

    /**
     * Sends events of the log from index {@code from} (inclusive) to {@code to} (exclusive), serialized through the
     * registry, and waits until every one is acknowledged.
     */
    void produce(EventLog log, int from, int to) {
        for (EventLog.Entry e : log.entries().subList(from, to)) {
            send(e);
        }
        flush();
    }

    /** Sends one event of the log without waiting ({@link #flush()} waits). */
    @SuppressWarnings("unchecked")
    void send(EventLog.Entry e) {
        Topic<String, Object> topic = (Topic<String, Object>) (Topic<String, ?>) inputTopics.get(e.topic());
        byte[] key = topic.keySerde().serializer().serialize(e.topic(), e.key());
        byte[] value = topic.valueSerde().serializer().serialize(e.topic(), e.value());
        producer.send(new ProducerRecord<>(e.topic(), null, e.timestampMs(), key, value), this::acknowledged);
        pace();
    }

    /** Sends raw bytes (bad records). */
    void produceRaw(String topic, byte[] key, byte[] value, long timestampMs) {
        producer.send(new ProducerRecord<>(topic, null, timestampMs, key, value), this::acknowledged);
        pace();
    }

    private void acknowledged(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception e) {
        if (e != null) {
            sendFailure.compareAndSet(null, e);
        }
    }

    /**
     * Waits until everything sent is acknowledged; fails the run when a send failed (the record would be missing from
     * the input, and the oracle, which expects every logged event, would blame the application for it).
     */
    void flush() {
        producer.flush();
        Exception failed = sendFailure.get();
        if (failed != null) {
            throw new IllegalStateException("an input record was not written to Kafka: the run's input is incomplete", failed);
        }
    }

    /**
     * Waits until the application's committed offsets reach the end of every partition it consumes (inputs and its
     * repartition topics) and stay there for {@code quiet}; returns how long it took.
     */
    Duration awaitCaughtUp(Duration timeout, Duration quiet) throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long caughtUpSince = -1;
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                if (lag(admin) == 0) {
                    if (caughtUpSince < 0) {
                        caughtUpSince = System.nanoTime();
                    } else if (System.nanoTime() - caughtUpSince >= quiet.toNanos()) {
                        return Duration.ofNanos(System.nanoTime() - start);
                    }
                } else {
                    caughtUpSince = -1;
                }
                Thread.sleep(1000);
            }
        }
        throw new IllegalStateException("the application did not catch up within " + timeout + "; logs in " + dir);
    }

    /**
     * Records the application has yet to consume and commit, over every partition it consumes (inputs and its
     * repartition topics; the global reference topics are read by the global thread, not committed by the group);
     * {@code Long.MAX_VALUE} before the group has committed anything.
     */
    private long lag(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(APPLICATION_ID)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        List<String> consumed = new ArrayList<>();
        for (String t : admin.listTopics().names().get(10, TimeUnit.SECONDS)) {
            if (isInput(t) || t.startsWith(APPLICATION_ID) && t.endsWith("-repartition")) {
                consumed.add(t);
            }
        }
        admin.describeTopics(consumed).allTopicNames().get(10, TimeUnit.SECONDS).forEach((t, d) ->
                d.partitions().forEach(p -> latest.put(new TopicPartition(t, p.partition()), OffsetSpec.latest())));
        var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        if (committed.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long lag = 0;
        for (var e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            long end = e.getValue().offset();
            // under EOS the end offset is one past a commit marker: committed may stop one short of it
            long behind = end - (c == null ? 0 : c.offset());
            if (end > 0 && behind > 1) {
                lag += behind;
            }
        }
        return lag;
    }

    /**
     * Bounds the input the application has not consumed yet to about {@code records} (0: unbounded). A log of weeks
     * sent in minutes is weeks of event time in one backlog: after a restart or a rebalance one task could then run
     * days of event time ahead of another, which no real feed does (a minute's outage leaves a minute's backlog),
     * and which the topologies that merge partitions through a repartition topic (the carbon ledger by site, the
     * roll-ups by area and site) refuse beyond their correction windows (7 and 2 days) as LATE. Sending waits, every
     * {@code records / 2} records, until the application is at most {@code records / 2} behind.
     */
    void boundBacklog(int records) {
        this.maxBacklog = records;
    }

    /** {@link #lag}, or {@code Long.MAX_VALUE} while the cluster cannot tell (a partition between leaders). */
    private long lagOrUnknown(Admin admin) throws InterruptedException {
        try {
            return lag(admin);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return Long.MAX_VALUE;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not read the application's progress", e);
        }
    }

    private void pace() {
        if (maxBacklog <= 0 || ++sentSincePace < maxBacklog / 2) {
            return;
        }
        sentSincePace = 0;
        flush();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        try (Admin admin = admin()) {
            while (lagOrUnknown(admin) > maxBacklog / 2) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the application stayed more than " + maxBacklog / 2
                            + " records behind for 10 minutes; logs in " + dir);
                }
                paceWaits++;
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static boolean isInput(String topic) {
        return List.of(TopicNames.MACHINE_STATE, TopicNames.PRODUCTION_COUNT, TopicNames.INSPECTION, TopicNames.ENERGY, TopicNames.BATCH)
                .contains(topic);
    }

    /** Every committed record of a topic, in partition and offset order. */
    List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (parts.stream().anyMatch(p -> consumer.position(p) < ends.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }

    <V> List<OutputCheck.Published<V>> published(Topic<String, V> topic) {
        List<OutputCheck.Published<V>> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readCommitted(topic.name())) {
            out.add(new OutputCheck.Published<>(topic.keySerde().deserializer().deserialize(topic.name(), r.key()),
                    topic.valueSerde().deserializer().deserialize(topic.name(), r.value())));
        }
        return out;
    }

    OutputCheck check(Oracle oracle) {
        List<OutputCheck.Published<OeeWindow>> oee = published(topics.oee);
        List<OutputCheck.Published<QualityWindow>> quality = published(topics.quality);
        List<OutputCheck.Published<BatchFootprint>> footprints = published(topics.batchFootprint);
        return OutputCheck.of(oracle, oee, quality, footprints, published(topics.lineEnergy), published(topics.alerts));
    }

    /** Dead-lettered records by reason header. */
    Map<String, Integer> deadLettered() {
        Map<String, Integer> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readCommitted(TopicNames.DLQ)) {
            out.merge(DeadLetters.headerOrUnknown(r, DeadLetterHandler.HEADER_REASON), 1, Integer::sum);
        }
        return out;
    }

    /** Dead-lettered records by reason and source topic ({@code LATE@mfg.machine-state}). */
    Map<String, Integer> deadLetteredBySource() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readCommitted(TopicNames.DLQ)) {
            out.merge(DeadLetters.headerOrUnknown(r, DeadLetterHandler.HEADER_REASON) + "@"
                    + DeadLetters.headerOrUnknown(r, DeadLetterHandler.HEADER_SOURCE_TOPIC), 1, Integer::sum);
        }
        return out;
    }

    /**
     * Transactions left open on the broker: open (ongoing or preparing) and started more than 3 s ago (three commit
     * intervals) by the broker's own start time, so that a transaction the running application commits in the ordinary
     * course (a punctuation's write) is not counted, and one left hanging is, in one look.
     */
    int openTransactions() throws Exception {
        try (Admin admin = admin()) {
            java.util.Set<String> ids = new java.util.TreeSet<>();
            for (TransactionListing t : admin.listTransactions(new ListTransactionsOptions()).all().get(30, TimeUnit.SECONDS)) {
                if (t.state() == TransactionState.ONGOING || t.state() == TransactionState.PREPARE_COMMIT
                        || t.state() == TransactionState.PREPARE_ABORT) {
                    ids.add(t.transactionalId());
                }
            }
            if (ids.isEmpty()) {
                return 0;
            }
            long now = System.currentTimeMillis();
            int open = 0;
            for (var e : admin.describeTransactions(ids).all().get(30, TimeUnit.SECONDS).entrySet()) {
                TransactionState state = e.getValue().state();
                long startMs = e.getValue().transactionStartTimeMs().orElse(-1L);
                boolean stillOpen = state == TransactionState.ONGOING || state == TransactionState.PREPARE_COMMIT
                        || state == TransactionState.PREPARE_ABORT;
                // an open transaction without a start time is counted: nothing says it is young
                if (stillOpen && (startMs < 0 || now - startMs > 3_000)) {
                    System.out.printf("open transaction: %s %s (producer %d, started %s)%n", e.getKey(), state,
                            e.getValue().producerId(), startMs < 0 ? "?" : java.time.Instant.ofEpochMilli(startMs));
                    open++;
                }
            }
            return open;
        }
    }

    /**
     * Waits up to {@code max} until a transaction of {@code app} is open on the broker (ONGOING: it has written
     * records not yet committed); true when one is. The instance's transactional ids carry its Kafka Streams process
     * id, which it keeps in its state directory.
     */
    boolean awaitOpenTransaction(AppProcess app, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        Path metadata = app.stateDir.resolve(APPLICATION_ID).resolve("kafka-streams-process-metadata");
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"processId\"\\s*:\\s*\"([^\"]+)\"")
                        .matcher(Files.exists(metadata) ? Files.readString(metadata) : "");
                if (m.find()) {
                    String processId = m.group(1);
                    for (TransactionListing t : admin.listTransactions(new ListTransactionsOptions()).all().get(30, TimeUnit.SECONDS)) {
                        if (t.transactionalId().contains(processId) && t.state() == TransactionState.ONGOING) {
                            return true;
                        }
                    }
                }
                Thread.sleep(50);
            }
        }
        return false;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        for (AppProcess app : apps) {
            app.stop();
        }
        producer.close(Duration.ofSeconds(10));
        registry.close();
        if (cluster != null) {
            cluster.stop();
        } else {
            broker.stop();
        }
    }
}

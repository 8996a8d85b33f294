package io.greenline.local.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * One real Apache Kafka broker (KRaft, combined broker + controller) running in a child JVM on the
 * loopback address.
 *
 * <p>The child runs {@code kafka.Kafka} from the {@code org.apache.kafka:kafka_2.13} artifact through
 * {@link ParentWatchingMain}, so it exits by itself when this JVM dies, even by SIGKILL. A shutdown
 * hook of this JVM also stops every broker still running on a normal exit.
 *
 * <p>Data directory layout:
 * <pre>
 * dataDir/server.properties    broker config, rewritten at every start
 * dataDir/log4j2.properties    broker logging config
 * dataDir/kraft/               log.dirs: meta.properties (cluster id), __cluster_metadata-0, topic data
 * dataDir/logs/server.log      broker log (rolling, INFO)
 * dataDir/logs/console.log     the child's stdout and stderr
 * </pre>
 * A data directory is formatted ({@code kafka.tools.StorageTool format}) only when
 * {@code kraft/meta.properties} is absent, so starting again on the same directory keeps all topics
 * and records.
 *
 * <p>Typical use:
 * <pre>{@code
 * try (KafkaBroker broker = KafkaBroker.builder(dir).build().start()) {
 *     String bootstrap = broker.bootstrapServers();   // "127.0.0.1:<port>"
 * }
 * }</pre>
 */
public final class KafkaBroker implements AutoCloseable {

    /** Default time allowed for a broker to accept requests after launch. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(120);

    /** Default maximum heap of the broker JVM. */
    public static final String DEFAULT_MAX_HEAP = "512m";

    /** How long {@link #stop()} waits for a clean shutdown before killing the process. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    /**
     * JVM options that halve a broker's start-up time on a small, busy machine (C1 compiler only, serial
     * GC; a three-node cluster came up in 46 s instead of 94 s on 2 loaded cores) at the cost of peak
     * throughput: for tests, not for benchmarks.
     */
    public static final List<String> QUICK_START_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /** System property with extra JVM options for every broker JVM (space-separated), e.g. GC flags. */
    public static final String JVM_OPTIONS_PROPERTY = "greenline.broker.jvm-options";

    private static final String MAIN_CLASS = "kafka.Kafka";
    private static final Set<KafkaBroker> RUNNING = ConcurrentHashMap.newKeySet();
    private static volatile boolean shutdownHookInstalled;

    private final Path dataDir;
    private final int nodeId;
    private final int port;
    private final int controllerPort;
    private final String quorumVoters;
    private final String requestedClusterId;
    private final Map<String, String> properties;
    private final Duration startupTimeout;
    private final String maxHeap;
    private final List<String> jvmOptions;

    private volatile Process process;
    private volatile String clusterId;
    private volatile boolean stoppedByOwner;

    private KafkaBroker(Path dataDir, int nodeId, int port, int controllerPort, String quorumVoters,
                        String requestedClusterId, Map<String, String> properties,
                        Duration startupTimeout, String maxHeap, List<String> jvmOptions) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.nodeId = nodeId;
        this.port = port;
        this.controllerPort = controllerPort;
        this.quorumVoters = quorumVoters;
        this.requestedClusterId = requestedClusterId;
        this.properties = Map.copyOf(properties);
        this.startupTimeout = startupTimeout;
        this.maxHeap = maxHeap;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /** A builder for a single-node broker keeping its data in {@code dataDir}. */
    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** Formats {@code dataDir} if needed and starts a single-node broker on free ports. */
    public static KafkaBroker startSingleNode(Path dataDir) {
        return builder(dataDir).build().start();
    }

    /** Member of a {@link KafkaCluster}: ports and voters are fixed by the cluster. */
    static KafkaBroker clusterNode(Path dataDir, int nodeId, int port, int controllerPort, String quorumVoters,
                                   String clusterId, Map<String, String> properties, Duration startupTimeout,
                                   String maxHeap, List<String> jvmOptions) {
        return new KafkaBroker(dataDir, nodeId, port, controllerPort, quorumVoters, clusterId, properties,
                startupTimeout, maxHeap, jvmOptions);
    }

    /**
     * Formats the data directory if it is not formatted yet, launches the broker and waits until it
     * accepts requests. Does nothing if it already runs.
     *
     * @throws BrokerStartupException with the tail of the broker's log if it does not come up in time
     */
    public synchronized KafkaBroker start() {
        if (isRunning()) {
            return this;
        }
        prepare();
        launch();
        awaitReady();
        return this;
    }

    /** Stops the broker cleanly (SIGTERM, then waits; SIGKILL after {@link #STOP_TIMEOUT}). */
    public synchronized void stop() {
        signalStop();
        awaitStopped();
    }

    /**
     * Leaves the stopping of this broker at JVM exit to its owner: the exit hook that SIGTERMs every running
     * broker skips it. For an owner that stops the broker in its own shutdown hook after the clients that still
     * need it ({@code greenline local}: the streams app first, so Ctrl-C does not leave the app waiting for a
     * broker that is already gone). The broker still ends when this JVM does (see {@link ParentWatchingMain}).
     */
    public KafkaBroker stoppedByOwnerOnExit() {
        stoppedByOwner = true;
        return this;
    }

    /** Kills the broker at once (SIGKILL), as a crash would, and waits until the process is gone. */
    public synchronized void kill() {
        Process running = process;
        if (running != null) {
            running.destroyForcibly();
            waitQuietly(running, Duration.ofSeconds(30));
        }
        process = null;
        RUNNING.remove(this);
    }

    /** Stops the broker cleanly and starts it again with the same data directory and ports. */
    public synchronized KafkaBroker restart() {
        stop();
        return start();
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** {@code host:port} for clients: {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
        return FreePorts.LOOPBACK + ":" + port;
    }

    /** Port of the client (PLAINTEXT) listener. */
    public int port() {
        return port;
    }

    /** Port of the KRaft controller listener. */
    public int controllerPort() {
        return controllerPort;
    }

    /** KRaft node id (1 for a single-node broker). */
    public int nodeId() {
        return nodeId;
    }

    /** The KRaft cluster id stored in the data directory; known once the broker was started. */
    public String clusterId() {
        return clusterId;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The broker's own log file. */
    public Path logFile() {
        return dataDir.resolve("logs").resolve("server.log");
    }

    /** Whether the broker's process is alive. */
    public boolean isRunning() {
        Process running = process;
        return running != null && running.isAlive();
    }

    /** Process id of the running broker JVM. */
    public long pid() {
        Process running = process;
        if (running == null) {
            throw new IllegalStateException("broker " + nodeId + " is not running");
        }
        return running.pid();
    }

    /** Handle of the running broker JVM, if any. */
    public Optional<ProcessHandle> processHandle() {
        Process running = process;
        return running == null ? Optional.empty() : Optional.of(running.toHandle());
    }

    // ---------------------------------------------------------------- lifecycle steps (package-private
    // so that KafkaCluster can launch its nodes together: a KRaft quorum needs a majority up at once)

    /** Writes the config files and formats the data directory unless it is formatted already. */
    synchronized void prepare() {
        try {
            Files.createDirectories(logDirectory());
            Files.createDirectories(dataDir.resolve("logs"));
            writeServerProperties();
            writeLoggingConfig();
            Path meta = logDirectory().resolve("meta.properties");
            if (Files.exists(meta)) {
                clusterId = readClusterId(meta);
                if (requestedClusterId != null && !requestedClusterId.equals(clusterId)) {
                    throw new BrokerStartupException("data directory " + dataDir + " belongs to cluster "
                            + clusterId + ", not " + requestedClusterId + "; use a fresh directory");
                }
            } else {
                clusterId = requestedClusterId != null ? requestedClusterId : Uuid.randomUuid().toString();
                format(clusterId);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare broker data directory " + dataDir, e);
        }
    }

    /** Starts the child JVM without waiting for it to serve requests. */
    synchronized void launch() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + maxHeap);
        command.add("-Xms64m");
        command.add("-Djava.awt.headless=true");
        command.addAll(jvmOptions);
        String extra = System.getProperty(JVM_OPTIONS_PROPERTY, "");
        for (String option : extra.trim().split("\\s+")) {
            if (!option.isEmpty()) {
                command.add(option);
            }
        }
        command.add("-Dlog4j2.configurationFile=" + dataDir.resolve("log4j2.properties").toUri());
        command.add("-Dkafka.logs.dir=" + dataDir.resolve("logs"));
        command.add("-Dgreenline.broker.dir=" + dataDir);
        command.add(ParentWatchingMain.class.getName());
        command.add(Long.toString(ProcessHandle.current().pid()));
        command.add(MAIN_CLASS);
        command.add(serverPropertiesFile().toString());

        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dataDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog().toFile()));
        // the classpath goes in the environment so that `ps` output stays readable
        builder.environment().put("CLASSPATH", BrokerClasspath.resolve());
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        installShutdownHook();
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new BrokerStartupException("cannot launch the broker JVM: " + command, e);
        }
        RUNNING.add(this);
    }

    /** Waits until this node is registered and answers admin requests on its client port. */
    void awaitReady() {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        Process running = process;
        try (Admin admin = Admin.create(readinessAdminConfig())) {
            while (System.nanoTime() < deadline) {
                if (running == null || !running.isAlive()) {
                    throw new BrokerStartupException("Kafka broker " + nodeId + " exited during startup"
                            + (running == null ? "" : " with status " + running.exitValue())
                            + "\n" + logTail());
                }
                if (FreePorts.accepting(port) && registered(admin)) {
                    return;
                }
                pause(Duration.ofMillis(200));
            }
        }
        throw new BrokerStartupException("Kafka broker " + nodeId + " did not accept requests on "
                + bootstrapServers() + " within " + startupTimeout + "\n" + logTail());
    }

    /** Sends SIGTERM (clean shutdown) without waiting. */
    synchronized void signalStop() {
        Process running = process;
        if (running != null && running.isAlive()) {
            running.destroy();
        }
    }

    /** Waits for the process to end after {@link #signalStop()}, killing it after the timeout. */
    synchronized void awaitStopped() {
        Process running = process;
        if (running != null) {
            if (!waitQuietly(running, STOP_TIMEOUT)) {
                running.destroyForcibly();
                waitQuietly(running, Duration.ofSeconds(30));
            }
        }
        process = null;
        RUNNING.remove(this);
    }

    // ---------------------------------------------------------------- config

    private Map<String, String> serverProperties() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", Integer.toString(nodeId));
        config.put("listeners", "PLAINTEXT://" + FreePorts.LOOPBACK + ":" + port
                + ",CONTROLLER://" + FreePorts.LOOPBACK + ":" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://" + FreePorts.LOOPBACK + ":" + port);
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("controller.listener.names", "CONTROLLER");
        config.put("controller.quorum.voters", quorumVoters);
        config.put("log.dirs", logDirectory().toString());
        config.putAll(properties);
        return config;
    }

    private void writeServerProperties() throws IOException {
        StringBuilder text = new StringBuilder("# written by Greenline (io.greenline.local.kafka.KafkaBroker) at every start\n");
        new TreeMap<>(serverProperties()).forEach((key, value) ->
                text.append(key).append('=').append(value.replace("\\", "\\\\")).append('\n'));
        Files.writeString(serverPropertiesFile(), text, StandardCharsets.UTF_8);
    }

    private void writeLoggingConfig() throws IOException {
        String logFile = logFile().toString().replace("\\", "/");
        String config = String.join("\n",
                "# written by Greenline: broker logs go to a file, not to the parent's console",
                "status = warn",
                "appender.file.type = RollingFile",
                "appender.file.name = FILE",
                "appender.file.fileName = " + logFile,
                "appender.file.filePattern = " + logFile + ".%i",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                "appender.file.policies.type = Policies",
                "appender.file.policies.size.type = SizeBasedTriggeringPolicy",
                "appender.file.policies.size.size = 10MB",
                "appender.file.strategy.type = DefaultRolloverStrategy",
                "appender.file.strategy.max = 3",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = FILE",
                "logger.request.name = kafka.request.logger",
                "logger.request.level = WARN",
                "logger.state.name = state.change.logger",
                "logger.state.level = WARN",
                "logger.cleaner.name = kafka.log.LogCleaner",
                "logger.cleaner.level = WARN",
                "");
        Files.writeString(dataDir.resolve("log4j2.properties"), config, StandardCharsets.UTF_8);
    }

    private void format(String id) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int status;
        try (PrintStream printer = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            status = kafka.tools.StorageTool.execute(
                    new String[] {"format", "--cluster-id", id, "--config", serverPropertiesFile().toString()},
                    printer);
        } catch (RuntimeException e) {
            throw new BrokerStartupException("formatting " + logDirectory() + " failed: " + e.getMessage()
                    + "\n" + output.toString(StandardCharsets.UTF_8), e);
        }
        if (status != 0) {
            throw new BrokerStartupException("formatting " + logDirectory() + " failed with status " + status
                    + "\n" + output.toString(StandardCharsets.UTF_8));
        }
    }

    private static String readClusterId(Path meta) throws IOException {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            props.load(in);
        }
        String id = props.getProperty("cluster.id");
        if (id == null) {
            throw new BrokerStartupException(meta + " has no cluster.id");
        }
        return id;
    }

    private Map<String, Object> readinessAdminConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "greenline-broker-readiness-" + nodeId);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        return config;
    }

    private boolean registered(Admin admin) {
        try {
            for (Node node : admin.describeCluster(new DescribeClusterOptions().timeoutMs(2_000))
                    .nodes().get(3, TimeUnit.SECONDS)) {
                if (node.id() == nodeId) {
                    return true;
                }
            }
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerStartupException("interrupted while waiting for broker " + nodeId, e);
        }
    }

    // ---------------------------------------------------------------- files and processes

    private Path logDirectory() {
        return dataDir.resolve("kraft");
    }

    private Path serverPropertiesFile() {
        return dataDir.resolve("server.properties");
    }

    private Path consoleLog() {
        return dataDir.resolve("logs").resolve("console.log");
    }

    /**
     * For error messages: the ERROR and FATAL lines of the broker's log (the cause of a failed start
     * is usually there, before a long shutdown sequence), then the last lines of its console output
     * and of its log.
     */
    public String logTail() {
        return "--- " + logFile() + " (errors) ---\n" + errors(logFile(), 20)
                + "--- " + consoleLog() + " (last lines) ---\n" + tail(consoleLog(), 30)
                + "--- " + logFile() + " (last lines) ---\n" + tail(logFile(), 30);
    }

    /** ERROR/FATAL lines, each with the exception messages that follow it (stack frames left out). */
    private static String errors(Path file, int limit) {
        if (!Files.exists(file)) {
            return "(no file)\n";
        }
        try {
            StringBuilder text = new StringBuilder();
            boolean inError = false;
            int count = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith("[")) {
                    inError = (line.contains("] ERROR ") || line.contains("] FATAL ")) && count++ < limit;
                    if (inError) {
                        text.append(line).append('\n');
                    }
                } else if (inError && !line.isBlank() && !line.startsWith("\tat ") && !line.startsWith("\t...")) {
                    text.append("    ").append(line.strip()).append('\n');
                }
            }
            return text.toString();
        } catch (IOException | UncheckedIOException e) {
            return "(unreadable: " + e.getMessage() + ")\n";
        }
    }

    private static String tail(Path file, int lines) {
        if (!Files.exists(file)) {
            return "(no file)\n";
        }
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            StringBuilder text = new StringBuilder();
            for (String line : all.subList(Math.max(0, all.size() - lines), all.size())) {
                text.append(line).append('\n');
            }
            return text.toString();
        } catch (IOException | UncheckedIOException e) {
            return "(unreadable: " + e.getMessage() + ")\n";
        }
    }

    private static boolean waitQuietly(Process running, Duration timeout) {
        try {
            return running.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !running.isAlive();
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerStartupException("interrupted while waiting for the broker", e);
        }
    }

    private static void installShutdownHook() {
        if (shutdownHookInstalled) {
            return;
        }
        synchronized (RUNNING) {
            if (shutdownHookInstalled) {
                return;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(KafkaBroker::stopAllOnExit, "greenline-broker-stopper"));
            shutdownHookInstalled = true;
        }
    }

    /** Shutdown hook: SIGTERM to every broker still running, then waits a bounded time for each. */
    private static void stopAllOnExit() {
        List<Process> processes = new ArrayList<>();
        for (KafkaBroker broker : RUNNING) {
            Process running = broker.process;
            if (running != null && running.isAlive() && !broker.stoppedByOwner) {
                running.destroy();
                processes.add(running);
            }
        }
        for (Process running : processes) {
            if (!waitQuietly(running, Duration.ofSeconds(10))) {
                running.destroyForcibly();
            }
        }
    }

    @Override
    public String toString() {
        return "KafkaBroker[node " + nodeId + ", " + bootstrapServers() + ", " + dataDir + "]";
    }

    /** Settings of a single-node broker (ports free unless given). */
    public static final class Builder {
        private final Path dataDir;
        private int port;
        private int controllerPort;
        private String clusterId;
        private final Map<String, String> properties = new LinkedHashMap<>(singleNodeDefaults());
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private String maxHeap = DEFAULT_MAX_HEAP;
        private final List<String> jvmOptions = new ArrayList<>();

        private Builder(Path dataDir) {
            this.dataDir = dataDir;
        }

        /** Client (PLAINTEXT) port; 0 (default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Controller port; 0 (default) picks a free one. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = controllerPort;
            return this;
        }

        /** Cluster id used when formatting a fresh directory (default: a random one). */
        public Builder clusterId(String clusterId) {
            this.clusterId = clusterId;
            return this;
        }

        /** Adds or overrides one broker property (server.properties key). */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = startupTimeout;
            return this;
        }

        /** Maximum heap of the broker JVM, in {@code -Xmx} syntax (default 512m). */
        public Builder maxHeap(String maxHeap) {
            this.maxHeap = maxHeap;
            return this;
        }

        /** Adds JVM options for the broker JVM (also see {@link #JVM_OPTIONS_PROPERTY}). */
        public Builder jvmOptions(String... options) {
            return jvmOptions(List.of(options));
        }

        /** Adds JVM options for the broker JVM, e.g. {@link #QUICK_START_JVM_OPTIONS}. */
        public Builder jvmOptions(List<String> options) {
            jvmOptions.addAll(options);
            return this;
        }

        /** The broker, not started yet; ports are fixed here and kept across restarts. */
        public KafkaBroker build() {
            int clientPort = port > 0 ? port : FreePorts.pick();
            int quorumPort = controllerPort > 0 ? controllerPort : pickOtherThan(clientPort);
            String voters = "1@" + FreePorts.LOOPBACK + ":" + quorumPort;
            return new KafkaBroker(dataDir, 1, clientPort, quorumPort, voters, clusterId, properties,
                    startupTimeout, maxHeap, jvmOptions);
        }

        /** {@code build().start()}. */
        public KafkaBroker start() {
            return build().start();
        }

        private static int pickOtherThan(int taken) {
            int candidate = FreePorts.pick();
            while (candidate == taken) {
                candidate = FreePorts.pick();
            }
            return candidate;
        }
    }

    /** Broker properties of a one-node cluster: every internal topic with replication factor 1. */
    static Map<String, String> singleNodeDefaults() {
        Map<String, String> config = commonDefaults();
        config.put("offsets.topic.replication.factor", "1");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("default.replication.factor", "1");
        return config;
    }

    /** Broker properties of a three-node cluster: replication factor 3 and min ISR 2 by default. */
    static Map<String, String> clusterDefaults(int size) {
        int replicas = Math.min(3, size);
        String minIsr = Integer.toString(Math.max(1, replicas - 1));
        Map<String, String> config = commonDefaults();
        config.put("offsets.topic.replication.factor", Integer.toString(replicas));
        config.put("transaction.state.log.replication.factor", Integer.toString(replicas));
        config.put("transaction.state.log.min.isr", minIsr);
        config.put("share.coordinator.state.topic.replication.factor", Integer.toString(replicas));
        config.put("share.coordinator.state.topic.min.isr", minIsr);
        config.put("default.replication.factor", Integer.toString(replicas));
        // a killed node leaves the ISR after this long, so acks=all produces resume quickly
        config.put("replica.lag.time.max.ms", "10000");
        return config;
    }

    private static Map<String, String> commonDefaults() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("num.partitions", "6");
        config.put("auto.create.topics.enable", "false");
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("log.retention.check.interval.ms", "60000");
        config.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
        // segments roll by size only. Simulated, replayed and benchmark events carry event-time timestamps weeks or
        // months old, and Kafka rolls a segment by time when the first record in it is older than log.roll.ms (7
        // days): every produce request then rolled a new segment and wrote a producer snapshot, and in the 1,000-line
        // benchmark the application's exactly_once_v2 producer then met OUT_OF_ORDER_SEQUENCE_NUMBER ("no existing
        // state") retries that stalled its last transaction (Kafka 4.4, twice in two runs)
        config.put("log.roll.ms", Long.toString(Long.MAX_VALUE));
        return config;
    }
}

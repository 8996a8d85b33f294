package io.greenline.local;

import io.greenline.local.kafka.KafkaBroker;
import io.greenline.local.registry.EmbeddedSchemaRegistry;
import io.greenline.local.topics.TopicProvisioner;
import io.greenline.producers.KafkaEventSink;
import io.greenline.producers.TimeSpec;
import io.greenline.producers.sim.FactorySimulation;
import io.greenline.producers.sim.SimClock;
import io.greenline.producers.sim.SimulationRunner;
import io.greenline.producers.sim.SimulatorConfig;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.GreenlineTopology;
import io.greenline.streams.app.GreenlineApp;
import io.greenline.streams.config.AppSettings;
import io.greenline.streams.config.ConfigSources;
import io.greenline.schemas.serde.AvroSerdeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code greenline local}: the whole stack on this machine in one command, no Docker. Starts a real
 * single-node KRaft broker in a child JVM, the schema registry, creates the topics, runs the streams app
 * with its query API and the factory simulators (publishing reference data first), prints where to look
 * and then a status line per interval. Ctrl-C stops everything in reverse order (the broker's child JVM
 * ignores the terminal's SIGINT and is stopped last, after the streams app; it also exits with a killed
 * parent). Data lives in {@code --data-dir} and is reused by the next start ({@code --fresh} wipes it); the
 * simulators then continue where they stopped.
 *
 * <p>Private by default: the query API and the registry listen on 127.0.0.1 ({@code --bind} opens them), the
 * broker on loopback. Settings as for {@code greenline streams} (defaults for a local run, then {@code --config},
 * the environment, the flags, {@code -D}); {@code bootstrap.servers} and {@code schema.registry.url} are always
 * the local ones. With {@code greenline.http.auth.token} set, the API and the registry's writes require it.
 * An app that is not ready within {@code --ready-timeout} stops everything with exit code 1, saying why.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = {
            "Run the whole stack on this machine, no Docker; Ctrl-C stops everything.",
            "Kafka broker (child JVM), schema registry, topics, reference data, factory simulators,",
            "streams app and query API."})
public final class LocalCommand implements Callable<Integer> {

    @Option(names = "--data-dir", defaultValue = ".greenline", paramLabel = "DIR",
            description = "Where the broker, registry and streams state live (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    /** The log file in use, set once the data directory exists. */
    private Path logFile;

    @Option(names = "--fresh", description = "Wipe the data directory first.")
    boolean fresh;

    @Option(names = "--no-simulators", negatable = false,
            description = "Run the stack without simulators (replay your own data with `greenline replay`).")
    boolean noSimulators;

    @Option(names = "--speed", defaultValue = "60", paramLabel = "FACTOR",
            description = "Simulated seconds per wall second after the history (default: ${DEFAULT-VALUE} = an hour a minute).")
    double speed;

    @Option(names = "--history", defaultValue = "8h", paramLabel = "DURATION",
            description = "Simulated history generated at once on a fresh start (default: ${DEFAULT-VALUE}).")
    String history;

    @Option(names = "--seed", description = "Simulator seed (default: the simulator config's).")
    Long seed;

    @Option(names = "--sim-config", paramLabel = "FILE", description = "Simulator configuration (YAML); default: built-in.")
    Path simConfig;

    @Option(names = "--broker-port", defaultValue = "9092", description = "Kafka port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int brokerPort;

    @Option(names = "--registry-port", defaultValue = "8081", description = "Schema registry port (default: ${DEFAULT-VALUE}).")
    int registryPort;

    @Option(names = "--http-port", defaultValue = "8080", description = "Query API port (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions per topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = {"Interface the query API and the schema registry listen on (greenline.http.host; default: ${DEFAULT-VALUE},",
                "this machine only). 0.0.0.0 opens them to the network: set greenline.http.auth.token then."})
    String bind;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file, as for `greenline streams` (Kafka Streams, greenline.*, oee.*, ... keys).")
    Path config;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "Any other setting, highest precedence (e.g. -D greenline.http.auth.token=...).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--ready-timeout", defaultValue = "3m", paramLabel = "DURATION",
            description = "How long to wait for the streams app to be ready before stopping with exit code 1 (default: ${DEFAULT-VALUE}).")
    String readyTimeout;

    @Option(names = "--status-every", defaultValue = "60s", paramLabel = "DURATION",
            description = "How often to print the status line (default: ${DEFAULT-VALUE}).")
    String statusEvery;

    @Spec
    CommandSpec spec;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Asks a running {@link #call()} to stop everything and return, as Ctrl-C does. */
    public void requestStop() {
        stopRequested.countDown();
    }

    /** The environment the settings are read from (tests set their own). */
    Map<String, String> environment = System.getenv();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Progress progress = new Progress(out);
        AppSettings checked;
        try {
            checked = AppSettings.of(settings("localhost:9092", "http://localhost:8081"));
            TimeSpec.duration(readyTimeout);
            TimeSpec.duration(history); // refused now, not after the broker and the app have started
        } catch (ConfigException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("Invalid configuration: " + e.getMessage());
            return 2;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (stopped.getCount() == 0) {
                return; // stopped before the JVM began to exit (requestStop, a failed start)
            }
            requestStop();
            awaitQuietly(stopped, 60);
        }, "greenline-local-shutdown"));
        try (LocalStack stack = new LocalStack()) {
            Optional<String> notReady = start(stack, progress, checked);
            if (notReady.isPresent()) {
                spec.commandLine().getErr().println(notReady.get());
                spec.commandLine().getErr().flush();
                progress.line("Stopping ...");
                return 1;
            }
            printWhereToLook(stack, progress, checked);
            reportUntilStopped(stack, progress, checked);
            progress.line("Stopping ...");
        } finally {
            org.slf4j.LoggerFactory.getLogger(LocalCommand.class).info("Stopped");
            out.println("Stopped.");
            out.flush();
            stopped.countDown();
        }
        return 0;
    }

    /** Starts everything; empty when the stack runs, else why the streams app did not become ready. */
    private Optional<String> start(LocalStack stack, Progress progress, AppSettings checked) throws Exception {
        if (fresh) {
            progress.step("Wiping " + dataDir.toAbsolutePath(), () -> {
                deleteRecursively(dataDir);
                return null;
            });
        }
        Files.createDirectories(dataDir);
        logFile = LogFile.useDataDir(dataDir);
        progress.line("Greenline local stack, data in " + dataDir.toAbsolutePath().normalize());
        stack.broker = progress.step("Starting Kafka broker (KRaft, child JVM)", () -> KafkaBroker.builder(dataDir.resolve("kafka"))
                .port(brokerPort)
                // the accelerated simulators run ahead of the wall clock; Kafka 4 rejects records more
                // than an hour in the future by default
                .property("log.message.timestamp.after.max.ms", Long.toString(Long.MAX_VALUE))
                // one app and a few clients: 5 partitions each instead of 50 make a new broker start and stop faster
                .property("offsets.topic.num.partitions", "5")
                .property("transaction.state.log.num.partitions", "5")
                .build().stoppedByOwnerOnExit().start());
        progress.step("Creating topics", () -> {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.broker.bootstrapServers()))) {
                return new TopicProvisioner(admin).provision(TopicProvisioner.Settings.defaults().withPartitions(partitions));
            }
        });
        stack.registryUrl = progress.step("Starting schema registry", () ->
                stack.startRegistry(checked.httpHost(), registryPort, checked.httpAuthToken()));
        AppSettings settings = AppSettings.of(settings(stack.broker.bootstrapServers(), stack.registryUrl));
        Topics topics = new Topics(settings.serdes());
        stack.app = progress.step("Starting streams app and query API", () -> {
            Topology topology = GreenlineTopology.build(topics, settings);
            return new GreenlineApp(settings, topology).start();
        });
        Duration wait = TimeSpec.duration(readyTimeout);
        try {
            progress.step("Waiting for the streams app to be ready", () -> {
                if (!awaitReady(stack.app, wait) && stopRequested.getCount() > 0) {
                    KafkaStreams.State state = stack.app.health().state();
                    throw new NotReadyException("greenline local: the streams app did not become ready within " + readyTimeout
                            + " (Kafka Streams state: " + state
                            + (state == KafkaStreams.State.RUNNING ? ", its stores not yet queryable" : "")
                            + "). Read the log " + logFile + " (broker: " + stack.broker.logFile() + "); "
                            + "on a slow machine a longer --ready-timeout helps.");
                }
                return null;
            });
        } catch (NotReadyException e) {
            return Optional.of(e.getMessage());
        }
        if (!noSimulators && stopRequested.getCount() > 0) {
            stack.startSimulators(progress, simulatorConfig(), topics, dataDir, TimeSpec.duration(history), speed);
        }
        return Optional.empty();
    }

    /** Polls readiness until ready, the wait is over or a stop is requested; true when ready. */
    private boolean awaitReady(GreenlineApp app, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!app.health().ready()) {
            if (System.nanoTime() - deadline >= 0 || stopRequested.await(200, TimeUnit.MILLISECONDS)) {
                return app.health().ready();
            }
        }
        return true;
    }

    /**
     * The streams app's settings, layered as for {@code greenline streams}: defaults for a local run, then
     * {@code --config}, the environment, the flags given, {@code -D}; the local broker and registry always win,
     * and with an API token the app's registry client authenticates with it (the registry's writes need it).
     */
    Map<String, String> settings(String bootstrapServers, String registryUrl) {
        Map<String, String> local = new LinkedHashMap<>();
        local.put(StreamsConfig.APPLICATION_ID_CONFIG, "greenline-local");
        local.put(StreamsConfig.STATE_DIR_CONFIG, dataDir.resolve("streams").toAbsolutePath().toString());
        local.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "0");
        local.put(AppSettings.HTTP_HOST, bind);
        local.put(AppSettings.HTTP_PORT, Integer.toString(httpPort));
        local.put(AppSettings.SHUTDOWN_TIMEOUT_MS, "20000");
        Map<String, String> flags = new LinkedHashMap<>();
        if (given("--bind")) {
            flags.put(AppSettings.HTTP_HOST, bind);
        }
        if (given("--http-port")) {
            flags.put(AppSettings.HTTP_PORT, Integer.toString(httpPort));
        }
        Map<String, String> merged = ConfigSources.merge(local, ConfigSources.fromFile(config),
                ConfigSources.fromEnvironment(environment), flags, overrides);
        merged.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        merged.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registryUrl);
        String token = merged.get(AppSettings.HTTP_AUTH_TOKEN);
        if (token != null && !token.isBlank()) {
            merged.put(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO");
            merged.put(AvroSerdeConfig.BASIC_AUTH_USER_INFO, "greenline:" + token.trim());
        }
        return merged;
    }

    private boolean given(String option) {
        return spec != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private SimulatorConfig simulatorConfig() {
        SimulatorConfig config = simConfig == null ? SimulatorConfig.defaults() : SimulatorConfig.load(simConfig);
        return seed == null ? config : config.withSeed(seed);
    }

    private void printWhereToLook(LocalStack stack, Progress progress, AppSettings settings) {
        String api = "http://" + reachableHost(settings.httpHost()) + ":" + stack.app.httpPort();
        String auth = settings.httpAuthToken().isPresent() ? "-H \"Authorization: Bearer $TOKEN\" " : "";
        progress.line("");
        progress.line("Greenline is running.");
        progress.line("  Kafka            " + stack.broker.bootstrapServers());
        progress.line("  Schema registry  " + stack.registryUrl);
        progress.line("  Query API        " + api + "   (OpenAPI: " + api + "/openapi.json)");
        progress.line("  Dashboard        " + api + "/");
        if (stack.simulation != null) {
            progress.line("  Simulators       " + stack.simulation.lineIds() + " from " + stack.simulation.start()
                    + (speed == 0 ? " as fast as possible" : " at " + speed + "x"));
        }
        progress.line("  Listening on     " + settings.httpHost()
                + (isLoopback(settings.httpHost()) ? " (this machine only; --bind opens it)" : " (open to the network)")
                + (settings.httpAuthToken().isPresent() ? ", API token required" : ""));
        progress.line("Try:");
        progress.line("  curl -s " + auth + api + "/api/v1/lines");
        progress.line("  curl -s " + auth + "'" + api + "/api/v1/lines/drum-line-1/oee?granularity=hour'");
        progress.line("  curl -s " + auth + "'" + api + "/api/v1/lines/drum-line-1/quality?granularity=shift'");
        progress.line("  curl -s " + auth + "'" + api + "/api/v1/batches?lineId=bio-po-1'");
        progress.line("  curl -s " + auth + api + "/pact/3/footprints");
        progress.line("Logs: " + logFile
                + ", broker: " + stack.broker.logFile());
        progress.line("Ctrl-C stops everything.");
        progress.line("");
    }

    private static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** How this machine reaches a server listening on {@code host}: localhost for loopback and wildcard addresses. */
    static String reachableHost(String host) {
        try {
            java.net.InetAddress address = java.net.InetAddress.getByName(host);
            return address.isLoopbackAddress() || address.isAnyLocalAddress() ? "localhost"
                    : (address instanceof java.net.Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress());
        } catch (java.net.UnknownHostException e) {
            return host;
        }
    }

    private void reportUntilStopped(LocalStack stack, Progress progress, AppSettings settings) throws InterruptedException {
        StatusReporter reporter = new StatusReporter("http://" + reachableHost(settings.httpHost()) + ":" + stack.app.httpPort(),
                settings.httpAuthToken());
        long every = Math.max(1_000, TimeSpec.duration(statusEvery).toMillis());
        // the first line after a few seconds, then one per interval
        long wait = Math.min(every, 15_000);
        while (!stopRequested.await(wait, TimeUnit.MILLISECONDS)) {
            String time = LocalTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString();
            String simulated = stack.simulation == null ? ""
                    : " sim " + stack.simulation.simulatedTime().truncatedTo(ChronoUnit.MINUTES);
            progress.line("[" + time + "Z" + simulated + "] " + reporter.statusLine() + stack.simulatorProblems());
            stack.saveSimulatorState();
            wait = every;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch, int seconds) {
        try {
            latch.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The streams app did not become ready in time. */
    private static final class NotReadyException extends Exception {
        NotReadyException(String message) {
            super(message);
        }
    }

    /** The running pieces, closed in reverse order of starting. */
    static final class LocalStack implements AutoCloseable {
        private static final org.slf4j.Logger STOP_LOG = org.slf4j.LoggerFactory.getLogger(LocalStack.class);
        KafkaBroker broker;
        String registryUrl;
        GreenlineApp app;
        FactorySimulation simulation;
        private AutoCloseable registry;
        private SimulationRunner runner;
        private Thread simulatorThread;
        private KafkaEventSink sink;
        private SimulatorState simulatorState;

        String startRegistry(String host, int port, Optional<String> token) {
            EmbeddedSchemaRegistry embedded = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), port,
                    io.greenline.schemas.TopicNames.SCHEMAS, host, token);
            registry = embedded;
            return embedded.url();
        }

        void startSimulators(Progress progress, SimulatorConfig config, Topics topics, Path dataDir,
                             Duration history, double speed) {
            simulatorState = new SimulatorState(dataDir);
            Instant now = Instant.now();
            Instant start = SimulatorState.startFrom(simulatorState.lastSimulatedTime(), now, history);
            sink = KafkaEventSink.connect(broker.bootstrapServers(), "greenline-local-simulator");
            simulation = new FactorySimulation(config, start, sink, topics);
            runner = new SimulationRunner(simulation, new SimClock(start, speed, Clock.systemUTC()), null);
            simulatorThread = new Thread(() -> runner.run(s -> { }), "greenline-simulator");
            simulatorThread.setDaemon(true);
            progress.line("  Simulating " + simulation.lineIds() + " from " + start.truncatedTo(ChronoUnit.SECONDS)
                    + (start.isBefore(now) ? " (history up to now is generated at once)" : ""));
            simulatorThread.start();
        }

        /** A note when simulator events could not be sent, else empty. */
        String simulatorProblems() {
            if (sink == null || sink.failures() == 0) {
                return "";
            }
            return " | simulator: " + sink.failures() + " events not sent (first: " + sink.firstFailure().getMessage() + ")";
        }

        void saveSimulatorState() {
            if (simulation != null) {
                simulatorState.save(simulation.simulatedTime());
            }
        }

        /**
         * Stops in the order that keeps Ctrl-C quick: the simulators stop producing and flush while the streams app
         * closes (both still need the broker), then the registry closes while the broker stops.
         */
        @Override
        public void close() throws Exception {
            if (runner != null) {
                runner.stop();
            }
            Thread simulators = stopInBackground("greenline-stop-simulators", () -> {
                if (runner != null) {
                    simulatorThread.join(10_000);
                    sink.flush();
                    sink.close();
                    saveSimulatorState();
                }
            });
            if (app != null) {
                app.close();
                STOP_LOG.info("Streams app closed");
            }
            simulators.join();
            Thread registryStop = stopInBackground("greenline-stop-registry", () -> {
                if (registry != null) {
                    registry.close();
                }
            });
            if (broker != null) {
                broker.stop();
                STOP_LOG.info("Broker stopped");
            }
            registryStop.join();
            STOP_LOG.info("Registry closed");
        }

        private static Thread stopInBackground(String name, Stopping work) {
            Thread thread = new Thread(() -> {
                try {
                    work.run();
                } catch (Exception e) {
                    org.slf4j.LoggerFactory.getLogger(LocalCommand.class).warn("{} failed", name, e);
                }
            }, name);
            thread.start();
            return thread;
        }

        @FunctionalInterface
        private interface Stopping {
            void run() throws Exception;
        }
    }
}

package io.greenline.streams.app;

import io.greenline.schemas.Topics;
import io.greenline.streams.GreenlineTopology;
import io.greenline.streams.config.AppSettings;
import io.greenline.streams.config.ConfigSources;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code greenline streams}: runs every topology in one Kafka Streams application and serves the query
 * API. Settings: defaults, then {@code --config FILE}, then the environment, then these flags. SIGTERM
 * (Ctrl-C) closes Kafka Streams within {@code greenline.shutdown.timeout.ms}, and the process exits then even
 * when Kafka Streams is still starting against an unreachable broker ({@link GreenlineApp#close()}). Exit codes: 0
 * stopped, 1 failed while running, 2 could not start: invalid configuration (any layer, topology keys included) or
 * the query API's port taken, each reported as one line on standard error.
 */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = "Run the Greenline Kafka Streams application and its query API.")
public class StreamsCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(StreamsCommand.class);

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file (Kafka, schema.registry.* and greenline.* keys).")
    Path config;

    @Option(names = "--bootstrap-servers", description = "Kafka brokers (bootstrap.servers; env KAFKA_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Schema registry (schema.registry.url; env SCHEMA_REGISTRY_URL).")
    String schemaRegistryUrl;

    @Option(names = "--application-id", description = "Kafka Streams application.id; instances with the same id share the work.")
    String applicationId;

    @Option(names = "--http-port", description = "Port of the query API (greenline.http.port).")
    Integer httpPort;

    @Option(names = "--advertised-host", description = "Host other instances reach this one at (greenline.http.advertised.host).")
    String advertisedHost;

    @Option(names = "--state-dir", description = "Directory of local state (state.dir).")
    String stateDir;

    @Option(names = "--processing-guarantee", description = "exactly_once_v2 (default) or at_least_once.")
    String processingGuarantee;

    @Option(names = "--standby-replicas", description = "num.standby.replicas (default 1).")
    Integer standbyReplicas;

    @Spec
    CommandSpec spec;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE", description = "Any other setting, highest precedence.")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** The flags as a configuration layer. */
    Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>();
        put(flags, StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        put(flags, "schema.registry.url", schemaRegistryUrl);
        put(flags, StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        put(flags, AppSettings.HTTP_PORT, httpPort);
        put(flags, AppSettings.HTTP_ADVERTISED_HOST, advertisedHost);
        put(flags, StreamsConfig.STATE_DIR_CONFIG, stateDir);
        put(flags, StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
        put(flags, StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
        flags.putAll(overrides);
        return flags;
    }

    /** Resolves the settings against an environment (tests pass their own map). */
    public AppSettings settings(Map<String, String> environment) {
        return AppSettings.of(ConfigSources.fromFile(config), environment, flags());
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        AppSettings settings = null;
        GreenlineApp app;
        try {
            settings = settings(System.getenv());
            // Kafka Streams' start can block for minutes (global stores restore first): find a taken port before it
            Optional<String> portTaken = portTaken(settings);
            if (portTaken.isPresent()) {
                err.println(portTaken.get());
                err.flush();
                return 2;
            }
            // the topologies parse their own oee.* / quality.* / carbon.* / pact.* keys while they are built
            Topology topology = GreenlineTopology.build(new Topics(settings.serdes()), settings);
            app = new GreenlineApp(settings, topology);
        } catch (ConfigException | IllegalArgumentException | DateTimeException e) {
            err.println("Invalid configuration: " + e.getMessage() + keysHolding(settings, e));
            err.flush();
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        app.health().onStopped(stopped::countDown);
        AppSettings resolved = settings;
        Thread hook = new Thread(() -> {
            log.info("Shutting down (within {})", resolved.shutdownTimeout());
            app.close();
            stopped.countDown();
        }, "greenline-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            app.start();
        } catch (RuntimeException e) {
            Optional<BindException> bind = causeOf(e, BindException.class);
            if (bind.isEmpty()) {
                throw e;
            }
            err.println(portMessage(settings, bind.get()));
            err.flush();
            Runtime.getRuntime().removeShutdownHook(hook);
            app.close();
            return 2;
        }
        stopped.await();
        return app.health().state() == org.apache.kafka.streams.KafkaStreams.State.ERROR ? 1 : 0;
    }

    /** A one-line refusal when the query API's address cannot be bound (the port is taken), else empty. */
    static Optional<String> portTaken(AppSettings settings) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as Jetty binds: a port left in TIME_WAIT is not taken
            probe.bind(new InetSocketAddress(settings.httpHost(), settings.httpPort()));
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(portMessage(settings, e));
        }
    }

    private static String portMessage(AppSettings settings, Exception cause) {
        return "Cannot start the query API: " + settings.httpHost() + ":" + settings.httpPort() + " is in use or not available ("
                + cause.getMessage() + "); choose another port with --http-port or " + AppSettings.HTTP_PORT;
    }

    /** Which keys hold the text a setting's parser refused, when the parser's message does not name it. */
    private static String keysHolding(AppSettings settings, RuntimeException e) {
        if (!(e instanceof DateTimeParseException parse) || settings == null) {
            return "";
        }
        String text = parse.getParsedString();
        List<String> keys = settings.all().entrySet().stream()
                .filter(entry -> entry.getValue() != null && entry.getValue().trim().equals(text.trim()))
                .map(Map.Entry::getKey).sorted().toList();
        return ": '" + text + "'" + (keys.isEmpty() ? "" : " (" + String.join(", ", keys) + ")");
    }

    private static <T extends Throwable> Optional<T> causeOf(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }

    private static void put(Map<String, String> flags, String key, Object value) {
        if (value != null) {
            flags.put(key, value.toString());
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new StreamsCommand()).execute(args));
    }
}

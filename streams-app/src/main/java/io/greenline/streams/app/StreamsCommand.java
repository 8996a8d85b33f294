package io.greenline.streams.app;

import io.greenline.schemas.Topics;
import io.greenline.streams.GreenlineTopology;
import io.greenline.streams.config.AppSettings;
import io.greenline.streams.config.ConfigSources;
import java.nio.file.Path;
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
import picocli.CommandLine.Option;

/**
 * {@code greenline streams}: runs every topology in one Kafka Streams application and serves the query
 * API. Settings: defaults, then {@code --config FILE}, then the environment, then these flags. SIGTERM
 * (Ctrl-C) closes Kafka Streams within {@code greenline.shutdown.timeout.ms}, and the process exits then even
 * when Kafka Streams is still starting against an unreachable broker ({@link GreenlineApp#close()}).
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
        AppSettings settings;
        try {
            settings = settings(System.getenv());
        } catch (ConfigException e) {
            System.err.println("Invalid configuration: " + e.getMessage());
            return 2;
        }
        Topology topology = GreenlineTopology.build(new Topics(settings.serdes()), settings);
        CountDownLatch stopped = new CountDownLatch(1);
        GreenlineApp app = new GreenlineApp(settings, topology);
        app.health().onStopped(stopped::countDown);
        Thread hook = new Thread(() -> {
            log.info("Shutting down (within {})", settings.shutdownTimeout());
            app.close();
            stopped.countDown();
        }, "greenline-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        app.start();
        stopped.await();
        return app.health().state() == org.apache.kafka.streams.KafkaStreams.State.ERROR ? 1 : 0;
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

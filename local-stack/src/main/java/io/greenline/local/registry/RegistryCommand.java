package io.greenline.local.registry;

import io.greenline.schemas.TopicNames;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code greenline registry}: runs the embedded schema registry against a Kafka cluster until
 * interrupted (Ctrl-C). Exit code 1 when Kafka cannot be reached or the port is taken.
 */
@Command(name = "registry", mixinStandardHelpOptions = true,
        description = "Run a Confluent-protocol schema registry that keeps its schemas in the compacted topic _schemas.")
public final class RegistryCommand implements Callable<Integer> {

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]",
            defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (env KAFKA_BOOTSTRAP_SERVERS; default ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = {"-p", "--port"}, defaultValue = "8081",
            description = "HTTP port (default ${DEFAULT-VALUE}; 0 picks a free port).")
    int port;

    @Option(names = "--host", defaultValue = EmbeddedSchemaRegistry.LOOPBACK,
            description = "Interface to listen on (default ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--auth-token", paramLabel = "TOKEN", defaultValue = "${env:GREENLINE_REGISTRY_AUTH_TOKEN}",
            description = "Token that writes (POST, PUT, DELETE) must carry, as Bearer or as the Basic auth password "
                    + "(env GREENLINE_REGISTRY_AUTH_TOKEN; default: none, writes open).")
    String authToken;

    @Option(names = "--topic", defaultValue = TopicNames.SCHEMAS,
            description = "Compacted single-partition topic holding the schemas (default ${DEFAULT-VALUE}).")
    String topic;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RegistryCommand()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        EmbeddedSchemaRegistry registry;
        try {
            registry = EmbeddedSchemaRegistry.start(bootstrapServers, port, topic, host, java.util.Optional.ofNullable(authToken));
        } catch (RuntimeException e) {
            System.err.println("Cannot start the schema registry: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            registry.close();
            stopped.countDown();
        }, "schema-registry-shutdown"));
        System.out.println("Schema registry: " + registry.url() + " (schemas in " + topic + " on " + bootstrapServers + ")");
        stopped.await();
        return 0;
    }
}

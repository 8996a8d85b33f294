package io.greenline.producers;

import io.greenline.schemas.Topics;
import io.greenline.schemas.config.ClientEnvironment;
import io.greenline.schemas.serde.AvroSerdeConfig;
import io.greenline.schemas.serde.GreenlineSerdes;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import picocli.CommandLine.Option;

/**
 * Where producers connect: picocli options with environment fallbacks ({@code KAFKA_BOOTSTRAP_SERVERS},
 * {@code SCHEMA_REGISTRY_URL}) and the local defaults of docs/design.md section 2. Every other client and serde
 * setting comes from the environment exactly as for the streams app ({@link ClientEnvironment}: e.g.
 * {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_JAAS_CONFIG}, {@code SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION},
 * {@code BASIC_AUTH_USER_INFO}), so the simulators reach a secured cluster too.
 */
public final class ConnectionOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (env KAFKA_BOOTSTRAP_SERVERS; default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL",
            defaultValue = "${env:SCHEMA_REGISTRY_URL:-http://localhost:8081}",
            description = "Schema registry URL (env SCHEMA_REGISTRY_URL; default: ${DEFAULT-VALUE}).")
    String schemaRegistryUrl;

    private Map<String, String> environment = System.getenv();

    public ConnectionOptions() {
    }

    public ConnectionOptions(String bootstrapServers, String schemaRegistryUrl) {
        this.bootstrapServers = bootstrapServers;
        this.schemaRegistryUrl = schemaRegistryUrl;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String schemaRegistryUrl() {
        return schemaRegistryUrl;
    }

    /** Reads client and serde settings from {@code environment} instead of the process environment (tests). */
    public ConnectionOptions withEnvironment(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
        return this;
    }

    /** Serde settings: the environment's {@code SCHEMA_REGISTRY_*} / {@code BASIC_AUTH_*}, then the registry URL option. */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> config = new HashMap<>();
        ClientEnvironment.fromEnvironment(environment).forEach((k, v) -> {
            if (ClientEnvironment.isSerdeKey(k)) {
                config.put(k, v);
            }
        });
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
        return config;
    }

    /** Producer settings: the environment's {@code KAFKA_*}, then the bootstrap option and the client id. */
    public Map<String, Object> producerConfig(String clientId) {
        Map<String, Object> config = new HashMap<>();
        ClientEnvironment.fromEnvironment(environment).forEach((k, v) -> {
            if (!ClientEnvironment.isSerdeKey(k)) {
                config.put(k, v);
            }
        });
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return config;
    }

    /** The topic catalogue with serdes for the configured registry. */
    public Topics topics() {
        return new Topics(new GreenlineSerdes(serdeConfig()));
    }

    /** A Kafka sink for the configured cluster. */
    public KafkaEventSink sink(String clientId) {
        return KafkaEventSink.connect(producerConfig(clientId));
    }
}

package io.greenline.producers;

import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import picocli.CommandLine.Option;

/**
 * Where producers connect: picocli options with environment fallbacks ({@code KAFKA_BOOTSTRAP_SERVERS},
 * {@code SCHEMA_REGISTRY_URL}) and the local defaults of DESIGN.md section 2.
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

    /** The topic catalogue with serdes for the configured registry. */
    public Topics topics() {
        return new Topics(GreenlineSerdes.forRegistry(schemaRegistryUrl));
    }

    /** A Kafka sink for the configured cluster. */
    public KafkaEventSink sink(String clientId) {
        return KafkaEventSink.connect(bootstrapServers, clientId);
    }
}

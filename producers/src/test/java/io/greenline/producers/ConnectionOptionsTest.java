package io.greenline.producers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ConnectionOptionsTest {

    private static final Map<String, String> SECURED_CLUSTER = Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", "ignored-env:9092",
            "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
            "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
            "KAFKA_SSL_TRUSTSTORE_LOCATION", "/certs/truststore.p12",
            "SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION", "/certs/registry.p12",
            "BASIC_AUTH_CREDENTIALS_SOURCE", "USER_INFO",
            "BASIC_AUTH_USER_INFO", "sim:secret");

    @Test
    @DisplayName("Simulators reach a secured cluster: KAFKA_* security settings go to the producer, registry settings to the serdes")
    void securitySettingsFromTheEnvironment() {
        ConnectionOptions options = new ConnectionOptions("kafka-0:9093", "https://registry:8081").withEnvironment(SECURED_CLUSTER);

        assertThat(options.producerConfig("sim")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "bootstrap.servers", "kafka-0:9093", // the option (its default is the env value) wins
                "client.id", "sim",
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "ssl.truststore.location", "/certs/truststore.p12"));
        assertThat(options.serdeConfig()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "schema.registry.url", "https://registry:8081",
                "schema.registry.ssl.truststore.location", "/certs/registry.p12",
                "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "sim:secret"));
    }
}

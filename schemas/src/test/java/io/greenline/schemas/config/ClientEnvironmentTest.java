package io.greenline.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ClientEnvironmentTest {

    @Test
    @DisplayName("KAFKA_*, SCHEMA_REGISTRY_* and BASIC_AUTH_* become client and serde keys; JVM launcher variables and others are ignored")
    void mapsClientAndSerdeVariables() {
        Map<String, String> env = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "kafka:9093",
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_JAAS_CONFIG", "jaas",
                "KAFKA_HEAP_OPTS", "-Xmx1g",
                "KAFKA_HOME", "/opt/kafka",
                "SCHEMA_REGISTRY_URL", "https://registry:8081",
                "SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION", "/certs/ts.p12",
                "BASIC_AUTH_USER_INFO", "u:p",
                "GREENLINE_HTTP_PORT", "8080",
                "PATH", "/usr/bin");

        assertThat(ClientEnvironment.fromEnvironment(env)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "bootstrap.servers", "kafka:9093",
                "security.protocol", "SASL_SSL",
                "sasl.jaas.config", "jaas",
                "schema.registry.url", "https://registry:8081",
                "schema.registry.ssl.truststore.location", "/certs/ts.p12",
                "basic.auth.user.info", "u:p"));
    }

    @Test
    @DisplayName("Serde keys are told apart from Kafka client keys")
    void serdeKeys() {
        assertThat(ClientEnvironment.isSerdeKey("schema.registry.url")).isTrue();
        assertThat(ClientEnvironment.isSerdeKey("basic.auth.credentials.source")).isTrue();
        assertThat(ClientEnvironment.isSerdeKey("auto.register.schemas")).isTrue();
        assertThat(ClientEnvironment.isSerdeKey("security.protocol")).isFalse();
        assertThat(ClientEnvironment.isSerdeKey("ssl.truststore.location")).isFalse();
    }

    @Test
    @DisplayName("Launcher and Kubernetes service-link GREENLINE_ variables are told apart from settings")
    void launcherAndPlatformVariables() {
        for (String name : new String[] {"GREENLINE_JAVA_OPTS", "GREENLINE_MVN_FLAGS", "GREENLINE_REBUILD", "GREENLINE_SERVICE_HOST",
                "GREENLINE_SERVICE_PORT", "GREENLINE_SERVICE_PORT_HTTP", "GREENLINE_PORT", "GREENLINE_PORT_8080_TCP",
                "GREENLINE_PORT_8080_TCP_ADDR"}) {
            assertThat(ClientEnvironment.isLauncherOrPlatformVariable(name)).as(name).isTrue();
        }
        for (String name : new String[] {"GREENLINE_HTTP_PORT", "GREENLINE_HTTP_PROT", "GREENLINE_PORTS", "GREENLINE_OEE_GRACE"}) {
            assertThat(ClientEnvironment.isLauncherOrPlatformVariable(name)).as(name).isFalse();
        }
    }
}

package io.greenline.streams.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenline.streams.app.StreamsCommand;
import io.greenline.streams.errors.DeadLetterHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AppSettingsTest {

    private static final Map<String, String> NO_ENV = Map.of();

    @TempDir
    Path dir;

    private StreamsCommand command(String... args) {
        StreamsCommand command = new StreamsCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    private Path file(String content) throws IOException {
        Path file = dir.resolve("greenline.properties");
        Files.writeString(file, content);
        return file;
    }

    @Test
    @DisplayName("With nothing configured the built-in defaults hold: local broker and registry, exactly-once, one standby, DLQ handler, port 8080")
    void defaults() {
        AppSettings settings = command().settings(NO_ENV);
        Properties streams = settings.streamsProperties();
        assertThat(settings.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(settings.schemaRegistryUrl()).isEqualTo("http://localhost:8081");
        assertThat(settings.applicationId()).isEqualTo("greenline");
        assertThat(settings.processingGuarantee()).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(settings.httpPort()).isEqualTo(8080);
        assertThat(settings.applicationServer()).isEqualTo("localhost:8080");
        assertThat(streams).containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1")
                .containsEntry(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true")
                .containsEntry(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "mfg.dlq")
                .containsEntry(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName())
                .containsEntry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName())
                .containsEntry(AppSettings.ROCKSDB_MEMORY_BYTES, String.valueOf(256L * 1024 * 1024))
                .containsEntry(AppSettings.ROCKSDB_STORE_INSTANCES, "240")
                .containsEntry(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, String.valueOf(64L * 1024 * 1024))
                .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000")
                .containsEntry("producer.linger.ms", "50")
                .containsEntry("producer.batch.size", String.valueOf(256 * 1024))
                .containsEntry("producer.compression.type", "lz4")
                .containsEntry("main.consumer.max.partition.fetch.bytes", String.valueOf(256 * 1024));
        // the stream threads' consumer prefetches 256 KiB per partition; restoring state still fetches Kafka's 1 MiB
        StreamsConfig kafka = new StreamsConfig(streams);
        assertThat(kafka.getMainConsumerConfigs("greenline", "client", 0))
                .containsEntry(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(256 * 1024));
        assertThat(kafka.getRestoreConsumerConfigs("client")).doesNotContainKey(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG);
        assertThat(settings.httpAuthToken()).isEmpty();
        assertThat(settings.httpTls()).isEmpty();
    }

    @Test
    @DisplayName("Precedence is defaults < --config file < environment < flags, key by key")
    void precedence() throws IOException {
        Path config = file("""
                bootstrap.servers=file:9092
                application.id=from-file
                greenline.http.port=7001
                state.dir=/file/state
                commit.interval.ms=1234
                """);
        Map<String, String> env = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "env:9092",
                "GREENLINE_HTTP_PORT", "7002",
                "KAFKA_STATE_DIR", "/env/state");
        AppSettings settings = command("--config", config.toString(), "--state-dir", "/flag/state").settings(env);
        assertThat(settings.applicationId()).as("file over default").isEqualTo("from-file");
        assertThat(settings.streamsProperties()).containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1234");
        assertThat(settings.bootstrapServers()).as("env over file").isEqualTo("env:9092");
        assertThat(settings.httpPort()).as("env over file").isEqualTo(7002);
        assertThat(settings.streamsProperties()).as("flag over env").containsEntry(StreamsConfig.STATE_DIR_CONFIG, "/flag/state");
        assertThat(settings.applicationServer()).isEqualTo("localhost:7002");
    }

    @Test
    @DisplayName("Environment names map to keys: KAFKA_FOO_BAR -> foo.bar, GREENLINE_FOO -> greenline.foo, SCHEMA_REGISTRY_* and BASIC_AUTH_* -> serde keys; launcher variables are ignored")
    void environmentMapping() {
        Map<String, String> env = Map.of(
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_HEAP_OPTS", "-Xmx1g",
                "SCHEMA_REGISTRY_URL", "https://registry:8081",
                "SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION", "/certs/truststore.p12",
                "BASIC_AUTH_CREDENTIALS_SOURCE", "USER_INFO",
                "BASIC_AUTH_USER_INFO", "user:secret",
                "GREENLINE_QUERY_STALE_STORES", "false",
                "PATH", "/usr/bin");
        AppSettings settings = command().settings(env);
        assertThat(settings.streamsProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .doesNotContainKeys("heap.opts", "path", "schema.registry.url", "basic.auth.user.info");
        assertThat(settings.serdeConfigs())
                .containsEntry("schema.registry.url", "https://registry:8081")
                .containsEntry("schema.registry.ssl.truststore.location", "/certs/truststore.p12")
                .containsEntry("basic.auth.credentials.source", "USER_INFO")
                .containsEntry("basic.auth.user.info", "user:secret");
        assertThat(settings.staleStoresAllowed()).isFalse();
    }

    @Test
    @DisplayName("Flags reach their keys, -D sets any key, at_least_once is selectable")
    void flags() {
        AppSettings settings = command("--bootstrap-servers", "b:9092", "--schema-registry-url", "http://r:8081",
                "--application-id", "plant-7", "--http-port", "9090", "--advertised-host", "pod-1.greenline",
                "--processing-guarantee", "at_least_once", "--standby-replicas", "2",
                "-D", "greenline.http.auth.token=s3cret", "-D", "greenline.rocksdb.memory.bytes=67108864").settings(NO_ENV);
        assertThat(settings.bootstrapServers()).isEqualTo("b:9092");
        assertThat(settings.schemaRegistryUrl()).isEqualTo("http://r:8081");
        assertThat(settings.applicationId()).isEqualTo("plant-7");
        assertThat(settings.applicationServer()).isEqualTo("pod-1.greenline:9090");
        assertThat(settings.processingGuarantee()).isEqualTo(StreamsConfig.AT_LEAST_ONCE);
        assertThat(settings.streamsProperties()).containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "2");
        assertThat(settings.httpAuthToken()).contains("s3cret");
        assertThat(settings.rocksDbMemoryBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(settings.toString()).doesNotContain("s3cret");
    }

    @Test
    @DisplayName("A GREENLINE_ variable or greenline.* key naming no setting fails at start, naming it (a misspelt setting would keep its default unnoticed)")
    void unknownSettingsFail() {
        assertThatThrownBy(() -> command().settings(Map.of("GREENLINE_HTTP_PROT", "9090")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("GREENLINE_HTTP_PROT").hasMessageContaining("GREENLINE_HTTP_PORT");
        assertThatThrownBy(() -> command("-D", "greenline.http.prot=9090").settings(NO_ENV))
                .isInstanceOf(ConfigException.class).hasMessageContaining("greenline.http.prot").hasMessageContaining("greenline.http.port");
        // the value is not echoed: a misspelt key may hold a secret
        assertThatThrownBy(() -> command("-D", "greenline.http.auth.tokn=s3cret").settings(NO_ENV))
                .isInstanceOf(ConfigException.class).message().doesNotContain("s3cret");
        // launcher and Kubernetes service-link variables are not settings
        AppSettings settings = command().settings(Map.of("GREENLINE_JAVA_OPTS", "-Xmx2g", "GREENLINE_SERVICE_HOST", "10.0.0.1",
                "GREENLINE_PORT", "tcp://10.0.0.1:8080", "GREENLINE_PORT_8080_TCP_ADDR", "10.0.0.1", "GREENLINE_HTTP_PORT", "9091"));
        assertThat(settings.httpPort()).isEqualTo(9091);
    }

    @Test
    @DisplayName("explicit internal resource naming cannot be switched off")
    void explicitNamingIsForced() {
        AppSettings settings = AppSettings.of(Map.of(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "false"));
        assertThat(settings.streamsProperties()).containsEntry(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
    }

    @Test
    @DisplayName("An invalid value fails at start with a message naming the key")
    void invalidValuesNameTheirKey() {
        assertThatThrownBy(() -> command("--http-port", "70000").settings(NO_ENV))
                .isInstanceOf(ConfigException.class).hasMessageContaining("greenline.http.port");
        assertThatThrownBy(() -> command().settings(Map.of("GREENLINE_ROCKSDB_MEMORY_BYTES", "lots")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("greenline.rocksdb.memory.bytes");
        // the memtable size divides by the planned instances
        assertThatThrownBy(() -> command().settings(Map.of("GREENLINE_ROCKSDB_STORE_INSTANCES", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("greenline.rocksdb.store.instances");
        assertThatThrownBy(() -> command("--processing-guarantee", "exactly_once").settings(NO_ENV))
                .isInstanceOf(ConfigException.class).hasMessageContaining("processing.guarantee");
        assertThatThrownBy(() -> command("-D", "num.stream.threads=many").settings(NO_ENV))
                .isInstanceOf(ConfigException.class).hasMessageContaining("num.stream.threads");
        assertThatThrownBy(() -> command("--schema-registry-url", " ").settings(NO_ENV))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> command("--config", dir.resolve("missing.properties").toString()).settings(NO_ENV))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--config").hasMessageContaining("missing.properties");
    }

    @Test
    @DisplayName("HTTPS is on exactly when a key store is configured")
    void tlsSetting() {
        AppSettings settings = AppSettings.of(Map.of(AppSettings.HTTP_TLS_KEYSTORE, "/certs/api.p12",
                AppSettings.HTTP_TLS_KEYSTORE_PASSWORD, "changeit"));
        assertThat(settings.httpTls()).hasValueSatisfying(tls -> {
            assertThat(tls.keyStorePath()).isEqualTo("/certs/api.p12");
            assertThat(tls.keyStorePassword()).isEqualTo("changeit");
            assertThat(tls.keyStoreType()).isEqualTo("PKCS12");
            assertThat(tls.toString()).doesNotContain("changeit");
        });
    }
}

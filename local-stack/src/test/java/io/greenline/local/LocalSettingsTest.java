package io.greenline.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.streams.config.AppSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code greenline local} reads the settings {@code greenline streams} reads, with its own defaults and the local broker and registry. */
class LocalSettingsTest {

    @TempDir
    Path dir;

    private LocalCommand parsed(Map<String, String> environment, String... args) {
        LocalCommand command = new LocalCommand();
        new CommandLine(command).parseArgs(args);
        command.environment = environment;
        return command;
    }

    @Test
    @DisplayName("defaults: API on 127.0.0.1, no token, the local broker and registry, a local application.id")
    void privateDefaults() {
        AppSettings settings = AppSettings.of(parsed(Map.of()).settings("127.0.0.1:40001", "http://localhost:40002"));

        assertThat(settings.httpHost()).isEqualTo("127.0.0.1");
        assertThat(settings.httpPort()).isEqualTo(8080);
        assertThat(settings.httpAuthToken()).isEmpty();
        assertThat(settings.bootstrapServers()).isEqualTo("127.0.0.1:40001");
        assertThat(settings.applicationId()).isEqualTo("greenline-local");
        assertThat(settings.all()).doesNotContainKey("basic.auth.user.info");
    }

    @Test
    @DisplayName("--config < environment < flags < -D, as for greenline streams; bootstrap.servers and schema.registry.url stay local; a token makes the clients authenticate to the registry")
    void layers() throws IOException {
        Path file = dir.resolve("greenline.properties");
        Files.writeString(file, """
                oee.grace=PT1M
                quality.grace=PT2M
                greenline.http.port=9001
                bootstrap.servers=prod-kafka:9092
                """);
        Map<String, String> env = Map.of("GREENLINE_HTTP_AUTH_TOKEN", "from-env", "GREENLINE_QUALITY_GRACE", "PT3M",
                "KAFKA_BOOTSTRAP_SERVERS", "other-kafka:9092", "SCHEMA_REGISTRY_URL", "http://prod-registry:8081",
                "GREENLINE_HTTP_HOST", "10.1.2.3");
        LocalCommand command = parsed(env, "--config", file.toString(), "--bind", "0.0.0.0", "-D", "oee.grace=PT4M");

        Map<String, String> settings = command.settings("127.0.0.1:40001", "http://localhost:40002");
        AppSettings app = AppSettings.of(settings);

        assertThat(settings).containsEntry("oee.grace", "PT4M")      // -D over the file
                .containsEntry("quality.grace", "PT3M")             // environment over the file
                .containsEntry("basic.auth.credentials.source", "USER_INFO")
                .containsEntry("basic.auth.user.info", "greenline:from-env");
        assertThat(app.httpPort()).isEqualTo(9001);                 // the file over the default of --http-port (not given)
        assertThat(app.httpHost()).isEqualTo("0.0.0.0");            // --bind given: the flag over the environment
        assertThat(app.httpAuthToken()).contains("from-env");
        assertThat(app.bootstrapServers()).isEqualTo("127.0.0.1:40001");
        assertThat(settings).containsEntry("schema.registry.url", "http://localhost:40002");
    }

    @Test
    @DisplayName("the token of -D wins over the environment's")
    void tokenFromFlag() {
        LocalCommand command = parsed(Map.of("GREENLINE_HTTP_AUTH_TOKEN", "env"), "-D", "greenline.http.auth.token=flag");

        assertThat(AppSettings.of(command.settings("b:1", "http://r:2")).httpAuthToken()).contains("flag");
    }

    @Test
    @DisplayName("the status line and the printed URLs reach a loopback or wildcard bind at localhost, a specific address at that address")
    void reachableHost() {
        assertThat(LocalCommand.reachableHost("127.0.0.1")).isEqualTo("localhost");
        assertThat(LocalCommand.reachableHost("0.0.0.0")).isEqualTo("localhost");
        assertThat(LocalCommand.reachableHost("192.0.2.7")).isEqualTo("192.0.2.7");
    }

    @Test
    @DisplayName("an invalid setting, --ready-timeout or --history stops greenline local before anything starts, with one line and exit code 2")
    void invalidSettingExits2() {
        for (String[] args : java.util.List.of(
                new String[] {"-D", "greenline.http.port=eighty"},
                new String[] {"--ready-timeout", "soon"},
                new String[] {"--history", "13h40m"},
                new String[] {"--config", dir.resolve("missing.properties").toString()})) {
            java.io.StringWriter err = new java.io.StringWriter();
            LocalCommand command = new LocalCommand();
            command.environment = Map.of();
            CommandLine cli = new CommandLine(command).setErr(new java.io.PrintWriter(err));
            String[] all = java.util.stream.Stream.concat(java.util.stream.Stream.of("--data-dir", dir.resolve("data").toString()),
                    java.util.Arrays.stream(args)).toArray(String[]::new);

            assertThat(cli.execute(all)).as(String.join(" ", args)).isEqualTo(2);
            assertThat(err.toString()).startsWith("Invalid configuration: ").doesNotContain("\tat ");
            assertThat(dir.resolve("data")).as("nothing started").doesNotExist();
        }
    }
}

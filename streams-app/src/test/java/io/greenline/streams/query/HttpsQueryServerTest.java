package io.greenline.streams.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.streams.app.GreenlineApp;
import io.greenline.streams.config.AppSettings;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With a key store configured the query API speaks HTTPS only, with that certificate. */
class HttpsQueryServerTest {

    private static final String PASSWORD = "changeit";

    @TempDir
    static Path dir;

    private static GreenlineApp app;
    private static SSLContext trusting;

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(output).isZero();
    }

    @BeforeAll
    static void start() throws Exception {
        Path keyStore = dir.resolve("api.p12");
        Path cert = dir.resolve("api.crt");
        Path trustStore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "api", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-alias", "api", "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "api", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", trustStore.toString(), "-storepass", PASSWORD);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trustStore)) {
            trust.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, tmf.getTrustManagers(), null);

        Map<String, String> props = new HashMap<>();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        props.put("schema.registry.url", "mock://https-query-server-test");
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "https-query-server-test");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(AppSettings.HTTP_PORT, String.valueOf(QueryServerTest.freePort()));
        props.put(AppSettings.SHUTDOWN_TIMEOUT_MS, "5000");
        props.put(AppSettings.HTTP_TLS_KEYSTORE, keyStore.toString());
        props.put(AppSettings.HTTP_TLS_KEYSTORE_PASSWORD, PASSWORD);
        app = new GreenlineApp(AppSettings.of(props), QueryServerTest.topology()).start();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    @DisplayName("HTTPS with the configured certificate answers; plain HTTP on the same port does not")
    void httpsOnly() throws Exception {
        HttpClient https = HttpClient.newBuilder().sslContext(trusting).connectTimeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> live = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + app.httpPort() + "/health/live"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            HttpResponse<String> response = plain.send(HttpRequest.newBuilder(URI.create("http://localhost:" + app.httpPort() + "/health/live"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("plain HTTP must not be served").isNotEqualTo(200);
        } catch (java.io.IOException refused) {
            assertThat(refused).isNotNull(); // the TLS connector dropped the plain-text request
        }
    }
}

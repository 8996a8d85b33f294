package io.greenline.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.schemas.serde.AvroDeserializer;
import io.greenline.schemas.serde.AvroSerdeConfig;
import io.greenline.schemas.serde.AvroSerializer;
import io.greenline.schemas.serde.BadDataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client over TLS with Confluent's {@code schema.registry.ssl.*} keys, against a loopback
 * HTTPS registry whose self-signed certificate is made with the JDK's keytool.
 */
class RegistryTlsTest {

    private static final String PASSWORD = "changeit";
    private static final MachineStateChanged EVENT = MachineStateChanged.newBuilder()
            .setEventId("ms-1").setLineId("drum-line-1").setWorkcellId("lathe-2")
            .setTimestamp(Instant.parse("2026-03-02T06:00:00Z")).setState(MachineState.RUNNING).setReasonCode(null).build();

    @TempDir
    static Path dir;
    private static Path keyStore;
    private static Path trustStore;

    @BeforeAll
    static void makeCertificates() throws Exception {
        keyStore = dir.resolve("registry.p12");
        trustStore = dir.resolve("trust.p12");
        Path cert = dir.resolve("registry.crt");
        keytool("-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-alias", "registry", "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "registry", "-file", cert.toString(),
                "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass", PASSWORD);
    }

    @Test
    @DisplayName("with schema.registry.ssl.truststore.* the client trusts the registry's certificate and round-trips a record")
    void trustStoreConfigured() throws Exception {
        try (RegistryHttpFixture registry = RegistryHttpFixture.startTls(serverContext())) {
            Map<String, Object> config = new HashMap<>();
            config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url());
            config.put("schema.registry.ssl.truststore.location", trustStore.toString());
            config.put("schema.registry.ssl.truststore.password", PASSWORD);
            config.put("schema.registry.ssl.truststore.type", "PKCS12");

            AvroSerializer<MachineStateChanged> serializer = new AvroSerializer<>();
            serializer.configure(config, false);
            AvroDeserializer<MachineStateChanged> deserializer = new AvroDeserializer<>(MachineStateChanged.class);
            deserializer.configure(config, false);

            assertThat(registry.url()).startsWith("https://");
            assertThat(deserializer.deserialize("mfg.machine-state", serializer.serialize("mfg.machine-state", EVENT))).isEqualTo(EVENT);
        }
    }

    @Test
    @DisplayName("without the trust store the TLS handshake fails, and that is a retriable registry outage, not bad data")
    void untrustedCertificate() throws Exception {
        try (RegistryHttpFixture registry = RegistryHttpFixture.startTls(serverContext())) {
            Map<String, Object> config = Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url(), AvroSerdeConfig.HTTP_READ_TIMEOUT_MS, "5000");
            AvroDeserializer<MachineStateChanged> deserializer = new AvroDeserializer<>(MachineStateChanged.class);
            deserializer.configure(config, false);

            assertThatThrownBy(() -> deserializer.deserialize("mfg.machine-state", new byte[] {0, 0, 0, 0, 1, 0}))
                    .isInstanceOf(RegistryUnavailableException.class)
                    .isNotInstanceOf(BadDataException.class)
                    .hasMessageContaining("unreachable");
        }
    }

    private static SSLContext serverContext() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(process.exitValue()).as("keytool %s: %s", args[0], output).isZero();
    }
}

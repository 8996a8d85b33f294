package io.greenline.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.serde.AvroDeserializer;
import io.greenline.schemas.serde.AvroSerdeConfig;
import io.greenline.schemas.serde.AvroSerializer;
import io.greenline.schemas.serde.BadDataException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The REST registry client and the serdes over it, against a loopback registry that can be made to
 * fail: an outage is always the retriable {@link RegistryUnavailableException}, never bad data; ids
 * are cached so records cost no HTTP calls; basic auth sends the configured credentials.
 */
class RestSchemaRegistryClientTest {

    private static final String TOPIC = TopicNames.MACHINE_STATE;
    private static final String SUBJECT = TOPIC + "-value";
    private static final MachineStateChanged EVENT = MachineStateChanged.newBuilder()
            .setEventId("ms-1").setLineId("drum-line-1").setWorkcellId("lathe-2")
            .setTimestamp(Instant.parse("2026-03-02T06:00:00Z")).setState(MachineState.FAULT).setReasonCode("JAM").build();

    private RegistryHttpFixture registry;

    @BeforeEach
    void startRegistry() throws IOException {
        registry = RegistryHttpFixture.start();
    }

    @AfterEach
    void stopRegistry() {
        registry.close();
    }

    @Test
    @DisplayName("a registry that is not listening makes the serdes throw the retriable error, not bad data")
    void registryNotListening() throws IOException {
        Map<String, Object> config = config("http://127.0.0.1:" + closedPort());

        assertUnavailable(() -> deserializer(config).deserialize(TOPIC, framed(1)), "unreachable");
        assertUnavailable(() -> serializer(config).serialize(TOPIC, EVENT), "unreachable");
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {500, 502, 503, 429})
    @DisplayName("a registry answering 5xx or 429 makes the serdes throw the retriable error, not bad data")
    void serverErrors(int status) {
        registry.failWith(status, "{\"error_code\":50001,\"message\":\"Error in the backend data store\"}");
        Map<String, Object> config = config(registry.url());

        assertUnavailable(() -> deserializer(config).deserialize(TOPIC, framed(1)), "HTTP " + status);
        assertUnavailable(() -> serializer(config).serialize(TOPIC, EVENT), "HTTP " + status);
    }

    @Test
    @DisplayName("a registry that never answers hits the read timeout and gives the retriable error")
    void readTimeout() {
        registry.stall();
        Map<String, Object> config = config(registry.url());
        config.put(AvroSerdeConfig.HTTP_READ_TIMEOUT_MS, "300");

        assertUnavailable(() -> deserializer(config).deserialize(TOPIC, framed(1)), "timed out");
    }

    @Test
    @DisplayName("a refusal that is not about the id (401, a proxy's bare 404) is never bad data")
    void refusalsThatAreNotAboutTheRecord() {
        Map<String, Object> config = config(registry.url());
        registry.failWith(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
        assertUnavailable(() -> deserializer(config).deserialize(TOPIC, framed(1)), "401");
        registry.failWith(404, "<html><body>Not Found</body></html>");
        assertUnavailable(() -> deserializer(config).deserialize(TOPIC, framed(1)), "404");
        registry.failWith(200, "<html>captive portal</html>");
        assertUnavailable(() -> deserializer(config).deserialize(TOPIC, framed(1)), "not a JSON object");
    }

    @Test
    @DisplayName("an id the registry answers 40403 for is UNKNOWN_SCHEMA_ID bad data; after an outage the same record decodes")
    void unknownIdIsBadDataAndOutagesHeal() {
        int id = registry.registerDirectly(SUBJECT, MachineStateChanged.getClassSchema());
        Map<String, Object> config = config(registry.url());
        AvroDeserializer<MachineStateChanged> deserializer = deserializer(config);
        byte[] bytes = serializerWithoutRegistryCalls(id);

        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, framed(id + 100)))
                .isInstanceOfSatisfying(BadDataException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA_ID));
        registry.failWith(503, "");
        assertUnavailable(() -> deserializer.deserialize(TOPIC, bytes), "503");
        registry.failWith(0, "");
        assertThat(deserializer.deserialize(TOPIC, bytes)).isEqualTo(EVENT);
    }

    @Test
    @DisplayName("a thousand records cost one registry call: the register answer also serves the reader")
    void idsAreCached() {
        Map<String, Object> config = config(registry.url());
        AvroSerializer<MachineStateChanged> serializer = serializer(config);
        AvroDeserializer<MachineStateChanged> deserializer = deserializer(config);

        for (int i = 0; i < 1000; i++) {
            assertThat(deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, EVENT))).isEqualTo(EVENT);
        }

        assertThat(registry.requests()).extracting(RegistryHttpFixture.Request::method, RegistryHttpFixture.Request::path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("POST", "/subjects/mfg.machine-state-value/versions"));
    }

    @Test
    @DisplayName("a reader with its own client asks for a writer schema once, however many records use it")
    void readerAsksOncePerId() {
        int id = registry.registerDirectly(SUBJECT, MachineStateChanged.getClassSchema());
        AvroDeserializer<MachineStateChanged> deserializer =
                new AvroDeserializer<>(RestSchemaRegistryClient.fromConfig(config(registry.url())), MachineStateChanged.class);
        byte[] bytes = serializerWithoutRegistryCalls(id);

        for (int i = 0; i < 500; i++) {
            deserializer.deserialize(TOPIC, bytes);
        }

        assertThat(registry.requests()).extracting(RegistryHttpFixture.Request::path).containsExactly("/schemas/ids/" + id);
    }

    @Test
    @DisplayName("basic.auth.credentials.source=USER_INFO sends basic.auth.user.info as a Basic Authorization header")
    void basicAuthFromUserInfo() {
        Map<String, Object> config = config(registry.url());
        config.put(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO");
        config.put(AvroSerdeConfig.BASIC_AUTH_USER_INFO, "alice:s3cret");

        serializer(config).serialize(TOPIC, EVENT);

        // base64("alice:s3cret") = YWxpY2U6czNjcmV0
        assertThat(registry.requests()).extracting(RegistryHttpFixture.Request::authorization).containsExactly("Basic YWxpY2U6czNjcmV0");
    }

    @Test
    @DisplayName("basic.auth.credentials.source=URL sends the URL's user:password and keeps it out of the request line")
    void basicAuthFromUrl() {
        Map<String, Object> config = config(registry.url().replace("http://", "http://bob:pa55@"));
        config.put(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "URL");

        serializer(config).serialize(TOPIC, EVENT);

        // base64("bob:pa55") = Ym9iOnBhNTU=
        assertThat(registry.requests()).singleElement().satisfies(request -> {
            assertThat(request.authorization()).isEqualTo("Basic Ym9iOnBhNTU=");
            assertThat(request.path()).isEqualTo("/subjects/mfg.machine-state-value/versions");
        });
    }

    @Test
    @DisplayName("without basic auth settings no Authorization header is sent")
    void noAuth() {
        serializer(config(registry.url())).serialize(TOPIC, EVENT);

        assertThat(registry.requests()).extracting(RegistryHttpFixture.Request::authorization).containsOnlyNulls();
    }

    @Test
    @DisplayName("with several registry URLs an unreachable one is skipped")
    void skipsAnUnreachableUrl() throws IOException {
        Map<String, Object> config = config("http://127.0.0.1:" + closedPort() + "," + registry.url());

        byte[] bytes = serializer(config).serialize(TOPIC, EVENT);

        assertThat(deserializer(config).deserialize(TOPIC, bytes)).isEqualTo(EVENT);
        assertThat(registry.requests()).hasSize(1);
    }

    @Test
    @DisplayName("the client speaks the registry protocol: latest version, lookup and compatibility check")
    void protocolCalls() {
        RestSchemaRegistryClient client = RestSchemaRegistryClient.fromConfig(config(registry.url()));
        int id = client.register(SUBJECT, MachineStateChanged.getClassSchema());

        assertThat(client.latest(SUBJECT)).isEqualTo(new SchemaRegistryClient.SubjectSchema(SUBJECT, 1, id, MachineStateChanged.getClassSchema()));
        assertThat(client.lookup(SUBJECT, MachineStateChanged.getClassSchema()).version()).isEqualTo(1);
        assertThat(client.isCompatible(SUBJECT, MachineStateChanged.getClassSchema())).isTrue();
        assertThat(client.isCompatible("no-such-subject", MachineStateChanged.getClassSchema())).isTrue();
        assertThatThrownBy(() -> client.latest("no-such-subject"))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(RegistryException.SUBJECT_NOT_FOUND));
    }

    private byte[] serializerWithoutRegistryCalls(int id) {
        InMemorySchemaRegistryClient local = InMemorySchemaRegistryClient.forScope("rest-client-test-writer-" + id);
        local.registerWithId(SUBJECT, MachineStateChanged.getClassSchema(), id);
        AvroSerializer<MachineStateChanged> serializer = new AvroSerializer<>(local);
        serializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "mock://unused"), false);
        byte[] bytes = serializer.serialize(TOPIC, EVENT);
        InMemorySchemaRegistryClient.dropScope("rest-client-test-writer-" + id);
        return bytes;
    }

    private static void assertUnavailable(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String messagePart) {
        assertThatThrownBy(call)
                .isInstanceOf(RegistryUnavailableException.class)
                .isInstanceOf(RetriableException.class)
                .isNotInstanceOf(BadDataException.class)
                .isNotInstanceOf(SerializationException.class)
                .hasMessageContaining(messagePart);
    }

    private static AvroDeserializer<MachineStateChanged> deserializer(Map<String, Object> config) {
        AvroDeserializer<MachineStateChanged> deserializer = new AvroDeserializer<>(MachineStateChanged.class);
        deserializer.configure(config, false);
        return deserializer;
    }

    private static AvroSerializer<MachineStateChanged> serializer(Map<String, Object> config) {
        AvroSerializer<MachineStateChanged> serializer = new AvroSerializer<>();
        serializer.configure(config, false);
        return serializer;
    }

    private static Map<String, Object> config(String url) {
        Map<String, Object> config = new HashMap<>();
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, url);
        config.put(AvroSerdeConfig.HTTP_READ_TIMEOUT_MS, "5000");
        return config;
    }

    /** Bytes framed for schema {@code id}; the body is never reached when the registry fails. */
    private static byte[] framed(int id) {
        return ByteBuffer.allocate(7).put((byte) 0).putInt(id).put((byte) 0).put((byte) 0).array();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}

package io.greenline.it.registry;

import io.greenline.schemas.serde.SampleEvents;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.ProductionCounted;
import io.greenline.it.support.KafkaExtension;
import io.greenline.it.support.KafkaFixture;
import io.greenline.local.registry.EmbeddedSchemaRegistry;
import io.greenline.schemas.registry.RestSchemaRegistryClient;
import io.greenline.schemas.serde.AvroDeserializer;
import io.greenline.schemas.serde.AvroSerializer;
import io.greenline.schemas.serde.GreenlineSerdes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The embedded schema registry on the test Kafka cluster (a real child-JVM broker by default): durable ids across a restart,
 * Confluent's protocol (status codes, error bodies, media type) and compatibility levels.
 * Every test keeps its schemas in its own topic, so tests do not see each other's subjects.
 */
@ExtendWith(KafkaExtension.class)
class EmbeddedSchemaRegistryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MACHINE_STATE_VALUE = "mfg.machine-state-value";
    private static final String PRODUCTION_COUNT_VALUE = "mfg.production-count-value";

    private static KafkaFixture kafka;

    @BeforeAll
    static void kafka(KafkaFixture shared) {
        kafka = shared;
    }

    private static String freshTopic() {
        return KafkaFixture.uniqueTopic("_schemas");
    }

    private static EmbeddedSchemaRegistry registryOn(String topic) {
        return EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0, topic, "127.0.0.1");
    }

    @Test
    @DisplayName("after a restart on the same _schemas topic, the same subject and schema get the same id, and new ids do not clash")
    void idsSurviveARestart() {
        String topic = freshTopic();
        int stateId;
        int countId;
        try (EmbeddedSchemaRegistry first = registryOn(topic)) {
            RegistryHttp http = new RegistryHttp(first.url());
            stateId = http.post("/subjects/" + MACHINE_STATE_VALUE + "/versions", RegistryHttp.schemaBody(MachineStateChanged.getClassSchema())).body().get("id").asInt();
            countId = http.post("/subjects/" + PRODUCTION_COUNT_VALUE + "/versions", RegistryHttp.schemaBody(ProductionCounted.getClassSchema())).body().get("id").asInt();
            assertThat(http.put("/config/" + PRODUCTION_COUNT_VALUE, "{\"compatibility\":\"FULL\"}").status()).isEqualTo(200);
        }

        try (EmbeddedSchemaRegistry second = registryOn(topic)) {
            RegistryHttp http = new RegistryHttp(second.url());
            assertThat(http.post("/subjects/" + MACHINE_STATE_VALUE + "/versions", RegistryHttp.schemaBody(MachineStateChanged.getClassSchema())).body().get("id").asInt())
                    .isEqualTo(stateId);
            JsonNode found = http.post("/subjects/" + PRODUCTION_COUNT_VALUE, RegistryHttp.schemaBody(ProductionCounted.getClassSchema())).body();
            assertThat(found.get("id").asInt()).isEqualTo(countId);
            assertThat(found.get("version").asInt()).isEqualTo(1);
            assertThat(new Schema.Parser().parse(http.get("/schemas/ids/" + stateId).body().get("schema").asText()))
                    .isEqualTo(MachineStateChanged.getClassSchema());
            assertThat(http.get("/config/" + PRODUCTION_COUNT_VALUE).body().get("compatibilityLevel").asText()).isEqualTo("FULL");
            assertThat(http.get("/subjects/" + MACHINE_STATE_VALUE + "/versions").body()).hasSize(1);

            Schema v2 = withOptionalOperator(MachineStateChanged.getClassSchema());
            int v2Id = http.post("/subjects/" + MACHINE_STATE_VALUE + "/versions", RegistryHttp.schemaBody(v2)).body().get("id").asInt();
            assertThat(v2Id).isNotIn(stateId, countId);
            assertThat(http.get("/subjects/" + MACHINE_STATE_VALUE + "/versions/latest").body().get("version").asInt()).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("an incompatible schema (new field without a default) is refused with 409, naming the field")
    void incompatibleSchemaIsRefused() {
        try (EmbeddedSchemaRegistry registry = registryOn(freshTopic())) {
            RegistryHttp http = new RegistryHttp(registry.url());
            http.post("/subjects/" + MACHINE_STATE_VALUE + "/versions", RegistryHttp.schemaBody(MachineStateChanged.getClassSchema()));
            Schema breaking = edited(MachineStateChanged.getClassSchema(),
                    json -> ((ArrayNode) json.get("fields")).addObject().put("name", "operatorId").put("type", "string"));

            RegistryHttp.Answer refused = http.post("/subjects/" + MACHINE_STATE_VALUE + "/versions", RegistryHttp.schemaBody(breaking));
            RegistryHttp.Answer check = http.post("/compatibility/subjects/" + MACHINE_STATE_VALUE + "/versions/latest?verbose=true", RegistryHttp.schemaBody(breaking));

            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.errorCode()).isEqualTo(409);
            assertThat(refused.body().get("message").asText()).contains("operatorId").contains("READER_FIELD_MISSING_DEFAULT_VALUE");
            assertThat(check.status()).isEqualTo(200);
            assertThat(check.body().get("is_compatible").asBoolean()).isFalse();
            assertThat(check.body().get("messages").toString()).contains("operatorId");
            assertThat(http.get("/subjects/" + MACHINE_STATE_VALUE + "/versions").body()).hasSize(1);
        }
    }

    @Test
    @DisplayName("registering the same schema twice gives the same id and version; the same schema under another subject shares the id")
    void registrationIsIdempotent() {
        try (EmbeddedSchemaRegistry registry = registryOn(freshTopic())) {
            RegistryHttp http = new RegistryHttp(registry.url());
            String body = RegistryHttp.schemaBody(MachineStateChanged.getClassSchema());

            RegistryHttp.Answer first = http.post("/subjects/" + MACHINE_STATE_VALUE + "/versions", body);
            RegistryHttp.Answer again = http.postJson("/subjects/" + MACHINE_STATE_VALUE + "/versions", body);
            RegistryHttp.Answer otherSubject = http.post("/subjects/replay.machine-state-value/versions", body);

            assertThat(first.status()).isEqualTo(200);
            assertThat(first.contentType()).startsWith(RegistryHttp.MEDIA_TYPE);
            assertThat(again.body().get("id").asInt()).isEqualTo(first.body().get("id").asInt());
            assertThat(otherSubject.body().get("id").asInt()).isEqualTo(first.body().get("id").asInt());
            assertThat(http.get("/subjects/" + MACHINE_STATE_VALUE + "/versions").body().toString()).isEqualTo("[1]");
            assertThat(http.get("/subjects").body().toString()).isEqualTo("[\"mfg.machine-state-value\",\"replay.machine-state-value\"]");
            assertThat(new Schema.Parser().parse(http.get("/subjects/" + MACHINE_STATE_VALUE + "/versions/1/schema").body().toString()))
                    .isEqualTo(MachineStateChanged.getClassSchema());
        }
    }

    @Test
    @DisplayName("refusals carry Confluent's error codes: 40401 subject, 40402 version, 40403 schema, 42201 invalid schema, 42202 version, 42203 level")
    void errorCodes() {
        try (EmbeddedSchemaRegistry registry = registryOn(freshTopic())) {
            RegistryHttp http = new RegistryHttp(registry.url());
            http.post("/subjects/" + MACHINE_STATE_VALUE + "/versions", RegistryHttp.schemaBody(MachineStateChanged.getClassSchema()));

            assertError(http.get("/subjects/nope/versions"), 404, 40401);
            assertError(http.get("/subjects/nope/versions/latest"), 404, 40401);
            assertError(http.get("/subjects/" + MACHINE_STATE_VALUE + "/versions/7"), 404, 40402);
            assertError(http.get("/subjects/" + MACHINE_STATE_VALUE + "/versions/first"), 422, 42202);
            assertError(http.get("/schemas/ids/9999"), 404, 40403);
            assertError(http.post("/subjects/" + MACHINE_STATE_VALUE, RegistryHttp.schemaBody(ProductionCounted.getClassSchema())), 404, 40403);
            assertError(http.post("/subjects/nope", RegistryHttp.schemaBody(ProductionCounted.getClassSchema())), 404, 40401);
            assertError(http.post("/subjects/" + MACHINE_STATE_VALUE + "/versions", "{\"schema\":\"{\\\"type\\\":\\\"record\\\"}\"}"), 422, 42201);
            assertError(http.post("/subjects/" + MACHINE_STATE_VALUE + "/versions", "{\"schema\":\"{}\",\"schemaType\":\"PROTOBUF\"}"), 422, 42201);
            assertError(http.put("/config", "{\"compatibility\":\"SIDEWAYS\"}"), 422, 42203);
            assertError(http.get("/config/" + MACHINE_STATE_VALUE), 404, 40408);
            assertError(http.get("/no/such/path"), 404, 404);
        }
    }

    @Test
    @DisplayName("BACKWARD by default; FORWARD, FULL and NONE as configured, globally or per subject")
    void compatibilityLevels() {
        try (EmbeddedSchemaRegistry registry = registryOn(freshTopic())) {
            RegistryHttp http = new RegistryHttp(registry.url());
            String subject = "/subjects/" + MACHINE_STATE_VALUE;
            http.post(subject + "/versions", RegistryHttp.schemaBody(MachineStateChanged.getClassSchema()));
            // dropping reasonCode: new readers ignore it (BACKWARD ok), old readers find its default (FORWARD ok)
            Schema withoutReason = edited(MachineStateChanged.getClassSchema(), json -> ((ArrayNode) json.get("fields")).remove(5));
            // a new required field: old readers ignore it (FORWARD ok), new readers lack it in old data (BACKWARD refused)
            Schema withRequiredShift = edited(MachineStateChanged.getClassSchema(),
                    json -> ((ArrayNode) json.get("fields")).addObject().put("name", "shift").put("type", "string"));

            assertThat(http.get("/config").body().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
            assertThat(compatible(http, withRequiredShift)).isFalse();
            assertThat(compatible(http, withoutReason)).isTrue();

            http.put("/config/" + MACHINE_STATE_VALUE, "{\"compatibility\":\"FORWARD\"}");
            assertThat(compatible(http, withRequiredShift)).isTrue();

            http.put("/config/" + MACHINE_STATE_VALUE, "{\"compatibility\":\"FULL\"}");
            assertThat(compatible(http, withRequiredShift)).isFalse();
            assertThat(compatible(http, withoutReason)).isTrue();

            http.delete("/config/" + MACHINE_STATE_VALUE);
            http.put("/config", "{\"compatibility\":\"NONE\"}");
            assertThat(http.get("/config/" + MACHINE_STATE_VALUE + "?defaultToGlobal=true").body().get("compatibilityLevel").asText()).isEqualTo("NONE");
            assertThat(http.post(subject + "/versions", RegistryHttp.schemaBody(withRequiredShift)).status()).isEqualTo(200);
        }
    }

    @Test
    @DisplayName("BACKWARD_TRANSITIVE checks every earlier version, BACKWARD only the latest")
    void transitiveLevels() {
        try (EmbeddedSchemaRegistry registry = registryOn(freshTopic())) {
            RegistryHttp http = new RegistryHttp(registry.url());
            String versions = "/subjects/" + MACHINE_STATE_VALUE + "/versions";
            Schema v1 = MachineStateChanged.getClassSchema();
            // v2 drops reasonCode; v3 brings it back as a required string: reads v2 data? no (missing, no default)
            Schema v2 = edited(v1, json -> ((ArrayNode) json.get("fields")).remove(5));
            Schema v3 = edited(v2, json -> ((ArrayNode) json.get("fields")).addObject().put("name", "reasonCode").put("type", "string").put("default", "UNSPECIFIED"));
            Schema v3Strict = edited(v2, json -> ((ArrayNode) json.get("fields")).addObject().put("name", "shift").put("type", "string").put("default", "A"));
            http.post(versions, RegistryHttp.schemaBody(v1));
            http.post(versions, RegistryHttp.schemaBody(v2));

            // v3 reads v2 data (default fills reasonCode) but not v1 data, where reasonCode is a union
            assertThat(http.post("/compatibility/subjects/" + MACHINE_STATE_VALUE + "/versions/latest", RegistryHttp.schemaBody(v3)).body().get("is_compatible").asBoolean()).isTrue();
            http.put("/config/" + MACHINE_STATE_VALUE, "{\"compatibility\":\"BACKWARD_TRANSITIVE\"}");
            assertThat(http.post("/compatibility/subjects/" + MACHINE_STATE_VALUE + "/versions/latest", RegistryHttp.schemaBody(v3)).body().get("is_compatible").asBoolean()).isFalse();
            assertThat(http.post(versions, RegistryHttp.schemaBody(v3)).status()).isEqualTo(409);
            assertThat(http.post(versions, RegistryHttp.schemaBody(v3Strict)).status()).isEqualTo(200);
        }
    }

    @Test
    @DisplayName("DELETE /subjects/{s} hides the subject but its ids keep resolving for records already written")
    void softDelete() {
        try (EmbeddedSchemaRegistry registry = registryOn(freshTopic())) {
            RegistryHttp http = new RegistryHttp(registry.url());
            int id = http.post("/subjects/" + MACHINE_STATE_VALUE + "/versions", RegistryHttp.schemaBody(MachineStateChanged.getClassSchema())).body().get("id").asInt();

            assertThat(http.delete("/subjects/" + MACHINE_STATE_VALUE).body().toString()).isEqualTo("[1]");

            assertError(http.get("/subjects/" + MACHINE_STATE_VALUE + "/versions"), 404, 40401);
            assertThat(http.get("/subjects").body()).isEmpty();
            assertThat(http.get("/schemas/ids/" + id).status()).isEqualTo(200);
            assertThat(http.post("/subjects/" + MACHINE_STATE_VALUE + "/versions", RegistryHttp.schemaBody(MachineStateChanged.getClassSchema())).body().get("id").asInt())
                    .isEqualTo(id);
            assertThat(http.get("/subjects/" + MACHINE_STATE_VALUE + "/versions").body().toString()).isEqualTo("[2]");
        }
    }

    @Test
    @DisplayName("Greenline's serdes over the embedded registry cost one registry request for a thousand records")
    void clientCachingCountedAtTheRegistry() {
        try (EmbeddedSchemaRegistry registry = registryOn(freshTopic())) {
            GreenlineSerdes serdes = GreenlineSerdes.forRegistry(registry.url());
            AvroSerializer<MachineStateChanged> serializer = new AvroSerializer<>();
            serializer.configure(serdes.configs(), false);
            AvroDeserializer<MachineStateChanged> deserializer =
                    new AvroDeserializer<>(RestSchemaRegistryClient.fromConfig(serdes.configs()), MachineStateChanged.class);
            deserializer.configure(serdes.configs(), false);
            long before = registry.requestCount();

            for (int i = 0; i < 1000; i++) {
                assertThat(deserializer.deserialize("mfg.machine-state", serializer.serialize("mfg.machine-state", SampleEvents.FAULT)))
                        .isEqualTo(SampleEvents.FAULT);
            }

            // one register (serializer) and one schema-by-id (the reader's own client)
            assertThat(registry.requestCount() - before).isEqualTo(2);
        }
    }

    private static boolean compatible(RegistryHttp http, Schema schema) {
        return http.post("/compatibility/subjects/" + MACHINE_STATE_VALUE + "/versions/latest", RegistryHttp.schemaBody(schema))
                .body().get("is_compatible").asBoolean();
    }

    private static void assertError(RegistryHttp.Answer answer, int status, int errorCode) {
        assertThat(answer.status()).as("status of %s", answer.body()).isEqualTo(status);
        assertThat(answer.errorCode()).as("error_code of %s", answer.body()).isEqualTo(errorCode);
        assertThat(answer.body().get("message").asText()).isNotBlank();
        assertThat(answer.contentType()).startsWith(RegistryHttp.MEDIA_TYPE);
    }

    static Schema withOptionalOperator(Schema schema) {
        return edited(schema, json -> {
            ObjectNode operator = ((ArrayNode) json.get("fields")).addObject().put("name", "operatorId");
            operator.putArray("type").add("null").add("string");
            operator.putNull("default");
        });
    }

    static Schema edited(Schema schema, Consumer<ObjectNode> edit) {
        try {
            ObjectNode json = (ObjectNode) JSON.readTree(schema.toString());
            edit.accept(json);
            return new Schema.Parser().parse(json.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @DisplayName("with a token, writes (register, delete, config) need it as Bearer or Basic password (401/40101 without); reads stay open; the serdes authenticate with basic.auth.user.info")
    void tokenGuardsWrites() {
        String topic = freshTopic();
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0, topic, "127.0.0.1",
                java.util.Optional.of("s3cret"))) {
            RegistryHttp anonymous = new RegistryHttp(registry.url());
            RegistryHttp wrong = anonymous.authorized("Bearer not-the-token");
            RegistryHttp bearer = anonymous.authorized("bearer s3cret");
            RegistryHttp basic = anonymous.authorized("Basic " + java.util.Base64.getEncoder()
                    .encodeToString("anyone:s3cret".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            String schema = RegistryHttp.schemaBody(MachineStateChanged.getClassSchema());

            assertError(anonymous.post("/subjects/" + MACHINE_STATE_VALUE + "/versions", schema), 401, 40101);
            assertError(wrong.post("/subjects/" + MACHINE_STATE_VALUE + "/versions", schema), 401, 40101);
            int id = bearer.post("/subjects/" + MACHINE_STATE_VALUE + "/versions", schema).body().get("id").asInt();

            assertThat(anonymous.get("/subjects").body()).extracting(JsonNode::asText).containsExactly(MACHINE_STATE_VALUE);
            assertThat(anonymous.get("/schemas/ids/" + id).status()).isEqualTo(200);
            assertError(anonymous.put("/config", "{\"compatibility\":\"NONE\"}"), 401, 40101);
            assertError(anonymous.delete("/subjects/" + MACHINE_STATE_VALUE), 401, 40101);
            assertThat(anonymous.get("/config").body().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
            assertThat(anonymous.get("/subjects").body()).hasSize(1);

            assertThat(basic.put("/config", "{\"compatibility\":\"FULL\"}").status()).isEqualTo(200);
            assertThat(basic.delete("/subjects/" + MACHINE_STATE_VALUE).status()).isEqualTo(200);

            java.util.Map<String, Object> serdeConfig = java.util.Map.of("schema.registry.url", registry.url(),
                    "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "greenline:s3cret");
            GreenlineSerdes serdes = new GreenlineSerdes(serdeConfig);
            byte[] bytes = serdes.value(ProductionCounted.class).serializer().serialize("mfg.production-count", SampleEvents.COUNT);
            assertThat(bytes).isNotEmpty();
            assertThat(anonymous.get("/subjects").body()).extracting(JsonNode::asText).contains(PRODUCTION_COUNT_VALUE);
        }
    }

    @Test
    @DisplayName("schemas Avro refuses (a default of the wrong type, duplicate enum symbols, unknown type, broken JSON) get 422/42201, as from Confluent")
    void invalidAvroIs422() {
        try (EmbeddedSchemaRegistry registry = registryOn(freshTopic())) {
            RegistryHttp http = new RegistryHttp(registry.url());
            for (String invalid : java.util.List.of(
                    "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\",\"default\":\"x\"}]}",
                    "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"A\"]}",
                    "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"NoSuchType\"}]}",
                    "{\"type\":\"record\",\"name\":\"R\",\"fields\":{}}",
                    "{\"type\":\"fixed\",\"name\":\"F\",\"size\":-1}",
                    "{\"type\":")) {
                String body = JSON.createObjectNode().put("schema", invalid).toString();
                assertError(http.post("/subjects/invalid-value/versions", body), 422, 42201);
            }
        }
    }
}

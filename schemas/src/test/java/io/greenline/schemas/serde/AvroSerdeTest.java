package io.greenline.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenline.events.MachineStateChanged;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.registry.InMemorySchemaRegistryClient;
import io.greenline.schemas.registry.RegistryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Confluent-framed Avro serdes over an in-JVM registry scope: round trips, settings, bad data. */
class AvroSerdeTest {

    private static final String SCOPE = "avro-serde-test";
    private static final String TOPIC = TopicNames.MACHINE_STATE;
    private static final String SUBJECT = TOPIC + "-value";
    private static final ObjectMapper JSON = new ObjectMapper();

    private InMemorySchemaRegistryClient registry;

    @BeforeEach
    void freshRegistry() {
        InMemorySchemaRegistryClient.dropScope(SCOPE);
        registry = InMemorySchemaRegistryClient.forScope(SCOPE);
    }

    @AfterEach
    void dropRegistry() {
        InMemorySchemaRegistryClient.dropScope(SCOPE);
    }

    static Stream<Arguments> everyInputEvent() {
        return Stream.of(
                Arguments.of(TopicNames.MACHINE_STATE, SampleEvents.FAULT),
                Arguments.of(TopicNames.MACHINE_STATE, SampleEvents.RUNNING),
                Arguments.of(TopicNames.PRODUCTION_COUNT, SampleEvents.COUNT),
                Arguments.of(TopicNames.INSPECTION, SampleEvents.INSPECTION),
                Arguments.of(TopicNames.ENERGY, SampleEvents.ENERGY),
                Arguments.of(TopicNames.BATCH, SampleEvents.BATCH),
                Arguments.of(TopicNames.LINE_CONFIG, SampleEvents.LINE),
                Arguments.of(TopicNames.EMISSION_FACTORS, SampleEvents.FACTOR));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("everyInputEvent")
    @DisplayName("every input event survives a specific round trip, field by field")
    <T extends SpecificRecord> void specificRoundTrip(String topic, T event) {
        @SuppressWarnings("unchecked")
        Serde<T> serde = GreenlineSerdes.inMemory(SCOPE).value((Class<T>) event.getClass());

        byte[] bytes = serde.serializer().serialize(topic, event);
        T back = serde.deserializer().deserialize(topic, bytes);

        assertThat(back).isEqualTo(event);
        assertThat(bytes[0]).isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(registry.lookup(topic + "-value", event.getSchema()).id());
    }

    @Test
    @DisplayName("a generic record and the generated class are the same bytes, both ways")
    void genericAndSpecificInteroperate() {
        GenericRecord generic = new GenericData.Record(MachineStateChanged.getClassSchema());
        generic.put("eventId", "ms-1");
        generic.put("lineId", "drum-line-1");
        generic.put("workcellId", "lathe-2");
        generic.put("timestamp", SampleEvents.T0.toEpochMilli());
        generic.put("state", new GenericData.EnumSymbol(MachineStateChanged.getClassSchema().getField("state").schema(), "FAULT"));
        generic.put("reasonCode", "SPINDLE_OVERLOAD");

        AvroSerde<GenericRecord> genericSerde = AvroSerde.generic();
        genericSerde.configure(GreenlineSerdes.inMemory(SCOPE).configs(), false);
        Serde<MachineStateChanged> specificSerde = GreenlineSerdes.inMemory(SCOPE).value(MachineStateChanged.class);

        byte[] fromGeneric = genericSerde.serializer().serialize(TOPIC, generic);
        byte[] fromSpecific = specificSerde.serializer().serialize(TOPIC, SampleEvents.FAULT);

        assertThat(fromGeneric).containsExactly(fromSpecific);
        assertThat(specificSerde.deserializer().deserialize(TOPIC, fromGeneric)).isEqualTo(SampleEvents.FAULT);
        GenericRecord back = genericSerde.deserializer().deserialize(TOPIC, fromSpecific);
        assertThat(back.toString()).isEqualTo(generic.toString());
    }

    @Test
    @DisplayName("specific.avro.reader=true without a target class gives the generated class")
    void specificReaderByConfig() {
        byte[] bytes = GreenlineSerdes.inMemory(SCOPE).value(MachineStateChanged.class).serializer().serialize(TOPIC, SampleEvents.FAULT);
        AvroDeserializer<Object> deserializer = new AvroDeserializer<>();
        deserializer.configure(config(Map.of(AvroSerdeConfig.SPECIFIC_AVRO_READER, "true")), false);

        assertThat(deserializer.deserialize(TOPIC, bytes)).isInstanceOf(MachineStateChanged.class).isEqualTo(SampleEvents.FAULT);
    }

    @Test
    @DisplayName("use.latest.version writes with the subject's latest schema, fields matched by name, asking the registry once")
    void useLatestVersion() {
        registry.register(SUBJECT, MachineStateChanged.getClassSchema());
        // v2 puts a new optional field FIRST, so field positions no longer match the generated class
        Schema v2 = edited(MachineStateChanged.getClassSchema(), json -> {
            ObjectNode operator = JSON.createObjectNode().put("name", "operatorId");
            operator.putArray("type").add("null").add("string");
            operator.putNull("default");
            ((ArrayNode) json.get("fields")).insert(0, operator);
        });
        int v2Id = registry.register(SUBJECT, v2);
        AvroSerializer<MachineStateChanged> serializer = new AvroSerializer<>();
        serializer.configure(config(Map.of(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false", AvroSerdeConfig.USE_LATEST_VERSION, "true")), false);
        int callsBefore = registry.calls();

        List<byte[]> written = Stream.of(SampleEvents.FAULT, SampleEvents.RUNNING, SampleEvents.FAULT, SampleEvents.RUNNING)
                .map(event -> serializer.serialize(TOPIC, event)).toList();

        assertThat(registry.calls() - callsBefore).as("registry calls for 4 records").isEqualTo(1);
        assertThat(written).allSatisfy(bytes -> assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(v2Id));
        AvroDeserializer<GenericRecord> generic = new AvroDeserializer<>();
        generic.configure(config(Map.of()), false);
        GenericRecord asV2 = generic.deserialize(TOPIC, written.get(0));
        assertThat(asV2.getSchema()).isEqualTo(v2);
        assertThat(asV2.get("operatorId")).isNull();
        assertThat(asV2.get("reasonCode")).hasToString("SPINDLE_OVERLOAD");
        Serde<MachineStateChanged> specific = GreenlineSerdes.inMemory(SCOPE).value(MachineStateChanged.class);
        assertThat(specific.deserializer().deserialize(TOPIC, written.get(1))).isEqualTo(SampleEvents.RUNNING);
    }

    @Test
    @DisplayName("the latest schema is kept for latest.cache.ttl.sec, then asked for again")
    void latestCacheExpires() {
        int v1Id = registry.register(SUBJECT, MachineStateChanged.getClassSchema());
        MutableClock clock = new MutableClock(Instant.parse("2026-03-02T06:00:00Z"));
        AvroSerializer<MachineStateChanged> serializer = new AvroSerializer<>();
        serializer.configure(config(Map.of(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false, AvroSerdeConfig.USE_LATEST_VERSION, true,
                AvroSerdeConfig.LATEST_CACHE_TTL_SEC, "60")), false);
        serializer.clock(clock);
        assertThat(idOf(serializer.serialize(TOPIC, SampleEvents.FAULT))).isEqualTo(v1Id);

        int v2Id = registry.register(SUBJECT, edited(MachineStateChanged.getClassSchema(), json -> {
            ObjectNode operator = ((ArrayNode) json.get("fields")).addObject().put("name", "operatorId");
            operator.putArray("type").add("null").add("string");
            operator.putNull("default");
        }));
        assertThat(v2Id).isNotEqualTo(v1Id);
        clock.advance(Duration.ofSeconds(59));
        assertThat(idOf(serializer.serialize(TOPIC, SampleEvents.FAULT))).as("within the TTL").isEqualTo(v1Id);
        clock.advance(Duration.ofSeconds(1));
        assertThat(idOf(serializer.serialize(TOPIC, SampleEvents.FAULT))).as("after the TTL").isEqualTo(v2Id);
    }

    @Test
    @DisplayName("auto.register.schemas=false refuses a schema the subject does not have, and finds one it has with one lookup")
    void noAutoRegistration() {
        AvroSerializer<MachineStateChanged> serializer = new AvroSerializer<>();
        serializer.configure(config(Map.of(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false")), false);

        assertThatThrownBy(() -> serializer.serialize(TOPIC, SampleEvents.FAULT))
                .isInstanceOf(SerializationException.class)
                .isNotInstanceOf(BadDataException.class)
                .hasMessageContaining(SUBJECT)
                .cause().isInstanceOf(RegistryException.class)
                .extracting(e -> ((RegistryException) e).errorCode()).isEqualTo(RegistryException.SUBJECT_NOT_FOUND);
        assertThat(registry.latestOrNull(SUBJECT)).as("nothing was registered").isNull();

        int id = registry.register(SUBJECT, MachineStateChanged.getClassSchema());
        int callsBefore = registry.calls();
        for (int i = 0; i < 10; i++) {
            assertThat(idOf(serializer.serialize(TOPIC, SampleEvents.FAULT))).isEqualTo(id);
        }
        assertThat(registry.calls() - callsBefore).as("registry calls for 10 records").isEqualTo(1);
    }

    @Test
    @DisplayName("fewer than 5 bytes is MALFORMED bad data")
    void tooShort() {
        assertBadData(new byte[] {0, 0, 1}, DeadLetterReason.MALFORMED, "too short");
    }

    @Test
    @DisplayName("a first byte other than 0 is UNKNOWN_MAGIC_BYTE bad data")
    void wrongMagicByte() {
        byte[] bytes = validBytes();
        bytes[0] = 1;
        assertBadData(bytes, DeadLetterReason.UNKNOWN_MAGIC_BYTE, "magic byte");
        assertBadData("{\"json\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8), DeadLetterReason.UNKNOWN_MAGIC_BYTE, "starts with byte 123");
    }

    @Test
    @DisplayName("a schema id the registry does not know is UNKNOWN_SCHEMA_ID bad data")
    void unknownSchemaId() {
        byte[] bytes = validBytes();
        ByteBuffer.wrap(bytes).putInt(1, 987_654);
        assertBadData(bytes, DeadLetterReason.UNKNOWN_SCHEMA_ID, "987654");
    }

    @Test
    @DisplayName("a body cut short, or with bytes left over, is MALFORMED bad data")
    void truncatedOrOverlongBody() {
        byte[] bytes = validBytes();
        assertBadData(Arrays.copyOf(bytes, bytes.length - 3), DeadLetterReason.MALFORMED, "does not decode");
        assertBadData(Arrays.copyOf(bytes, 5), DeadLetterReason.MALFORMED, "does not decode");
        assertBadData(Arrays.copyOf(bytes, bytes.length + 2), DeadLetterReason.MALFORMED, "left over");
    }

    @Test
    @DisplayName("an enum symbol added by a newer writer schema is INCOMPATIBLE_SCHEMA for that record only")
    void unknownEnumSymbol() {
        Schema newer = edited(MachineStateChanged.getClassSchema(),
                json -> ((ArrayNode) json.get("fields").get(4).get("type").get("symbols")).add("MAINTENANCE"));
        AvroSerde<GenericRecord> writer = AvroSerde.generic();
        writer.configure(config(Map.of()), false);
        Serde<MachineStateChanged> reader = GreenlineSerdes.inMemory(SCOPE).value(MachineStateChanged.class);

        byte[] maintenance = writer.serializer().serialize(TOPIC, stateChange(newer, "MAINTENANCE"));
        byte[] running = writer.serializer().serialize(TOPIC, stateChange(newer, "RUNNING"));

        assertThatThrownBy(() -> reader.deserializer().deserialize(TOPIC, maintenance))
                .isInstanceOfSatisfying(BadDataException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.INCOMPATIBLE_SCHEMA))
                .hasMessageContaining("MAINTENANCE");
        assertThat(reader.deserializer().deserialize(TOPIC, running).getState()).hasToString("RUNNING");
    }

    @Test
    @DisplayName("a writer schema without a field we require is INCOMPATIBLE_SCHEMA, naming the field")
    void writerLacksARequiredField() {
        Schema lean = edited(MachineStateChanged.getClassSchema(), json -> ((ArrayNode) json.get("fields")).remove(2));
        AvroSerde<GenericRecord> writer = AvroSerde.generic();
        writer.configure(config(Map.of()), false);
        GenericRecord record = new GenericData.Record(lean);
        record.put("eventId", "ms-9");
        record.put("lineId", "drum-line-1");
        record.put("timestamp", 0L);
        record.put("state", new GenericData.EnumSymbol(lean.getField("state").schema(), "IDLE"));
        byte[] bytes = writer.serializer().serialize(TOPIC, record);

        assertBadData(bytes, DeadLetterReason.INCOMPATIBLE_SCHEMA, "workcellId");
    }

    private static GenericRecord stateChange(Schema schema, String state) {
        GenericRecord record = new GenericData.Record(schema);
        record.put("eventId", "ms-" + state);
        record.put("lineId", "drum-line-1");
        record.put("workcellId", "lathe-2");
        record.put("timestamp", 0L);
        record.put("state", new GenericData.EnumSymbol(schema.getField("state").schema(), state));
        record.put("reasonCode", null);
        return record;
    }

    private byte[] validBytes() {
        return GreenlineSerdes.inMemory(SCOPE).value(MachineStateChanged.class).serializer().serialize(TOPIC, SampleEvents.FAULT);
    }

    private void assertBadData(byte[] bytes, DeadLetterReason reason, String messagePart) {
        Serde<MachineStateChanged> serde = GreenlineSerdes.inMemory(SCOPE).value(MachineStateChanged.class);
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOfSatisfying(BadDataException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(messagePart);
    }

    private static Map<String, Object> config(Map<String, ?> extra) {
        Map<String, Object> config = new HashMap<>(GreenlineSerdes.inMemory(SCOPE).configs());
        config.putAll(extra);
        return config;
    }

    private static int idOf(byte[] bytes) {
        return ByteBuffer.wrap(bytes, 1, 4).getInt();
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

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}

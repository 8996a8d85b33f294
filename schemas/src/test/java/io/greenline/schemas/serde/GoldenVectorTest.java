package io.greenline.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.registry.InMemorySchemaRegistryClient;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Bytes written by hand from Confluent's documented wire format (magic byte 0, 4-byte big-endian
 * schema id, Avro binary body), so that a Confluent serializer's output and ours are one and the same.
 *
 * <p>Avro binary encoding, as the Avro specification defines it: a long or int is zig-zag encoded
 * ((n << 1) ^ (n >> 63)) and written as a base-128 varint, low 7 bits first, the high bit of each byte
 * set when more bytes follow; a string is its UTF-8 byte length (a long) then the bytes; an enum is its
 * symbol index (an int); a union is the branch index (an int) then the value. Record fields follow one
 * another in schema order, with no field names, tags or lengths.
 */
class GoldenVectorTest {

    private static final String SCOPE = "golden-vector";
    /** 1234 = 0x000004D2: written big-endian as 00 00 04 D2. */
    private static final int SCHEMA_ID = 1234;

    /** 2023-11-14T22:13:20Z = 1 700 000 000 000 ms since the epoch. */
    private static final Instant WHEN = Instant.ofEpochMilli(1_700_000_000_000L);

    private static final MachineStateChanged JAM = MachineStateChanged.newBuilder()
            .setEventId("ms-1").setLineId("L1").setWorkcellId("WC-7").setTimestamp(WHEN)
            .setState(MachineState.FAULT).setReasonCode("JAM").build();

    /*
     * timestamp 1 700 000 000 000: zig-zag -> 3 400 000 000 000 = 0x317_9FCA_D000.
     * Split into 7-bit groups, least significant first:
     *   0x00, 0x20, 0x2B, 0x7E, 0x79, 0x62
     *   (check: 0x20<<7 + 0x2B<<14 + 0x7E<<21 + 0x79<<28 + 0x62<<35 = 3 400 000 000 000)
     * every group but the last gets the continuation bit 0x80:
     *   80 A0 AB FE F9 62
     */
    private static final byte[] JAM_BYTES = bytes(
            0x00,                               // magic byte
            0x00, 0x00, 0x04, 0xD2,             // schema id 1234, big-endian
            0x08, 'm', 's', '-', '1',           // eventId: length 4 -> zig-zag 8, then "ms-1"
            0x04, 'L', '1',                     // lineId: length 2 -> zig-zag 4, then "L1"
            0x08, 'W', 'C', '-', '7',           // workcellId: length 4 -> 8, then "WC-7"
            0x80, 0xA0, 0xAB, 0xFE, 0xF9, 0x62, // timestamp (see the derivation above)
            0x06,                               // state FAULT: symbol index 3 -> zig-zag 6
            0x02,                               // reasonCode: union branch 1 ("string") -> zig-zag 2
            0x06, 'J', 'A', 'M');               // length 3 -> 6, then "JAM"

    private static final MachineStateChanged RUNNING_AGAIN = MachineStateChanged.newBuilder()
            .setEventId("ms-2").setLineId("L1").setWorkcellId("WC-7").setTimestamp(Instant.ofEpochMilli(0))
            .setState(MachineState.RUNNING).setReasonCode(null).build();

    private static final byte[] RUNNING_AGAIN_BYTES = bytes(
            0x00, 0x00, 0x00, 0x04, 0xD2,       // magic byte, schema id 1234
            0x08, 'm', 's', '-', '2',           // eventId "ms-2"
            0x04, 'L', '1',                     // lineId "L1"
            0x08, 'W', 'C', '-', '7',           // workcellId "WC-7"
            0x00,                               // timestamp 0 -> zig-zag 0, one byte
            0x00,                               // state RUNNING: index 0
            0x00);                              // reasonCode: union branch 0 ("null"), no value follows

    private Serde<MachineStateChanged> serde;

    @BeforeEach
    void registerWithTheHandWrittenId() {
        InMemorySchemaRegistryClient.dropScope(SCOPE);
        InMemorySchemaRegistryClient.forScope(SCOPE)
                .registerWithId(TopicNames.MACHINE_STATE + "-value", MachineStateChanged.getClassSchema(), SCHEMA_ID);
        serde = GreenlineSerdes.inMemory(SCOPE).value(MachineStateChanged.class);
    }

    @AfterEach
    void dropScope() {
        InMemorySchemaRegistryClient.dropScope(SCOPE);
    }

    @Test
    @DisplayName("a record hand-encoded in Confluent's wire format decodes with our serde")
    void handEncodedBytesDecode() {
        assertThat(serde.deserializer().deserialize(TopicNames.MACHINE_STATE, JAM_BYTES)).isEqualTo(JAM);
        assertThat(serde.deserializer().deserialize(TopicNames.MACHINE_STATE, RUNNING_AGAIN_BYTES)).isEqualTo(RUNNING_AGAIN);
    }

    @Test
    @DisplayName("our serde writes exactly the hand-encoded bytes")
    void serdeWritesTheSameBytes() {
        assertThat(serde.serializer().serialize(TopicNames.MACHINE_STATE, JAM)).containsExactly(JAM_BYTES);
        assertThat(serde.serializer().serialize(TopicNames.MACHINE_STATE, RUNNING_AGAIN)).containsExactly(RUNNING_AGAIN_BYTES);
    }

    @Test
    @DisplayName("a generic reader (no generated classes) sees the same fields in the hand-encoded bytes")
    void genericReaderSeesTheFields() {
        AvroDeserializer<org.apache.avro.generic.GenericRecord> generic = new AvroDeserializer<>();
        generic.configure(GreenlineSerdes.inMemory(SCOPE).configs(), false);

        var record = generic.deserialize(TopicNames.MACHINE_STATE, JAM_BYTES);

        assertThat(record.get("eventId")).hasToString("ms-1");
        assertThat(record.get("timestamp")).isEqualTo(1_700_000_000_000L);
        assertThat(record.get("state")).hasToString("FAULT");
        assertThat(record.get("reasonCode")).hasToString("JAM");
        assertThat(java.nio.ByteBuffer.wrap(JAM_BYTES, 1, 4).getInt()).isEqualTo(SCHEMA_ID);
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}

package io.greenline.schemas.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenline.events.Granularity;
import io.greenline.events.QualityUnitMemory;
import io.greenline.events.QualityUnitWindow;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StateSerdeTest {

    private static final QualityUnitMemory UNIT = new QualityUnitMemory(Instant.parse("2026-01-05T08:00:00Z"), true, 2.0,
            "drum-A", List.of(), Instant.parse("2026-01-05T08:10:00Z"),
            List.of(new QualityUnitWindow(Granularity.HOUR, Instant.parse("2026-01-05T08:00:00Z")),
                    new QualityUnitWindow(Granularity.DAY, Instant.parse("2026-01-04T23:00:00Z"))), List.of("insp-1", "insp-2"));

    /** Version 1 of QualityUnitMemory as an earlier build might have had it: no windowKeys field. */
    private static final String V1_WITHOUT_WINDOW_KEYS = """
            {"type":"record","name":"QualityUnitMemory","namespace":"io.greenline.events","fields":[
              {"name":"firstInspectedAt","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"firstPassed","type":"boolean"},
              {"name":"quantity","type":"double"},
              {"name":"productId","type":"string"},
              {"name":"lastInspectedAt","type":{"type":"long","logicalType":"timestamp-millis"}}]}""";

    @Test
    @DisplayName("state round-trips through the current version, framed by the magic byte and the version")
    void roundTrip() {
        StateSerde<QualityUnitMemory> serde = StateSerde.of(QualityUnitMemory.class);
        byte[] bytes = serde.encode(UNIT);
        assertThat(bytes[0]).isEqualTo(StateSerde.MAGIC);
        assertThat(bytes[1]).isEqualTo((byte) serde.currentVersion());
        assertThat(serde.decode(bytes)).isEqualTo(UNIT);
        assertThat(serde.encode(null)).isNull();
        assertThat(serde.decode(null)).isNull();
    }

    @Test
    @DisplayName("state written by an older kept version is read into the current class (new field takes its default)")
    void readsOlderVersion() throws IOException {
        StateSerde<QualityUnitMemory> serde = new StateSerde<>(QualityUnitMemory.class, versions(Map.of(
                1, V1_WITHOUT_WINDOW_KEYS, 2, QualityUnitMemory.getClassSchema().toString())));
        assertThat(serde.currentVersion()).isEqualTo(2);

        Schema v1 = new Schema.Parser().parse(V1_WITHOUT_WINDOW_KEYS);
        GenericRecord old = new GenericData.Record(v1);
        old.put("firstInspectedAt", Instant.parse("2026-01-05T08:00:00Z").toEpochMilli());
        old.put("firstPassed", false);
        old.put("quantity", 1.0);
        old.put("productId", "drum-B");
        old.put("lastInspectedAt", Instant.parse("2026-01-05T09:00:00Z").toEpochMilli());

        QualityUnitMemory read = serde.decode(stateBytes(1, v1, old));
        assertThat(read.getProductId()).isEqualTo("drum-B");
        assertThat(read.getFirstPassed()).isFalse();
        assertThat(read.getWindowKeys()).isEmpty();
        assertThat(read.getLastInspectedAt()).isEqualTo(Instant.parse("2026-01-05T09:00:00Z"));
    }

    @Test
    @DisplayName("a unit memory of the kept version 1 (window keys as strings) is read by this build with its keys, and the current version writes less than half the bytes")
    void unitMemoryOfVersionOne() throws IOException {
        StateSerde<QualityUnitMemory> serde = StateSerde.of(QualityUnitMemory.class);
        assertThat(serde.currentVersion()).isEqualTo(3);
        Schema v1;
        try (InputStream in = StateSerde.class.getClassLoader().getResourceAsStream("state/QualityUnitMemory.v1.avsc")) {
            v1 = new Schema.Parser().parse(in);
        }
        List<String> keys = List.of("drum-line-1/HOUR/2026-01-05T08:00:00Z", "drum-line-1/SHIFT/2026-01-05T06:00:00Z",
                "drum-line-1/DAY/2026-01-04T23:00:00Z");
        GenericRecord old = new GenericData.Record(v1);
        old.put("firstInspectedAt", Instant.parse("2026-01-05T08:00:00Z").toEpochMilli());
        old.put("firstPassed", true);
        old.put("quantity", 1.0);
        old.put("productId", "drum-A");
        old.put("windowKeys", keys);
        old.put("lastInspectedAt", Instant.parse("2026-01-05T08:10:00Z").toEpochMilli());
        byte[] versionOne = stateBytes(1, v1, old);

        QualityUnitMemory read = serde.decode(versionOne);
        assertThat(read.getWindowKeys()).containsExactlyElementsOf(keys);
        assertThat(read.getWindows()).isEmpty();
        assertThat(read.getFirstPassed()).isTrue();
        assertThat(read.getLastInspectedAt()).isEqualTo(Instant.parse("2026-01-05T08:10:00Z"));

        QualityUnitMemory versionTwo = QualityUnitMemory.newBuilder(read).setWindowKeys(List.of()).setWindows(List.of(
                new QualityUnitWindow(Granularity.HOUR, Instant.parse("2026-01-05T08:00:00Z")),
                new QualityUnitWindow(Granularity.SHIFT, Instant.parse("2026-01-05T06:00:00Z")),
                new QualityUnitWindow(Granularity.DAY, Instant.parse("2026-01-04T23:00:00Z")))).build();
        byte[] written = serde.encode(versionTwo);
        assertThat(written[1]).isEqualTo((byte) 3);
        assertThat(serde.decode(written)).isEqualTo(versionTwo);
        assertThat(written.length).as("bytes of version 2 against %s of version 1", versionOne.length)
                .isLessThan(versionOne.length / 2);
    }

    @Test
    @DisplayName("a unit memory of the kept version 2 (no eventIds) is read by this build with no eventIds: the quality topology then finds its inspections' duplicates in quality-seen-events, as version 2 did")
    void unitMemoryOfVersionTwo() throws IOException {
        StateSerde<QualityUnitMemory> serde = StateSerde.of(QualityUnitMemory.class);
        Schema v2;
        try (InputStream in = StateSerde.class.getClassLoader().getResourceAsStream("state/QualityUnitMemory.v2.avsc")) {
            v2 = new Schema.Parser().parse(in);
        }
        assertThat(v2.getField("eventIds")).isNull();
        GenericRecord old = new GenericData.Record(v2);
        old.put("firstInspectedAt", Instant.parse("2026-01-05T08:00:00Z").toEpochMilli());
        old.put("firstPassed", false);
        old.put("quantity", 3.0);
        old.put("productId", "drum-B");
        old.put("windowKeys", List.of());
        old.put("lastInspectedAt", Instant.parse("2026-01-05T08:30:00Z").toEpochMilli());
        GenericRecord hour = new GenericData.Record(v2.getField("windows").schema().getElementType());
        hour.put("granularity", new GenericData.EnumSymbol(hour.getSchema().getField("granularity").schema(), "HOUR"));
        hour.put("start", Instant.parse("2026-01-05T08:00:00Z").toEpochMilli());
        old.put("windows", List.of(hour));

        QualityUnitMemory read = serde.decode(stateBytes(2, v2, old));
        assertThat(read.getEventIds()).isEmpty();
        assertThat(read.getWindows()).containsExactly(new QualityUnitWindow(Granularity.HOUR, Instant.parse("2026-01-05T08:00:00Z")));
        assertThat(read.getQuantity()).isEqualTo(3.0);
        assertThat(read.getLastInspectedAt()).isEqualTo(Instant.parse("2026-01-05T08:30:00Z"));
    }

    @Test
    @DisplayName("a changed internal schema without a new kept version fails when the serde is built")
    void changedSchemaWithoutNewVersionFails() {
        String renamed = QualityUnitMemory.getClassSchema().toString().replace("\"firstPassed\"", "\"passedFirst\"");
        assertThatThrownBy(() -> new StateSerde<>(QualityUnitMemory.class, versions(Map.of(1, renamed))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("state/QualityUnitMemory.v2.avsc");
        assertThatThrownBy(() -> new StateSerde<>(QualityUnitMemory.class, versions(Map.of())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no kept version");
    }

    @Test
    @DisplayName("state in the 0.1 encodings or a newer version is refused with a message saying what was found")
    void refusesUnknownEncodings() {
        StateSerde<QualityUnitMemory> serde = StateSerde.of(QualityUnitMemory.class);
        assertThatThrownBy(() -> serde.decode("{\"firstPassed\":true}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(StateEncodingException.class).hasMessageContaining("JSON");
        assertThatThrownBy(() -> serde.decode(new byte[] {0, 0, 0, 0, 7, 2}))
                .isInstanceOf(StateEncodingException.class).hasMessageContaining("Confluent wire format");
        byte[] future = serde.encode(UNIT);
        future[1] = (byte) (serde.currentVersion() + 1);
        assertThatThrownBy(() -> serde.decode(future))
                .isInstanceOf(StateEncodingException.class).hasMessageContaining("newer Greenline");
        assertThatThrownBy(() -> serde.decode(new byte[] {StateSerde.MAGIC, 1, (byte) 0xff}))
                .isInstanceOf(StateEncodingException.class).hasMessageContaining("could not be decoded");
    }

    @Test
    @DisplayName("every internal record kept in the repository matches its newest kept version")
    void keptVersionsMatchTheSchemas() throws Exception {
        // every kept state/<Name>.vN.avsc names a generated class; its serde is built (and so checked) here
        java.nio.file.Path dir = java.nio.file.Path.of(StateSerde.class.getClassLoader().getResource("state").toURI());
        java.util.Set<String> classes = new java.util.TreeSet<>();
        try (var files = java.nio.file.Files.list(dir)) {
            for (java.nio.file.Path file : files.toList()) {
                Schema schema = new Schema.Parser().parse(file.toFile());
                classes.add(schema.getFullName());
            }
        }
        assertThat(classes).contains("io.greenline.events.QualityUnitMemory", "io.greenline.events.LineClockState");
        for (String name : classes) {
            @SuppressWarnings("unchecked")
            Class<? extends org.apache.avro.specific.SpecificRecord> type =
                    (Class<? extends org.apache.avro.specific.SpecificRecord>) Class.forName(name);
            assertThat(StateSerde.of(type).currentVersion()).as(name).isPositive();
        }
    }

    /** {@code record} in the state encoding of {@code version}, written with that version's schema. */
    private static byte[] stateBytes(int version, Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(StateSerde.MAGIC);
        out.write(version);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static java.util.function.IntFunction<InputStream> versions(Map<Integer, String> texts) {
        return n -> texts.containsKey(n) ? new ByteArrayInputStream(texts.get(n).getBytes(StandardCharsets.UTF_8)) : null;
    }
}

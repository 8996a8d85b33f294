package io.greenline.schemas.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenline.events.QualityUnitMemory;
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
            "drum-A", List.of("drum-line-1/HOUR/2026-01-05T08:00:00Z"), Instant.parse("2026-01-05T08:10:00Z"));

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
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(StateSerde.MAGIC);
        out.write(1);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(v1).write(old, encoder);
        encoder.flush();

        QualityUnitMemory read = serde.decode(out.toByteArray());
        assertThat(read.getProductId()).isEqualTo("drum-B");
        assertThat(read.getFirstPassed()).isFalse();
        assertThat(read.getWindowKeys()).isEmpty();
        assertThat(read.getLastInspectedAt()).isEqualTo(Instant.parse("2026-01-05T09:00:00Z"));
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
    void keptVersionsMatchTheSchemas() {
        for (Class<? extends org.apache.avro.specific.SpecificRecord> type : List.of(QualityUnitMemory.class,
                io.greenline.events.CarbonBatchState.class, io.greenline.events.EnergyAllocation.class,
                io.greenline.events.LineClockState.class, io.greenline.events.RollupContribution.class,
                io.greenline.events.RollupAccumulator.class, io.greenline.events.RollupMembers.class)) {
            assertThat(StateSerde.of(type).currentVersion()).isPositive();
        }
    }

    private static java.util.function.IntFunction<InputStream> versions(Map<Integer, String> texts) {
        return n -> texts.containsKey(n) ? new ByteArrayInputStream(texts.get(n).getBytes(StandardCharsets.UTF_8)) : null;
    }
}

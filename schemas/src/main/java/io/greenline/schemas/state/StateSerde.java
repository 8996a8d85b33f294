package io.greenline.schemas.state;

import io.greenline.schemas.serde.TrustedEventClasses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The encoding of internal state (store values and changelogs that no other service reads): one header byte
 * {@link #MAGIC}, one byte of state version, then the Avro binary encoding of a generated record. No schema
 * registry is involved, so state never depends on the registry being up.
 *
 * <p>Evolution: every version's writer schema is kept in the repository as the resource
 * {@code state/<RecordName>.v<N>.avsc} (N = 1, 2, ...). The highest N is the version written; any kept version is
 * read through Avro's schema resolution into the current class. Changing an internal {@code .avsc} without adding a
 * new {@code vN} file fails when the serde is built (every store's serde is built by the topology tests), so a
 * renamed or retyped field can never silently reset state on upgrade. State in an unknown version, or written by
 * an encoding before this one, is refused with a {@link StateEncodingException} that says what was found.
 */
public final class StateSerde<T extends SpecificRecord> implements Serde<T> {

    /** First byte of every encoded state value ('G'), distinct from JSON ('{') and the Confluent wire format (0). */
    public static final byte MAGIC = 0x47;

    private static final Map<Class<?>, StateSerde<?>> CACHE = new ConcurrentHashMap<>();

    private final Class<T> type;
    private final List<Schema> writerSchemas;
    private final int currentVersion;
    private final SpecificDatumWriter<T> writer;
    private final List<SpecificDatumReader<T>> readers;

    private StateSerde(Class<T> type) {
        this(type, version -> type.getClassLoader().getResourceAsStream(
                resourceName(SpecificData.get().getSchema(type), version)));
    }

    /** For tests: the kept versions come from {@code versions} (version number to schema text, null when absent). */
    StateSerde(Class<T> type, IntFunction<InputStream> versions) {
        TrustedEventClasses.install();
        this.type = type;
        Schema current = SpecificData.get().getSchema(type);
        this.writerSchemas = keptVersions(current, versions);
        this.currentVersion = writerSchemas.size();
        Schema latestKept = writerSchemas.get(currentVersion - 1);
        if (SchemaNormalization.parsingFingerprint64(latestKept) != SchemaNormalization.parsingFingerprint64(current)) {
            throw new IllegalStateException("The schema of internal state " + current.getFullName()
                    + " differs from its newest kept version " + resourceName(current, currentVersion)
                    + ": a changed internal schema needs a new version file " + resourceName(current, currentVersion + 1)
                    + " (a copy of the new schema), so that state written by the previous version is still read.");
        }
        this.writer = new SpecificDatumWriter<>(current);
        this.readers = new ArrayList<>();
        for (Schema writerSchema : writerSchemas) {
            readers.add(new SpecificDatumReader<>(writerSchema, current));
        }
    }

    /** The serde of one internal record class (built once per class; thread-safe). */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> StateSerde<T> of(Class<T> type) {
        return (StateSerde<T>) CACHE.computeIfAbsent(type, t -> new StateSerde<>(type));
    }

    /** The version this build writes. */
    public int currentVersion() {
        return currentVersion;
    }

    public byte[] encode(T value) {
        if (value == null) {
            return null;
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(64);
            out.write(MAGIC);
            out.write(currentVersion);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(value, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public T decode(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        String name = type.getSimpleName();
        if (bytes.length < 2 || bytes[0] != MAGIC) {
            String seen = bytes.length == 0 ? "an empty value"
                    : bytes[0] == '{' ? "JSON (the encoding of Greenline 0.1)"
                    : bytes[0] == 0 ? "the Confluent wire format (schema-registry framed Avro, Greenline 0.1)"
                    : String.format("first byte 0x%02x", bytes[0]);
            throw new StateEncodingException("State of " + name + " is not in the versioned state encoding (found "
                    + seen + "). Reset the application's state (kafka-streams-application-reset and a fresh state "
                    + "directory) to rebuild it from the input topics.");
        }
        int version = bytes[1] & 0xff;
        if (version < 1 || version > readers.size()) {
            throw new StateEncodingException("State of " + name + " was written in version " + version
                    + "; this build reads versions 1.." + readers.size()
                    + " (state written by a newer Greenline cannot be read by an older one).");
        }
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 2, bytes.length - 2, null);
            return readers.get(version - 1).read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new StateEncodingException("State of " + name + " in version " + version + " could not be decoded: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> encode(value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> decode(bytes);
    }

    private static List<Schema> keptVersions(Schema current, IntFunction<InputStream> source) {
        List<Schema> versions = new ArrayList<>();
        for (int n = 1; ; n++) {
            try (InputStream in = source.apply(n)) {
                if (in == null) {
                    break;
                }
                versions.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (versions.isEmpty()) {
            throw new IllegalStateException("Internal state " + current.getFullName() + " has no kept version: add "
                    + resourceName(current, 1) + " (a copy of its schema) to the schemas module's resources.");
        }
        return List.copyOf(versions);
    }

    static String resourceName(Schema schema, int version) {
        return "state/" + schema.getName() + ".v" + version + ".avsc";
    }
}

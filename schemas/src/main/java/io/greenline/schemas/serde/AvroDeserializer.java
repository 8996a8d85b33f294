package io.greenline.schemas.serde;

import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.registry.RegistryException;
import io.greenline.schemas.registry.RegistryUnavailableException;
import io.greenline.schemas.registry.SchemaRegistryClient;
import io.greenline.schemas.registry.SchemaRegistryClients;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-framed Avro. With a target class it resolves the writer's schema against that class's
 * schema (schema evolution); without one it gives {@code GenericRecord}s, or generated classes when
 * {@code specific.avro.reader=true}.
 *
 * <p>Errors are typed, because the dead-letter handler routes on them:
 * <ul>
 *   <li>{@link BadDataException} (the record itself is at fault, retrying cannot help):
 *       {@code MALFORMED} (shorter than the 5-byte header, a body that does not decode, bytes left
 *       over), {@code UNKNOWN_MAGIC_BYTE}, {@code UNKNOWN_SCHEMA_ID} (the registry answered 40403),
 *       {@code INCOMPATIBLE_SCHEMA} (the writer's schema cannot be read with ours: a field we require
 *       that it lacks, or, for one record, an enum symbol we do not know).</li>
 *   <li>{@link RegistryUnavailableException} (retriable): the registry could not be asked, or refused
 *       for a reason other than an unknown id (for example 401). Never bad data.</li>
 * </ul>
 */
public class AvroDeserializer<T> implements Deserializer<T> {

    static {
        TrustedEventClasses.install();
    }

    /** Incompatibilities that only break the records that use them (one enum symbol, one union branch). */
    private static final Set<SchemaIncompatibilityType> PER_RECORD =
            EnumSet.of(SchemaIncompatibilityType.MISSING_ENUM_SYMBOLS, SchemaIncompatibilityType.MISSING_UNION_BRANCH);

    private SchemaRegistryClient registry;
    private final Class<? extends SpecificRecord> target;
    private final Schema readerSchema;
    private boolean specificReader;
    private final Map<Integer, Reading> readings = new ConcurrentHashMap<>();

    /**
     * How records of one writer schema are read: the datum reader, and what Avro's compatibility check
     * found between the writer's schema and ours (empty when every record can be read).
     */
    private record Reading(DatumReader<Object> reader, List<String> perRecordProblems, List<String> fatalProblems) {
    }

    /** Generic reader (or specific with {@code specific.avro.reader=true}). */
    public AvroDeserializer() {
        this(null, null);
    }

    /** Reads into {@code target}, resolving each writer schema against the target's schema. */
    public AvroDeserializer(Class<? extends SpecificRecord> target) {
        this(null, target);
    }

    public AvroDeserializer(SchemaRegistryClient registry, Class<? extends SpecificRecord> target) {
        this.registry = registry;
        this.target = target;
        this.readerSchema = target == null ? null : SpecificData.get().getSchema(target);
        this.specificReader = target != null;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (registry == null) {
            registry = SchemaRegistryClients.fromConfig(configs);
        }
        if (target == null) {
            specificReader = AvroSerdeConfig.bool(configs, AvroSerdeConfig.SPECIFIC_AVRO_READER, false);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroDeserializer used before configure()");
        }
        if (bytes.length < ConfluentWireFormat.HEADER_SIZE) {
            throw new BadDataException(DeadLetterReason.MALFORMED,
                    "record of " + bytes.length + " bytes on " + topic + " is too short for the Confluent wire format (5-byte header)");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        byte magic = buffer.get();
        if (magic != ConfluentWireFormat.MAGIC_BYTE) {
            throw new BadDataException(DeadLetterReason.UNKNOWN_MAGIC_BYTE,
                    "record on " + topic + " starts with byte " + magic + ", not the Confluent magic byte 0");
        }
        int id = buffer.getInt();
        Reading reading = readings.computeIfAbsent(id, this::readingFor);
        if (!reading.fatalProblems().isEmpty()) {
            throw new BadDataException(DeadLetterReason.INCOMPATIBLE_SCHEMA, "record on " + topic + " was written with schema id "
                    + id + ", which this application cannot read: " + String.join("; ", reading.fatalProblems()));
        }
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, ConfluentWireFormat.HEADER_SIZE,
                    bytes.length - ConfluentWireFormat.HEADER_SIZE, null);
            Object value = reading.reader().read(null, decoder);
            if (!decoder.isEnd()) {
                throw new BadDataException(DeadLetterReason.MALFORMED,
                        "record on " + topic + " has bytes left over after its Avro body (schema id " + id + ")");
            }
            return (T) value;
        } catch (BadDataException e) {
            throw e;
        } catch (AvroTypeException e) {
            // schema resolution refused this record's content (Avro says "No match for SYMBOL" for an
            // enum symbol we lack); only possible when the check found per-record incompatibilities
            if (!reading.perRecordProblems().isEmpty()) {
                throw new BadDataException(DeadLetterReason.INCOMPATIBLE_SCHEMA, "record on " + topic + " (schema id " + id
                        + ") cannot be read with this application's schema: " + e.getMessage()
                        + " [" + String.join("; ", reading.perRecordProblems()) + "]", e);
            }
            throw malformed(topic, id, e);
        } catch (IOException | RuntimeException e) {
            throw malformed(topic, id, e);
        }
    }

    private static BadDataException malformed(String topic, int id, Exception e) {
        return new BadDataException(DeadLetterReason.MALFORMED,
                "record on " + topic + " (schema id " + id + ") does not decode: " + e, e);
    }

    private Reading readingFor(int id) {
        Schema writer = writerSchema(id);
        if (!specificReader) {
            return new Reading(new GenericDatumReader<>(writer, writer, GenericData.get()), List.of(), List.of());
        }
        if (target != null) {
            return resolved(writer, readerSchema, new SpecificDatumReader<>(writer, readerSchema, SpecificData.getForClass(target)));
        }
        Class<?> generated;
        try {
            generated = SpecificData.get().getClass(writer);
        } catch (SecurityException e) {
            generated = null; // a class outside the trusted packages is never loaded by name
        }
        Schema reader = generated == null ? null : SpecificData.get().getSchema(generated);
        if (reader == null) {
            if (writer.getType() == Schema.Type.RECORD || writer.getType() == Schema.Type.ENUM || writer.getType() == Schema.Type.FIXED) {
                return new Reading(null, List.of(), List.of("no generated class " + writer.getFullName()
                        + " for specific.avro.reader=true"));
            }
            reader = writer;
        }
        return resolved(writer, reader, new SpecificDatumReader<>(writer, reader, SpecificData.getForSchema(reader)));
    }

    private static Reading resolved(Schema writer, Schema reader, DatumReader<Object> datumReader) {
        if (writer.equals(reader)) {
            return new Reading(datumReader, List.of(), List.of());
        }
        List<SchemaCompatibility.Incompatibility> found = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer)
                .getResult().getIncompatibilities();
        List<String> perRecord = found.stream().filter(i -> PER_RECORD.contains(i.getType())).map(AvroDeserializer::describe).toList();
        List<String> fatal = found.stream().filter(i -> !PER_RECORD.contains(i.getType())).map(AvroDeserializer::describe).toList();
        return new Reading(datumReader, perRecord, fatal);
    }

    private static String describe(SchemaCompatibility.Incompatibility incompatibility) {
        return incompatibility.getType() + " at " + incompatibility.getLocation() + ": " + incompatibility.getMessage();
    }

    private Schema writerSchema(int id) {
        try {
            return registry.getById(id);
        } catch (RegistryException e) {
            if (e.errorCode() == RegistryException.SCHEMA_NOT_FOUND) {
                throw new BadDataException(DeadLetterReason.UNKNOWN_SCHEMA_ID, "schema id " + id + " is unknown to the registry", e);
            }
            // e.g. 401/403 or a proxy's bare 404: a registry problem, never a reason to drop the record
            throw new RegistryUnavailableException("schema registry refused to give schema id " + id + ": " + e.getMessage(), e);
        }
    }
}

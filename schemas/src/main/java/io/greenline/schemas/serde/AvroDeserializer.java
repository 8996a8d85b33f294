package io.greenline.schemas.serde;

import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.registry.RegistryException;
import io.greenline.schemas.registry.SchemaRegistryClient;
import io.greenline.schemas.registry.SchemaRegistryClients;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
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
 * <p>Errors are typed: bytes that are not a record (wrong framing, unknown schema id, a body that does
 * not decode or cannot be resolved) raise {@link BadDataException}; a registry that cannot be reached
 * raises {@link io.greenline.schemas.registry.RegistryUnavailableException}, which must be retried.
 */
public class AvroDeserializer<T> implements Deserializer<T> {

    static {
        TrustedEventClasses.install();
    }

    private SchemaRegistryClient registry;
    private final Class<? extends SpecificRecord> target;
    private Schema readerSchema;
    private boolean specificReader;
    private final Map<Integer, DatumReader<Object>> readers = new ConcurrentHashMap<>();

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
        if (target != null) {
            this.readerSchema = SpecificData.get().getSchema(target);
            this.specificReader = true;
        }
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
        DatumReader<Object> reader = readers.computeIfAbsent(id, this::readerFor);
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, ConfluentWireFormat.HEADER_SIZE,
                    bytes.length - ConfluentWireFormat.HEADER_SIZE, null);
            Object value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new BadDataException(DeadLetterReason.MALFORMED,
                        "record on " + topic + " has bytes left over after its Avro body (schema id " + id + ")");
            }
            return (T) value;
        } catch (BadDataException e) {
            throw e;
        } catch (AvroRuntimeException e) {
            // thrown while resolving the writer schema against ours, e.g. an enum symbol we do not know
            throw new BadDataException(DeadLetterReason.INCOMPATIBLE_SCHEMA,
                    "record on " + topic + " (schema id " + id + ") cannot be read: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new BadDataException(DeadLetterReason.MALFORMED,
                    "record on " + topic + " (schema id " + id + ") does not decode: " + e, e);
        }
    }

    private DatumReader<Object> readerFor(int id) {
        Schema writer;
        try {
            writer = registry.getById(id);
        } catch (RegistryException e) {
            if (e.errorCode() == RegistryException.SCHEMA_NOT_FOUND || e.httpStatus() == 404) {
                throw new BadDataException(DeadLetterReason.UNKNOWN_SCHEMA_ID, "schema id " + id + " is unknown to the registry", e);
            }
            throw e;
        }
        if (!specificReader) {
            return new GenericDatumReader<>(writer, writer, GenericData.get());
        }
        if (target != null) {
            return new SpecificDatumReader<>(writer, readerSchema, SpecificData.getForClass(target));
        }
        Schema reader = readerSchema;
        if (reader == null) {
            reader = SpecificData.get().getSchema(SpecificData.get().getClass(writer));
            if (reader == null) {
                reader = writer;
            }
        }
        return new SpecificDatumReader<>(writer, reader, SpecificData.getForSchema(reader));
    }
}

package io.greenline.schemas.serde;

import io.greenline.schemas.registry.SchemaRegistryClient;
import io.greenline.schemas.registry.SchemaRegistryClients;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (specific or generic) in Confluent's wire format, with the schema id from the
 * registry under the TopicNameStrategy subject ({@code <topic>-value} or {@code <topic>-key}).
 *
 * <p>Settings: {@code auto.register.schemas} (default true) registers the record's schema;
 * otherwise {@code use.latest.version} writes with the subject's latest schema, and if neither is set
 * the record's own schema must already be registered.
 */
public class AvroSerializer<T extends GenericContainer> implements Serializer<T> {

    static {
        TrustedEventClasses.install();
    }

    private SchemaRegistryClient registry;
    private boolean isKey;
    private boolean autoRegister = true;
    private boolean useLatestVersion;
    private final Map<String, Map<Schema, Integer>> ids = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();

    public AvroSerializer() {
    }

    /** A serializer over a given registry client (configure still reads the other settings). */
    public AvroSerializer(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        if (registry == null) {
            registry = SchemaRegistryClients.fromConfig(configs);
        }
        autoRegister = AvroSerdeConfig.bool(configs, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, true);
        useLatestVersion = AvroSerdeConfig.bool(configs, AvroSerdeConfig.USE_LATEST_VERSION, false);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroSerializer used before configure()");
        }
        String subject = topic + (isKey ? "-key" : "-value");
        Schema schema = data.getSchema();
        int id;
        Schema writeWith = schema;
        if (autoRegister) {
            id = ids.computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
                    .computeIfAbsent(schema, s -> registry.register(subject, s));
        } else if (useLatestVersion) {
            SchemaRegistryClient.SubjectSchema latest = registry.latest(subject);
            id = latest.id();
            writeWith = latest.schema();
        } else {
            id = ids.computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
                    .computeIfAbsent(schema, s -> registry.lookup(subject, s).id());
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            out.write(ConfluentWireFormat.MAGIC_BYTE);
            out.write(ByteBuffer.allocate(4).putInt(id).array());
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writers.computeIfAbsent(writeWith, s -> writerFor(s, data)).write(data, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot write " + schema.getFullName() + " for topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static DatumWriter<Object> writerFor(Schema schema, GenericContainer sample) {
        if (sample instanceof SpecificRecord) {
            return (DatumWriter<Object>) (DatumWriter<?>) new SpecificDatumWriter<>(schema, SpecificData.getForClass(sample.getClass()));
        }
        return new GenericDatumWriter<>(schema, GenericData.get());
    }
}

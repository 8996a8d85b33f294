package io.greenline.schemas.serde;

import io.greenline.schemas.registry.RegistryException;
import io.greenline.schemas.registry.SchemaRegistryClient;
import io.greenline.schemas.registry.SchemaRegistryClients;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
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
 * <p>Settings (Confluent's keys): {@code auto.register.schemas} (default true) registers the record's
 * schema. With it false, {@code use.latest.version=true} writes with the subject's latest schema
 * (the record is converted to it by Avro's schema resolution, so fields match by name, not position;
 * the latest schema is kept for {@code latest.cache.ttl.sec}, default forever); otherwise the record's
 * own schema must already be registered under the subject (a lookup, cached).
 *
 * <p>The registry is asked once per schema, never per record. Registry outages surface as
 * {@link io.greenline.schemas.registry.RegistryUnavailableException} (retriable); a refusal (such as
 * 409, incompatible schema, or an unregistered schema with auto-registration off) as a
 * {@link SerializationException} naming the subject, with the {@link RegistryException} as cause.
 */
public class AvroSerializer<T extends GenericContainer> implements Serializer<T> {

    static {
        TrustedEventClasses.install();
    }

    private SchemaRegistryClient registry;
    private boolean isKey;
    private boolean autoRegister = true;
    private boolean useLatestVersion;
    private Duration latestTtl;
    private Clock clock = Clock.systemUTC();
    private final Map<String, Map<Schema, Integer>> ids = new ConcurrentHashMap<>();
    private final Map<String, Latest> latestBySubject = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<Object>> specificWriters = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<Object>> genericWriters = new ConcurrentHashMap<>();

    private record Latest(SchemaRegistryClient.SubjectSchema schema, Instant fetchedAt) {
    }

    public AvroSerializer() {
    }

    /** A serializer over a given registry client (configure still reads the other settings). */
    public AvroSerializer(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    /** For tests of the latest-version cache expiry. */
    void clock(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        if (registry == null) {
            registry = SchemaRegistryClients.fromConfig(configs);
        }
        autoRegister = AvroSerdeConfig.bool(configs, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, true);
        useLatestVersion = AvroSerdeConfig.bool(configs, AvroSerdeConfig.USE_LATEST_VERSION, false);
        String ttl = AvroSerdeConfig.string(configs, AvroSerdeConfig.LATEST_CACHE_TTL_SEC);
        long seconds = ttl == null || ttl.isEmpty() ? -1 : Long.parseLong(ttl);
        latestTtl = seconds < 0 ? null : Duration.ofSeconds(seconds);
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
        Object datum = data;
        try {
            if (autoRegister) {
                id = ids.computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
                        .computeIfAbsent(schema, s -> registry.register(subject, s));
            } else if (useLatestVersion) {
                SchemaRegistryClient.SubjectSchema latest = latest(subject);
                id = latest.id();
                writeWith = latest.schema();
                if (!writeWith.equals(schema)) {
                    datum = convert(data, writeWith);
                }
            } else {
                id = ids.computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
                        .computeIfAbsent(schema, s -> registry.lookup(subject, s).id());
            }
        } catch (RegistryException e) {
            throw new SerializationException("schema registry refused " + schema.getFullName() + " for subject " + subject + ": " + e.getMessage(), e);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            out.write(ConfluentWireFormat.MAGIC_BYTE);
            out.write(ByteBuffer.allocate(Integer.BYTES).putInt(id).array());
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writerFor(writeWith, datum).write(datum, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot write " + schema.getFullName() + " for topic " + topic + ": " + e.getMessage(), e);
        }
    }

    private SchemaRegistryClient.SubjectSchema latest(String subject) {
        Instant now = clock.instant();
        Latest cached = latestBySubject.get(subject);
        if (cached == null || (latestTtl != null && !now.isBefore(cached.fetchedAt().plus(latestTtl)))) {
            cached = new Latest(registry.latest(subject), now);
            latestBySubject.put(subject, cached);
        }
        return cached.schema();
    }

    /**
     * The record as a generic record of {@code target}, by Avro's schema resolution (fields matched by
     * name, defaults filled in): what a reader with the target schema would see.
     */
    private Object convert(GenericContainer data, Schema target) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writerFor(data.getSchema(), data).write(data, encoder);
            encoder.flush();
            GenericDatumReader<Object> reader = new GenericDatumReader<>(data.getSchema(), target, GenericData.get());
            return reader.read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot write " + data.getSchema().getFullName()
                    + " with the latest registered schema " + target.getFullName() + " (use.latest.version): " + e.getMessage(), e);
        }
    }

    /** A writer for the schema: generated classes bring their own data model (logical types such as Instant). */
    @SuppressWarnings("unchecked")
    private DatumWriter<Object> writerFor(Schema schema, Object datum) {
        if (datum instanceof SpecificRecord) {
            return specificWriters.computeIfAbsent(schema, s ->
                    (DatumWriter<Object>) (DatumWriter<?>) new SpecificDatumWriter<>(s, SpecificData.getForClass(datum.getClass())));
        }
        return genericWriters.computeIfAbsent(schema, s -> new GenericDatumWriter<>(s, GenericData.get()));
    }
}

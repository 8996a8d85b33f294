package io.greenline.schemas.serde;

import io.greenline.schemas.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Confluent-framed Avro serde, for generated classes or for {@link GenericRecord}. */
public final class AvroSerde<T extends org.apache.avro.generic.GenericContainer> implements Serde<T> {

    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;

    private AvroSerde(AvroSerializer<T> serializer, AvroDeserializer<T> deserializer) {
        this.serializer = serializer;
        this.deserializer = deserializer;
    }

    /** A serde for a generated class; the registry comes from {@code configure}. */
    public static <T extends SpecificRecord> AvroSerde<T> specific(Class<T> type) {
        return new AvroSerde<>(new AvroSerializer<>(), new AvroDeserializer<>(type));
    }

    /** A serde for a generated class over a given registry client. */
    public static <T extends SpecificRecord> AvroSerde<T> specific(Class<T> type, SchemaRegistryClient registry) {
        return new AvroSerde<>(new AvroSerializer<>(registry), new AvroDeserializer<>(registry, type));
    }

    /** A serde for generic records; the registry comes from {@code configure}. */
    public static AvroSerde<GenericRecord> generic() {
        return new AvroSerde<>(new AvroSerializer<>(), new AvroDeserializer<>());
    }

    /** A serde for generated classes, configured now. */
    public static <T extends SpecificRecord> AvroSerde<T> specific(Class<T> type, Map<String, ?> configs, boolean isKey) {
        AvroSerde<T> serde = specific(type);
        serde.configure(configs, isKey);
        return serde;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}

package io.greenline.schemas.serde;

import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * The one place serdes come from. Built from the serde settings (Confluent keys, see
 * {@link AvroSerdeConfig}); a {@code schema.registry.url} of {@code mock://scope} gives registry-free
 * serdes for tests, with the very same code path.
 */
public final class GreenlineSerdes {

    private final Map<String, Object> configs;

    public GreenlineSerdes(Map<String, ?> configs) {
        this.configs = Map.copyOf(configs);
    }

    /** Serdes over an in-JVM registry scope, for tests and tools that need no registry. */
    public static GreenlineSerdes inMemory(String scope) {
        Map<String, Object> configs = new HashMap<>();
        configs.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, AvroSerdeConfig.MOCK_URL_PREFIX + scope);
        return new GreenlineSerdes(configs);
    }

    /** Serdes for a registry at {@code url}, registering schemas automatically. */
    public static GreenlineSerdes forRegistry(String url) {
        return new GreenlineSerdes(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, url));
    }

    public Map<String, Object> configs() {
        return configs;
    }

    /** A configured value serde for a generated class. */
    public <T extends SpecificRecord> Serde<T> value(Class<T> type) {
        return AvroSerde.specific(type, configs, false);
    }

    /** A configured key serde for a generated class. */
    public <T extends SpecificRecord> Serde<T> key(Class<T> type) {
        return AvroSerde.specific(type, configs, true);
    }
}

package io.greenline.schemas.registry;

import io.greenline.schemas.serde.AvroSerdeConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/** Makes the registry client a configuration asks for. */
public final class SchemaRegistryClients {

    private SchemaRegistryClients() {
    }

    /**
     * A client for {@code schema.registry.url}: {@code mock://scope} gives the in-JVM registry of that
     * scope; one or more comma-separated {@code http(s)://} URLs give a caching REST client.
     */
    public static SchemaRegistryClient fromConfig(Map<String, ?> configs) {
        Object url = configs.get(AvroSerdeConfig.SCHEMA_REGISTRY_URL);
        if (url == null || url.toString().isBlank()) {
            throw new ConfigException(AvroSerdeConfig.SCHEMA_REGISTRY_URL, url, "must be set (for example http://localhost:8081)");
        }
        String value = url.toString().trim();
        if (value.startsWith(AvroSerdeConfig.MOCK_URL_PREFIX)) {
            return InMemorySchemaRegistryClient.forScope(value.substring(AvroSerdeConfig.MOCK_URL_PREFIX.length()));
        }
        return RestSchemaRegistryClient.fromConfig(configs);
    }
}

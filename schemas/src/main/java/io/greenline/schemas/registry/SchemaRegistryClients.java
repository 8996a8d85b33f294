package io.greenline.schemas.registry;

import io.greenline.schemas.serde.AvroSerdeConfig;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.config.ConfigException;

/**
 * Makes the registry client a configuration asks for.
 *
 * <p>Serdes configured alike share one client, so one HTTP client and one id cache serve every
 * serializer and deserializer of an application (a topology has a dozen serdes; each asking the
 * registry for the same ids would only multiply calls and threads).
 */
public final class SchemaRegistryClients {

    private static final Map<Map<String, String>, SchemaRegistryClient> SHARED = new ConcurrentHashMap<>();

    private SchemaRegistryClients() {
    }

    /**
     * A client for {@code schema.registry.url}: {@code mock://scope} gives the in-JVM registry of that
     * scope; one or more comma-separated {@code http(s)://} URLs give a caching REST client, shared by
     * every configuration with the same registry settings.
     */
    public static SchemaRegistryClient fromConfig(Map<String, ?> configs) {
        String value = AvroSerdeConfig.string(configs, AvroSerdeConfig.SCHEMA_REGISTRY_URL);
        if (value == null || value.isBlank()) {
            throw new ConfigException(AvroSerdeConfig.SCHEMA_REGISTRY_URL, value, "must be set (for example http://localhost:8081)");
        }
        if (value.startsWith(AvroSerdeConfig.MOCK_URL_PREFIX)) {
            return InMemorySchemaRegistryClient.forScope(value.substring(AvroSerdeConfig.MOCK_URL_PREFIX.length()));
        }
        return SHARED.computeIfAbsent(clientSettings(configs), settings -> RestSchemaRegistryClient.fromConfig(configs));
    }

    /** The settings that shape a REST client (URL, credentials, TLS, timeouts), and nothing else. */
    private static Map<String, String> clientSettings(Map<String, ?> configs) {
        Map<String, String> settings = new TreeMap<>();
        configs.forEach((key, value) -> {
            String bare = key.startsWith("schema.registry.") ? key.substring("schema.registry.".length()) : key;
            if (key.equals(AvroSerdeConfig.SCHEMA_REGISTRY_URL) || bare.startsWith("basic.auth.")
                    || bare.startsWith("ssl.") || bare.startsWith("http.")) {
                settings.put(key, AvroSerdeConfig.string(configs, key));
            }
        });
        return settings;
    }
}

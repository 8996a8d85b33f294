package io.greenline.schemas.serde;

import java.util.Map;

/**
 * The configuration keys of Greenline's Avro serdes. They are Confluent's, so a properties file written
 * for Confluent's {@code KafkaAvroSerializer} configures these serdes too.
 */
public final class AvroSerdeConfig {
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** How long the serializer keeps the latest schema of a subject with {@code use.latest.version}; -1 (default) forever. */
    public static final String LATEST_CACHE_TTL_SEC = "latest.cache.ttl.sec";
    /** Registry client connect timeout in ms (Confluent's client key; default 5000). */
    public static final String HTTP_CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    /** Registry client timeout for a whole request in ms (Confluent's client key; default 10000). */
    public static final String HTTP_READ_TIMEOUT_MS = "http.read.timeout.ms";
    /** Prefix of the registry client's TLS keys, e.g. {@code schema.registry.ssl.truststore.location}. */
    public static final String SSL_PREFIX = "schema.registry.ssl.";

    /** URL prefix of an in-JVM registry scope, as with Confluent's serdes. */
    public static final String MOCK_URL_PREFIX = "mock://";

    private AvroSerdeConfig() {
    }

    public static boolean bool(Map<String, ?> configs, String key, boolean fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        return value instanceof Boolean b ? b : Boolean.parseBoolean(value.toString().trim());
    }

    public static String string(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        if (value instanceof org.apache.kafka.common.config.types.Password password) {
            return password.value();
        }
        return value == null ? null : value.toString().trim();
    }
}

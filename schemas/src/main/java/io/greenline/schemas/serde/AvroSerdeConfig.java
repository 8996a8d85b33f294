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

    /** URL prefix of an in-JVM registry scope, as with Confluent's serdes. */
    public static final String MOCK_URL_PREFIX = "mock://";

    private AvroSerdeConfig() {
    }

    static boolean bool(Map<String, ?> configs, String key, boolean fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        return value instanceof Boolean b ? b : Boolean.parseBoolean(value.toString().trim());
    }

    static String string(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        return value == null ? null : value.toString().trim();
    }
}

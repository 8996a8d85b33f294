package io.greenline.schemas.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How environment variables configure Greenline's Kafka clients and Avro serdes, the same for every command
 * (the streams app, the simulators, replay, load): {@code KAFKA_FOO_BAR} is the client property {@code foo.bar}
 * ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_JAAS_CONFIG}, ...), except
 * the JVM launcher variables ({@code *_OPTS}, {@code KAFKA_HOME}, {@code KAFKA_DEBUG});
 * {@code SCHEMA_REGISTRY_FOO_BAR} is {@code schema.registry.foo.bar} and {@code BASIC_AUTH_FOO_BAR} is
 * {@code basic.auth.foo.bar}, for the serdes.
 */
public final class ClientEnvironment {

    private static final Set<String> NOT_CLIENT_SETTINGS = Set.of("KAFKA_HOME", "KAFKA_DEBUG");

    /** Variables of the {@code greenline} launcher script and the JVM, not settings of any command. */
    public static final Set<String> LAUNCHER_VARIABLES = Set.of("GREENLINE_JAVA_OPTS", "GREENLINE_MVN_FLAGS",
            "GREENLINE_REBUILD", "GREENLINE_HOME", "GREENLINE_REGISTRY_AUTH_TOKEN");

    /**
     * Whether a {@code GREENLINE_*} variable is not a setting: a launcher variable ({@link #LAUNCHER_VARIABLES},
     * any {@code *_OPTS}), or one Kubernetes injects for a Service named {@code greenline} (service links:
     * {@code GREENLINE_SERVICE_HOST}, {@code GREENLINE_SERVICE_PORT*}, {@code GREENLINE_PORT}, {@code GREENLINE_PORT_8080_TCP*}).
     */
    public static boolean isLauncherOrPlatformVariable(String variable) {
        return LAUNCHER_VARIABLES.contains(variable) || variable.endsWith("_OPTS")
                || variable.startsWith("GREENLINE_SERVICE_HOST") || variable.startsWith("GREENLINE_SERVICE_PORT")
                || variable.equals("GREENLINE_PORT") || variable.matches("GREENLINE_PORT_\\d+_(TCP|UDP|SCTP).*");
    }

    private ClientEnvironment() {
    }

    /** The property a variable sets, or null when it is not a client or serde variable. */
    public static String propertyKey(String variable) {
        if (variable.startsWith("SCHEMA_REGISTRY_") || variable.startsWith("BASIC_AUTH_")) {
            return dotted(variable);
        }
        if (variable.startsWith("KAFKA_") && !variable.endsWith("_OPTS") && !NOT_CLIENT_SETTINGS.contains(variable)) {
            return dotted(variable.substring("KAFKA_".length()));
        }
        return null;
    }

    /** Every client and serde property the environment sets. */
    public static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        env.forEach((name, value) -> {
            String key = propertyKey(name);
            if (key != null) {
                out.put(key, value);
            }
        });
        return out;
    }

    /** True for the keys that configure the Avro serdes rather than the Kafka client. */
    public static boolean isSerdeKey(String key) {
        return key.startsWith("schema.registry.") || key.startsWith("basic.auth.")
                || key.equals("auto.register.schemas") || key.equals("use.latest.version")
                || key.equals("specific.avro.reader") || key.equals("latest.cache.ttl.sec");
    }

    static String dotted(String upperSnake) {
        return upperSnake.toLowerCase(Locale.ROOT).replace('_', '.');
    }
}

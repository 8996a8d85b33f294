package io.greenline.streams.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;

/**
 * The four layers of configuration, lowest precedence first: built-in defaults, a properties file
 * ({@code --config}), the environment, command-line flags. Every layer is a flat map of property keys;
 * the environment is translated first:
 *
 * <ul>
 *   <li>{@code KAFKA_FOO_BAR} becomes the Kafka property {@code foo.bar} (except the launcher variables
 *       ending in {@code _OPTS} and {@code KAFKA_HOME}, which are about the JVM, not the client);</li>
 *   <li>{@code GREENLINE_FOO_BAR} becomes the application setting {@code greenline.foo.bar};</li>
 *   <li>{@code SCHEMA_REGISTRY_FOO_BAR} becomes {@code schema.registry.foo.bar} (so
 *       {@code SCHEMA_REGISTRY_URL} is {@code schema.registry.url}) and {@code BASIC_AUTH_FOO} becomes
 *       {@code basic.auth.foo}, both handed to the Avro serdes.</li>
 * </ul>
 */
public final class ConfigSources {

    private static final Set<String> NOT_CLIENT_SETTINGS = Set.of("KAFKA_HOME", "KAFKA_DEBUG");

    private ConfigSources() {
    }

    /** Merges the layers; a later layer wins. Null layers are skipped. */
    @SafeVarargs
    public static Map<String, String> merge(Map<String, String>... layers) {
        Map<String, String> merged = new LinkedHashMap<>();
        for (Map<String, String> layer : layers) {
            if (layer != null) {
                merged.putAll(layer);
            }
        }
        return merged;
    }

    /** Translates environment variables to property keys; variables of no concern are ignored. */
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

    /** The property key an environment variable sets, or null when it sets none. */
    static String propertyKey(String variable) {
        if (variable.startsWith("GREENLINE_")) {
            return "greenline." + dotted(variable.substring("GREENLINE_".length()));
        }
        if (variable.startsWith("SCHEMA_REGISTRY_") || variable.startsWith("BASIC_AUTH_")) {
            return dotted(variable);
        }
        if (variable.startsWith("KAFKA_") && !variable.endsWith("_OPTS") && !NOT_CLIENT_SETTINGS.contains(variable)) {
            return dotted(variable.substring("KAFKA_".length()));
        }
        return null;
    }

    private static String dotted(String upperSnake) {
        return upperSnake.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** Reads a properties file; a missing or unreadable file fails naming it. */
    public static Map<String, String> fromFile(Path file) {
        if (file == null) {
            return Map.of();
        }
        if (!Files.isReadable(file)) {
            throw new ConfigException("--config", file.toString(), "the properties file does not exist or cannot be read");
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(k -> out.put(k, properties.getProperty(k).trim()));
        return out;
    }
}

package io.greenline.streams.config;

import io.greenline.streams.ReferenceSettings;
import io.greenline.streams.carbon.CarbonSettings;
import io.greenline.streams.carbon.pact.PactSettings;
import io.greenline.streams.oee.OeeSettings;
import io.greenline.streams.quality.QualitySettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import io.greenline.schemas.config.ClientEnvironment;
import org.apache.kafka.common.config.ConfigException;

/**
 * The four layers of configuration, lowest precedence first: built-in defaults, a properties file
 * ({@code --config}), the environment, command-line flags. Every layer is a flat map of property keys;
 * the environment is translated first:
 *
 * <ul>
 *   <li>{@code KAFKA_FOO_BAR} becomes the Kafka property {@code foo.bar} (except the launcher variables
 *       ending in {@code _OPTS} and {@code KAFKA_HOME}, which are about the JVM, not the client);</li>
 *   <li>{@code GREENLINE_OEE_*}, {@code GREENLINE_QUALITY_*}, {@code GREENLINE_CARBON_*}, {@code GREENLINE_PACT_*} and {@code GREENLINE_ROLLUP_*}
 *       set the topology keys {@code oee.*}, {@code quality.*}, {@code carbon.*}, {@code pact.*}, {@code rollup.*}: the variable is the
 *       key upper-cased with {@code .} and {@code -} as {@code _} and {@code GREENLINE_} in front (so
 *       {@code GREENLINE_OEE_GRACE} is {@code oee.grace}, {@code GREENLINE_CARBON_FACTOR_RECHECK_INTERVAL} is
 *       {@code carbon.factor-recheck-interval}, {@code GREENLINE_OEE_RETENTION_HOUR} is {@code oee.retention.hour});
 *       such a variable naming no known key fails, naming it; the per-id roll-up calendars are
 *       {@code GREENLINE_ROLLUP_CALENDAR_AREA_<areaId>} and {@code GREENLINE_ROLLUP_CALENDAR_SITE_<siteId>}, the id as
 *       written ({@link #rollupCalendarKey});</li>
 *   <li>any other {@code GREENLINE_FOO_BAR} becomes the application setting {@code greenline.foo.bar}; one naming no
 *       setting of {@link AppSettings#DEFINITION} fails, naming it (launcher variables such as
 *       {@code GREENLINE_JAVA_OPTS} and Kubernetes service-link variables are skipped:
 *       {@link ClientEnvironment#isLauncherOrPlatformVariable});</li>
 *   <li>{@code SCHEMA_REGISTRY_FOO_BAR} becomes {@code schema.registry.foo.bar} (so
 *       {@code SCHEMA_REGISTRY_URL} is {@code schema.registry.url}) and {@code BASIC_AUTH_FOO} becomes
 *       {@code basic.auth.foo}, both handed to the Avro serdes.</li>
 * </ul>
 */
public final class ConfigSources {

    /** Prefixes of the environment variables that set topology keys. */
    private static final List<String> TOPOLOGY_PREFIXES = List.of("GREENLINE_OEE_", "GREENLINE_QUALITY_", "GREENLINE_CARBON_",
            "GREENLINE_PACT_", "GREENLINE_REFERENCE_", "GREENLINE_ROLLUP_");

    /** Environment variable name to topology key, for every key the topologies read. */
    static final Map<String, String> TOPOLOGY_KEYS = topologyKeys();

    private static Map<String, String> topologyKeys() {
        Map<String, String> byVariable = new LinkedHashMap<>();
        for (List<String> keys : List.of(OeeSettings.KEYS, QualitySettings.KEYS, CarbonSettings.KEYS, PactSettings.KEYS,
                ReferenceSettings.KEYS, io.greenline.streams.rollup.RollupSettings.KEYS)) {
            keys.forEach(key -> byVariable.put(variableOf(key), key));
        }
        return Map.copyOf(byVariable);
    }

    /** The environment variable that sets a topology key: {@code oee.retention.hour} is {@code GREENLINE_OEE_RETENTION_HOUR}. */
    public static String variableOf(String topologyKey) {
        return "GREENLINE_" + topologyKey.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

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
        String calendar = rollupCalendarKey(variable);
        if (calendar != null) {
            return calendar;
        }
        if (TOPOLOGY_PREFIXES.stream().anyMatch(variable::startsWith)) {
            String key = TOPOLOGY_KEYS.get(variable);
            if (key == null) {
                throw new ConfigException(variable, "(environment)", "no such setting; known: "
                        + TOPOLOGY_KEYS.keySet().stream().filter(v -> v.startsWith(variable.substring(0, variable.indexOf('_', 10) + 1))).sorted().toList());
            }
            return key;
        }
        if (variable.startsWith("GREENLINE_")) {
            if (ClientEnvironment.isLauncherOrPlatformVariable(variable)) {
                return null;
            }
            String key = "greenline." + dotted(variable.substring("GREENLINE_".length()));
            if (!AppSettings.DEFINITION.names().contains(key)) {
                // a typo in a deployment must not go unnoticed: the setting it meant would silently keep its default
                throw new ConfigException(variable, "(environment)", "no such setting (it would be " + key
                        + "); the GREENLINE_ variables are " + AppSettings.DEFINITION.names().stream().sorted()
                        .map(k -> "GREENLINE_" + k.substring("greenline.".length()).toUpperCase(Locale.ROOT).replace('.', '_'))
                        .toList() + " and the topology settings GREENLINE_OEE_*, _QUALITY_*, _CARBON_*, _PACT_*");
            }
            return key;
        }
        return ClientEnvironment.propertyKey(variable);
    }

    /** Prefix of the per-id roll-up calendar variables; {@code AREA_} or {@code SITE_} and the id follow (docs/rollup.md). */
    static final String ROLLUP_CALENDAR_VARIABLE = "GREENLINE_ROLLUP_CALENDAR_";

    /**
     * {@code GREENLINE_ROLLUP_CALENDAR_AREA_<areaId>} is {@code rollup.calendar.area.<areaId>} and
     * {@code GREENLINE_ROLLUP_CALENDAR_SITE_<siteId>} is {@code rollup.calendar.site.<siteId>}: an id is data, not a
     * key, so it is taken as written (case, {@code -}, {@code .} and {@code _} kept), never lower-cased and dotted like
     * a key. Null for any other variable; another level or an empty id fails, naming the variable.
     */
    static String rollupCalendarKey(String variable) {
        if (!variable.startsWith(ROLLUP_CALENDAR_VARIABLE)) {
            return null;
        }
        String rest = variable.substring(ROLLUP_CALENDAR_VARIABLE.length());
        for (String level : List.of("AREA", "SITE")) {
            if (rest.startsWith(level + "_") && rest.length() > level.length() + 1) {
                return io.greenline.streams.rollup.RollupSettings.CALENDAR_PREFIX + level.toLowerCase(Locale.ROOT) + "."
                        + rest.substring(level.length() + 1);
            }
        }
        throw new ConfigException(variable, "(environment)", "expected " + ROLLUP_CALENDAR_VARIABLE + "AREA_<areaId>=<lineId> or "
                + ROLLUP_CALENDAR_VARIABLE + "SITE_<siteId>=<lineId> (the id as written)");
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

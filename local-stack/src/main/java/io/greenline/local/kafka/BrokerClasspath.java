package io.greenline.local.kafka;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;

/**
 * Works out the classpath of the child JVM that runs the Kafka broker.
 *
 * <p>In order of preference:
 * <ol>
 *   <li>the system property {@value #OVERRIDE_PROPERTY}, when set (a path list);</li>
 *   <li>this JVM's {@code java.class.path}, when it is a real path list that holds the broker
 *       ({@code kafka/Kafka.class}): a plain {@code java -cp} launch, a container image, a fat jar;</li>
 *   <li>the list Maven resolved when local-stack was built (resource {@value #RESOURCE}, written by
 *       {@code maven-dependency-plugin:build-classpath}): used under surefire/failsafe (whose
 *       {@code java.class.path} is a manifest-only booter jar) and under {@code mvn exec:java}
 *       (whose {@code java.class.path} is Maven's own launcher).</li>
 * </ol>
 * The location of Greenline's launcher class ({@link ParentWatchingMain}) is always added.
 */
public final class BrokerClasspath {

    /** System property that overrides the broker classpath. */
    public static final String OVERRIDE_PROPERTY = "greenline.broker.classpath";

    /** Build-time resource with the resolved runtime classpath of local-stack. */
    static final String RESOURCE = "broker.classpath";

    private static final String BROKER_CLASS_FILE = "kafka/Kafka.class";

    private BrokerClasspath() {
    }

    /** The classpath for the broker's child JVM, as a {@link File#pathSeparator}-separated list. */
    public static String resolve() {
        return resolve(System.getProperty(OVERRIDE_PROPERTY), System.getProperty("java.class.path", ""));
    }

    static String resolve(String override, String javaClassPath) {
        if (override != null && !override.isBlank()) {
            return withLauncher(split(override));
        }
        List<String> own = split(javaClassPath);
        if (own.stream().anyMatch(BrokerClasspath::holdsBroker)) {
            return withLauncher(own);
        }
        List<String> built = buildTimeClasspath();
        if (built.stream().anyMatch(BrokerClasspath::holdsBroker)) {
            return withLauncher(built);
        }
        throw new IllegalStateException("cannot find the Kafka broker (" + BROKER_CLASS_FILE
                + ") on java.class.path nor in the build-time classpath; set -D" + OVERRIDE_PROPERTY
                + " to the broker's classpath");
    }

    private static List<String> buildTimeClasspath() {
        try (InputStream in = BrokerClasspath.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return List.of();
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return split(text).stream().filter(entry -> Files.exists(Path.of(entry))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the build-time broker classpath", e);
        }
    }

    private static String withLauncher(List<String> entries) {
        Set<String> all = new LinkedHashSet<>();
        all.add(launcherLocation());
        // a module with no classes yet has no target/classes; the JVM would ignore it, so do we
        entries.stream().filter(entry -> Files.exists(Path.of(entry))).forEach(all::add);
        return String.join(File.pathSeparator, all);
    }

    /** Directory or jar that holds Greenline's {@link ParentWatchingMain}. */
    static String launcherLocation() {
        try {
            return Path.of(ParentWatchingMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the launcher class", e);
        }
    }

    private static boolean holdsBroker(String entry) {
        Path path = Path.of(entry);
        if (Files.isDirectory(path)) {
            return Files.exists(path.resolve(BROKER_CLASS_FILE));
        }
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        if (name.startsWith("kafka_2.13-") && name.endsWith(".jar")) {
            return true;
        }
        if (!name.endsWith(".jar") || !Files.isRegularFile(path)) {
            return false;
        }
        try (JarFile jar = new JarFile(path.toFile())) {
            return jar.getEntry(BROKER_CLASS_FILE) != null;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> split(String pathList) {
        List<String> entries = new ArrayList<>();
        for (String entry : pathList.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                entries.add(entry.trim());
            }
        }
        return entries;
    }
}

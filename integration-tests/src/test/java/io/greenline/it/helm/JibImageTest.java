package io.greenline.it.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The container image is built by Jib's Maven plugin, exactly as a user builds it
 * ({@code mvn -pl app -am package jib:buildTar -DskipTests}), without a Docker daemon, and the
 * resulting image tarball is opened and checked: the production greenline CLI as entrypoint with {@code streams}
 * as default argument, a non-root user, the JVM sized from the container, port 8080, the state-dir
 * volume, and none of the development stack in its jars (no Kafka broker, no Scala, no local-stack, no test jars).
 *
 * <p>The configured base image ({@code eclipse-temurin:17-jre}) comes from Docker Hub. When Docker
 * Hub answers, the image is built on it; when it does not (an offline build machine), that test is
 * skipped with the reason, and the same build runs against a small stand-in base image written by
 * the test as a tarball ({@code -Dgreenline.image.base=tar://...}), which checks everything the
 * project configures but not the JRE of the real base.
 */
@DisplayName("Container image (Jib, no Docker daemon)")
class JibImageTest {

    private static final URI BASE_REGISTRY = URI.create("https://registry-1.docker.io/v2/");
    private static final String MAIN_CLASS = "io.greenline.app.GreenlineCli";
    private static final String STATE_DIR = "var/lib/greenline";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Why the base-image registry cannot be used, or empty when it answered. */
    private static Optional<String> registryUnreachable;

    @BeforeAll
    static void probeRegistry() {
        registryUnreachable = unreachable(BASE_REGISTRY);
    }

    @Test
    @DisplayName("jib:buildTar on eclipse-temurin:17-jre produces an image running `greenline streams` as non-root with a glibc JRE")
    void buildsOnTheConfiguredBase(@TempDir Path work) throws Exception {
        assumeTrue(registryUnreachable.isEmpty(), () -> "base image registry " + BASE_REGISTRY.getHost()
                + " unreachable (" + registryUnreachable.orElse("") + "); the stand-in base test covers the Jib configuration");
        Path tarball = work.resolve("greenline-image.tar");

        buildImage(work, tarball, List.of());
        Image image = Image.open(tarball);

        assertProjectConfiguration(image);
        assertThat(image.config().path("os").asText()).isEqualTo("linux");
        assertThat(image.files()).as("the Temurin JRE of the base image").contains("opt/java/openjdk/bin/java");
        assertThat(image.files()).as("glibc (RocksDB's native library needs it)")
                .anyMatch(f -> f.matches(".*/libc\\.so\\.6"));
    }

    @Test
    @DisplayName("jib:buildTar with a stand-in base (registry unreachable) produces an image with the project's entrypoint, user, JVM flags, port and volume")
    void buildsOnAStandInBase(@TempDir Path work) throws Exception {
        assumeTrue(registryUnreachable.isPresent(), "base image registry reachable: buildsOnTheConfiguredBase builds on the real base");
        Path base = writeStandInBase(work.resolve("stand-in-base.tar"));
        Path tarball = work.resolve("greenline-image.tar");

        buildImage(work, tarball, List.of("-Dgreenline.image.base=tar://" + base.toAbsolutePath()));
        Image image = Image.open(tarball);

        assertProjectConfiguration(image);
        assertThat(image.files()).as("the base image's layer is part of the image").contains("etc/greenline-stand-in-base");
    }

    /** Jars of the development stack and of tests, which the production image must not carry. */
    private static final java.util.regex.Pattern NOT_IN_PRODUCTION = java.util.regex.Pattern.compile(
            "app/libs/(kafka_2\\.13|kafka-server|kafka-raft|kafka-metadata|scala-.*|greenline-local-stack|junit.*|assertj.*|awaitility|byte-buddy.*"
                    + "|hamcrest.*|opentest4j|testcontainers|kafka-streams-test-utils)-[0-9].*\\.jar");

    /** What the app pom configures, whatever the base. */
    private static void assertProjectConfiguration(Image image) {
        JsonNode config = image.config().path("config");
        assertThat(image.repoTags()).containsExactly("ghcr.io/greenline/greenline:0.1.0-SNAPSHOT");
        assertThat(strings(config.path("Entrypoint"))).startsWith("java").endsWith(MAIN_CLASS);
        assertThat(strings(config.path("Cmd"))).containsExactly("streams");
        assertThat(config.path("User").asText()).isEqualTo("65532:65532");
        assertThat(fieldNames(config.path("ExposedPorts"))).containsExactly("8080/tcp");
        assertThat(fieldNames(config.path("Volumes"))).containsExactly("/" + STATE_DIR);
        assertThat(strings(config.path("Env")))
                .contains("JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError",
                        "KAFKA_STATE_DIR=/" + STATE_DIR);
        assertThat(image.files()).as("the application's jars").anyMatch(f -> f.matches("app/libs/greenline-schemas-.*\\.jar"))
                .anyMatch(f -> f.matches("app/libs/greenline-streams-app-.*\\.jar"))
                .anyMatch(f -> f.matches("app/libs/kafka-streams-[0-9].*\\.jar"))
                .anyMatch(f -> f.matches("app/libs/rocksdbjni-.*\\.jar"));
        List<String> jars = image.files().stream().filter(f -> f.startsWith("app/libs/")).sorted().toList();
        System.out.printf("image jars (%d): %s%n", jars.size(), jars);
        assertThat(jars).as("no broker, Scala, development stack or test jar in the production image")
                .noneMatch(f -> NOT_IN_PRODUCTION.matcher(f).matches());
        assertThat(image.files()).contains("app/jib-classpath-file");
        assertThat(image.directoryModes().get(STATE_DIR)).as("state dir writable by the non-root user").isEqualTo(0777);
        if (Files.exists(appSources().resolve(MAIN_CLASS.replace('.', '/') + ".java"))) {
            assertThat(image.files()).contains("app/classes/" + MAIN_CLASS.replace('.', '/') + ".class");
        }
    }

    private static Path root() {
        return Paths.get(System.getProperty("greenline.root.dir", "..")).toAbsolutePath().normalize();
    }

    private static Path appSources() {
        return root().resolve("app/src/main/java");
    }

    /** Jib containerizes compiled classes; a module without any has no build output to put in an image. */
    private static boolean appHasSources() throws IOException {
        if (!Files.isDirectory(appSources())) {
            return false;
        }
        try (Stream<Path> files = Files.walk(appSources())) {
            return files.anyMatch(f -> f.toString().endsWith(".java"));
        }
    }

    /**
     * Runs Maven on a copy of the reactor's sources as a user would; fails with the build's output when the
     * build fails. A copy, because the outer build is still using the modules' {@code target/} folders.
     */
    private static void buildImage(Path work, Path tarball, List<String> extraArgs) throws Exception {
        assumeTrue(appHasSources(), "app has no main classes on this branch (the greenline CLI "
                + MAIN_CLASS + "); Jib needs compiled classes to containerize");
        Path mvn = mavenExecutable().orElse(null);
        if (mvn == null) {
            abort("no Maven executable: neither greenline.maven.home (set by the build) nor mvn on PATH");
        }
        Path root = copySources(root(), work.resolve("sources"));
        List<String> command = new ArrayList<>(List.of(mvn.toString(), "-B", "-q", "-f", root.resolve("pom.xml").toString()));
        if (outerBuildOffline()) {
            command.add("-o");
        }
        command.addAll(List.of("-pl", "app", "-am", "package", "jib:buildTar", "-DskipTests",
                "-Djib.outputPaths.tar=" + tarball.toAbsolutePath()));
        command.addAll(extraArgs);
        Path log = work.resolve("maven.log");
        Process process = new ProcessBuilder(command)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean finished = process.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly().waitFor();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(finished).as("image build finished within %s; output:%n%s", BUILD_TIMEOUT, output).isTrue();
        assertThat(process.exitValue()).as("image build %s failed; output:%n%s", command, output).isZero();
        assertThat(tarball).as("image tarball").isRegularFile();
    }

    /** Copies the reactor's sources (not build output, not git metadata) into {@code target}. */
    private static Path copySources(Path from, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path relative = from.relativize(path);
                if (relative.toString().isEmpty()) {
                    Files.createDirectories(target);
                    continue;
                }
                if (skipped(relative)) {
                    continue;
                }
                Path copy = target.resolve(relative.toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(path, copy);
                }
            }
        }
        return target;
    }

    private static boolean skipped(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.equals("target") || name.equals(".git") || name.equals(".greenline") || name.equals("node_modules")) {
                return true;
            }
        }
        return false;
    }

    private static Optional<Path> mavenExecutable() {
        String home = System.getProperty("greenline.maven.home");
        if (home != null && !home.isBlank()) {
            Path mvn = Paths.get(home, "bin", "mvn");
            if (Files.isExecutable(mvn)) {
                return Optional.of(mvn);
            }
        }
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .map(dir -> Paths.get(dir, "mvn"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** The mvn launcher exports its arguments; a nested build stays offline when the outer one is. */
    private static boolean outerBuildOffline() {
        String args = System.getenv().getOrDefault("MAVEN_CMD_LINE_ARGS", "");
        return Arrays.asList(args.trim().split("\\s+")).stream().anyMatch(a -> a.equals("-o") || a.equals("--offline"));
    }

    /** Empty when the registry answers HTTP at all (401 is its normal answer), else the reason. */
    private static Optional<String> unreachable(URI registry) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        HttpRequest request = HttpRequest.newBuilder(registry).timeout(Duration.ofSeconds(5)).GET().build();
        try {
            client.send(request, HttpResponse.BodyHandlers.discarding());
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /**
     * A minimal base image in {@code docker save} format: one layer with a marker file, a config
     * naming that layer's digest, and the manifest.
     */
    private static Path writeStandInBase(Path target) throws IOException {
        byte[] layer = Tar.bytes(out -> {
            Tar.writeFile(out, "etc/greenline-stand-in-base", "stand-in base image for offline builds\n".getBytes(StandardCharsets.UTF_8));
            Tar.finish(out);
        });
        String config = JSON.writeValueAsString(Map.of(
                "architecture", "amd64",
                "os", "linux",
                "config", Map.of("Env", List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")),
                "rootfs", Map.of("type", "layers", "diff_ids", List.of("sha256:" + sha256(layer)))));
        String manifest = JSON.writeValueAsString(List.of(Map.of(
                "Config", "config.json",
                "RepoTags", List.of("greenline-stand-in-base:latest"),
                "Layers", List.of("layer.tar"))));
        try (OutputStream out = Files.newOutputStream(target)) {
            Tar.writeFile(out, "manifest.json", manifest.getBytes(StandardCharsets.UTF_8));
            Tar.writeFile(out, "config.json", config.getBytes(StandardCharsets.UTF_8));
            Tar.writeFile(out, "layer.tar", layer);
            Tar.finish(out);
        }
        return target;
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(n -> values.add(n.asText()));
        return values;
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /**
     * An image tarball as Jib writes it ({@code docker load} format): manifest, config, and the
     * paths and directory modes of every layer's entries.
     */
    private record Image(List<String> repoTags, JsonNode config, List<String> files, Map<String, Integer> directoryModes) {

        static Image open(Path tarball) throws IOException {
            Map<String, byte[]> metadata = new HashMap<>();
            Map<String, List<Tar.Entry>> layers = new HashMap<>();
            try (InputStream in = new BufferedInputStream(Files.newInputStream(tarball))) {
                Tar.read(in, (entry, content) -> {
                    if (entry.name().endsWith(".json")) {
                        metadata.put(entry.name(), content.readAllBytes());
                    } else if (entry.isFile()) {
                        layers.put(entry.name(), layerEntries(entry.name(), content));
                    }
                });
            }
            JsonNode manifest = JSON.readTree(metadata.get("manifest.json")).get(0);
            JsonNode config = JSON.readTree(metadata.get(manifest.path("Config").asText()));
            List<String> files = new ArrayList<>();
            Map<String, Integer> directoryModes = new HashMap<>();
            for (JsonNode layer : manifest.path("Layers")) {
                List<Tar.Entry> entries = layers.get(layer.asText());
                assertThat(entries).as("layer %s listed in the manifest is in the tarball", layer.asText()).isNotNull();
                for (Tar.Entry entry : entries) {
                    String path = entry.name().replaceFirst("^\\./", "").replaceFirst("/$", "");
                    if (entry.isDirectory()) {
                        directoryModes.put(path, entry.mode() & 0777);
                    } else {
                        files.add(path);
                    }
                }
            }
            return new Image(strings(manifest.path("RepoTags")), config, files, directoryModes);
        }

        private static List<Tar.Entry> layerEntries(String name, InputStream content) throws IOException {
            InputStream layer = new BufferedInputStream(content);
            layer.mark(2);
            boolean gzip = layer.read() == 0x1f && layer.read() == 0x8b;
            layer.reset();
            List<Tar.Entry> entries = new ArrayList<>();
            Tar.read(gzip ? new GZIPInputStream(layer) : layer, (entry, ignored) -> entries.add(entry));
            drain(layer);
            return entries;
        }

        private static void drain(InputStream in) throws IOException {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }
}

package io.greenline.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release artifact of {@code mvn package}: {@code greenline-VERSION.tar.gz} and {@code .zip} with {@code bin/greenline},
 * {@code lib/}, the default config, the chart's values and a README, runnable with only a JDK.
 */
class ReleaseTarballIT {

    private static final Pattern TEST_JAR = Pattern.compile(
            "(junit|assertj|awaitility|byte-buddy|hamcrest|opentest4j|apiguardian|testcontainers|kafka-streams-test-utils|helm-java).*\\.jar");

    @TempDir
    Path dir;

    @Test
    @DisplayName("the tarball unpacks to bin/greenline, lib/ (runtime jars only), config/greenline.properties, helm/values.yaml and README.md")
    void layout() throws Exception {
        Path home = ReleaseTarball.unpack(dir);

        assertThat(home.resolve("bin/greenline")).isExecutable();
        assertThat(home.resolve("config/greenline.properties")).content().contains("bootstrap.servers", "greenline.http.auth.token");
        assertThat(home.resolve("helm/values.yaml")).isRegularFile();
        assertThat(home.resolve("helm/values-production.yaml")).isRegularFile();
        assertThat(home.resolve("README.md")).content().contains("Greenline " + ReleaseTarball.version(ReleaseTarball.archive("tar.gz")))
                .contains("bin/greenline local");
        List<String> jars = names(home.resolve("lib"));
        assertThat(jars).anyMatch(j -> j.startsWith("greenline-app-"))
                .anyMatch(j -> j.startsWith("greenline-local-stack-"))
                .anyMatch(j -> j.startsWith("kafka_2.13-"))
                .anyMatch(j -> j.startsWith("log4j-core-"))
                .noneMatch(j -> TEST_JAR.matcher(j).matches());
    }

    @Test
    @DisplayName("bin/greenline --version prints the release's version and bin/greenline topics --help its usage, with only a JDK")
    void runs() throws Exception {
        Path home = ReleaseTarball.unpack(dir);
        String version = ReleaseTarball.version(ReleaseTarball.archive("tar.gz"));

        Run versionRun = run(home, "--version");
        assertThat(versionRun.exit()).as(versionRun.output()).isZero();
        assertThat(versionRun.output()).startsWith("greenline " + version + System.lineSeparator());

        Run topicsHelp = run(home, "topics", "--help");
        assertThat(topicsHelp.exit()).as(topicsHelp.output()).isZero();
        assertThat(topicsHelp.output()).contains("Usage: greenline topics", "--partitions", "--bootstrap-servers");

        Run help = run(home, "--help");
        assertThat(help.output()).contains("local", "streams", "simulate", "replay", "load", "topics", "registry");
    }

    @Test
    @DisplayName("the zip holds the same files as the tarball")
    void zipMatchesTarball() throws Exception {
        Path home = ReleaseTarball.unpack(dir);
        Set<String> unpacked = new TreeSet<>();
        try (Stream<Path> files = Files.walk(home)) {
            files.filter(Files::isRegularFile).forEach(f -> unpacked.add(home.getParent().relativize(f).toString()));
        }
        Set<String> zipped = new TreeSet<>();
        try (ZipFile zip = new ZipFile(ReleaseTarball.archive("zip").toFile())) {
            zip.stream().filter(e -> !e.isDirectory()).forEach(e -> zipped.add(e.getName()));
        }
        assertThat(zipped).isEqualTo(unpacked);
    }

    private record Run(int exit, String output) {
    }

    private static Run run(Path home, String... args) throws IOException, InterruptedException {
        Process process = ReleaseTarball.greenline(home, List.of(args)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("bin/greenline %s ended", List.of(args)).isTrue();
        return new Run(process.exitValue(), output);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}

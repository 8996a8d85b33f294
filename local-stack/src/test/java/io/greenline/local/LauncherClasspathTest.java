package io.greenline.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./greenline} launcher runs {@code java -cp local-stack/target/classes:$(cat
 * local-stack/target/greenline.classpath)}; that file is written by this module's build (execution
 * {@code launcher-classpath} of the dependency plugin) and must hold runtime-scope jars only.
 */
class LauncherClasspathTest {

    /** Jars that only tests use (the parent pom's test kit and this project's test dependencies). */
    private static final Pattern TEST_JAR = Pattern.compile(
            "(junit|assertj|awaitility|byte-buddy|hamcrest|opentest4j|apiguardian|testcontainers|kafka-streams-test-utils|helm-java).*\\.jar");

    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path CLASSPATH_FILE = MODULE.resolve("target/greenline.classpath");
    private static final Path LAUNCHER = MODULE.resolveSibling("greenline");

    @Test
    @DisplayName("the launcher reads its classpath from target/greenline.classpath and resolves none itself")
    void launcherUsesTheBuildsClasspathFile() throws IOException {
        String script = Files.readString(LAUNCHER, StandardCharsets.UTF_8);

        assertThat(script).contains("CLASSPATH_FILE=\"$ROOT/local-stack/target/greenline.classpath\"")
                .contains("-cp \"$CP\" io.greenline.local.GreenlineCli")
                .doesNotContain("build-classpath")
                .doesNotContain("includeScope");
    }

    @Test
    @DisplayName("the launcher's classpath holds the runtime jars (app, broker, log binding) and no test-scope jar")
    void runtimeScopeOnly() throws IOException {
        List<Path> entries = entries(Files.readString(CLASSPATH_FILE, StandardCharsets.UTF_8).trim());

        assertThat(entries).allSatisfy(entry -> assertThat(entry).exists());
        // the sibling modules are their jars after `package` (the launcher's build), their classes folders after `test`
        assertThat(entries).anyMatch(e -> e.getFileName().toString().startsWith("greenline-app-") || e.endsWith("app/target/classes"))
                .anyMatch(e -> e.getFileName().toString().startsWith("greenline-streams-app-") || e.endsWith("streams-app/target/classes"));
        assertThat(names(entries))
                .anyMatch(n -> n.startsWith("kafka_2.13-"))
                .anyMatch(n -> n.startsWith("log4j-core-"))
                .noneMatch(n -> TEST_JAR.matcher(n).matches());
        // the same pattern does find the test jars on this test's own classpath, so the check above can fail
        assertThat(names(entries(System.getProperty("java.class.path"))))
                .anyMatch(n -> n.startsWith("junit-jupiter-api-") && TEST_JAR.matcher(n).matches())
                .anyMatch(n -> n.startsWith("assertj-core-") && TEST_JAR.matcher(n).matches());
    }

    private static List<Path> entries(String classpath) {
        return Arrays.stream(classpath.split(Pattern.quote(File.pathSeparator)))
                .filter(s -> !s.isBlank())
                .map(Path::of)
                .toList();
    }

    private static List<String> names(List<Path> entries) {
        return entries.stream().map(p -> p.getFileName().toString()).toList();
    }
}

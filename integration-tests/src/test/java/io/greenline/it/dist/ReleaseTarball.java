package io.greenline.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The release tarball that {@code mvn package} writes to {@code local-stack/target/greenline-VERSION.tar.gz},
 * unpacked with {@code tar} as a user does, and its {@code bin/greenline} run with this JVM's JDK.
 */
public final class ReleaseTarball {

    public static final Path LOCAL_STACK_TARGET = Path.of("").toAbsolutePath().resolveSibling("local-stack").resolve("target");

    private ReleaseTarball() {
    }

    /** The archive of the build with this extension ({@code tar.gz}, {@code zip}); fails when the build made none. */
    public static Path archive(String extension) throws IOException {
        try (Stream<Path> files = Files.list(LOCAL_STACK_TARGET)) {
            List<Path> found = files.filter(f -> f.getFileName().toString().matches("greenline-.+\\." + extension.replace(".", "\\.")))
                    .toList();
            assertThat(found).as("the release %s written by `mvn package` in %s", extension, LOCAL_STACK_TARGET).hasSize(1);
            return found.get(0);
        }
    }

    /** greenline-VERSION from the archive's name. */
    public static String version(Path archive) {
        return archive.getFileName().toString().replaceFirst("^greenline-", "").replaceFirst("\\.(tar\\.gz|zip)$", "");
    }

    /** Unpacks the tarball into {@code dir} with tar; returns its top directory (GREENLINE_HOME). */
    public static Path unpack(Path dir) throws Exception {
        Path tarball = archive("tar.gz");
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tar.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(tar.exitValue()).as("tar -xzf %s: %s", tarball, output).isZero();
        return dir.resolve("greenline-" + version(tarball));
    }

    /** A command running {@code bin/greenline} of an unpacked release with this JVM's JDK as JAVA_HOME. */
    public static ProcessBuilder greenline(Path home, List<String> args) {
        List<String> command = new java.util.ArrayList<>();
        command.add(home.resolve("bin/greenline").toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("GREENLINE_JAVA_OPTS", "-Xmx512m");
        return builder;
    }
}

package io.greenline.it.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.greenline.streams.app.StreamsCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, item 4: {@code greenline streams} against a broker nobody listens on, stopped with SIGTERM, exits
 * within {@code greenline.shutdown.timeout.ms} plus 5 s (it took 364 s: {@code KafkaStreams.start()} held the
 * client's lock while the global stores waited for the broker, and {@code close()} waited for that lock).
 */
class ShutdownIT {

    private static final long SHUTDOWN_TIMEOUT_MS = 5_000;

    @TempDir
    Path dirs;

    private static int status(int port, String path) {
        try {
            return AppItSupport.HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Test
    @DisplayName("SIGTERM with an unreachable broker: the process exits within the shutdown timeout + 5 s; live but never ready before")
    void sigtermWithUnreachableBroker() throws Exception {
        int port = AppItSupport.freePort();
        Path log = dirs.resolve("streams.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                StreamsCommand.class.getName(), "--bootstrap-servers", "localhost:1", "--state-dir", dirs.resolve("state").toString(),
                "--http-port", String.valueOf(port), "--schema-registry-url", "mock://shutdown-it",
                "-D", "greenline.shutdown.timeout.ms=" + SHUTDOWN_TIMEOUT_MS))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofMinutes(1)).until(() -> status(port, "/health/live") == 200);
            // Kafka Streams is stuck starting: nothing is queryable, so not ready
            assertThat(status(port, "/health/ready")).isEqualTo(503);
            Thread.sleep(3_000);
            assertThat(process.isAlive()).isTrue();
            long t0 = System.nanoTime();
            process.destroy(); // SIGTERM
            boolean exited = process.waitFor(SHUTDOWN_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
            long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("ShutdownIT: exited " + exited + " after " + elapsedMs + " ms");
            assertThat(exited).as("exited within %d ms; log:%n%s", SHUTDOWN_TIMEOUT_MS + 5_000, tail(log)).isTrue();
        } finally {
            process.destroyForcibly();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

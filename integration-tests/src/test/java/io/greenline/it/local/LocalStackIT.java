package io.greenline.it.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenline.local.LocalCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code greenline local} end to end, in process: broker child JVM, embedded registry, topics, streams app,
 * simulators. The query API must list both simulated lines with an OEE, and stopping must leave no child
 * process behind.
 */
class LocalStackIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("greenline local brings up the stack: /api/v1/lines lists the simulated lines with non-null OEE, a batch footprint is queryable; stopping leaves no process")
    void localStack(@TempDir Path dataDir) throws Exception {
        Set<Long> childrenBefore = new HashSet<>(ProcessHandle.current().children().map(ProcessHandle::pid).toList());
        int httpPort = freePort();
        LocalCommand command = new LocalCommand();
        AtomicInteger exitCode = new AtomicInteger(-1);
        Thread running = new Thread(() -> exitCode.set(new CommandLine(command).execute(
                "--data-dir", dataDir.toString(), "--broker-port", "0", "--registry-port", "0",
                "--http-port", Integer.toString(httpPort), "--status-every", "15s")), "local-stack-it");
        running.start();
        try {
            String base = "http://localhost:" + httpPort;
            await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> {
                JsonNode lines = get(base + "/api/v1/lines").path("items");
                Set<String> withOee = new HashSet<>();
                lines.forEach(line -> {
                    if (line.path("latestOee").path("oee").isNumber()) {
                        withOee.add(line.path("lineId").asText());
                    }
                });
                assertThat(withOee).containsExactlyInAnyOrder("drum-line-1", "bio-po-1");
            });
            // 8 simulated hours of history hold completed plant batches (4-6 h each, the first one done after 4.5-9.5 h
            // of simulated time, then an hour a minute): a completed batch's footprint is queryable, list and by id
            AtomicReference<String> lastSeen = new AtomicReference<>("nothing yet");
            try {
                await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> {
                    JsonNode batches = get(base + "/api/v1/batches?lineId=bio-po-1").path("items");
                    lastSeen.set(batches.toString());
                    JsonNode completed = null;
                    for (JsonNode batch : batches) {
                        if (batch.path("completedAt").isTextual() && completed == null) {
                            completed = batch;
                        }
                    }
                    assertThat(completed).as("a completed bio-po-1 batch among %s", batches).isNotNull();
                    assertThat(completed.path("intensityKgCo2ePerTonne").isNumber()).isTrue();
                    JsonNode one = get(base + "/api/v1/batches/" + completed.path("batchId").asText());
                    assertThat(one.path("batchId").asText()).isEqualTo(completed.path("batchId").asText());
                });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("no completed bio-po-1 footprint; last /api/v1/batches?lineId=bio-po-1 items: "
                        + abbreviate(lastSeen.get()) + "; dead letters: " + deadLetters(base) + "; warnings logged: "
                        + warnings(dataDir.resolve("greenline.log")), e);
            }
        } finally {
            command.requestStop();
            running.join(Duration.ofMinutes(2).toMillis());
        }
        assertThat(running.isAlive()).isFalse();
        assertThat(exitCode.get()).isZero();
        List<ProcessHandle> children = ProcessHandle.current().children()
                .filter(p -> p.isAlive() && !childrenBefore.contains(p.pid())).toList();
        assertThat(children).as("child processes left behind").isEmpty();
    }

    private static JsonNode get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** The dead-letter counters of the app's metrics (what was refused, and why), for a failure message. */
    private static String deadLetters(String base) {
        try {
            HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return metrics.body().lines().filter(l -> l.startsWith("greenline_dlq_records")).toList().toString();
        } catch (IOException | InterruptedException e) {
            return "unknown (" + e + ")";
        }
    }

    /** The last warnings and errors of the stack's log file, for a failure message. */
    private static String warnings(Path log) {
        try (Stream<String> lines = Files.lines(log)) {
            List<String> found = lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
            return abbreviate(String.join("\n", found.subList(Math.max(0, found.size() - 30), found.size())));
        } catch (IOException | UncheckedIOException e) {
            return "unknown (" + e + ")";
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 4000 ? text : text.substring(0, 4000) + " ...";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

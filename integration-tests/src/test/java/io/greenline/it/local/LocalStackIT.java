package io.greenline.it.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenline.local.LocalCommand;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
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
            // 8 simulated hours of history hold completed plant batches (~5 h each): their footprints are queryable
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> {
                JsonNode batches = get(base + "/api/v1/batches?lineId=bio-po-1").path("items");
                assertThat(batches).isNotEmpty();
                JsonNode first = batches.get(0);
                assertThat(first.path("intensityKgCo2ePerTonne").isNumber()).isTrue();
                JsonNode one = get(base + "/api/v1/batches/" + first.path("batchId").asText());
                assertThat(one.path("batchId").asText()).isEqualTo(first.path("batchId").asText());
            });
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

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

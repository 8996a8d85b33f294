package io.greenline.it.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.greenline.it.dist.ReleaseTarball;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/greenline local} of the release tarball as a separate process, as a user runs it in a terminal: private by
 * default, honouring the API token from the environment, stopping within seconds on Ctrl-C (SIGINT to its whole process
 * group), and failing clearly when the app is not ready in time.
 *
 * <p>A background job of a non-interactive shell (CI, mvn started by a script) inherits SIGINT as ignored, and a JVM keeps
 * an ignored SIGINT ignored; a terminal's foreground job has it at its default. So the stack is started the way a terminal
 * does it: in its own process group with SIGINT restored ({@code perl -e 'setpgrp; $SIG{INT}="DEFAULT"; exec ...'}).
 */
class LocalProcessIT {

    private static final Duration STARTUP = Duration.ofMinutes(5);
    private static final Duration GONE_WITHIN = Duration.ofSeconds(10);
    private static final String TOKEN = "it-local-token";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    @DisplayName("greenline local listens on 127.0.0.1 only (refused on a non-loopback address), requires GREENLINE_HTTP_AUTH_TOKEN on the API and registry writes, and Ctrl-C to its process group ends every process within 10 s")
    void privateTokenAndCtrlC() throws Exception {
        InetAddress external = nonLoopbackAddress().orElse(null);
        assumeTrue(external != null, "this machine has no non-loopback IPv4 address to try");
        Path home = ReleaseTarball.unpack(dir);
        int httpPort = freePort();
        int registryPort = freePort();
        Path output = dir.resolve("local.out");
        Process local = startAsTerminalJob(home, output, Map.of("GREENLINE_HTTP_AUTH_TOKEN", TOKEN),
                "local", "--data-dir", dir.resolve("data").toString(), "--broker-port", "0",
                "--registry-port", Integer.toString(registryPort), "--http-port", Integer.toString(httpPort),
                // a short history, then the simulators at wall-clock speed: the app is mostly idle when Ctrl-C comes, as in an
                // ordinary session; at --speed 60 on a 2-core machine loaded by other builds the close of a busy app alone took 9 s
                "--history", "20m", "--speed", "1", "--status-every", "10s");
        List<ProcessHandle> processes = new ArrayList<>();
        try {
            awaitOutput(local, output, "Greenline is running.");
            processes.add(local.toHandle());
            processes.addAll(local.descendants().toList());
            assertThat(processes).as("the CLI JVM and the broker's child JVM").hasSizeGreaterThanOrEqualTo(2);

            // private: the API and the registry listen on loopback only
            for (int port : List.of(httpPort, registryPort)) {
                assertThatThrownBy(() -> connect(external, port)).as("connection to %s:%d", external.getHostAddress(), port)
                        .isInstanceOf(ConnectException.class);
                connect(InetAddress.getLoopbackAddress(), port);
            }

            // the token from the environment guards the API ...
            String api = "http://127.0.0.1:" + httpPort;
            assertThat(send("GET", api + "/api/v1/lines", null, null).statusCode()).isEqualTo(401);
            assertThat(send("GET", api + "/api/v1/lines", "Bearer wrong", null).statusCode()).isEqualTo(401);
            assertThat(send("GET", api + "/api/v1/lines", "Bearer " + TOKEN, null).statusCode()).isEqualTo(200);
            // ... and the registry's writes; the stack's own clients (app, simulators) register their schemas with it
            String registry = "http://127.0.0.1:" + registryPort;
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                    assertThat(send("GET", registry + "/subjects", null, null).body()).contains("mfg.machine-state-value"));
            HttpResponse<String> delete = send("DELETE", registry + "/subjects/mfg.machine-state-value", null, null);
            assertThat(delete.statusCode()).isEqualTo(401);
            assertThat(delete.body()).contains("40101");
            assertThat(send("PUT", registry + "/config", null, "{\"compatibility\":\"NONE\"}").statusCode()).isEqualTo(401);
            assertThat(send("GET", registry + "/config", null, null).body()).contains("BACKWARD");
            // the simulated line's data flows end to end with the token in place: its live hourly OEE window (the
            // /lines list shows final hours only, and 20 minutes of history at wall-clock speed close none in time)
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(send("GET", api + "/api/v1/lines/drum-line-1/oee?granularity=hour", "Bearer " + TOKEN, null).body())
                            .contains("\"windowStart\""));

            // Ctrl-C: the broker child ignores SIGINT (its parent stops it after the app) ...
            for (ProcessHandle child : local.descendants().toList()) {
                ignoredSignals(child).ifPresent(mask -> assertThat(mask & (1L << 1)).as("SIGINT ignored by child %d", child.pid()).isNotZero());
            }
            // ... and SIGINT to the whole process group, as a terminal sends it, ends every process
            long signalledAt = System.nanoTime();
            Process kill = new ProcessBuilder("kill", "-INT", "--", "-" + local.pid()).inheritIO().start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -INT -%d", local.pid()).isTrue();
            await().atMost(GONE_WITHIN).pollInterval(Duration.ofMillis(100))
                    .conditionEvaluationListener(condition -> {
                        if (condition.getRemainingTimeInMS() <= 100 && !condition.isSatisfied()) {
                            System.out.println("still running after SIGINT: " + processes.stream().filter(ProcessHandle::isAlive).toList()
                                    + "; the stop steps:\n" + tail(dir.resolve("data/greenline.log"), 12));
                        }
                    })
                    .until(() -> processes.stream().noneMatch(ProcessHandle::isAlive));
            System.out.println("the stop steps:\n" + tail(dir.resolve("data/greenline.log"), 8));
            System.out.printf("greenline local: every process gone %d ms after SIGINT to its process group%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalledAt));
            assertThat(Files.readString(output)).contains("Stopping ...", "Stopped.");
        } finally {
            destroy(local, processes);
        }
    }

    @Test
    @DisplayName("greenline local whose app is not ready within --ready-timeout stops with exit code 1, naming the app's state and the log file, and leaves no process")
    void notReadyInTime() throws Exception {
        Path home = ReleaseTarball.unpack(dir);
        Path output = dir.resolve("local.out");
        Path data = dir.resolve("data");
        Process local = startAsTerminalJob(home, output, Map.of(),
                "local", "--data-dir", data.toString(), "--broker-port", "0", "--registry-port", "0",
                "--http-port", Integer.toString(freePort()), "--no-simulators", "--ready-timeout", "0s");
        List<ProcessHandle> processes = Collections.synchronizedList(new ArrayList<>());
        try {
            long deadline = System.nanoTime() + STARTUP.toNanos();
            while (local.isAlive() && System.nanoTime() < deadline) {
                local.descendants().filter(p -> !processes.contains(p)).forEach(processes::add);
                TimeUnit.MILLISECONDS.sleep(100);
            }
            assertThat(local.isAlive()).as("greenline local ended; output:%n%s", Files.readString(output)).isFalse();
            String printed = Files.readString(output);
            assertThat(local.exitValue()).as(printed).isEqualTo(1);
            assertThat(printed).contains("the streams app did not become ready within 0s", "Kafka Streams state: ",
                    data.resolve("greenline.log").toAbsolutePath().normalize().toString(), "Stopped.");
            assertThat(processes).as("the broker child was started").isNotEmpty();
            await().atMost(GONE_WITHIN).until(() -> processes.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            destroy(local, processes);
        }
    }

    /** Starts bin/greenline ARGS in its own process group with SIGINT at its default, output to {@code output}. */
    private static Process startAsTerminalJob(Path home, Path output, Map<String, String> env, String... args) throws IOException {
        Path perl = Path.of("/usr/bin/perl");
        assumeTrue(Files.isExecutable(perl), "perl is needed to start a process group with SIGINT restored");
        List<String> command = new ArrayList<>(List.of(perl.toString(), "-e",
                "setpgrp(0, 0); $SIG{INT} = 'DEFAULT'; exec { $ARGV[0] } @ARGV or die \"exec $ARGV[0]: $!\";"));
        command.addAll(ReleaseTarball.greenline(home, List.of(args)).command());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(ReleaseTarball.greenline(home, List.of()).environment());
        builder.environment().putAll(env);
        return builder.start();
    }

    private static void awaitOutput(Process process, Path output, String text) throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            if (printed.contains(text)) {
                return;
            }
            assertThat(process.isAlive()).as("greenline local still running; output:%n%s", printed).isTrue();
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError("no '" + text + "' within " + STARTUP + "; output:\n" + Files.readString(output));
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(" + file + ": " + e + ")";
        }
    }

    private static void destroy(Process local, List<ProcessHandle> processes) {
        local.destroyForcibly();
        processes.forEach(ProcessHandle::destroyForcibly);
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2_000);
        }
    }

    private static HttpResponse<String> send(String method, String url, String authorization, String json)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/vnd.schemaregistry.v1+json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The signals a process ignores (SigIgn of /proc/PID/status), where Linux tells. */
    private static Optional<Long> ignoredSignals(ProcessHandle process) {
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        try {
            return Files.readAllLines(status).stream().filter(l -> l.startsWith("SigIgn:"))
                    .map(l -> Long.parseUnsignedLong(l.substring("SigIgn:".length()).trim(), 16)).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** An IPv4 address of an interface that is up and not loopback (the machine's address on its network). */
    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                        return Optional.of(address);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

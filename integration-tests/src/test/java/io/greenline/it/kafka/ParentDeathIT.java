package io.greenline.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.greenline.local.kafka.BrokerClasspath;
import io.greenline.local.kafka.KafkaBrokerMain;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker must never outlive the JVM that started it, even when that JVM is SIGKILLed and runs no
 * shutdown hook (an IDE's stop button, the OOM killer, a CI timeout).
 */
class ParentDeathIT {

    private static final Duration BROKER_GONE_WITHIN = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    @DisplayName("SIGKILL of the JVM that started a broker ends the broker within 10 seconds")
    void brokerDiesWithItsParent() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process launcher = new ProcessBuilder(java, "-Xmx256m", "-cp", BrokerClasspath.resolve(),
                KafkaBrokerMain.class.getName(), dir.resolve("orphan").toString())
                .redirectErrorStream(true)
                .start();
        ProcessHandle broker = null;
        try {
            Map<String, String> printed = readStartupLines(launcher).get(120, TimeUnit.SECONDS);
            broker = ProcessHandle.of(Long.parseLong(printed.get("broker.pid"))).orElseThrow();
            assertThat(broker.parent().map(ProcessHandle::pid)).as("broker is a child of the launcher JVM")
                    .contains(launcher.pid());
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    printed.get("bootstrap.servers")))) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).as("broker serves").hasSize(1);
            }

            launcher.destroyForcibly(); // SIGKILL: no shutdown hook runs in the launcher
            assertThat(launcher.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long killedAt = System.nanoTime();

            ProcessHandle orphan = broker;
            await().atMost(BROKER_GONE_WITHIN).pollInterval(Duration.ofMillis(100)).until(() -> !orphan.isAlive());
            System.out.printf("broker %d gone %d ms after SIGKILL of its parent%n", orphan.pid(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
        } finally {
            launcher.destroyForcibly();
            if (broker != null && broker.isAlive()) {
                broker.destroyForcibly();
            }
        }
    }

    /** Collects the launcher's {@code key=value} lines until it printed the broker's pid. */
    private static CompletableFuture<Map<String, String>> readStartupLines(Process launcher) {
        return CompletableFuture.supplyAsync(() -> {
            Map<String, String> values = new HashMap<>();
            List<String> seen = new ArrayList<>();
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    seen.add(line);
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        values.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                    if (values.containsKey("broker.pid")) {
                        return values;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new IllegalStateException("launcher ended before printing broker.pid:\n" + String.join("\n", seen));
        });
    }
}

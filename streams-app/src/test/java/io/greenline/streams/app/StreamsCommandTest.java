package io.greenline.streams.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** How {@code greenline streams} refuses to start: exit code 2 and one line on standard error, no stack trace. */
class StreamsCommandTest {

    @TempDir
    Path stateDir;

    private record Run(int exitCode, String err) {
    }

    private Run run(String... args) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-servers", "localhost:1", "--schema-registry-url",
                "mock://streams-command-test", "--state-dir", stateDir.toString(), "--processing-guarantee", "at_least_once",
                "--standby-replicas", "0", "-D", "greenline.shutdown.timeout.ms=2000"));
        all.addAll(List.of(args));
        StringWriter err = new StringWriter();
        int code = new CommandLine(new StreamsCommand()).setErr(new PrintWriter(err)).execute(all.toArray(String[]::new));
        return new Run(code, err.toString());
    }

    private static String freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return String.valueOf(socket.getLocalPort());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertOneLine(Run run, String... fragments) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err().strip().lines()).as(run.err()).hasSize(1);
        assertThat(run.err()).contains(fragments).doesNotContain("\tat ", "Exception in thread");
    }

    @Test
    @DisplayName("A topology setting that does not parse (-D oee.grace=five-minutes): one line naming the key, exit 2")
    void badTopologySetting() {
        assertOneLine(run("-D", "oee.grace=five-minutes", "--http-port", freePort()), "Invalid configuration", "oee.grace", "five-minutes");
        assertOneLine(run("-D", "carbon.finalization-delay=soon", "--http-port", freePort()), "Invalid configuration", "soon", "carbon.finalization-delay");
    }

    @Test
    @DisplayName("An application setting out of range or unknown: one line naming the key, exit 2")
    void badApplicationSetting() {
        assertOneLine(run("--http-port", "70000"), "Invalid configuration", "greenline.http.port");
        assertOneLine(run("-D", "greenline.http.prot=9090"), "Invalid configuration", "greenline.http.prot");
    }

    @Test
    @DisplayName("The query API's port is taken: one line naming the port and the setting, exit 2")
    void portInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
            int port = taken.getLocalPort();
            assertOneLine(run("--http-port", String.valueOf(port)), "Cannot start the query API", String.valueOf(port), "greenline.http.port");
        }
    }
}

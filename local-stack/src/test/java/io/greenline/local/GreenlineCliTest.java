package io.greenline.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class GreenlineCliTest {

    @Test
    @DisplayName("the greenline command offers every command of docs/design.md section 9 (plus registry and help)")
    void subcommands() {
        assertThat(GreenlineCli.commandLine().getSubcommands().keySet())
                .containsExactlyInAnyOrder("local", "streams", "simulate", "replay", "load", "topics", "registry", "help");
    }

    @Test
    @DisplayName("--version prints the Greenline version; --help of local lists its options with their defaults")
    void versionAndHelp() {
        StringWriter out = new StringWriter();
        CommandLine cli = GreenlineCli.commandLine().setOut(new PrintWriter(out));

        assertThat(cli.execute("--version")).isZero();
        assertThat(out.toString()).startsWith("greenline 0.1.0");

        out.getBuffer().setLength(0);
        assertThat(cli.execute("local", "--help")).isZero();
        assertThat(out.toString()).contains("--no-simulators", "--fresh", "--data-dir", "default: 60", "default: .greenline");
    }
}

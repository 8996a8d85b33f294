package io.greenline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class GreenlineCliTest {

    @Test
    @DisplayName("the production command line has streams, topics and the producers, and no development command (local, registry)")
    void productionCommands() {
        assertThat(GreenlineCli.commandLine().getSubcommands().keySet())
                .containsExactlyInAnyOrder("streams", "simulate", "replay", "load", "topics", "help");
    }

    @Test
    @DisplayName("--version prints the Greenline version")
    void version() {
        StringWriter out = new StringWriter();
        CommandLine cli = GreenlineCli.commandLine().setOut(new PrintWriter(out));

        assertThat(cli.execute("--version")).isZero();
        assertThat(out.toString()).startsWith("greenline 0.1.0");
    }
}

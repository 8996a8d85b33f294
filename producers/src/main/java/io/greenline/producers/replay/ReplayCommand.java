package io.greenline.producers.replay;

import io.greenline.producers.ConnectionOptions;
import io.greenline.producers.KafkaEventSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code greenline replay FILE}: JSON Lines events into the input topics. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {
            "Replay a JSON Lines file of events into the input topics.",
            "Reads a JSON Lines file (one event object a line, \"type\" = machine_state, production_count,",
            "inspection, energy, batch, line_config or emission_factor; other fields named as in the Avro",
            "records; timestamps ISO-8601 or epoch ms) into the input topics.",
            "A bad line is reported with its number and skipped (--strict: stops): one that does not parse or",
            "validate (a time before 1970 included), and one whose record Kafka refuses (e.g. larger than",
            "max.request.size; refusals the broker sends back later are reported at the end, with line numbers).",
            "Exit code: 0 all lines sent, 2 some lines skipped, 1 stopped or failed."})
public final class ReplayCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Parameters(index = "0", paramLabel = "FILE", description = "The JSON Lines file ('-' for standard input).")
    String file;

    @Option(names = "--strict", description = "Stop at the first line that does not parse or validate.")
    boolean strict;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        JsonLinesReplay replay = new JsonLinesReplay(new JsonEventParser(connection.topics()), strict);
        JsonLinesReplay.Summary summary;
        try (BufferedReader input = open(); KafkaEventSink sink = connection.sink("greenline-replay")) {
            summary = replay.replay(input, sink, bad -> {
                err.println(file + ": " + bad);
                err.flush();
            });
            sink.flush();
            if (sink.failures() > 0) {
                err.println("Send failures: " + sink.failures() + " (first: " + sink.firstFailure() + ")");
                return 1;
            }
        }
        out.printf("Replayed %d events from %s: %s%n", summary.sent(), file, summary.sentByTopic());
        if (!summary.rejected().isEmpty()) {
            out.printf("%s %d line(s): %s%n", summary.stoppedEarly() ? "Stopped at" : "Skipped",
                    summary.rejected().size(), summary.rejected().stream().map(r -> r.lineNumber()).toList());
        }
        out.flush();
        if (summary.stoppedEarly()) {
            return 1;
        }
        return summary.rejected().isEmpty() ? 0 : 2;
    }

    private BufferedReader open() throws IOException {
        if (file.equals("-")) {
            return new BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));
        }
        return Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
    }
}

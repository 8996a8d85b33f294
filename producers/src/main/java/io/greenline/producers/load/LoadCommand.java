package io.greenline.producers.load;

import io.greenline.producers.ConnectionOptions;
import io.greenline.producers.KafkaEventSink;
import io.greenline.producers.TimeSpec;
import io.greenline.producers.sim.SimulatorConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code greenline load}: the simulators' event mix at a target rate, for benchmarks. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = {
            "Produce the simulators' event mix at a target rate, for benchmarks.",
            "Sends the simulators' event mix (states, counts, inspections, energy, batches, reference data)",
            "at a target rate for a fixed time and prints the achieved rate."})
public final class LoadCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Option(names = "--rate", defaultValue = "1000", paramLabel = "EVENTS_PER_S",
            description = "Target events per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", defaultValue = "60s", paramLabel = "DURATION",
            description = "How long to send: 90s, 5m, PT1H (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--lines", defaultValue = "0", paramLabel = "N",
            description = "Copies of the simulated factory (lines and sites get suffixes -1..-N); "
                    + "default 0 = enough copies that the run's event time spans at most six days.")
    int lines;

    @Option(names = "--config", paramLabel = "FILE", description = "Simulator configuration (YAML); default: built-in.")
    Path configFile;

    @Option(names = "--seed", description = "Random seed (default: the config's seed).")
    Long seed;

    @Option(names = "--start", paramLabel = "TIME",
            description = "Event time of the first event; default: chosen so the last events are at about now "
                    + "(brokers reject records more than an hour in the future).")
    String start;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        SimulatorConfig config = configFile == null ? SimulatorConfig.defaults() : SimulatorConfig.load(configFile);
        if (seed != null) {
            config = config.withSeed(seed);
        }
        Duration length = TimeSpec.duration(duration);
        Instant now = Instant.now();
        LoadGenerator.Plan plan = LoadGenerator.plan(config, connection.topics(), rate, length, lines, now);
        Instant startAt = start == null ? plan.start() : TimeSpec.instant(start, now);
        LoadGenerator generator = new LoadGenerator(config, plan.copies(), connection.topics(), rate, length);
        out.printf("Sending %.0f events/s for %s to %s: %d factory copies (%.0f events per copy per simulated day), "
                        + "event time from %s%n", rate, length, connection.bootstrapServers(), plan.copies(),
                plan.eventsPerCopyPerDay(), startAt);
        out.flush();
        long[] previous = {0};
        try (KafkaEventSink sink = connection.sink("greenline-load")) {
            LoadGenerator.Result result = generator.run(sink, startAt, sent -> {
                out.printf("  %d events sent (+%d in the last second)%n", sent, sent - previous[0]);
                out.flush();
                previous[0] = sent;
            });
            out.printf("Sent %d events in %.1f s: achieved %.0f events/s (target %.0f); acknowledged %d, failed %d; "
                            + "event time reached %s%n",
                    result.sent(), result.elapsed().toMillis() / 1000.0, result.eventsPerSecond(), rate,
                    sink.acknowledgedByTopic().values().stream().mapToLong(Long::longValue).sum(), sink.failures(),
                    result.lastEventTime());
            if (sink.failures() > 0) {
                out.println("First send failure: " + sink.firstFailure());
            }
            out.flush();
            return sink.failures() == 0 ? 0 : 1;
        }
    }
}

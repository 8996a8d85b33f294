package io.greenline.producers.sim;

import io.greenline.producers.ConnectionOptions;
import io.greenline.producers.KafkaEventSink;
import io.greenline.producers.TimeSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code greenline simulate}: the factory simulators, writing to the input topics of a cluster. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {
            "Run the factory simulators and produce their events to the input topics.",
            "Brake-drum line, bio-polyolefin plant and site meters, plus line configs and emission factors.",
            "Deterministic: the same --seed, --start and --config give the same events.",
            "Simulated time before now is generated at once; then the clock runs at --speed."})
public final class SimulateCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Option(names = "--config", paramLabel = "FILE",
            description = "Simulator configuration (YAML); default: the built-in simulator.yaml.")
    Path configFile;

    @Option(names = "--seed", description = "Random seed (default: the config's seed).")
    Long seed;

    @Option(names = "--start", defaultValue = "now", paramLabel = "TIME",
            description = "Simulated start: now, now-6h, an ISO-8601 instant or epoch ms (default: ${DEFAULT-VALUE}).")
    String start;

    @Option(names = "--speed", defaultValue = "1", paramLabel = "FACTOR",
            description = "Simulated seconds per wall second once history is caught up; 60 = an hour a minute; "
                    + "0 = as fast as possible (default: ${DEFAULT-VALUE}).")
    double speed;

    @Option(names = "--until", paramLabel = "TIME",
            description = "Stop at this simulated instant (same syntax as --start); default: run until Ctrl-C.")
    String until;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter console = spec.commandLine().getOut();
        Instant now = Instant.now();
        SimulatorConfig config = configFile == null ? SimulatorConfig.defaults() : SimulatorConfig.load(configFile);
        if (seed != null) {
            config = config.withSeed(seed);
        }
        Instant startAt = TimeSpec.instant(start, now);
        Instant untilAt = until == null ? null : TimeSpec.instant(until, now);
        CountDownLatch finished = new CountDownLatch(1);
        try (KafkaEventSink sink = connection.sink("greenline-simulator")) {
            FactorySimulation simulation = new FactorySimulation(config, startAt, sink, connection.topics());
            SimulationRunner runner = new SimulationRunner(simulation, new SimClock(startAt, speed, Clock.systemUTC()), untilAt);
            // Ctrl-C: stop simulating, then let the sink flush and close before the JVM exits
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                runner.stop();
                awaitQuietly(finished);
            }, "simulate-shutdown"));
            console.printf("Simulating %s from %s (seed %d, speed %s) to %s%n", simulation.lineIds(), startAt,
                    config.seed(), speed == 0 ? "max" : speed, connection.bootstrapServers());
            console.flush();
            boolean runsAhead = speed != 1 && (untilAt == null || untilAt.isAfter(now.plus(java.time.Duration.ofHours(1))));
            if (runsAhead) {
                console.println("Note: simulated time will run ahead of the wall clock; brokers reject records more than "
                        + "message.timestamp.after.max.ms in the future (Kafka 4 default: 1 hour). Stop at --until now, "
                        + "or raise that topic setting (greenline local does).");
            }
            ProgressPrinter progress = new ProgressPrinter(console);
            runner.run(progress::maybePrint);
            sink.flush();
            console.printf("Done: %d events up to %s; acknowledged per topic: %s; failed: %d%n",
                    simulation.emitted(), simulation.simulatedTime(), sink.acknowledgedByTopic(), sink.failures());
            if (sink.failures() > 0) {
                console.println("First send failure: " + sink.firstFailure());
            }
            console.flush();
            return sink.failures() == 0 ? 0 : 1;
        } finally {
            finished.countDown();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Prints a progress line at most every ten seconds. */
    static final class ProgressPrinter {
        private final PrintWriter console;
        private long lastPrint;

        ProgressPrinter(PrintWriter console) {
            this.console = console;
        }

        void maybePrint(FactorySimulation simulation) {
            long now = System.currentTimeMillis();
            if (now - lastPrint >= 10_000) {
                lastPrint = now;
                console.printf("  simulated time %s, %d events%n", simulation.simulatedTime(), simulation.emitted());
                console.flush();
            }
        }
    }
}

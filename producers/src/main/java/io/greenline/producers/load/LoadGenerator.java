package io.greenline.producers.load;

import io.greenline.producers.EventSink;
import io.greenline.producers.sim.FactorySimulation;
import io.greenline.producers.sim.SimulatorConfig;
import io.greenline.schemas.Topic;
import io.greenline.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * Sends the simulators' event mix at a target rate for a fixed wall-clock duration, for benchmarks. The
 * factory is replicated {@code lines} times (more copies = event time advances more slowly for a given
 * rate) and simulated as fast as needed; each event is released at its slot {@code start + i / rate}, so
 * the achieved rate is the target unless the producer or the broker cannot keep up.
 */
public final class LoadGenerator {

    /** What a run achieved. */
    public record Result(long sent, Duration elapsed, Instant lastEventTime) {
        public double eventsPerSecond() {
            return elapsed.isZero() ? 0 : sent / (elapsed.toNanos() / 1e9);
        }
    }

    private static final long SLICE_MS = 60_000;
    private static final double MAX_SPAN_DAYS = 6;

    /** How to lay out a run: copies of the factory and the event time to start at. */
    public record Plan(int copies, Instant start, double eventsPerCopyPerDay) {
    }

    /**
     * Copies and start so that the run's event time ends before about {@code now} and spans at most about
     * six days:
     * brokers reject records too far in the future (Kafka 4: an hour, {@code message.timestamp.after.max.ms})
     * and time retention removes records older than the input topics' seven days.
     *
     * @param copies the copies wanted, or 0 to choose enough for the six-day span
     */
    public static Plan plan(SimulatorConfig config, Topics topics, double rate, Duration duration, int copies, Instant now) {
        double perCopyPerDay = eventsPerSimulatedDay(config, topics);
        double total = rate * duration.toMillis() / 1000.0;
        int chosen = copies > 0 ? copies : (int) Math.max(1, Math.ceil(total / (perCopyPerDay * MAX_SPAN_DAYS)));
        double spanDays = total / (perCopyPerDay * chosen);
        // 20 % margin: the event density of a run varies around the one-day measurement
        Instant start = now.minusMillis(Math.round(spanDays * 1.2 * 86_400_000L));
        return new Plan(chosen, start, perCopyPerDay);
    }

    /** Events one copy of the factory produces per simulated day, measured by simulating a day. */
    static double eventsPerSimulatedDay(SimulatorConfig config, Topics topics) {
        long[] count = {0};
        EventSink counter = new EventSink() {
            @Override
            public <V extends SpecificRecord> void send(Topic<String, V> topic, String key, V value, long timestampMs) {
                count[0]++;
            }
        };
        Instant start = Instant.parse("2026-01-05T00:00:00Z");
        new FactorySimulation(config, start, counter, topics).advanceTo(start.plus(Duration.ofDays(1)).toEpochMilli());
        return Math.max(1, count[0]);
    }

    private final SimulatorConfig config;
    private final Topics topics;
    private final double rate;
    private final Duration duration;

    public LoadGenerator(SimulatorConfig config, int copies, Topics topics, double rate, Duration duration) {
        if (rate <= 0) {
            throw new IllegalArgumentException("rate must be positive");
        }
        this.config = config.replicated(copies);
        this.topics = topics;
        this.rate = rate;
        this.duration = duration;
    }

    /** Runs for the duration, sending to {@code sink}; {@code onSecond} hears the running total once a second. */
    public Result run(EventSink sink, Instant start, LongConsumer onSecond) {
        PacedSink paced = new PacedSink(sink, rate, duration, onSecond);
        FactorySimulation simulation = new FactorySimulation(config, start, paced, topics);
        long cursor = start.toEpochMilli();
        while (!paced.finished() && !Thread.currentThread().isInterrupted()) {
            cursor += SLICE_MS;
            simulation.advanceTo(cursor);
        }
        sink.flush();
        return new Result(paced.sent, Duration.ofNanos(System.nanoTime() - paced.startNanos), simulation.simulatedTime());
    }

    /** Releases each event at its slot in the target rate; drops everything after the deadline. */
    private static final class PacedSink implements EventSink {
        private final EventSink target;
        private final double nanosPerEvent;
        private final long startNanos = System.nanoTime();
        private final long deadlineNanos;
        private final LongConsumer onSecond;
        private long sent;
        private long nextReport;

        PacedSink(EventSink target, double rate, Duration duration, LongConsumer onSecond) {
            this.target = target;
            this.nanosPerEvent = 1e9 / rate;
            this.deadlineNanos = startNanos + duration.toNanos();
            this.onSecond = onSecond;
            this.nextReport = startNanos + TimeUnit.SECONDS.toNanos(1);
        }

        boolean finished() {
            return System.nanoTime() >= deadlineNanos;
        }

        @Override
        public <V extends SpecificRecord> void send(Topic<String, V> topic, String key, V value, long timestampMs) {
            long slot = startNanos + (long) (sent * nanosPerEvent);
            long now = System.nanoTime();
            if (slot >= deadlineNanos || now >= deadlineNanos) {
                return;
            }
            if (slot > now) {
                LockSupport.parkNanos(slot - now);
            }
            target.send(topic, key, value, timestampMs);
            sent++;
            if (System.nanoTime() >= nextReport) {
                nextReport += TimeUnit.SECONDS.toNanos(1);
                onSecond.accept(sent);
            }
        }
    }
}

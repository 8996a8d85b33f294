package io.greenline.producers.sim;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Drives a {@link FactorySimulation} with a {@link SimClock}: releases the events whose simulated time
 * the clock has reached, then sleeps until the next one is due (at most a fraction of a second, so a
 * stop request is honoured quickly). History before "now" is released at once; with speed 0 everything
 * is released as fast as possible, in slices of simulated time.
 */
public final class SimulationRunner {

    private static final long MAX_SLEEP_MS = 250;
    private static final long FAST_SLICE_MS = 3_600_000;

    private final FactorySimulation simulation;
    private final SimClock clock;
    private final Instant until;
    private volatile boolean stopRequested;

    /** @param until the simulated instant to stop at, or null to run until {@link #stop()} */
    public SimulationRunner(FactorySimulation simulation, SimClock clock, Instant until) {
        this.simulation = simulation;
        this.clock = clock;
        this.until = until;
    }

    /** Asks a running {@link #run} to return after its current step. */
    public void stop() {
        stopRequested = true;
    }

    /**
     * Runs until the end instant, a stop request or an interrupt; {@code progress} is called after each
     * step that emitted something. Returns the number of events emitted.
     */
    public long run(Consumer<FactorySimulation> progress) {
        long end = until == null ? Long.MAX_VALUE : until.toEpochMilli();
        long fastCursor = simulation.start().toEpochMilli();
        while (!stopRequested && !Thread.currentThread().isInterrupted()) {
            long target;
            if (clock.speed() == 0) {
                fastCursor = Math.min(end, saturatedAdd(fastCursor, FAST_SLICE_MS));
                target = fastCursor;
            } else {
                target = Math.min(end, clock.simulatedNow());
            }
            if (simulation.advanceTo(target) > 0) {
                progress.accept(simulation);
            }
            if (target >= end) {
                break;
            }
            if (clock.speed() > 0) {
                long sleep = Math.min(MAX_SLEEP_MS, clock.wallMillisUntil(Math.min(end, simulation.nextEventTime())));
                try {
                    TimeUnit.MILLISECONDS.sleep(Math.max(1, sleep));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return simulation.emitted();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}

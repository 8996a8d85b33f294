package io.greenline.streams.app;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What to do when a stream thread dies: replace it (a retriable outage, a bug hit by one record), unless
 * threads keep dying. The client shuts down (so the orchestrator restarts the process instead of us spinning)
 * when more than {@code max} replacements fall within {@code window}, or more than {@code 2 x max} within
 * {@code 10 x window}: a thread that dies every 55 s never trips a 3-per-minute window, but it does trip the
 * long one within ten minutes.
 *
 * <p>A record that kills its thread is quarantined after {@code greenline.poison.max.attempts} tries
 * ({@link io.greenline.streams.guard.PoisonPills}), so a poison pill costs at most that many replacements.
 * {@link #crashLooping()} feeds liveness.
 */
public final class ThreadReplacementPolicy implements StreamsUncaughtExceptionHandler {

    static final int LONG_FACTOR = 2;
    static final int LONG_WINDOWS = 10;

    private static final Logger log = LoggerFactory.getLogger(ThreadReplacementPolicy.class);

    private final int max;
    private final Duration window;
    private final Duration longWindow;
    private final Clock clock;
    private final Deque<Long> replacements = new ArrayDeque<>();
    private volatile boolean gaveUp;
    private volatile int replaced;

    public ThreadReplacementPolicy(int max, Duration window, Clock clock) {
        this.max = max;
        this.window = window;
        this.longWindow = window.multipliedBy(LONG_WINDOWS);
        this.clock = clock;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        long now = clock.millis();
        while (!replacements.isEmpty() && replacements.peekFirst() <= now - longWindow.toMillis()) {
            replacements.removeFirst();
        }
        int recent = within(now, window);
        if (recent >= max || replacements.size() >= LONG_FACTOR * max) {
            gaveUp = true;
            log.error("A stream thread died {} times within {} ({} within {}); shutting this client down",
                    recent + 1, window, replacements.size() + 1, longWindow, exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        replacements.addLast(now);
        replaced++;
        log.warn("A stream thread died; replacing it ({} of {} allowed within {}, {} of {} within {})", recent + 1, max, window,
                replacements.size(), LONG_FACTOR * max, longWindow, exception);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** Threads replaced since start. */
    public int replaced() {
        return replaced;
    }

    /** Threads replaced within the short window up to now. */
    public synchronized int recentReplacements() {
        return within(clock.millis(), window);
    }

    /** True once threads died too often: the client was told to shut down, or the next death will. */
    public synchronized boolean crashLooping() {
        return gaveUp || (max > 0 && within(clock.millis(), window) >= max);
    }

    private int within(long now, Duration span) {
        int n = 0;
        for (long at : replacements) {
            if (at > now - span.toMillis()) {
                n++;
            }
        }
        return n;
    }
}

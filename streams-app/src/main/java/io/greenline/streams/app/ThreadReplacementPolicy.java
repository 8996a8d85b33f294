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
 * threads keep dying: more than {@code max} replacements within {@code window} shut this client down, so
 * the orchestrator restarts the process instead of us spinning.
 */
public final class ThreadReplacementPolicy implements StreamsUncaughtExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ThreadReplacementPolicy.class);

    private final int max;
    private final Duration window;
    private final Clock clock;
    private final Deque<Long> replacements = new ArrayDeque<>();

    public ThreadReplacementPolicy(int max, Duration window, Clock clock) {
        this.max = max;
        this.window = window;
        this.clock = clock;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        long now = clock.millis();
        while (!replacements.isEmpty() && replacements.peekFirst() <= now - window.toMillis()) {
            replacements.removeFirst();
        }
        if (replacements.size() >= max) {
            log.error("A stream thread died {} times within {}; shutting this client down", replacements.size() + 1, window, exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        replacements.addLast(now);
        log.warn("A stream thread died; replacing it ({} of {} allowed within {})", replacements.size(), max, window, exception);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}

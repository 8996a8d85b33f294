package io.greenline.streams.guard;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Records that failed processing without a dead-letter answer (an {@link Error} such as OutOfMemoryError, or a
 * non-retriable exception that escaped the exception handler), counted by topic, partition and offset. Such a
 * failure kills the stream thread; the replacement reads the same record again. After {@code maxAttempts}
 * failures the record is a poison pill: {@link EventTimeGuard} sends it to {@code mfg.dlq} as {@code POISON}
 * instead of processing it again, so one record cannot loop a thread forever.
 *
 * <p>One instance per application (it must outlive the threads it watches); bounded to the most recent
 * {@value #CAPACITY} failing records.
 */
public final class PoisonPills {

    static final int CAPACITY = 1024;

    private final int maxAttempts;
    private final Map<String, Integer> failures = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > CAPACITY;
        }
    };

    public PoisonPills(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** Counts one failed attempt at the record; returns the failures counted so far. */
    public synchronized int failed(String topic, int partition, long offset) {
        return failures.merge(key(topic, partition, offset), 1, Integer::sum);
    }

    /** Failed attempts counted for the record. */
    public synchronized int failures(String topic, int partition, long offset) {
        return failures.getOrDefault(key(topic, partition, offset), 0);
    }

    /** True once the record failed {@code maxAttempts} times: do not try it again. */
    public boolean isPoison(String topic, int partition, long offset) {
        return failures(topic, partition, offset) >= maxAttempts;
    }

    private static String key(String topic, int partition, long offset) {
        return topic + "/" + partition + "@" + offset;
    }
}

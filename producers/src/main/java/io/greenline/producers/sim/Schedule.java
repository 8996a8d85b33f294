package io.greenline.producers.sim;

import java.util.PriorityQueue;
import java.util.function.LongConsumer;

/**
 * The discrete-event agenda of a simulation: actions ordered by simulated time, ties broken by the order
 * in which they were scheduled, so a run is a pure function of its seed and start.
 */
final class Schedule {

    private record Entry(long time, long sequence, LongConsumer action) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry other) {
            int byTime = Long.compare(time, other.time);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private long sequence;
    private long now;

    Schedule(long start) {
        this.now = start;
    }

    /** Runs {@code action} (given its own time) at simulated time {@code time}, never before now. */
    void at(long time, LongConsumer action) {
        queue.add(new Entry(Math.max(time, now), sequence++, action));
    }

    /** Runs every action due at or before {@code until}, in order; returns how many ran. */
    long runUntil(long until) {
        long ran = 0;
        while (!queue.isEmpty() && queue.peek().time() <= until) {
            Entry next = queue.poll();
            now = next.time();
            next.action().accept(next.time());
            ran++;
        }
        now = Math.max(now, until);
        return ran;
    }

    /** Time of the next action, or {@link Long#MAX_VALUE} when nothing is scheduled. */
    long nextTime() {
        return queue.isEmpty() ? Long.MAX_VALUE : queue.peek().time();
    }

    long now() {
        return now;
    }
}

package io.greenline.streams.windows;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The aligned event-time frontier of each line over the several input topics a windowed topology merges (OEE:
 * machine states and production counts; line energy: line meter readings and counts). Plain Java, kept in memory by
 * the processor of one task; a few longs per active line.
 *
 * <p>Why: Kafka Streams reads all input partitions of a task together and, when one partition has nothing buffered,
 * processes the others anyway. When hours of two topics are produced into a running application, one topic's fetch
 * may land first: its events move the line's clock hours ahead while the other topic's, produced together with them,
 * are still in flight. Judged against that clock, windows would be final too early and the other topic's events
 * late. A window is therefore final only when the line's clock <i>and</i> its frontier have passed its end plus the
 * grace, the frontier being the least, over the line's inputs, of the largest event time each has delivered.
 *
 * <p>An input is taken as caught up, and no longer holds the frontier (as a Flink source marked idle), when the
 * line's other inputs have been delivering for {@code idleMs} of wall-clock time while it delivered nothing (a line
 * without a counter, a counter stopped), or when the whole line has been silent for {@code idleMs} (a quiet line, so
 * that its idle advance closes its windows). A silence of the whole line does not make its inputs idle for what comes
 * after it: the first input to deliver again re-arms the wait for the others, since a fresh batch of one topic
 * commonly lands before the other's. A line first seen by this processor (a new line, or every line after a restart,
 * since the frontier is not stored) holds until each input has delivered, or {@code idleMs} has passed. Holding only
 * delays finalization, which never changes a final window's content; it never makes an event late.
 *
 * <p>Silence is counted only while the task runs: when a record comes more than {@link #resumeGapMs} of wall-clock
 * time after the processor's last activity (a record or a punctuation, which runs at least every second while the
 * task is alive), the task was not running (its stream thread blocked in a commit during a broker failover, a
 * rebalance), and every input holds again from that moment as after a start. Otherwise the input whose record
 * happens to be processed first after the pause would make every other input look idle.
 */
public final class InputAlignment {

    /** The frontier when no input holds it. */
    public static final long NONE = Long.MAX_VALUE;
    private static final long NOT_BEHIND = Long.MAX_VALUE;

    private final int inputs;
    private final long idleMs;
    /**
     * Per line, for each input: the largest event time (Long.MIN_VALUE before its first), the wall time of its last
     * delivery, and the wall time since which it is behind (the first delivery of another input after its own last,
     * {@link #NOT_BEHIND} when it delivered last). Kept for every line the task has seen since it started (a bounded
     * set: the lines of a plant), never evicted, since a forgotten line would hold again as if new.
     */
    private final Map<String, long[]> lines = new HashMap<>();
    private final long resumeGapMs;
    private long lastActivityWallMs = Long.MIN_VALUE;
    /** Wall time of the last resume after a pause of the task: no input is idle since before it. */
    private long resumedWallMs = Long.MIN_VALUE;

    /**
     * @param inputs how many inputs are aligned (input indexes are 0 to inputs - 1)
     * @param idleMs how long an input may deliver nothing before it is taken as caught up; 0 aligns nothing
     */
    public InputAlignment(int inputs, long idleMs) {
        if (inputs < 1) {
            throw new IllegalArgumentException("at least one input, got " + inputs);
        }
        if (idleMs < 0) {
            throw new IllegalArgumentException("idleMs must be at least 0, got " + idleMs);
        }
        this.inputs = inputs;
        this.idleMs = idleMs;
        this.resumeGapMs = Math.max(2_000, idleMs / 6);
    }

    /** Records that the processor ran at {@code wallMs} (a punctuation): the task is alive, its inputs' silence counts. */
    public void touch(long wallMs) {
        lastActivityWallMs = Math.max(lastActivityWallMs, wallMs);
    }

    /** How long the processor may show no activity before the next record counts as a resume after a pause. */
    public long resumeGapMs() {
        return resumeGapMs;
    }

    /** Records that {@code input} delivered an event of {@code lineId} at {@code eventMs}, at wall-clock time {@code wallMs}. */
    public void observe(String lineId, int input, long eventMs, long wallMs) {
        if (idleMs == 0) {
            return;
        }
        if (lastActivityWallMs != Long.MIN_VALUE && wallMs - lastActivityWallMs > resumeGapMs) {
            resumedWallMs = wallMs;
        }
        touch(wallMs);
        long[] times = lines.get(lineId);
        if (times == null) {
            times = new long[3 * inputs];
            Arrays.fill(times, 0, inputs, Long.MIN_VALUE);
            Arrays.fill(times, inputs, 2 * inputs, wallMs);
            // an input not seen yet is behind from the line's first sighting: it holds for idleMs at most
            Arrays.fill(times, 2 * inputs, 3 * inputs, wallMs);
        }
        boolean lineWasQuiet = true;
        for (int i = 0; i < inputs; i++) {
            lineWasQuiet &= wallMs - times[inputs + i] >= idleMs;
        }
        for (int i = 0; i < inputs; i++) {
            if (i != input && (lineWasQuiet || times[2 * inputs + i] == NOT_BEHIND)) {
                // behind from now; after a silence of the whole line, the others get idleMs from now to deliver too
                times[2 * inputs + i] = wallMs;
            }
        }
        times[input] = Math.max(times[input], eventMs);
        times[inputs + input] = Math.max(times[inputs + input], wallMs);
        times[2 * inputs + input] = NOT_BEHIND;
        lines.put(lineId, times);
    }

    /**
     * The line's frontier at wall-clock time {@code wallNowMs}: the least event time reached by the inputs that hold
     * (the one that delivered last, and those behind for less than {@code idleMs}, a pause of the task not counted);
     * {@link #NONE} when the whole line has been silent for {@code idleMs}, or the line has not been seen by this
     * processor (an idle advance after a restart).
     */
    public long frontier(String lineId, long wallNowMs) {
        long[] times = lines.get(lineId);
        if (times == null) {
            return NONE;
        }
        boolean quiet = true;
        for (int i = 0; i < inputs; i++) {
            quiet &= wallNowMs - times[inputs + i] >= idleMs;
        }
        if (quiet) {
            return NONE;
        }
        long frontier = NONE;
        for (int i = 0; i < inputs; i++) {
            long behindSince = times[2 * inputs + i];
            if (behindSince == NOT_BEHIND || wallNowMs - Math.max(behindSince, resumedWallMs) < idleMs) {
                frontier = Math.min(frontier, times[i]);
            }
        }
        return frontier;
    }

    /**
     * The largest event time {@code input} has delivered for the line, {@code Long.MIN_VALUE} when unknown (not seen
     * since this processor started, or alignment off). An event further behind its own input than the grace is late
     * whatever the frontier: that order is the order of one topic-partition, the same in every run.
     */
    public long inputTime(String lineId, int input) {
        long[] times = lines.get(lineId);
        return times == null ? Long.MIN_VALUE : times[input];
    }

    /** True when inputs are aligned (idle time above 0). */
    public boolean aligned() {
        return idleMs > 0;
    }

    /** How long an input may be silent before it no longer holds (0: alignment off). */
    public long idleMs() {
        return idleMs;
    }
}

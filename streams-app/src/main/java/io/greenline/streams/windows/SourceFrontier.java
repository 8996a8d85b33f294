package io.greenline.streams.windows;

import java.util.HashMap;
import java.util.Map;

/**
 * The event-time frontier of a processor that reads a repartition topic written by several upstream tasks (the carbon
 * site ledger: every upstream task writes batch events and readings of any site): the least, over the upstream tasks
 * that still hold it, of the stream time each stamped on the last record it sent ({@link SourceStamp}). Plain Java,
 * kept in memory by the processor of one task; three longs per upstream task.
 *
 * <p>Why: an upstream task processes its input in about event-time order, so once it stamps stream time {@code T} it has
 * sent every record it had up to {@code T}, for every key of this partition; the records of one upstream task reach a
 * repartition partition in the order it sent them. Records up to the frontier therefore come in the order of event
 * time whatever the skew between the upstream tasks (in a catch-up of a backlog they advance at different speeds).
 *
 * <p>Idleness, the rules of {@link InputAlignment} with the upstream tasks as the inputs: an upstream task no longer
 * holds when the others have been delivering for {@code idleMs} of wall-clock time while it delivered nothing (it has
 * nothing for this partition), and nothing holds when every known task has been silent for {@code idleMs}. A silence
 * of all of them re-arms the wait for the others when one delivers again. Silence counts only while the task runs: a
 * record more than {@link #resumeGapMs()} after the last activity (a record or a punctuation) makes every known task
 * hold again from that moment. The set of upstream tasks is learnt from the records (the processor does not know how
 * many there are). After a restart with records still held ({@code startUpWait}), a task not heard from yet may still
 * send records older than what the others send, so nothing is released for {@code idleMs} (unless nothing at all
 * arrives within it). On a start with nothing held there is no wait: a task not heard from yet holds nothing until it
 * sends its first record, so what comes before that is released in arrival order, which the ledger handles as it
 * handles any order.
 */
public final class SourceFrontier {

    /** The frontier when no upstream task holds it (none heard from, or all silent for the idle time). */
    public static final long NONE = Long.MAX_VALUE;
    /** The frontier while an upstream task not heard from yet may still hold it (the start-up wait). */
    public static final long UNKNOWN = Long.MIN_VALUE;
    private static final long NOT_BEHIND = Long.MAX_VALUE;
    private static final int STAMP = 0;
    private static final int LAST_WALL = 1;
    private static final int BEHIND_SINCE = 2;

    private final long idleMs;
    private final long resumeGapMs;
    /** Per upstream task: stream time stamped last, wall time of its last delivery, wall time since it is behind. */
    private final Map<Integer, long[]> sources = new HashMap<>();
    private final long startWallMs;
    private long lastActivityWallMs;
    private long lastDeliveryWallMs = Long.MIN_VALUE;
    private long resumedWallMs = Long.MIN_VALUE;

    private final boolean startUpWait;

    /**
     * @param idleMs      how long an upstream task may deliver nothing before it no longer holds (above 0)
     * @param startWallMs wall time the processor started
     * @param startUpWait whether nothing is released for {@code idleMs} after the start (a restart with records held)
     */
    public SourceFrontier(long idleMs, long startWallMs, boolean startUpWait) {
        if (idleMs <= 0) {
            throw new IllegalArgumentException("idleMs must be above 0, got " + idleMs);
        }
        this.idleMs = idleMs;
        this.resumeGapMs = Math.max(2_000, idleMs / 6);
        this.startWallMs = startWallMs;
        this.startUpWait = startUpWait;
        this.lastActivityWallMs = startWallMs;
    }

    /** Records that the processor ran at {@code wallMs} (a punctuation): the task is alive, silence counts. */
    public void touch(long wallMs) {
        lastActivityWallMs = Math.max(lastActivityWallMs, wallMs);
    }

    /** How long the processor may show no activity before the next record counts as a resume after a pause. */
    public long resumeGapMs() {
        return resumeGapMs;
    }

    /** Records that upstream task {@code source} sent a record stamped with its stream time {@code streamMs}. */
    public void observe(int source, long streamMs, long wallMs) {
        if (wallMs - lastActivityWallMs > resumeGapMs) {
            resumedWallMs = wallMs;
        }
        touch(wallMs);
        boolean allQuiet = lastDeliveryWallMs == Long.MIN_VALUE || wallMs - lastDeliveryWallMs >= idleMs;
        for (Map.Entry<Integer, long[]> e : sources.entrySet()) {
            long[] other = e.getValue();
            if (e.getKey() != source && (allQuiet || other[BEHIND_SINCE] == NOT_BEHIND)) {
                other[BEHIND_SINCE] = wallMs;
            }
        }
        long[] times = sources.computeIfAbsent(source, s -> new long[] {Long.MIN_VALUE, wallMs, NOT_BEHIND});
        times[STAMP] = Math.max(times[STAMP], streamMs);
        times[LAST_WALL] = Math.max(times[LAST_WALL], wallMs);
        times[BEHIND_SINCE] = NOT_BEHIND;
        lastDeliveryWallMs = Math.max(lastDeliveryWallMs, wallMs);
    }

    /**
     * The frontier at {@code wallNowMs}: {@link #UNKNOWN} within {@code idleMs} of a start with a start-up wait;
     * {@link #NONE} when every upstream task has been silent for {@code idleMs}; else the least stamp of the tasks
     * that hold (the one that delivered last, and those behind for less than {@code idleMs}, a pause not counted).
     */
    public long frontier(long wallNowMs) {
        boolean quiet = lastDeliveryWallMs == Long.MIN_VALUE ? wallNowMs - startWallMs >= idleMs : wallNowMs - lastDeliveryWallMs >= idleMs;
        if (quiet) {
            return NONE;
        }
        if (startUpWait && wallNowMs - startWallMs < idleMs) {
            return UNKNOWN;
        }
        long frontier = NONE;
        for (long[] times : sources.values()) {
            long behindSince = times[BEHIND_SINCE];
            if (behindSince == NOT_BEHIND || wallNowMs - Math.max(behindSince, resumedWallMs) < idleMs) {
                frontier = Math.min(frontier, times[STAMP]);
            }
        }
        return frontier;
    }

    /** The upstream tasks heard from since the start. */
    public int sources() {
        return sources.size();
    }
}

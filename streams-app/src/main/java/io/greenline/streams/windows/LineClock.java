package io.greenline.streams.windows;

import io.greenline.events.Granularity;
import io.greenline.events.LineClockState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The event-time clock of one line and the finality of its windows: plain Java, kept per line in a state
 * store as a {@link LineClockState} ({@link LineClockSerde}), shared by every per-line windowed topology.
 *
 * <ul>
 *   <li>{@link #clockMs()} is the line's event-time clock: the largest event timestamp {@link #observe observed},
 *       moved on by {@link #advanceIdle} for a quiet line by the wall-clock time passed since its clock last
 *       moved (never to "now", so a replay of old data is not made late).</li>
 *   <li>{@link #earliestMs()} is its earliest observed event. A window <i>exists</i> for the line when it ends
 *       after the earliest event and starts at or before the clock (no windows before a line's first event).</li>
 *   <li>A window is <i>final</i> once {@code end + grace <= clock}; {@link #drainFinal} returns each existing
 *       window exactly once, the first time it is both existing and final.</li>
 *   <li>An event that would change a final window is late: {@link #isLateAt} for an event that counts in the
 *       windows containing its timestamp; {@link #isLateFrom} for one that changes everything after it (a state
 *       change).</li>
 * </ul>
 * Granularities are all of {@link Granularity}; a calendar without shifts simply has no SHIFT windows.
 */
public final class LineClock {

    private static final Granularity[] GRANULARITIES = Granularity.values();
    private static final Comparator<Window> BY_END = Comparator.comparing(Window::end)
            .thenComparing(Window::granularity)
            .thenComparing(Window::start)
            .thenComparing(w -> w.shiftName() == null ? "" : w.shiftName());

    private boolean started;
    private long earliestMs;
    private long clockMs;
    private long drainedEarliestMs;
    private long drainedClockMs;
    private long lastRecordWallMs;
    private long lastAdvanceWallMs;

    /** The clock as its versioned internal state record. */
    public LineClockState toState() {
        return new LineClockState(started, earliestMs, clockMs, drainedEarliestMs, drainedClockMs, lastRecordWallMs,
                lastAdvanceWallMs);
    }

    /** The clock kept in {@code state}. */
    public static LineClock fromState(LineClockState state) {
        LineClock clock = new LineClock();
        clock.started = state.getStarted();
        clock.earliestMs = state.getEarliestMs();
        clock.clockMs = state.getClockMs();
        clock.drainedEarliestMs = state.getDrainedEarliestMs();
        clock.drainedClockMs = state.getDrainedClockMs();
        clock.lastRecordWallMs = state.getLastRecordWallMs();
        clock.lastAdvanceWallMs = state.getLastAdvanceWallMs();
        return clock;
    }

    /** True once the line has observed an event. */
    public boolean started() {
        return started;
    }

    /** The line's event-time clock (meaningless before {@link #started()}). */
    public long clockMs() {
        return clockMs;
    }

    /** The line's earliest observed event time. */
    public long earliestMs() {
        return earliestMs;
    }

    /** The clock if started, else {@code fallbackMs}. */
    public long clockOr(long fallbackMs) {
        return started ? clockMs : fallbackMs;
    }

    /** Records an accepted event at {@code atMs}, processed at wall-clock time {@code wallNowMs}. */
    public void observe(long atMs, long wallNowMs) {
        if (!started) {
            started = true;
            earliestMs = atMs;
            clockMs = atMs;
            drainedEarliestMs = atMs;
            drainedClockMs = atMs;
        } else {
            earliestMs = Math.min(earliestMs, atMs);
            clockMs = Math.max(clockMs, atMs);
        }
        lastRecordWallMs = wallNowMs;
        lastAdvanceWallMs = wallNowMs;
    }

    /**
     * Moves the clock of a line silent for at least {@code idleAfterMs} of wall-clock time forward by the
     * wall-clock time passed since the clock last moved. Wall-clock time before {@code notBeforeWallMs} (the
     * start of the processor that owns the line now) is not counted: the time an application was down, or a
     * task was moving between instances, is not silence of the line, and counting it would make the backlog
     * that waited in Kafka late.
     *
     * @return true when the clock moved
     */
    public boolean advanceIdle(long wallNowMs, long idleAfterMs, long notBeforeWallMs) {
        long lastRecord = Math.max(lastRecordWallMs, notBeforeWallMs);
        long lastAdvance = Math.max(lastAdvanceWallMs, notBeforeWallMs);
        if (!started || wallNowMs - lastRecord < idleAfterMs || wallNowMs <= lastAdvance) {
            return false;
        }
        clockMs += wallNowMs - lastAdvance;
        lastAdvanceWallMs = wallNowMs;
        return true;
    }

    /**
     * The clock up to which windows were made final ({@link #drainFinal}): the clock at the last drain, which is
     * behind the clock while an {@link InputAlignment aligned frontier} holds finalization back.
     */
    public long finalizedClockMs() {
        return drainedClockMs;
    }

    /** The clock windows are final by when the frontier is {@code frontierMs}: never behind what was made final already. */
    public long finalClockMs(long frontierMs) {
        return Math.max(drainedClockMs, Math.min(clockMs, frontierMs));
    }

    /** True when an event counted in the windows containing {@code t} would change a final one. */
    public boolean isLateAt(long t, WindowCalendar calendar, long graceMs) {
        return isLateAt(t, calendar, graceMs, clockMs);
    }

    /**
     * True when an event counted in the windows containing {@code t} would change a window made final so far
     * ({@link #finalizedClockMs}): lateness judged against what was actually finalized, not against the raw clock.
     */
    public boolean isLateAtFinalized(long t, WindowCalendar calendar, long graceMs) {
        return isLateAt(t, calendar, graceMs, drainedClockMs);
    }

    /**
     * True when an event counted in the windows containing {@code t} would change a window final by {@code finalClockMs}
     * (Long.MIN_VALUE: none is).
     */
    public boolean isLateAt(long t, WindowCalendar calendar, long graceMs, long finalClockMs) {
        if (!started || finalClockMs == Long.MIN_VALUE) {
            return false;
        }
        long finalUpTo = finalClockMs - graceMs;
        for (Granularity g : GRANULARITIES) {
            for (Window w : calendar.windowsContaining(g, Instant.ofEpochMilli(t))) {
                if (w.endMs() <= finalUpTo) {
                    return true;
                }
            }
        }
        return false;
    }

    /** True when an event changing all time from {@code t} on would change a final window. */
    public boolean isLateFrom(long t, WindowCalendar calendar, long graceMs) {
        return isLateFrom(t, calendar, graceMs, clockMs);
    }

    /** {@link #isLateFrom} against the windows made final so far ({@link #finalizedClockMs}). */
    public boolean isLateFromFinalized(long t, WindowCalendar calendar, long graceMs) {
        return isLateFrom(t, calendar, graceMs, drainedClockMs);
    }

    /** True when an event changing all time from {@code t} on would change a window final by {@code finalClockMs}. */
    public boolean isLateFrom(long t, WindowCalendar calendar, long graceMs, long finalClockMs) {
        if (!started || finalClockMs == Long.MIN_VALUE) {
            return false;
        }
        long finalUpTo = finalClockMs - graceMs;
        if (finalUpTo <= t) {
            return false;
        }
        for (Granularity g : GRANULARITIES) {
            for (Window w : calendar.windows(g, Instant.ofEpochMilli(t), Instant.ofEpochMilli(finalUpTo))) {
                if (w.endMs() <= finalUpTo) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The windows that became final since the last call, by end (then granularity, start): those ending in
     * {@code (earliest, clock - grace]} that were not returned before.
     */
    public List<Window> drainFinal(WindowCalendar calendar, long graceMs) {
        if (!started) {
            return List.of();
        }
        long newHi = clockMs - graceMs;
        long oldHi = drainedClockMs - graceMs;
        Map<String, Window> out = new LinkedHashMap<>();
        // windows that exist only since the earliest event moved back
        collectEndingIn(calendar, earliestMs, Math.min(drainedEarliestMs, newHi), out);
        // windows that became final since the clock moved on
        collectEndingIn(calendar, Math.max(earliestMs, oldHi), newHi, out);
        drainedEarliestMs = earliestMs;
        drainedClockMs = clockMs;
        List<Window> list = new ArrayList<>(out.values());
        list.sort(BY_END);
        return list;
    }

    /**
     * {@link #drainFinal(WindowCalendar, long)} with windows final only up to {@link #finalClockMs(long)
     * finalClockMs(frontierMs)}: the windows the line's clock made final but the frontier holds stay open, and are
     * returned by a later call once the frontier has moved on. {@code InputAlignment.NONE} holds nothing.
     */
    public List<Window> drainFinal(WindowCalendar calendar, long graceMs, long frontierMs) {
        if (!started || frontierMs >= clockMs) {
            return drainFinal(calendar, graceMs);
        }
        long realClockMs = clockMs;
        clockMs = finalClockMs(frontierMs);
        try {
            return drainFinal(calendar, graceMs);
        } finally {
            clockMs = realClockMs;
        }
    }

    /**
     * {@link #drainFinal(WindowCalendar, long)} in slices: at most {@code maxWindows} of the windows the clock's
     * move made final (more only when several windows share the last end returned), oldest first; the rest stay
     * for the next call ({@link #hasUndrained}). A long quiet gap is so emitted a slice per punctuation or record,
     * never all in one transaction. Windows that exist because the earliest event moved back are returned whole.
     */
    public List<Window> drainFinal(WindowCalendar calendar, long graceMs, int maxWindows) {
        if (maxWindows < 1) {
            throw new IllegalArgumentException("maxWindows must be at least 1, got " + maxWindows);
        }
        if (!started) {
            return List.of();
        }
        Map<String, Window> pending = new LinkedHashMap<>();
        collectEndingIn(calendar, Math.max(earliestMs, drainedClockMs - graceMs), clockMs - graceMs, pending);
        if (pending.size() <= maxWindows) {
            return drainFinal(calendar, graceMs);
        }
        List<Window> byEnd = new ArrayList<>(pending.values());
        byEnd.sort(BY_END);
        long cutoffEndMs = byEnd.get(maxWindows - 1).endMs();
        long realClockMs = clockMs;
        clockMs = cutoffEndMs + graceMs;
        try {
            return drainFinal(calendar, graceMs);
        } finally {
            clockMs = realClockMs;
        }
    }

    /** True when windows made final by the clock have not all been drained yet. */
    public boolean hasUndrained() {
        return started && drainedClockMs < clockMs;
    }

    private static void collectEndingIn(WindowCalendar calendar, long lo, long hi, Map<String, Window> out) {
        if (hi <= lo) {
            return;
        }
        for (Granularity g : GRANULARITIES) {
            for (Window w : calendar.windows(g, Instant.ofEpochMilli(lo), Instant.ofEpochMilli(hi))) {
                if (w.endMs() > lo && w.endMs() <= hi) {
                    out.put(g + "/" + w.start() + "/" + w.shiftName(), w);
                }
            }
        }
    }

    /** The existing windows that are not final yet (the live view), by end. */
    public List<Window> openWindows(WindowCalendar calendar, long graceMs) {
        return openWindows(calendar, graceMs, clockMs);
    }

    /**
     * The existing windows not final by {@link #finalClockMs(long) finalClockMs(frontierMs)} (the live view,
     * including those the frontier holds), by end.
     */
    public List<Window> openWindows(WindowCalendar calendar, long graceMs, long frontierMs) {
        if (!started) {
            return List.of();
        }
        long finalUpTo = finalClockMs(frontierMs) - graceMs;
        long lo = Math.max(earliestMs, finalUpTo);
        List<Window> out = new ArrayList<>();
        for (Granularity g : GRANULARITIES) {
            for (Window w : calendar.windows(g, Instant.ofEpochMilli(lo), Instant.ofEpochMilli(clockMs + 1))) {
                if (w.endMs() > earliestMs && w.endMs() > finalUpTo && w.startMs() <= clockMs) {
                    out.add(w);
                }
            }
        }
        out.sort(BY_END);
        return out;
    }

    /** The start of the earliest open window, or the clock when none is open. */
    public long earliestOpenStartMs(WindowCalendar calendar, long graceMs) {
        return earliestOpenStartMs(calendar, graceMs, clockMs);
    }

    /** The start of the earliest window open by {@link #openWindows(WindowCalendar, long, long)}, or the clock when none is. */
    public long earliestOpenStartMs(WindowCalendar calendar, long graceMs, long frontierMs) {
        return openWindows(calendar, graceMs, frontierMs).stream().mapToLong(Window::startMs).min().orElse(clockMs);
    }
}

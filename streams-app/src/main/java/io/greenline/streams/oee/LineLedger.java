package io.greenline.streams.oee;

import io.greenline.events.Granularity;
import io.greenline.streams.windows.Window;
import io.greenline.streams.windows.WindowCalendar;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The event-time ledger of one line, kept between records: its clock, its state timeline, the counts of its
 * open windows and which windows it has already finalized. Plain Java; the topology loads it from and saves it
 * to a state store.
 *
 * <h2>Clock, existence and finality</h2>
 * <ul>
 *   <li>{@code clockMs} is the line's event-time clock: the largest event timestamp it has accepted, moved on
 *       by {@link #advanceIdle} for a quiet line (by the wall-clock time passed since its last record, never to
 *       "now").</li>
 *   <li>{@code earliestMs} is its earliest accepted event. A window <i>exists</i> for the line when it ends
 *       after {@code earliestMs} and starts at or before the clock.</li>
 *   <li>A window is <i>final</i> once {@code end + grace <= clock}; {@link #drainFinal} returns each existing
 *       window exactly once, the first time it is both existing and final.</li>
 *   <li>A state change at t is <i>late</i> when any window that contains an instant at or after t is final (it
 *       would change it); a count at t is late when a window containing t is final.</li>
 * </ul>
 * The timeline keeps only what open windows still need: from the last change at or before the earliest open
 * window's start.
 */
public final class LineLedger {

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
    private List<StateChange> timeline = new ArrayList<>();
    private Map<String, WindowCounts> counts = new HashMap<>();

    public boolean started() {
        return started;
    }

    public long clockMs() {
        return clockMs;
    }

    public long earliestMs() {
        return earliestMs;
    }

    public List<StateChange> timeline() {
        return timeline;
    }

    /** True when a state change at {@code t} would change a final window. */
    public boolean isLateState(long t, WindowCalendar calendar, long graceMs) {
        if (!started) {
            return false;
        }
        long finalBefore = clockMs - graceMs;
        for (Granularity g : GRANULARITIES) {
            for (Window w : calendar.windows(g, Instant.ofEpochMilli(t), Instant.ofEpochMilli(Math.max(t, finalBefore)))) {
                if (w.endMs() <= finalBefore) {
                    return true;
                }
            }
        }
        return false;
    }

    /** True when a count at {@code t} would change a final window. */
    public boolean isLateCount(long t, WindowCalendar calendar, long graceMs) {
        if (!started) {
            return false;
        }
        long finalBefore = clockMs - graceMs;
        for (Granularity g : GRANULARITIES) {
            for (Window w : calendar.windowsContaining(g, Instant.ofEpochMilli(t))) {
                if (w.endMs() <= finalBefore) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Adds a state change (not late: check first); a change at the same instant as another comes after it. */
    public void applyState(StateChange change, long wallNowMs) {
        int i = timeline.size();
        while (i > 0 && timeline.get(i - 1).atMs() > change.atMs()) {
            i--;
        }
        timeline.add(i, change);
        touch(change.atMs(), wallNowMs);
    }

    /**
     * Adds a count to every window containing its timestamp (not late: check first).
     *
     * @param pruMs the product's ideal cycle time valid at {@code atMs}, null when unknown
     */
    public void applyCount(String lineId, long atMs, double quantity, double scrap, double rework, Double pruMs,
            WindowCalendar calendar, long wallNowMs) {
        for (Granularity g : GRANULARITIES) {
            for (Window w : calendar.windowsContaining(g, Instant.ofEpochMilli(atMs))) {
                counts.computeIfAbsent(w.key(lineId).format(), k -> new WindowCounts()).add(quantity, scrap, rework, pruMs);
            }
        }
        touch(atMs, wallNowMs);
    }

    private void touch(long atMs, long wallNowMs) {
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
     * Moves the clock of a line that has had no record for at least {@code idleAfterMs} of wall-clock time
     * forward by the wall-clock time passed since the clock last moved (not to {@code wallNowMs}: a replay
     * of old data is not turned late).
     *
     * @return true when the clock moved
     */
    public boolean advanceIdle(long wallNowMs, long idleAfterMs) {
        if (!started || wallNowMs - lastRecordWallMs < idleAfterMs || wallNowMs <= lastAdvanceWallMs) {
            return false;
        }
        clockMs += wallNowMs - lastAdvanceWallMs;
        lastAdvanceWallMs = wallNowMs;
        return true;
    }

    /**
     * The windows that became final since the last call, by end, each returned once in the ledger's life:
     * windows ending in {@code (earliest, clock - grace]} minus those already drained.
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
        if (!started) {
            return List.of();
        }
        long lo = Math.max(earliestMs, clockMs - graceMs);
        List<Window> out = new ArrayList<>();
        for (Granularity g : GRANULARITIES) {
            for (Window w : calendar.windows(g, Instant.ofEpochMilli(lo), Instant.ofEpochMilli(clockMs + 1))) {
                if (w.endMs() > earliestMs && w.endMs() > clockMs - graceMs && w.startMs() <= clockMs) {
                    out.add(w);
                }
            }
        }
        out.sort(BY_END);
        return out;
    }

    /** The time elements of a window as of the line's clock. */
    public TimeElements timeElements(Window window, WindowCalendar calendar, long microStopThresholdMs) {
        return TimeLedger.classify(timeline, window, clockMs, calendar, microStopThresholdMs);
    }

    /** The counts of a window (empty when it has none). */
    public WindowCounts counts(String lineId, Window window) {
        WindowCounts c = counts.get(window.key(lineId).format());
        return c == null ? new WindowCounts() : c;
    }

    /**
     * Forgets what final windows no longer need: their counts, and the state changes before the one in force
     * at the start of the earliest open window.
     */
    public void forget(String lineId, List<Window> finalWindows, WindowCalendar calendar, long graceMs) {
        for (Window w : finalWindows) {
            counts.remove(w.key(lineId).format());
        }
        long keepFrom = openWindows(calendar, graceMs).stream().mapToLong(Window::startMs).min().orElse(clockMs);
        int inForce = -1;
        for (int i = 0; i < timeline.size() && timeline.get(i).atMs() <= keepFrom; i++) {
            inForce = i;
        }
        if (inForce > 0) {
            timeline = new ArrayList<>(timeline.subList(inForce, timeline.size()));
        }
    }
}

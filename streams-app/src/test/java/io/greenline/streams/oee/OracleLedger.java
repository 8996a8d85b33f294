package io.greenline.streams.oee;

import io.greenline.events.Granularity;
import io.greenline.streams.windows.LineClock;
import io.greenline.streams.windows.Window;
import io.greenline.streams.windows.WindowCalendar;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test oracle: the OEE ledger of one line as Greenline 0.1 kept it (moved here from production unchanged but for
 * its name): its {@link LineClock}, its whole state timeline since the change in force at the start of the
 * earliest open window, and the counts of its open windows; every window is classified from the whole timeline
 * ({@link TimeLedger}) each time it is rendered. {@link LineLedgerPropertyTest} checks the running totals of
 * {@link LineLedger} against it.
 *
 * <p>Time elements are not accumulated but recomputed from the timeline ({@link TimeLedger}) whenever a window
 * is rendered, so a state change arriving out of order (within the grace) corrects every window it touches.
 * Counts are additive and accumulated per window at arrival. The timeline keeps only what open windows still
 * need: from the change in force at the start of the earliest open window.
 */
final class OracleLedger {

    private static final Granularity[] GRANULARITIES = Granularity.values();

    private LineClock clock = new LineClock();
    private List<StateChange> timeline = new ArrayList<>();
    private Map<String, WindowCounts> counts = new HashMap<>();

    public LineClock clock() {
        return clock;
    }

    public List<StateChange> timeline() {
        return timeline;
    }

    /** Adds a state change (check {@link LineClock#isLateFrom} first); one at the same instant as another comes after it. */
    public void applyState(StateChange change, long wallNowMs) {
        int i = timeline.size();
        while (i > 0 && timeline.get(i - 1).atMs() > change.atMs()) {
            i--;
        }
        timeline.add(i, change);
        clock.observe(change.atMs(), wallNowMs);
    }

    /**
     * Adds a count to every window containing its timestamp (check {@link LineClock#isLateAt} first).
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
        clock.observe(atMs, wallNowMs);
    }

    /** The time elements of a window as of the line's clock. */
    public TimeElements timeElements(Window window, WindowCalendar calendar, long microStopThresholdMs) {
        return TimeLedger.classify(timeline, window, clock.clockMs(), calendar, microStopThresholdMs);
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
        long keepFrom = clock.earliestOpenStartMs(calendar, graceMs);
        int inForce = -1;
        for (int i = 0; i < timeline.size() && timeline.get(i).atMs() <= keepFrom; i++) {
            inForce = i;
        }
        if (inForce > 0) {
            timeline = new ArrayList<>(timeline.subList(inForce, timeline.size()));
        }
    }
}

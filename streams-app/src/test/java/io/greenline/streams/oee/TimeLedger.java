package io.greenline.streams.oee;

import io.greenline.events.MachineState;
import io.greenline.streams.windows.Interval;
import io.greenline.streams.windows.Window;
import io.greenline.streams.windows.WindowCalendar;
import java.time.Instant;
import java.util.List;

/**
 * Test oracle (Greenline 0.1's production code, moved to the tests): classifies a line's whole state timeline into
 * the ISO 22400-2 time elements of one window (docs/design.md section 4), all at once. Production keeps running totals
 * instead ({@link LineLedger}, {@link Booking}); {@link LineLedgerPropertyTest} and {@link OeePropertyTest} check
 * them against this.
 *
 *
 * <p>The state at an instant is the last change at or before it; before the first change it is unknown. The
 * part of the window up to {@code untilMs} (the line's event-time clock) is cut at the window edges, at each
 * state change and at each edge of the shift calendar, and each piece is booked:
 * <ul>
 *   <li>unknown state: {@code unknownMs} (outside POT, planned or not);</li>
 *   <li>RUNNING: APT and POT, planned or not (outside the calendar it is overtime);</li>
 *   <li>SETUP: ASUT and POT, planned or not (overtime too), and a stop reason;</li>
 *   <li>FAULT, MINOR_STOP (ADET), IDLE (ADOT), PLANNED_STOP (PDOT): their planned part is POT and a stop
 *       reason; their unplanned part is {@code outsidePotMs}.</li>
 * </ul>
 * A FAULT interval at least {@code microStopThresholdMs} long is a failure of the window in which it ends,
 * {@code (start, end]}, with its whole length; an interval still open at {@code untilMs} has not ended.
 */
public final class TimeLedger {

    private TimeLedger() {
    }

    /**
     * @param timeline state changes sorted by time (ties: later arrival last)
     * @param window the window to classify
     * @param untilMs the line's clock: time after it has not happened yet
     * @param calendar the line's shift calendar
     * @param microStopThresholdMs a FAULT shorter than this is a minor stop, not a failure
     */
    public static TimeElements classify(List<StateChange> timeline, Window window, long untilMs, WindowCalendar calendar,
            long microStopThresholdMs) {
        TimeElements te = new TimeElements();
        long from = window.startMs();
        long to = Math.min(window.endMs(), untilMs);
        if (to > from) {
            List<Interval> planned = calendar.plannedIntervals(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to));
            int n = timeline.size();
            long firstChange = n == 0 ? Long.MAX_VALUE : timeline.get(0).atMs();
            if (firstChange > from) {
                te.unknownMs += Math.min(to, firstChange) - from;
            }
            for (int i = 0; i < n; i++) {
                long start = Math.max(from, timeline.get(i).atMs());
                long end = Math.min(to, i + 1 < n ? timeline.get(i + 1).atMs() : Long.MAX_VALUE);
                if (end > start) {
                    book(te, timeline.get(i), start, end, planned);
                }
            }
        }
        for (int i = 0; i + 1 < timeline.size(); i++) {
            StateChange change = timeline.get(i);
            long end = timeline.get(i + 1).atMs();
            long length = end - change.atMs();
            if (change.state() == MachineState.FAULT && length > 0 && length >= microStopThresholdMs
                    && end > window.startMs() && end <= window.endMs() && end <= untilMs) {
                te.failures++;
                te.failureDurationMs += length;
            }
        }
        return te;
    }

    private static void book(TimeElements te, StateChange change, long start, long end, List<Interval> planned) {
        long length = end - start;
        long plannedPart = plannedOverlap(planned, start, end);
        switch (change.state()) {
            case RUNNING -> {
                te.potMs += length;
                te.aptMs += length;
            }
            case SETUP -> {
                te.potMs += length;
                te.asutMs += length;
                te.stopReasons.merge(change.reasonKey(), length, Long::sum);
            }
            case FAULT, MINOR_STOP, IDLE, PLANNED_STOP -> {
                te.potMs += plannedPart;
                te.outsidePotMs += length - plannedPart;
                switch (change.state()) {
                    case FAULT, MINOR_STOP -> te.adetMs += plannedPart;
                    case IDLE -> te.adotMs += plannedPart;
                    default -> te.pdotMs += plannedPart;
                }
                if (plannedPart > 0) {
                    te.stopReasons.merge(change.reasonKey(), plannedPart, Long::sum);
                }
            }
            default -> throw new IllegalStateException("unknown machine state " + change.state());
        }
    }

    private static long plannedOverlap(List<Interval> planned, long start, long end) {
        long sum = 0;
        for (Interval p : planned) {
            long s = Math.max(start, p.startMs());
            long e = Math.min(end, p.endMs());
            if (e > s) {
                sum += e - s;
            }
        }
        return sum;
    }
}

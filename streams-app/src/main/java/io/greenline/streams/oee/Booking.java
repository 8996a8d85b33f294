package io.greenline.streams.oee;

import io.greenline.events.MachineState;
import io.greenline.events.OeeTimelineEntry;
import io.greenline.streams.windows.WindowCalendar;
import java.time.Instant;

/**
 * How a piece of a line's time is booked into the ISO 22400-2 time elements of a window (docs/design.md section 4).
 * The piece {@code [start, end)} lies in one window and in one state, the one entered by {@code change}:
 * <ul>
 *   <li>unknown state (no change yet, {@code change == null}): {@code unknownMs} (outside POT, planned or not);</li>
 *   <li>RUNNING: APT and POT, planned or not (outside the calendar it is overtime);</li>
 *   <li>SETUP: ASUT and POT, planned or not (overtime too), and a stop reason;</li>
 *   <li>FAULT, MINOR_STOP (ADET), IDLE (ADOT), PLANNED_STOP (PDOT): their planned part is POT and a stop
 *       reason; their unplanned part is {@code outsidePotMs}.</li>
 * </ul>
 * Booking with sign -1 takes a piece back out (an out-of-order change re-books the interval it cuts), so every
 * element is a running total. A FAULT interval at least the micro-stop threshold long is a failure of the window
 * in which it ends, {@code (start, end]}, with its whole length ({@link #isFailure}).
 */
final class Booking {

    /** The stop-reason key of time spent in a state without a reason code. */
    static final String UNSPECIFIED = "UNSPECIFIED";

    private Booking() {
    }

    static void book(TimeElements te, OeeTimelineEntry change, long start, long end, WindowCalendar calendar, int sign) {
        long length = (end - start) * sign;
        if (change == null) {
            te.unknownMs += length;
            return;
        }
        MachineState state = change.getState();
        switch (state) {
            case RUNNING -> {
                te.potMs += length;
                te.aptMs += length;
            }
            case SETUP -> {
                te.potMs += length;
                te.asutMs += length;
                addReason(te, reasonKey(change), length);
            }
            case FAULT, MINOR_STOP, IDLE, PLANNED_STOP -> {
                long planned = calendar.plannedMs(Instant.ofEpochMilli(start), Instant.ofEpochMilli(end)) * sign;
                te.potMs += planned;
                te.outsidePotMs += length - planned;
                switch (state) {
                    case FAULT, MINOR_STOP -> te.adetMs += planned;
                    case IDLE -> te.adotMs += planned;
                    default -> te.pdotMs += planned;
                }
                if (planned != 0) {
                    addReason(te, reasonKey(change), planned);
                }
            }
            default -> throw new IllegalStateException("unknown machine state " + state);
        }
    }

    /** True when the interval starting with {@code change} and {@code lengthMs} long is a failure. */
    static boolean isFailure(OeeTimelineEntry change, long lengthMs, long microStopThresholdMs) {
        return change.getState() == MachineState.FAULT && lengthMs > 0 && lengthMs >= microStopThresholdMs;
    }

    static String reasonKey(OeeTimelineEntry change) {
        String code = change.getReasonCode();
        return code == null || code.isBlank() ? UNSPECIFIED : code;
    }

    private static void addReason(TimeElements te, String reason, long ms) {
        long total = te.stopReasons.getOrDefault(reason, 0L) + ms;
        if (total == 0) {
            te.stopReasons.remove(reason);
        } else {
            te.stopReasons.put(reason, total);
        }
    }
}

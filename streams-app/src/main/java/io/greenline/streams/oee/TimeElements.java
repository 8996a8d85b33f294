package io.greenline.streams.oee;

import java.util.Map;
import java.util.TreeMap;

/**
 * The ISO 22400-2 time elements of one line in one window (milliseconds), plus the failures that ended in it.
 * Running totals booked by {@link Booking} (kept per open window by {@link LineLedger}); every part of the
 * window's elapsed time is in exactly one of POT, {@link #unknownMs} or {@link #outsidePotMs}.
 */
public final class TimeElements {
    long potMs;
    long pdotMs;
    long aptMs;
    long asutMs;
    long adetMs;
    long adotMs;
    long unknownMs;
    long outsidePotMs;
    int failures;
    long failureDurationMs;
    final Map<String, Long> stopReasons = new TreeMap<>();

    /** Planned operation time: in-calendar time plus RUNNING/SETUP overtime. */
    public long potMs() {
        return potMs;
    }

    /** Planned down time: PLANNED_STOP inside POT. */
    public long pdotMs() {
        return pdotMs;
    }

    /** Planned busy time: POT - PDOT. */
    public long pbtMs() {
        return potMs - pdotMs;
    }

    /** Actual production time: RUNNING. */
    public long aptMs() {
        return aptMs;
    }

    /** Actual setup time: SETUP. */
    public long asutMs() {
        return asutMs;
    }

    /** Actual delay time: FAULT and MINOR_STOP inside POT. */
    public long adetMs() {
        return adetMs;
    }

    /** Actual down time: IDLE inside POT. */
    public long adotMs() {
        return adotMs;
    }

    /** Actual unit processing time: APT + ASUT. */
    public long auptMs() {
        return aptMs + asutMs;
    }

    /** Actual unit busy time: AUPT + ADET. */
    public long aubtMs() {
        return auptMs() + adetMs;
    }

    /** Time before the line's first state event (outside POT). */
    public long unknownMs() {
        return unknownMs;
    }

    /** Known time outside the calendar that is not overtime (not RUNNING or SETUP). */
    public long outsidePotMs() {
        return outsidePotMs;
    }

    /** FAULT intervals of at least the micro-stop threshold that ended in the window. */
    public int failures() {
        return failures;
    }

    /** Total length of those failures (each counted whole, also the part before the window). */
    public long failureDurationMs() {
        return failureDurationMs;
    }

    /** Time inside POT in any state other than RUNNING, by reason code, sorted by code. */
    public Map<String, Long> stopReasons() {
        return stopReasons;
    }
}

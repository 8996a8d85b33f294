package io.greenline.streams.oee;

import io.greenline.events.MachineState;
import io.greenline.events.OeeLineLedger;
import io.greenline.events.OeeTimelineEntry;
import io.greenline.events.OeeWindowTotals;
import io.greenline.streams.windows.LineClock;
import io.greenline.streams.windows.Window;
import io.greenline.streams.windows.WindowCalendar;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The OEE ledger of one line, kept between records: its {@link LineClock}, the state it is in, and running totals
 * (time elements and counts) of each window not yet final. Plain Java; the topology loads it from and saves it
 * to a state store as an {@link OeeLineLedger}, and keeps the state timeline itself behind a {@link Timeline}.
 *
 * <p>Invariant: the totals of every tracked window equal the classification of the line's timeline over the
 * window up to the clock (docs/design.md section 4; the classification rules are those of {@link Booking}). Each
 * record keeps it with work that does not grow with the history:
 * <ul>
 *   <li>the clock moving on books the new time, in the state the line is in, into each tracked window;</li>
 *   <li>a state change at the clock books nothing but the end of the previous interval (a failure, if it was
 *       one); one behind the clock (out of order, within the grace) moves only the interval it cuts,
 *       {@code [t, next change or clock)}, from the previous state to the new one, and corrects the failures that
 *       interval ends; the timeline is read only around {@code t} (the change before and the one after);</li>
 *   <li>a count adds to the windows containing its timestamp;</li>
 *   <li>a window that starts being tracked is classified once from the part of the timeline it covers (nothing
 *       to read when it starts after the latest change, the usual case); when the line's calendar or micro-stop
 *       threshold changes, every tracked window is classified again (its totals were booked with the old
 *       calendar) and keeps its counts; counts of windows the new calendar does not have are parked until their
 *       end plus the grace, in case it changes back.</li>
 * </ul>
 */
public final class LineLedger {

    /** One tracked window: its time elements and counts up to the line's clock. */
    static final class OpenWindow {
        final Window window;
        final TimeElements time;
        WindowCounts counts;

        OpenWindow(Window window, TimeElements time, WindowCounts counts) {
            this.window = window;
            this.time = time;
            this.counts = counts;
        }
    }

    private final LineClock clock;
    private String calendarKey;
    private OeeTimelineEntry lastChange;
    private long nextSeq;
    private Map<String, OpenWindow> windows = new LinkedHashMap<>();
    /** Counts of windows the current calendar does not have, until their end plus the grace. */
    private final Map<String, OpenWindow> parked = new LinkedHashMap<>();
    /** The clock the totals are valid at (the clock when the ledger was loaded or last brought up to date). */
    private long bookedToMs;

    public LineLedger() {
        this(new LineClock());
    }

    private LineLedger(LineClock clock) {
        this.clock = clock;
        this.bookedToMs = clock.clockMs();
    }

    public LineClock clock() {
        return clock;
    }

    /** The latest change (the state the line is in at its clock), null before the first. */
    OeeTimelineEntry lastChange() {
        return lastChange;
    }

    /** The key of a window among the line's tracked windows: granularity and start, as in its WindowKey. */
    static String slot(Window window) {
        return window.granularity().name() + "/" + window.startMs();
    }

    /** The tracked window, or null. */
    OpenWindow window(Window window) {
        return windows.get(slot(window));
    }

    /** Stops tracking a window (it became final and was published). */
    void forget(Window window) {
        windows.remove(slot(window));
    }

    /**
     * Brings the totals up to the clock and tracks exactly {@code tracked} (the windows draining final now and the
     * open ones). Returns true when the calendar changed and every window was classified again.
     */
    boolean track(List<Window> tracked, WindowCalendar calendar, long microStopThresholdMs, long graceMs, Timeline timeline) {
        String key = calendarKey(calendar, microStopThresholdMs);
        boolean rebuild = calendarKey != null && !calendarKey.equals(key);
        long clockMs = clock.clockMs();
        Map<String, OpenWindow> next = new LinkedHashMap<>();
        for (Window w : tracked) {
            String k = slot(w);
            OpenWindow existing = windows.remove(k);
            OpenWindow ow;
            if (existing != null && !rebuild && existing.window.equals(w)) {
                ow = existing;
                long from = Math.max(w.startMs(), bookedToMs);
                long to = Math.min(w.endMs(), clockMs);
                if (to > from) {
                    Booking.book(ow.time, lastChange, from, to, calendar, 1);
                }
            } else {
                ow = classify(w, calendar, microStopThresholdMs, timeline);
                OpenWindow before = existing != null ? existing : parked.remove(k);
                if (before != null) {
                    ow.counts = before.counts;
                }
            }
            next.put(k, ow);
        }
        // windows of the old calendar that the new one does not have: their counts wait in case it changes back
        windows.forEach(parked::put);
        parked.values().removeIf(p -> p.window.endMs() + graceMs <= clockMs);
        windows = next;
        calendarKey = key;
        bookedToMs = clockMs;
        return rebuild;
    }

    /** A window classified from the part of the timeline it covers, up to the clock. */
    private OpenWindow classify(Window w, WindowCalendar calendar, long thresholdMs, Timeline timeline) {
        OpenWindow ow = new OpenWindow(w, new TimeElements(), new WindowCounts());
        long from = w.startMs();
        long to = Math.min(w.endMs(), clock.clockMs());
        if (lastChange == null || lastChange.getAtMs() <= from) {
            // no change inside the window: the whole of it is in the line's current state (or unknown)
            if (to > from) {
                Booking.book(ow.time, lastChange, from, to, calendar, 1);
            }
            return ow;
        }
        OeeTimelineEntry current = timeline.inForceAt(from);
        long pos = from;
        for (OeeTimelineEntry change : timeline.between(from, w.endMs())) {
            long end = Math.min(to, change.getAtMs());
            if (end > pos) {
                Booking.book(ow.time, current, pos, end, calendar, 1);
                pos = end;
            }
            if (current != null) {
                long length = change.getAtMs() - current.getAtMs();
                if (Booking.isFailure(current, length, thresholdMs)) {
                    ow.time.failures++;
                    ow.time.failureDurationMs += length;
                }
            }
            current = change;
        }
        if (to > pos) {
            Booking.book(ow.time, current, pos, to, calendar, 1);
        }
        return ow;
    }

    /**
     * Adds a state change (check {@link LineClock#isLateFrom} and {@link #track} first); one at the same instant as
     * another comes after it. Only the interval it cuts is booked again.
     */
    void applyState(long atMs, MachineState state, String reasonCode, WindowCalendar calendar, long thresholdMs, Timeline timeline) {
        OeeTimelineEntry change = new OeeTimelineEntry(atMs, nextSeq++, state, reasonCode);
        OeeTimelineEntry previous;
        OeeTimelineEntry following;
        if (lastChange == null || lastChange.getAtMs() <= atMs) {
            previous = lastChange;
            following = null;
        } else {
            previous = timeline.inForceAt(atMs);
            following = timeline.firstAfter(atMs);
        }
        long clockMs = clock.clockMs();
        long end = following == null ? clockMs : following.getAtMs();
        for (OpenWindow ow : windows.values()) {
            long from = Math.max(atMs, ow.window.startMs());
            long to = Math.min(end, Math.min(ow.window.endMs(), clockMs));
            if (to > from) {
                Booking.book(ow.time, previous, from, to, calendar, -1);
                Booking.book(ow.time, change, from, to, calendar, 1);
            }
        }
        if (previous != null) {
            if (following != null) {
                failure(previous, following.getAtMs(), thresholdMs, -1);
            }
            failure(previous, atMs, thresholdMs, 1);
        }
        if (following != null) {
            failure(change, following.getAtMs(), thresholdMs, 1);
        }
        timeline.insert(change);
        if (following == null) {
            lastChange = change;
        }
    }

    /** Books (sign 1) or unbooks (-1) the failure an interval starting with {@code start} and ending at {@code endMs} is, if it is one. */
    private void failure(OeeTimelineEntry start, long endMs, long thresholdMs, int sign) {
        long length = endMs - start.getAtMs();
        if (!Booking.isFailure(start, length, thresholdMs)) {
            return;
        }
        for (OpenWindow ow : windows.values()) {
            if (endMs > ow.window.startMs() && endMs <= ow.window.endMs()) {
                ow.time.failures += sign;
                ow.time.failureDurationMs += sign * length;
            }
        }
    }

    /**
     * Adds a count to the tracked windows among {@code containing} (the windows containing its timestamp).
     *
     * @param pruMs the product's ideal cycle time valid at the count's timestamp, null when unknown
     */
    void applyCount(List<Window> containing, double quantity, double scrap, double rework, Double pruMs) {
        for (Window w : containing) {
            OpenWindow ow = windows.get(slot(w));
            if (ow == null) {
                // a window of the calendar before the clock moved into a new one
                ow = parked.computeIfAbsent(slot(w), k -> new OpenWindow(w, new TimeElements(), new WindowCounts()));
            }
            ow.counts.add(quantity, scrap, rework, pruMs);
        }
    }

    /** What identifies the booking rules: timezone, shifts (days in a fixed order) and micro-stop threshold. */
    static String calendarKey(WindowCalendar calendar, long microStopThresholdMs) {
        return calendar.zone().getId() + "|" + calendar.shifts().stream()
                .map(s -> s.name() + "," + s.start() + "," + s.end() + "," + s.days().stream().sorted().map(Enum::name)
                        .collect(Collectors.joining("+")))
                .collect(Collectors.joining(";")) + "|" + microStopThresholdMs;
    }

    /** The ledger as its versioned internal state record. */
    public OeeLineLedger toState() {
        return new OeeLineLedger(clock.toState(), calendarKey == null ? "" : calendarKey, lastChange, nextSeq,
                totalsOf(windows), totalsOf(parked));
    }

    private static List<OeeWindowTotals> totalsOf(Map<String, OpenWindow> windows) {
        List<OeeWindowTotals> totals = new ArrayList<>(windows.size());
        for (OpenWindow ow : windows.values()) {
            TimeElements t = ow.time;
            WindowCounts c = ow.counts;
            totals.add(OeeWindowTotals.newBuilder()
                    .setGranularity(ow.window.granularity())
                    .setShiftName(ow.window.shiftName())
                    .setStartMs(ow.window.startMs())
                    .setEndMs(ow.window.endMs())
                    .setPotMs(t.potMs).setPdotMs(t.pdotMs).setAptMs(t.aptMs).setAsutMs(t.asutMs)
                    .setAdetMs(t.adetMs).setAdotMs(t.adotMs).setUnknownMs(t.unknownMs).setOutsidePotMs(t.outsidePotMs)
                    .setFailures(t.failures).setFailureDurationMs(t.failureDurationMs)
                    .setStopReasons(new LinkedHashMap<>(t.stopReasons))
                    .setProducedQuantity(c.producedQuantity).setScrapQuantity(c.scrapQuantity)
                    .setReworkQuantity(c.reworkQuantity).setIdealTimeMs(c.idealTimeMs)
                    .setGoodIdealTimeMs(c.goodIdealTimeMs).setUnratedQuantity(c.unratedQuantity)
                    .build());
        }
        return totals;
    }

    /** The ledger kept in {@code state}. */
    public static LineLedger fromState(OeeLineLedger state) {
        LineLedger ledger = new LineLedger(LineClock.fromState(state.getClock()));
        ledger.calendarKey = state.getCalendarKey().isEmpty() ? null : state.getCalendarKey();
        ledger.lastChange = state.getLastChange();
        ledger.nextSeq = state.getNextSeq();
        readTotals(state.getWindows(), ledger.windows);
        readTotals(state.getParkedCounts(), ledger.parked);
        return ledger;
    }

    private static void readTotals(List<OeeWindowTotals> totals, Map<String, OpenWindow> into) {
        for (OeeWindowTotals w : totals) {
            Window window = new Window(w.getGranularity(), w.getShiftName(), Instant.ofEpochMilli(w.getStartMs()),
                    Instant.ofEpochMilli(w.getEndMs()));
            TimeElements t = new TimeElements();
            t.potMs = w.getPotMs();
            t.pdotMs = w.getPdotMs();
            t.aptMs = w.getAptMs();
            t.asutMs = w.getAsutMs();
            t.adetMs = w.getAdetMs();
            t.adotMs = w.getAdotMs();
            t.unknownMs = w.getUnknownMs();
            t.outsidePotMs = w.getOutsidePotMs();
            t.failures = w.getFailures();
            t.failureDurationMs = w.getFailureDurationMs();
            t.stopReasons.putAll(w.getStopReasons());
            WindowCounts c = new WindowCounts();
            c.producedQuantity = w.getProducedQuantity();
            c.scrapQuantity = w.getScrapQuantity();
            c.reworkQuantity = w.getReworkQuantity();
            c.idealTimeMs = w.getIdealTimeMs();
            c.goodIdealTimeMs = w.getGoodIdealTimeMs();
            c.unratedQuantity = w.getUnratedQuantity();
            into.put(slot(window), new OpenWindow(window, t, c));
        }
    }
}

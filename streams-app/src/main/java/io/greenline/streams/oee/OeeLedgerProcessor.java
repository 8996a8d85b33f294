package io.greenline.streams.oee;

import io.greenline.streams.VersionCache;
import io.greenline.events.Granularity;
import io.greenline.events.LineConfig;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.OeeLedgerEntry;
import io.greenline.events.OeeWindow;
import io.greenline.events.ProductRate;
import io.greenline.events.ProductionCounted;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.WindowKey;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.BadRecordException;
import io.greenline.streams.windows.EventDeduplicator;
import io.greenline.streams.windows.InputAlignment;
import io.greenline.streams.windows.LineClock;
import io.greenline.streams.windows.PurgeCursor;
import io.greenline.streams.windows.Window;
import io.greenline.streams.windows.WindowCalendar;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves machine-state and production-count records into each line's {@link LineLedger}, keeps the live window
 * records in {@link StoreNames#OEE_WINDOWS} and forwards each window once, final, when the line's clock passes
 * its end plus the grace. Bad records are refused with a {@link BadRecordException} before any state changes.
 *
 * <p>Aligned (in the application, {@code oee.align-idle} above 0): a window is final only when the line's clock and
 * its {@link InputAlignment aligned frontier} over machine states and production counts both pass its end plus the
 * grace, so one topic's fetch landing before the other's does not finalize windows the other topic's events still
 * belong to; an event is late only against the windows actually made final. Lines held by their frontier are
 * released on their next event or by a wall-clock punctuation once the frontier moved or the lagging input fell
 * idle.
 */
final class OeeLedgerProcessor implements Processor<String, SpecificRecord, String, OeeWindow> {

    static final String LATE_METRIC = "greenline.late.records";
    static final String DUPLICATE_METRIC = "greenline.duplicate.records";
    static final String UNRATED_METRIC = "greenline.oee.unrated.counts";
    /** A count above this many units in one event is not a count but a fault of the source. */
    static final double MAX_QUANTITY = 1e9;
    /** Store key prefix of the lines' ledgers in {@link StoreNames#OEE_LINE_LEDGER}. */
    static final String LEDGER_PREFIX = "L/";

    private static final Logger log = LoggerFactory.getLogger(OeeLedgerProcessor.class);
    /** Input indexes in the {@link InputAlignment}. */
    private static final int STATES = 0;
    private static final int COUNTS = 1;

    private final OeeSettings settings;
    private final long graceMs;
    private ProcessorContext<String, OeeWindow> context;
    private KeyValueStore<String, OeeLedgerEntry> ledgers;
    private KeyValueStore<String, OeeWindow> windows;
    private VersionCache<LineConfig> configs;
    private EventDeduplicator seen;
    private long startWallMs;
    private final InputAlignment alignment;
    /** Lines of this task whose finalization the frontier holds back (in memory: after a restart, their next event or idle advance releases them). */
    private final Set<String> held = new HashSet<>();
    /** Where the last purge of each line's timeline and of each line and granularity's windows kept its first key. */
    private final PurgeCursor purges = new PurgeCursor();

    /** @param aligned whether windows are final against each line's aligned frontier ({@code settings.alignIdle()}) */
    OeeLedgerProcessor(OeeSettings settings, boolean aligned) {
        this.settings = settings;
        this.graceMs = settings.grace().toMillis();
        this.alignment = new InputAlignment(2, aligned ? settings.alignIdle().toMillis() : 0);
    }

    @Override
    public void init(ProcessorContext<String, OeeWindow> context) {
        this.context = context;
        ledgers = context.getStateStore(StoreNames.OEE_LINE_LEDGER);
        windows = context.getStateStore(StoreNames.OEE_WINDOWS);
        configs = new VersionCache<>(context.getStateStore(StoreNames.LINE_CONFIG_VERSIONS), StoreNames.LINE_CONFIG_VERSIONS);
        seen = new EventDeduplicator(context.getStateStore(StoreNames.OEE_DEDUP), settings.dedupRetention());
        startWallMs = context.currentSystemTimeMs();
        context.schedule(settings.idleAdvanceInterval(), PunctuationType.WALL_CLOCK_TIME, this::advanceIdleLines);
        if (alignment.idleMs() > 0) {
            Duration every = Duration.ofMillis(Math.max(100, Math.min(1_000, alignment.idleMs() / 2)));
            context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::releaseHeldLines);
        }
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        SpecificRecord value = record.value();
        if (value == null) {
            throw new BadRecordException(DeadLetterReason.NULL_VALUE, "null value on an event topic");
        }
        if (value instanceof MachineStateChanged state) {
            onState(record.key(), state);
        } else if (value instanceof ProductionCounted count) {
            onCount(record.key(), count);
        } else {
            throw BadRecordException.invalid("unexpected record type " + value.getClass().getName());
        }
    }

    private void onState(String key, MachineStateChanged e) {
        String lineId = checkKey(key, e.getLineId(), e.getEventId());
        long t = e.getTimestamp().toEpochMilli();
        String seenKey = lineId + "/state/" + e.getEventId();
        if (isDuplicate(seenKey, t)) {
            return;
        }
        LineLedger ledger = ledgerOf(lineId);
        WindowCalendar calendar = calendarOf(configAt(lineId, ledger.clock().clockOr(t)));
        // aligned, also late when that far behind the line's own states (its latest change, kept in the ledger)
        long statesMs = !alignment.aligned() || ledger.lastChange() == null ? Long.MIN_VALUE : ledger.lastChange().getAtMs();
        if (ledger.clock().isLateFromFinalized(t, calendar, graceMs) || ledger.clock().isLateFrom(t, calendar, graceMs, statesMs)) {
            refuseLate("machine-state", lineId, e.getEventId(), t, ledger);
        }
        seen.remember(seenKey, t);
        ledger.clock().observe(t, context.currentSystemTimeMs());
        alignment.observe(lineId, STATES, t, context.currentSystemTimeMs());
        Timeline timeline = new StoreTimeline(ledgers, lineId, purges);
        LineView view = track(lineId, ledger, timeline);
        ledger.applyState(t, e.getState(), e.getReasonCode(), view.calendar, view.threshold, timeline);
        publish(lineId, ledger, view, timeline);
    }

    private void onCount(String key, ProductionCounted c) {
        String lineId = checkKey(key, c.getLineId(), c.getEventId());
        checkQuantities(c);
        long t = c.getTimestamp().toEpochMilli();
        String seenKey = lineId + "/count/" + c.getEventId();
        if (isDuplicate(seenKey, t)) {
            return;
        }
        LineLedger ledger = ledgerOf(lineId);
        WindowCalendar calendar = calendarOf(configAt(lineId, ledger.clock().clockOr(t)));
        if (ledger.clock().isLateAtFinalized(t, calendar, graceMs)
                || ledger.clock().isLateAt(t, calendar, graceMs, alignment.inputTime(lineId, COUNTS))) {
            refuseLate("production-count", lineId, c.getEventId(), t, ledger);
        }
        Double pru = pruAt(lineId, c.getProductId(), t);
        if (pru == null) {
            // no ideal time without a PRU: PQ/GQ still count, the gap is visible in the metric and the log
            Metrics.counter(UNRATED_METRIC, "topology", "oee", "line", lineId).increment();
            log.warn("Line {}: no ideal cycle time for product {} at {} (count {}); its {} units add no ideal time",
                    lineId, c.getProductId(), c.getTimestamp(), c.getEventId(), c.getQuantity());
        }
        seen.remember(seenKey, t);
        // the windows containing the count, by the calendar in force before it moves the clock
        List<Window> containing = new ArrayList<>();
        for (Granularity g : Granularity.values()) {
            containing.addAll(calendar.windowsContaining(g, c.getTimestamp()));
        }
        ledger.clock().observe(t, context.currentSystemTimeMs());
        alignment.observe(lineId, COUNTS, t, context.currentSystemTimeMs());
        Timeline timeline = new StoreTimeline(ledgers, lineId, purges);
        LineView view = track(lineId, ledger, timeline);
        ledger.applyCount(containing, c.getQuantity(), c.getScrapQuantity(), c.getReworkQuantity(), pru);
        publish(lineId, ledger, view, timeline);
    }

    private static String checkKey(String key, String lineId, String eventId) {
        if (key == null || key.isBlank()) {
            throw new BadRecordException(DeadLetterReason.MISSING_KEY, "event " + eventId + " has no key");
        }
        if (!key.equals(lineId)) {
            throw new BadRecordException(DeadLetterReason.MISSING_KEY, "key " + key + " is not the event's lineId " + lineId);
        }
        if (lineId.indexOf(WindowKey.SEPARATOR) >= 0) {
            throw BadRecordException.invalid("lineId must not contain '" + WindowKey.SEPARATOR + "': " + lineId);
        }
        if (eventId == null || eventId.isBlank()) {
            throw BadRecordException.invalid("event of line " + lineId + " has no eventId");
        }
        return lineId;
    }

    private static void checkQuantities(ProductionCounted c) {
        double q = c.getQuantity();
        double s = c.getScrapQuantity();
        double r = c.getReworkQuantity();
        for (double v : new double[] {q, s, r}) {
            if (!Double.isFinite(v) || v < 0 || v > MAX_QUANTITY) {
                throw BadRecordException.invalid("count " + c.getEventId() + ": quantities must be in [0, " + MAX_QUANTITY
                        + "]: quantity " + q + ", scrap " + s + ", rework " + r);
            }
        }
        if (s + r > q) {
            throw BadRecordException.invalid("count " + c.getEventId() + ": scrap " + s + " + rework " + r + " exceed quantity " + q);
        }
    }

    private boolean isDuplicate(String seenKey, long t) {
        if (seen.seen(seenKey, t)) {
            Metrics.counter(DUPLICATE_METRIC, "topology", "oee").increment();
            return true;
        }
        return false;
    }

    private void refuseLate(String type, String lineId, String eventId, long t, LineLedger ledger) {
        Metrics.counter(LATE_METRIC, "topology", "oee").increment();
        throw BadRecordException.late(type + " " + eventId + " of line " + lineId + " at " + Instant.ofEpochMilli(t)
                + " is later than the grace of " + settings.grace() + ": the line's clock is at " + Instant.ofEpochMilli(ledger.clock().clockMs()));
    }

    private LineLedger ledgerOf(String lineId) {
        OeeLedgerEntry entry = ledgers.get(ledgerKey(lineId));
        if (entry == null) {
            // a ledger of Greenline 0.1 (JSON, key lineId) is refused by the state serde with a
            // StateEncodingException that says so, rather than silently starting the line afresh
            ledgers.get(lineId);
            return new LineLedger();
        }
        return LineLedger.fromState(entry.getLedger());
    }

    /** The store key of a line's ledger; its timeline entries are under {@link StoreTimeline#prefix}. */
    static String ledgerKey(String lineId) {
        return LEDGER_PREFIX + lineId;
    }

    /** The config valid at {@code t}; else the latest (events older than the first config); else null. */
    private LineConfig configAt(String lineId, long t) {
        VersionedRecord<LineConfig> asOf = configs.get(lineId, t);
        if (asOf != null) {
            return asOf.value();
        }
        VersionedRecord<LineConfig> latest = configs.get(lineId);
        return latest == null ? null : latest.value();
    }

    /** PRU of the product valid exactly at {@code t}: no config version yet, or no rate for the product, is null. */
    private Double pruAt(String lineId, String productId, long t) {
        VersionedRecord<LineConfig> asOf = configs.get(lineId, t);
        if (asOf == null) {
            return null;
        }
        for (ProductRate rate : asOf.value().getProducts()) {
            if (rate.getProductId().equals(productId)) {
                return rate.getIdealCycleTimeMs();
            }
        }
        return null;
    }

    private static WindowCalendar calendarOf(LineConfig config) {
        return config == null ? WindowCalendar.utc24x7() : WindowCalendar.of(config);
    }

    private static long thresholdOf(LineConfig config) {
        return config == null ? 120_000L : config.getMicroStopThresholdMs();
    }

    /** The line's config at its clock, its frontier, and the windows that become final now and those still open. */
    private record LineView(LineConfig config, WindowCalendar calendar, long threshold, long frontierMs, List<Window> finals,
            List<Window> open, boolean rebuilt) {
    }

    /**
     * The line's aligned frontier, held at most {@code oee.dedup-retention} (2 days, longer than any window plus the
     * grace) behind its clock: a line tracks the windows between the two, and an input that far behind could not be
     * deduplicated any more anyway.
     */
    private long frontier(String lineId, LineClock clock, long wallNowMs) {
        return Math.max(alignment.frontier(lineId, wallNowMs), clock.clockMs() - settings.dedupRetention().toMillis());
    }

    /** Brings the ledger's totals up to its clock, for the windows final now and those open. */
    private LineView track(String lineId, LineLedger ledger, Timeline timeline) {
        LineClock clock = ledger.clock();
        LineConfig config = configAt(lineId, clock.clockMs());
        WindowCalendar calendar = calendarOf(config);
        long threshold = thresholdOf(config);
        long frontierMs = frontier(lineId, clock, context.currentSystemTimeMs());
        List<Window> finals = clock.drainFinal(calendar, graceMs, frontierMs);
        List<Window> open = clock.openWindows(calendar, graceMs, frontierMs);
        List<Window> tracked = new ArrayList<>(finals.size() + open.size());
        tracked.addAll(finals);
        tracked.addAll(open);
        boolean rebuilt = ledger.track(tracked, calendar, threshold, graceMs, timeline);
        return new LineView(config, calendar, threshold, frontierMs, finals, open, rebuilt);
    }

    /** Emits the windows that became final, refreshes the live ones, prunes, and saves the ledger. */
    private void publish(String lineId, LineLedger ledger, LineView view, Timeline timeline) {
        String siteId = view.config == null ? null : view.config.getSiteId();
        String areaId = view.config == null ? null : view.config.getAreaId();
        for (Window w : view.finals) {
            String key = w.key(lineId).format();
            LineLedger.OpenWindow totals = ledger.window(w);
            OeeWindow previous = windows.get(key);
            OeeWindow result = OeeWindowRecords.render(lineId, siteId, areaId, w, totals.time, totals.counts, true,
                    previous == null ? 0 : previous.getRevision() + 1);
            windows.put(key, result);
            context.forward(new Record<>(key, result, w.endMs()));
            ledger.forget(w);
        }
        for (Window w : view.open) {
            String key = w.key(lineId).format();
            LineLedger.OpenWindow totals = ledger.window(w);
            OeeWindow previous = windows.get(key);
            OeeWindow live = OeeWindowRecords.render(lineId, siteId, areaId, w, totals.time, totals.counts, false,
                    previous == null ? 0 : previous.getRevision());
            if (!OeeWindowRecords.sameContent(previous, live)) {
                live.setRevision(previous == null ? 0 : previous.getRevision() + 1);
                windows.put(key, live);
            }
        }
        if (!view.finals.isEmpty() || view.rebuilt) {
            // the timeline only needs the change in force at the start of the earliest open window, and later ones
            timeline.forgetBefore(ledger.clock().earliestOpenStartMs(view.calendar, graceMs, view.frontierMs));
        }
        if (view.frontierMs < ledger.clock().clockMs()) {
            held.add(lineId);
        } else {
            held.remove(lineId);
        }
        if (!view.finals.isEmpty()) {
            pruneExpired(lineId, ledger.clock().clockMs());
        }
        ledgers.put(ledgerKey(lineId), new OeeLedgerEntry(ledger.toState(), null));
    }

    /**
     * Deletes the final windows older than their granularity's retention. Keys of a line and granularity sort by
     * start, so the range up to the cutoff holds only expired windows and the few that still overlap the cutoff.
     */
    private void pruneExpired(String lineId, long clockMs) {
        for (Granularity g : Granularity.values()) {
            Instant cutoff = Instant.ofEpochMilli(clockMs).minus(settings.retention(g));
            String prefix = WindowKey.prefix(lineId, g);
            String to = WindowKey.of(lineId, g, cutoff).format();
            if (purges.done(prefix, to)) {
                continue;
            }
            List<String> expired = new ArrayList<>();
            String firstKept = null;
            try (KeyValueIterator<String, OeeWindow> it = windows.range(purges.from(prefix), to)) {
                while (it.hasNext()) {
                    KeyValue<String, OeeWindow> kv = it.next();
                    if (kv.value.getFinal$() && kv.value.getWindowEnd().isBefore(cutoff)) {
                        expired.add(kv.key);
                    } else if (firstKept == null) {
                        firstKept = kv.key;
                    }
                }
            }
            expired.forEach(windows::delete);
            purges.purged(prefix, to, firstKept);
        }
    }

    /**
     * Wall-clock punctuation (aligned only): finalizes what the frontier of each held line now allows, its lagging
     * input having caught up or fallen idle. Reads the held lines' ledgers only, by key.
     */
    private void releaseHeldLines(long wallNowMs) {
        alignment.touch(wallNowMs);
        for (String lineId : new ArrayList<>(held)) {
            OeeLedgerEntry entry = ledgers.get(ledgerKey(lineId));
            if (entry == null) {
                held.remove(lineId);
                continue;
            }
            LineLedger ledger = LineLedger.fromState(entry.getLedger());
            long frontierMs = frontier(lineId, ledger.clock(), wallNowMs);
            if (ledger.clock().finalClockMs(frontierMs) > ledger.clock().finalizedClockMs()) {
                Timeline timeline = new StoreTimeline(ledgers, lineId, purges);
                publish(lineId, ledger, track(lineId, ledger, timeline), timeline);
            } else if (frontierMs >= ledger.clock().clockMs()) {
                held.remove(lineId);
            }
        }
    }

    /**
     * Wall-clock punctuation: moves quiet lines' clocks on by the wall time passed, closing their windows. Reads
     * the ledgers only (one per line, under their own key prefix), never the timelines.
     */
    private void advanceIdleLines(long wallNowMs) {
        long idleAfter = settings.idleAdvanceInterval().toMillis();
        List<KeyValue<String, LineLedger>> moved = new ArrayList<>();
        try (KeyValueIterator<String, OeeLedgerEntry> it = ledgers.prefixScan(LEDGER_PREFIX, new StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, OeeLedgerEntry> kv = it.next();
                LineLedger ledger = LineLedger.fromState(kv.value.getLedger());
                if (ledger.clock().advanceIdle(wallNowMs, idleAfter, startWallMs)) {
                    moved.add(KeyValue.pair(kv.key.substring(LEDGER_PREFIX.length()), ledger));
                }
            }
        }
        for (KeyValue<String, LineLedger> kv : moved) {
            Timeline timeline = new StoreTimeline(ledgers, kv.key, purges);
            publish(kv.key, kv.value, track(kv.key, kv.value, timeline), timeline);
        }
    }
}

package io.greenline.streams.quality;

import io.greenline.streams.VersionCache;
import io.greenline.events.Granularity;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.LineConfig;
import io.greenline.events.QualityUnitMemory;
import io.greenline.events.QualityUnitWindow;
import io.greenline.events.QualityWindow;
import io.greenline.schemas.WindowKey;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.BadRecordException;
import io.greenline.streams.quality.FirstInspections.Decision;
import io.greenline.streams.quality.FirstInspections.UnitMemory;
import io.greenline.streams.windows.EventDeduplicator;
import io.greenline.streams.windows.LineClock;
import io.greenline.streams.windows.PurgeCursor;
import io.greenline.streams.windows.SortableTime;
import io.greenline.streams.windows.Window;
import io.greenline.streams.windows.WindowCalendar;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;

/**
 * Keeps the quality windows of the lines of one task and makes them final.
 *
 * <p>Input: validated inspections keyed by lineId; the calendar is that of the line config valid at the
 * inspection's timestamp in the global store {@link StoreNames#LINE_CONFIG_VERSIONS} (a 24/7 UTC calendar
 * while none is known). For each inspection, in this order (as in OEE) and before any state changes: an
 * eventId already seen makes it a duplicate (ignored, counted); a window of it already final makes it LATE
 * (dead-lettered). Then the unit memory decides whether it is the unit's first
 * inspection, and every window containing it (HOUR, DAY, and SHIFTs when inside the calendar), for the line
 * and for the line + product, is updated in {@link StoreNames#QUALITY_WINDOWS}.
 *
 * <p>Each line has the shared event-time {@link LineClock} (store {@link StoreNames#QUALITY_LINE_CLOCKS}): the
 * latest inspection time seen, moved forward while the line is quiet by the wall-clock time passed (never to
 * "now", so a replay stays on time). A window whose end plus grace is at or before the clock is final: it is
 * written once to the output (and to the store with {@code final = true}) and, for the line record of the
 * SPC granularity, judged by the p-chart. Duplicates of a serialized unit's first {@value #UNIT_EVENT_IDS} inspections
 * are found in the unit's memory, which every inspection of it writes anyway (so they cost no write of their own), when
 * the unit TTL is at least the duplicate retention; the others by the shared {@link EventDeduplicator}.
 * Every {@code punctuateEvery} of wall-clock time idle lines advance and unit memories older than the TTL (after their last inspection, on the line's clock) are forgotten; their number is the gauge
 * {@value #UNITS_GAUGE}.
 */
final class QualityWindowsProcessor implements Processor<String, InspectionRecorded, String, QualityTopology.Output> {

    static final String UNITS_GAUGE = "greenline.quality.units.remembered";
    /** EventIds of a unit's inspections kept in its memory for duplicates; later ones are kept in quality-seen-events. */
    static final int UNIT_EVENT_IDS = 16;
    /** Digits of the last inspection time in an expiry key (years 2001 to 2286). */
    private static final int TIME_DIGITS = 13;
    static final String DUPLICATES_COUNTER = "greenline.quality.duplicates";

    private static final Granularity[] GRANULARITIES = Granularity.values();

    private final QualitySettings settings;
    private final PChart chart;
    private final AtomicLong unitsRemembered = new AtomicLong();

    private ProcessorContext<String, QualityTopology.Output> context;
    /** Wall time this processor started: time before it (a restart, a rebalance) is not idle time. */
    private long startWallMs;
    private VersionCache<LineConfig> lineConfigs;
    private KeyValueStore<String, QualityWindow> windows;
    private KeyValueStore<String, LineClock> clocks;
    private KeyValueStore<String, QualityUnitMemory> units;
    /** The unit memory by line and last inspection: {@code lineId/lastInspectedMs/unitId} (see {@link #expiryKey}). */
    private KeyValueStore<String, String> unitExpiry;
    /** Where the last retention purge of each line and granularity kept its first window. */
    private final PurgeCursor purges = new PurgeCursor();
    /** Where the last unit sweep of each line ended in the expiry index. */
    private final PurgeCursor unitSweeps = new PurgeCursor();
    private EventDeduplicator seenEvents;
    private Gauge unitsGauge;
    private Counter duplicates;
    /**
     * Whether a unit's memory keeps its inspections' eventIds: only when it is remembered at least as long as an id
     * (a unit forgotten sooner would let a duplicate through).
     */
    private final boolean unitsKeepIds;

    QualityWindowsProcessor(QualitySettings settings) {
        this.settings = settings;
        this.unitsKeepIds = settings.unitTtl().compareTo(settings.dedupRetention()) >= 0;
        this.chart = new PChart(settings.spcWindows(), settings.spcMinWindows());
    }

    @Override
    public void init(ProcessorContext<String, QualityTopology.Output> context) {
        this.context = context;
        this.startWallMs = context.currentSystemTimeMs();
        lineConfigs = new VersionCache<>(context.getStateStore(StoreNames.LINE_CONFIG_VERSIONS), StoreNames.LINE_CONFIG_VERSIONS);
        windows = context.getStateStore(StoreNames.QUALITY_WINDOWS);
        clocks = context.getStateStore(StoreNames.QUALITY_LINE_CLOCKS);
        units = context.getStateStore(StoreNames.QUALITY_UNITS);
        unitExpiry = context.getStateStore(StoreNames.QUALITY_UNIT_EXPIRY);
        seenEvents = new EventDeduplicator(context.getStateStore(StoreNames.QUALITY_SEEN_EVENTS), settings.dedupRetention());
        // The expiry index has no changelog: index every unit remembered, whatever the index holds. After a restore
        // of the unit memory (a crash, a task moved in, version 0.1's stores without an index) the local index may
        // miss the units written since it was last flushed. An entry it keeps that the memory no longer matches (a
        // unit forgotten, or inspected since) is harmless: the sweep forgets a unit only when the unit's own last
        // inspection is past the TTL, and drops the entry either way. The units are read here once anyway, to count
        // them.
        long count = 0;
        try (KeyValueIterator<String, QualityUnitMemory> all = units.all()) {
            while (all.hasNext()) {
                KeyValue<String, QualityUnitMemory> unit = all.next();
                count++;
                unitExpiry.put(expiryKey(unit.key, unit.value.getLastInspectedAt().toEpochMilli()), "");
            }
        }
        unitsRemembered.set(count);
        String task = context.taskId().toString();
        unitsGauge = Gauge.builder(UNITS_GAUGE, unitsRemembered, AtomicLong::get)
                .description("Units remembered for first pass yield (bounded by quality.unit-ttl)")
                .tag("task", task)
                .register(Metrics.globalRegistry);
        duplicates = Counter.builder(DUPLICATES_COUNTER)
                .description("Inspections ignored because their eventId was already counted")
                .tag("task", task)
                .register(Metrics.globalRegistry);
        context.schedule(settings.punctuateEvery(), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
    }

    @Override
    public void process(Record<String, InspectionRecorded> record) {
        String lineId = record.key();
        InspectionRecorded inspection = record.value();
        long at = inspection.getTimestamp().toEpochMilli();
        Instant atInstant = inspection.getTimestamp();
        WindowCalendar calendar = calendarAt(lineId, at);
        List<Window> containing = new ArrayList<>();
        for (Granularity g : GRANULARITIES) {
            containing.addAll(calendar.windowsContaining(g, atInstant));
        }
        QualityCounts.Result result = QualityRecords.result(inspection);

        LineClock clock = clocks.get(lineId);
        if (clock == null) {
            clock = new LineClock();
        }
        String eventId = inspection.getEventId();
        String seenKey = lineId + WindowKey.SEPARATOR + eventId;
        String unitKey = inspection.getUnitId() == null ? null : lineId + WindowKey.SEPARATOR + inspection.getUnitId();
        QualityUnitMemory stored = unitKey == null ? null : units.get(unitKey);
        long lineClock = clock.started() ? Math.max(clock.clockMs(), at) : at;
        // an expired memory not yet swept by the punctuation is already forgotten
        QualityUnitMemory known = stored == null
                || FirstInspections.expired(stored.getLastInspectedAt().toEpochMilli(), lineClock, settings.unitTtl().toMillis())
                ? null : stored;
        // a unit's first inspections are remembered in its memory, which is written anyway; the rest in the store
        boolean idsInUnit = unitKey != null && unitsKeepIds;
        boolean useStore = !idsInUnit || known != null && idsOverflow(known);
        if (idsInUnit && known != null && known.getEventIds().contains(eventId) || useStore && seenEvents.seen(seenKey, at)) {
            duplicates.increment();
            return;
        }
        long graceMs = settings.grace().toMillis();
        if (clock.isLateAt(at, calendar, graceMs)) {
            throw BadRecordException.late("inspection " + inspection.getEventId() + " at " + atInstant + " of line " + lineId
                    + " falls in a window already final: the line's clock is at " + Instant.ofEpochMilli(clock.clockMs())
                    + " and the grace is " + settings.grace());
        }
        if (useStore) {
            seenEvents.remember(seenKey, at);
        }

        String productId = inspection.getProductId();
        double quantity = inspection.getQuantity();
        boolean passed = result == QualityCounts.Result.PASS;
        boolean first = true;
        if (unitKey != null) {
            first = rememberUnit(lineId, unitKey, stored, known, eventId, at, passed, quantity, productId, containing);
        }
        for (Window w : containing) {
            boolean countFirst = first;
            UnaryOperator<QualityCounts> add = c -> {
                QualityCounts next = c.plusInspection(result, quantity, inspection.getDefectCodes());
                return countFirst ? next.plusFirstInspection(quantity, passed) : next;
            };
            update(w, WindowKey.of(lineId, w.granularity(), w.start()), add);
            update(w, new WindowKey(lineId, w.granularity(), w.start(), productId), add);
        }

        clock.observe(at, context.currentSystemTimeMs());
        finalizeDue(lineId, clock);
        clocks.put(lineId, clock);
    }

    /**
     * The calendar of the line config valid at {@code atMs}; a 24/7 UTC calendar while none is known. The config is
     * looked up every time (a new version may arrive at any moment); {@link WindowCalendar#of} shares the parsed
     * calendar of equal configs, so the shifts are not parsed again for every inspection.
     */
    private WindowCalendar calendarAt(String lineId, long atMs) {
        VersionedRecord<LineConfig> config = lineConfigs.get(lineId, atMs);
        if (config == null) {
            return WindowCalendar.utc24x7();
        }
        try {
            return WindowCalendar.of(config.value());
        } catch (RuntimeException e) {
            throw BadRecordException.invalid("line " + lineId + ": the line config valid at " + Instant.ofEpochMilli(atMs)
                    + " has no usable calendar (" + e.getMessage() + ")");
        }
    }

    /**
     * Applies the first-inspection rule to a serialized unit and remembers it; takes a first inspection back
     * out of its windows when an earlier one arrived. Returns whether this inspection counts as the first.
     */
    private boolean rememberUnit(String lineId, String unitKey, QualityUnitMemory stored, QualityUnitMemory known, String eventId,
                                 long at, boolean passed, double quantity, String productId, List<Window> containing) {
        UnitMemory knownDomain = known == null ? null : new UnitMemory(known.getFirstInspectedAt().toEpochMilli(),
                known.getFirstPassed(), known.getQuantity(), known.getProductId(), known.getLastInspectedAt().toEpochMilli());
        Decision decision = FirstInspections.decide(knownDomain, at, passed, quantity, productId);
        if (decision.retract() != null) {
            UnitMemory old = decision.retract();
            UnaryOperator<QualityCounts> takeBack = c -> c.plusFirstInspection(-old.quantity(), old.firstPassed());
            for (WindowKey k : countedIn(lineId, known)) {
                adjustOpen(k, takeBack);
                adjustOpen(new WindowKey(k.lineId(), k.granularity(), k.windowStart(), old.productId()), takeBack);
            }
        }
        List<String> windowKeys;
        List<QualityUnitWindow> windows;
        if (decision.countAsFirst()) {
            windowKeys = List.of();
            windows = new ArrayList<>(containing.size());
            for (Window w : containing) {
                windows.add(new QualityUnitWindow(w.granularity(), w.start()));
            }
        } else {
            // the same windows, in the encoding they were written in (a unit of version 1 keeps its keys)
            windowKeys = known.getWindowKeys();
            windows = known.getWindows();
        }
        UnitMemory m = decision.remember();
        List<String> eventIds;
        if (known == null) {
            eventIds = List.of(eventId);
        } else if (idsOverflow(known)) {
            eventIds = known.getEventIds(); // as they are: this inspection's id is in quality-seen-events
        } else {
            eventIds = new ArrayList<>(known.getEventIds().size() + 1);
            eventIds.addAll(known.getEventIds());
            eventIds.add(eventId);
        }
        units.put(unitKey, new QualityUnitMemory(Instant.ofEpochMilli(m.firstAtMs()), m.firstPassed(), m.quantity(),
                m.productId(), windowKeys, Instant.ofEpochMilli(m.lastSeenMs()), windows, eventIds));
        long storedLastSeen = stored == null ? Long.MIN_VALUE : stored.getLastInspectedAt().toEpochMilli();
        if (storedLastSeen != m.lastSeenMs()) {
            if (stored != null) {
                unitExpiry.put(expiryKey(unitKey, storedLastSeen), null); // no read-back of the old entry
            }
            unitExpiry.put(expiryKey(unitKey, m.lastSeenMs()), "");
        }
        if (stored == null) {
            unitsRemembered.incrementAndGet();
        }
        return decision.countAsFirst();
    }

    /**
     * Whether the inspections of a remembered unit are (also) in the duplicate store rather than all in its memory: a
     * unit remembered by state version 1 or 2 (no eventIds: its inspections were remembered in the store), or one with
     * {@value #UNIT_EVENT_IDS} inspections already (its later ones go to the store, so the memory stays small).
     */
    private static boolean idsOverflow(QualityUnitMemory unit) {
        return unit.getEventIds().isEmpty() || unit.getEventIds().size() >= UNIT_EVENT_IDS;
    }

    /**
     * The line-level windows a remembered first inspection was counted in: {@code windows} since state version 2,
     * the formatted {@code windowKeys} of a unit remembered by version 1.
     */
    private static List<WindowKey> countedIn(String lineId, QualityUnitMemory unit) {
        List<WindowKey> keys = new ArrayList<>(unit.getWindows().size() + unit.getWindowKeys().size());
        for (QualityUnitWindow w : unit.getWindows()) {
            keys.add(WindowKey.of(lineId, w.getGranularity(), w.getStart()));
        }
        for (String key : unit.getWindowKeys()) {
            keys.add(WindowKey.parse(key));
        }
        return keys;
    }

    private void update(Window w, WindowKey key, UnaryOperator<QualityCounts> change) {
        String k = key.format();
        QualityWindow current = windows.get(k);
        QualityCounts next = change.apply(QualityRecords.counts(current));
        int revision = current == null ? 0 : current.getRevision() + 1;
        windows.put(k, QualityRecords.window(key, w.shiftName(), w.end(), next, revision));
    }

    /** Changes a window that exists and is not final; a final window keeps what it published. */
    private void adjustOpen(WindowKey key, UnaryOperator<QualityCounts> change) {
        String k = key.format();
        QualityWindow current = windows.get(k);
        if (current == null || current.getFinal$()) {
            return;
        }
        QualityWindow next = QualityRecords.window(key, current.getShiftName(), current.getWindowEnd(),
                change.apply(QualityRecords.counts(current)), current.getRevision() + 1);
        windows.put(k, next);
    }

    /**
     * Makes final the windows of the line that became final on its clock ({@link LineClock#drainFinal}, by end):
     * the line record, then the product records, each written once to the output; the line record of the SPC
     * granularity is judged by the p-chart. Windows in which nothing was inspected have no record.
     */
    private void finalizeDue(String lineId, LineClock clock) {
        WindowCalendar calendar = calendarAt(lineId, clock.clockMs());
        for (Window w : clock.drainFinal(calendar, settings.grace().toMillis())) {
            String lineKey = w.key(lineId).format();
            QualityWindow line = windows.get(lineKey);
            if (line == null || line.getFinal$()) {
                continue;
            }
            List<KeyValue<String, QualityWindow>> records = new ArrayList<>();
            records.add(KeyValue.pair(lineKey, line));
            String productPrefix = lineKey + WindowKey.SEPARATOR;
            try (KeyValueIterator<String, QualityWindow> products = windows.range(productPrefix, lineKey + (char) (WindowKey.SEPARATOR + 1))) {
                products.forEachRemaining(records::add);
            }
            long ts = w.endMs();
            List<QualityWindow> finals = new ArrayList<>(records.size());
            for (KeyValue<String, QualityWindow> kv : records) {
                QualityWindow finalWindow = QualityWindow.newBuilder(kv.value).setFinal$(true).setRevision(kv.value.getRevision() + 1).build();
                windows.put(kv.key, finalWindow);
                context.forward(new Record<>(kv.key, QualityTopology.Output.window(finalWindow), ts));
                finals.add(finalWindow);
            }
            QualityWindow done = finals.get(0); // the line record (it comes first), as written: no read back
            if (w.granularity() == settings.spcGranularity()) {
                judge(lineKey, done).filter(PChart.Verdict::outOfControl).ifPresent(v -> context.forward(
                        new Record<>(lineId, QualityTopology.Output.alert(QualityRecords.spcAlert(done, v)), ts)));
            }
            forgetOlderThanRetention(done);
        }
    }

    /** The p-chart verdict on a final line window, from the final line windows before it, newest first. */
    private java.util.Optional<PChart.Verdict> judge(String key, QualityWindow window) {
        String prefix = WindowKey.prefix(window.getLineId(), window.getGranularity());
        List<PChart.Sample> history = new ArrayList<>();
        try (KeyValueIterator<String, QualityWindow> before = windows.reverseRange(prefix, key)) {
            while (before.hasNext() && history.size() < settings.spcWindows()) {
                KeyValue<String, QualityWindow> kv = before.next();
                QualityWindow w = kv.value;
                if (kv.key.equals(key) || w.getProductId() != null || !w.getFinal$() || w.getInspected() <= 0) {
                    continue;
                }
                history.add(new PChart.Sample(w.getRework() + w.getScrap(), w.getInspected()));
            }
        }
        return chart.judge(window.getRework() + window.getScrap(), window.getInspected(), history);
    }

    /** Deletes the final windows (line and product records) of this line and granularity older than the window retention. */
    private void forgetOlderThanRetention(QualityWindow newest) {
        Instant horizon = newest.getWindowStart().minus(settings.windowRetention());
        String prefix = WindowKey.prefix(newest.getLineId(), newest.getGranularity());
        String to = WindowKey.of(newest.getLineId(), newest.getGranularity(), horizon).format();
        if (purges.done(prefix, to)) {
            return;
        }
        List<String> old = new ArrayList<>();
        String firstKept = null;
        try (KeyValueIterator<String, QualityWindow> it = windows.range(purges.from(prefix), to)) {
            while (it.hasNext()) {
                KeyValue<String, QualityWindow> kv = it.next();
                if (kv.value.getFinal$() && kv.value.getWindowEnd().isBefore(horizon)) {
                    old.add(kv.key);
                } else if (firstKept == null) {
                    firstKept = kv.key;
                }
            }
        }
        old.forEach(windows::delete);
        purges.purged(prefix, to, firstKept);
    }

    /** Wall-clock punctuation: quiet lines' clocks move on by the wall time passed (closing windows); old units are forgotten. */
    private void onWallClock(long nowMs) {
        List<KeyValue<String, LineClock>> lines = new ArrayList<>();
        try (KeyValueIterator<String, LineClock> all = clocks.all()) {
            all.forEachRemaining(lines::add);
        }
        for (KeyValue<String, LineClock> line : lines) {
            LineClock clock = line.value;
            if (clock.advanceIdle(nowMs, settings.idleAfter().toMillis(), startWallMs)) {
                finalizeDue(line.key, clock);
                clocks.put(line.key, clock);
            }
            forgetUnits(line.key, clock.clockMs());
        }
    }

    /**
     * Forgets the units of a line whose last inspection is older than the TTL on the line's clock: a range scan of the
     * expiry index up to that time, so the work is the units forgotten, not the units remembered.
     */
    private void forgetUnits(String lineId, long clock) {
        long before = clock - settings.unitTtl().toMillis();
        String prefix = lineId + WindowKey.SEPARATOR;
        String to = prefix + SortableTime.digits(before, TIME_DIGITS);
        if (unitSweeps.done(prefix, to)) {
            return;
        }
        List<String> expired = new ArrayList<>();
        String firstKept = null;
        // from where the previous sweep of the line ended: the index entries before it are deleted already
        try (KeyValueIterator<String, String> it = unitExpiry.range(unitSweeps.from(prefix), to)) {
            while (it.hasNext()) {
                String key = it.next().key;
                if (lastInspectedOf(key, prefix) < before) {
                    expired.add(key);
                } else if (firstKept == null) {
                    firstKept = key;
                }
            }
        }
        long forgotten = 0;
        // deletes as puts of null: delete() would read each value back to return it
        for (String key : expired) {
            String unitKey = prefix + key.substring(prefix.length() + TIME_DIGITS + 1);
            QualityUnitMemory unit = units.get(unitKey);
            if (unit != null && unit.getLastInspectedAt().toEpochMilli() < before) {
                units.put(unitKey, null);
                forgotten++;
            }
            unitExpiry.put(key, null);
        }
        unitSweeps.purged(prefix, to, firstKept);
        unitsRemembered.addAndGet(-forgotten);
    }

    /** {@code lineId/unitId} and the unit's last inspection as its key in the expiry index: {@code lineId/lastInspectedMs/unitId}. */
    static String expiryKey(String unitKey, long lastInspectedMs) {
        int slash = unitKey.indexOf(WindowKey.SEPARATOR);
        return unitKey.substring(0, slash + 1) + SortableTime.digits(lastInspectedMs, TIME_DIGITS) + unitKey.substring(slash);
    }

    private static long lastInspectedOf(String expiryKey, String prefix) {
        return Long.parseLong(expiryKey, prefix.length(), prefix.length() + TIME_DIGITS, 10);
    }

    @Override
    public void close() {
        if (unitsGauge != null) {
            Metrics.globalRegistry.remove(unitsGauge);
        }
        if (duplicates != null) {
            Metrics.globalRegistry.remove(duplicates);
        }
    }
}

package io.greenline.streams.quality;

import io.greenline.events.Granularity;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.LineConfig;
import io.greenline.events.QualityUnitMemory;
import io.greenline.events.QualityWindow;
import io.greenline.schemas.WindowKey;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.BadRecordException;
import io.greenline.streams.quality.FirstInspections.Decision;
import io.greenline.streams.quality.FirstInspections.UnitMemory;
import io.greenline.streams.windows.Window;
import io.greenline.streams.windows.WindowCalendar;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Keeps the quality windows of the lines of one task and makes them final.
 *
 * <p>Input: inspections keyed by lineId, each with the line config valid at its timestamp (null when none
 * is known yet: the line then runs on a 24/7 UTC calendar). For each inspection, in this order and before
 * any state changes: a window of it already final makes it LATE (dead-lettered); an eventId already seen
 * makes it a duplicate (ignored, counted). Then the unit memory decides whether it is the unit's first
 * inspection, and every window containing it (HOUR, DAY, and SHIFTs when inside the calendar), for the line
 * and for the line + product, is updated in {@link StoreNames#QUALITY_WINDOWS}.
 *
 * <p>Each line has an event-time clock: the latest inspection time seen, moved forward while the line is
 * quiet by the wall-clock time passed since its last record (never to "now", so a replay stays on time). A
 * window whose end plus grace is at or before the clock is final: it is written once to the output (and to
 * the store with {@code final = true}) and, for the line record of the SPC granularity, judged by the
 * p-chart. Every {@code punctuateEvery} of wall-clock time idle lines advance and unit memories older than
 * the TTL (after their last inspection, on the line's clock) are forgotten; their number is the gauge
 * {@value #UNITS_GAUGE}.
 */
final class QualityWindowsProcessor implements Processor<String, QualityTopology.ConfiguredInspection, String, QualityTopology.Output> {

    static final String UNITS_GAUGE = "greenline.quality.units.remembered";
    static final String DUPLICATES_COUNTER = "greenline.quality.duplicates";

    private static final Granularity[] GRANULARITIES = Granularity.values();

    /** What the line's clock was at the wall-clock time of its last record, for the idle advance. */
    private record LastRecord(long wallMs, long clockMs) {
    }

    private final QualitySettings settings;
    private final PChart chart;
    private final Map<String, LastRecord> lastRecords = new HashMap<>();
    private final AtomicLong unitsRemembered = new AtomicLong();

    private ProcessorContext<String, QualityTopology.Output> context;
    private KeyValueStore<String, QualityWindow> windows;
    private KeyValueStore<String, Long> openWindows;
    private KeyValueStore<String, Long> clocks;
    private KeyValueStore<String, QualityUnitMemory> units;
    private WindowStore<String, Long> seenEvents;
    private Gauge unitsGauge;
    private Counter duplicates;

    QualityWindowsProcessor(QualitySettings settings) {
        this.settings = settings;
        this.chart = new PChart(settings.spcWindows(), settings.spcMinWindows());
    }

    @Override
    public void init(ProcessorContext<String, QualityTopology.Output> context) {
        this.context = context;
        windows = context.getStateStore(StoreNames.QUALITY_WINDOWS);
        openWindows = context.getStateStore(StoreNames.QUALITY_OPEN_WINDOWS);
        clocks = context.getStateStore(StoreNames.QUALITY_LINE_CLOCKS);
        units = context.getStateStore(StoreNames.QUALITY_UNITS);
        seenEvents = context.getStateStore(StoreNames.QUALITY_SEEN_EVENTS);
        long count = 0;
        try (KeyValueIterator<String, QualityUnitMemory> all = units.all()) {
            for (; all.hasNext(); all.next()) {
                count++;
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
    public void process(Record<String, QualityTopology.ConfiguredInspection> record) {
        String lineId = record.key();
        InspectionRecorded inspection = record.value().inspection();
        LineConfig config = record.value().config();
        long at = inspection.getTimestamp().toEpochMilli();
        Instant atInstant = inspection.getTimestamp();
        WindowCalendar calendar = config == null ? WindowCalendar.utc24x7() : WindowCalendar.of(config);
        List<Window> containing = new ArrayList<>();
        for (Granularity g : GRANULARITIES) {
            containing.addAll(calendar.windowsContaining(g, atInstant));
        }
        QualityCounts.Result result = QualityRecords.result(inspection);

        Long clock = clocks.get(lineId);
        if (clock != null) {
            for (Window w : containing) {
                if (isFinal(w.endMs(), clock)) {
                    throw BadRecordException.late("inspection " + inspection.getEventId() + " at " + atInstant
                            + " falls in " + w.key(lineId) + ", final since line " + lineId + "'s clock reached "
                            + Instant.ofEpochMilli(w.endMs() + settings.grace().toMillis()) + " (clock now "
                            + Instant.ofEpochMilli(clock) + ")");
                }
            }
        }
        String seenKey = lineId + WindowKey.SEPARATOR + inspection.getEventId();
        try (WindowStoreIterator<Long> seen = seenEvents.fetch(seenKey, 0L, Long.MAX_VALUE)) {
            if (seen.hasNext()) {
                duplicates.increment();
                return;
            }
        }
        seenEvents.put(seenKey, at, at);

        String productId = inspection.getProductId();
        double quantity = inspection.getQuantity();
        boolean passed = result == QualityCounts.Result.PASS;
        boolean first = true;
        if (inspection.getUnitId() != null) {
            long lineClock = clock == null ? at : Math.max(clock, at);
            first = rememberUnit(lineId, inspection.getUnitId(), at, passed, quantity, productId, containing, lineClock);
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

        long newClock = clock == null ? at : Math.max(clock, at);
        clocks.put(lineId, newClock);
        lastRecords.put(lineId, new LastRecord(context.currentSystemTimeMs(), newClock));
        finalizeDue(lineId, newClock);
    }

    /**
     * Applies the first-inspection rule to a serialized unit and remembers it; takes a first inspection back
     * out of its windows when an earlier one arrived. Returns whether this inspection counts as the first.
     */
    private boolean rememberUnit(String lineId, String unitId, long at, boolean passed, double quantity, String productId,
                                 List<Window> containing, long lineClock) {
        String unitKey = lineId + WindowKey.SEPARATOR + unitId;
        QualityUnitMemory stored = units.get(unitKey);
        UnitMemory storedDomain = stored == null ? null : new UnitMemory(stored.getFirstInspectedAt().toEpochMilli(),
                stored.getFirstPassed(), stored.getQuantity(), stored.getProductId(), stored.getLastInspectedAt().toEpochMilli());
        // an expired memory not yet swept by the punctuation is already forgotten
        boolean expired = storedDomain != null && storedDomain.expired(lineClock, settings.unitTtl().toMillis());
        QualityUnitMemory known = expired ? null : stored;
        UnitMemory knownDomain = expired ? null : storedDomain;
        Decision decision = FirstInspections.decide(knownDomain, at, passed, quantity, productId);
        if (decision.retract() != null) {
            UnitMemory old = decision.retract();
            for (String lineKey : known.getWindowKeys()) {
                WindowKey k = WindowKey.parse(lineKey);
                UnaryOperator<QualityCounts> takeBack = c -> c.plusFirstInspection(-old.quantity(), old.firstPassed());
                adjustOpen(k, takeBack);
                adjustOpen(new WindowKey(k.lineId(), k.granularity(), k.windowStart(), old.productId()), takeBack);
            }
        }
        List<String> windowKeys;
        if (decision.countAsFirst()) {
            windowKeys = new ArrayList<>();
            for (Window w : containing) {
                windowKeys.add(WindowKey.of(lineId, w.granularity(), w.start()).format());
            }
        } else {
            windowKeys = known.getWindowKeys();
        }
        UnitMemory m = decision.remember();
        units.put(unitKey, new QualityUnitMemory(Instant.ofEpochMilli(m.firstAtMs()), m.firstPassed(), m.quantity(),
                m.productId(), windowKeys, Instant.ofEpochMilli(m.lastSeenMs())));
        if (stored == null) {
            unitsRemembered.incrementAndGet();
        }
        return decision.countAsFirst();
    }

    private void update(Window w, WindowKey key, UnaryOperator<QualityCounts> change) {
        String k = key.format();
        QualityWindow current = windows.get(k);
        QualityCounts next = change.apply(QualityRecords.counts(current));
        int revision = current == null ? 0 : current.getRevision() + 1;
        windows.put(k, QualityRecords.window(key, w.shiftName(), w.end(), next, revision));
        if (current == null) {
            openWindows.put(k, w.endMs());
        }
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

    private boolean isFinal(long windowEndMs, long clockMs) {
        return windowEndMs + settings.grace().toMillis() <= clockMs;
    }

    /** Makes final, oldest first, every open window of the line whose end plus grace the clock has reached. */
    private void finalizeDue(String lineId, long clock) {
        List<KeyValue<String, Long>> due = new ArrayList<>();
        try (KeyValueIterator<String, Long> open = openWindows.range(lineId + WindowKey.SEPARATOR, lineId + (char) (WindowKey.SEPARATOR + 1))) {
            while (open.hasNext()) {
                KeyValue<String, Long> kv = open.next();
                if (isFinal(kv.value, clock)) {
                    due.add(kv);
                }
            }
        }
        due.sort(Comparator.<KeyValue<String, Long>>comparingLong(kv -> kv.value).thenComparing(kv -> kv.key));
        for (KeyValue<String, Long> kv : due) {
            QualityWindow live = windows.get(kv.key);
            openWindows.delete(kv.key);
            if (live == null) {
                continue;
            }
            QualityWindow done = QualityWindow.newBuilder(live).setFinal$(true).setRevision(live.getRevision() + 1).build();
            windows.put(kv.key, done);
            long ts = done.getWindowEnd().toEpochMilli();
            context.forward(new Record<>(kv.key, QualityTopology.Output.window(done), ts));
            if (done.getProductId() == null) {
                if (done.getGranularity() == settings.spcGranularity()) {
                    judge(kv.key, done).filter(PChart.Verdict::outOfControl).ifPresent(v -> context.forward(new Record<>(lineId,
                            QualityTopology.Output.alert(QualityRecords.spcAlert(done, v)), ts)));
                }
                forgetOlderThanRetention(done);
            }
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
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, QualityWindow> it = windows.range(prefix, to)) {
            while (it.hasNext()) {
                KeyValue<String, QualityWindow> kv = it.next();
                if (kv.value.getFinal$() && kv.value.getWindowEnd().isBefore(horizon)) {
                    old.add(kv.key);
                }
            }
        }
        old.forEach(windows::delete);
    }

    private void onWallClock(long nowMs) {
        List<KeyValue<String, Long>> lines = new ArrayList<>();
        try (KeyValueIterator<String, Long> all = clocks.all()) {
            all.forEachRemaining(lines::add);
        }
        for (KeyValue<String, Long> line : lines) {
            long clock = line.value;
            LastRecord last = lastRecords.get(line.key);
            if (last == null) {
                // first sight of this line since (re)start: the quiet time is measured from now
                lastRecords.put(line.key, new LastRecord(nowMs, clock));
            } else if (nowMs - last.wallMs() >= settings.idleAfter().toMillis()) {
                long advanced = last.clockMs() + (nowMs - last.wallMs());
                if (advanced > clock) {
                    clock = advanced;
                    clocks.put(line.key, clock);
                }
            }
            finalizeDue(line.key, clock);
            forgetUnits(line.key, clock);
        }
    }

    /** Forgets the units of a line whose last inspection is older than the TTL on the line's clock. */
    private void forgetUnits(String lineId, long clock) {
        long ttl = settings.unitTtl().toMillis();
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, QualityUnitMemory> it = units.range(lineId + WindowKey.SEPARATOR, lineId + (char) (WindowKey.SEPARATOR + 1))) {
            while (it.hasNext()) {
                KeyValue<String, QualityUnitMemory> kv = it.next();
                if (kv.value.getLastInspectedAt().toEpochMilli() < clock - ttl) {
                    expired.add(kv.key);
                }
            }
        }
        expired.forEach(units::delete);
        unitsRemembered.addAndGet(-expired.size());
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

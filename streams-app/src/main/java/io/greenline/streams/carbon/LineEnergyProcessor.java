package io.greenline.streams.carbon;

import io.greenline.streams.VersionCache;
import io.greenline.events.CarrierEnergy;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EnergyAllocation;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyMetered;
import io.greenline.events.Granularity;
import io.greenline.events.LineConfig;
import io.greenline.events.LineEnergyWindow;
import io.greenline.events.ProductionCounted;
import io.greenline.schemas.WindowKey;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.BadRecordException;
import io.greenline.streams.windows.EventDeduplicator;
import io.greenline.streams.windows.InputAlignment;
import io.greenline.streams.windows.LineClock;
import io.greenline.streams.windows.Window;
import io.greenline.streams.windows.WindowCalendar;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Energy per line and window (HOUR, SHIFT, DAY of the line's calendar, from the shared {@code windows} package):
 * a line meter's reading is spread over the windows its period overlaps in proportion to time and priced with the
 * factors valid at its period end; good quantity GQ = quantity - scrap - rework of the production counts whose
 * timestamp falls in the window. Live windows (final=false, revision counting changes) sit in
 * {@link StoreNames#LINE_ENERGY_WINDOWS}; once the line's event clock passes a window's end plus the grace, the
 * final record goes to {@code mfg.line-energy}. A count in a final window, or a reading whose period END falls in
 * a final window, is LATE (mfg.dlq); a reading that ends in an open window but began in final ones (a long gas or
 * steam reading) revises those final windows, which are published again with their revision increased.
 * Shared site meters (no lineId) are not line energy: they appear in the batch footprints only.
 *
 * <p>Aligned (in the application): a window is final only when the line's clock and its
 * {@link InputAlignment aligned frontier} over line meter readings and production counts both pass its end plus the
 * grace ({@code carbon.line-energy-align-idle}), and lateness is judged against the windows actually made final, so
 * which topic's fetch lands first does not decide what is late.
 */
final class LineEnergyProcessor implements Processor<String, SpecificRecord, String, LineEnergyWindow> {

    /** Input indexes in the {@link InputAlignment}. */
    private static final int READINGS = 0;
    private static final int COUNTS = 1;

    private final CarbonSettings settings;
    private ProcessorContext<String, LineEnergyWindow> context;
    private KeyValueStore<String, LineEnergyWindow> windows;
    private KeyValueStore<String, LineClock> clocks;
    private VersionCache<LineConfig> lineConfigs;
    private EventDeduplicator dedup;
    private CarbonLedger ledger;
    private long startWallMs;
    private final InputAlignment alignment;
    /** Lines whose finalization the frontier holds back (in memory; after a restart their next event or idle advance releases them). */
    private final Set<String> held = new HashSet<>();

    /** @param aligned whether windows are final against each line's aligned frontier ({@code settings.lineEnergyAlignIdle()}) */
    LineEnergyProcessor(CarbonSettings settings, boolean aligned) {
        this.settings = settings;
        this.alignment = new InputAlignment(2, aligned ? settings.lineEnergyAlignIdle().toMillis() : 0);
    }

    @Override
    public void init(ProcessorContext<String, LineEnergyWindow> context) {
        this.context = context;
        windows = context.getStateStore(StoreNames.LINE_ENERGY_WINDOWS);
        clocks = context.getStateStore(StoreNames.CARBON_LINE_CLOCKS);
        lineConfigs = new VersionCache<>(context.getStateStore(StoreNames.LINE_CONFIG_VERSIONS), StoreNames.LINE_CONFIG_VERSIONS);
        WindowStore<String, Long> seen = context.getStateStore(StoreNames.CARBON_LINE_ENERGY_DEDUP);
        dedup = new EventDeduplicator(seen, settings.correctionWindow());
        VersionedKeyValueStore<String, EmissionFactor> factors = context.getStateStore(StoreNames.EMISSION_FACTOR_VERSIONS);
        ledger = new CarbonLedger(new VersionedFactorLookup(factors), settings.fallbackFactorRegion());
        startWallMs = context.currentSystemTimeMs();
        context.schedule(settings.idleAdvanceInterval(), PunctuationType.WALL_CLOCK_TIME, this::advanceIdleLines);
        if (alignment.idleMs() > 0) {
            Duration every = Duration.ofMillis(Math.max(100, Math.min(1_000, alignment.idleMs() / 2)));
            context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::releaseHeldLines);
        }
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        // Bad input is dead-lettered once, by its owner: energy readings by the ledger branch (same source node, it
        // runs whatever this branch does), production counts by OEE. Here it is only kept out of the windows.
        if (record.value() instanceof EnergyMetered e) {
            if (e.getLineId() != null && valid(e)) {
                onEnergy(e);
            }
        } else if (record.value() instanceof ProductionCounted c && valid(c)) {
            onCount(c);
        }
    }

    private static boolean valid(EnergyMetered e) {
        try {
            CarbonInputValidation.validate(e);
            return true;
        } catch (BadRecordException alreadyDeadLettered) {
            return false;
        }
    }

    private static boolean valid(ProductionCounted c) {
        double good = c.getQuantity() - c.getScrapQuantity() - c.getReworkQuantity();
        return c.getLineId() != null && Double.isFinite(good) && c.getQuantity() >= 0 && c.getScrapQuantity() >= 0
                && c.getReworkQuantity() >= 0;
    }

    private void onEnergy(EnergyMetered e) {
        String lineId = e.getLineId();
        LineClock clock = clock(lineId);
        String id = lineId + "/energy/" + e.getEventId();
        long at = e.getTimestamp().toEpochMilli();
        if (dedup.seen(id, at)) {
            return;
        }
        LineConfig config = config(lineId, e.getTimestamp());
        WindowCalendar calendar = config == null ? WindowCalendar.utc24x7() : WindowCalendar.of(config);
        // a reading is on time when the windows of its period end are open; earlier windows it covers may be final
        // already (a long steam or gas reading): they are revised and published again (revision + 1)
        long graceMs = settings.lineEnergyGrace().toMillis();
        if (clock.isLateAtFinalized(at - 1, calendar, graceMs)
                || clock.isLateAt(at - 1, calendar, graceMs, alignment.inputTime(lineId, READINGS))) {
            throw BadRecordException.late("energy reading " + e.getEventId() + " of line " + lineId
                    + " ends in a line-energy window that is already final");
        }
        EnergyAllocation whole = new EnergyAllocation(e.getEventId(), e.getMeterId(), lineId,
                config == null ? null : config.getGridRegion(), e.getCarrier(), e.getUnit(), e.getQuantity(),
                e.getPeriodStart(), e.getTimestamp(), e.getTimestamp(), false, false, null);
        CarbonLedger.Priced priced = ledger.price(whole);
        double periodMs = e.getTimestamp().toEpochMilli() - e.getPeriodStart().toEpochMilli();
        for (Granularity g : Granularity.values()) {
            for (Window w : calendar.windows(g, e.getPeriodStart(), e.getTimestamp())) {
                long overlap = Math.min(w.endMs(), at) - Math.max(w.startMs(), e.getPeriodStart().toEpochMilli());
                double share = overlap / periodMs;
                LineEnergyWindow window = window(lineId, w);
                Map<String, CarrierEnergy> energy = new TreeMap<>(window.getEnergy());
                EnergyAllocation part = new EnergyAllocation(whole.getEventId(), whole.getMeterId(), lineId, whole.getRegion(),
                        e.getCarrier(), e.getUnit(), e.getQuantity() * share, e.getPeriodStart(), e.getTimestamp(),
                        e.getTimestamp(), false, false, null);
                CarbonLedger.addEnergy(energy, part);
                window.setEnergy(energy);
                if (e.getCarrier() == EnergyCarrier.ELECTRICITY) {
                    Double kwh = CarbonLedger.convert(part.getQuantity(), e.getUnit(), io.greenline.events.EnergyUnit.KWH);
                    window.setElectricityKwh(window.getElectricityKwh() + (kwh == null ? 0 : kwh));
                }
                window.setKgCo2eLocation(window.getKgCo2eLocation() + priced.location() * share);
                window.setKgCo2eMarket(window.getKgCo2eMarket() + priced.market() * share);
                store(lineId, w, window);
                if (window.getFinal$()) {
                    context.forward(new Record<>(w.key(lineId).format(), window, at));
                }
            }
        }
        dedup.remember(id, at);
        // the reading's windows exist from its period start on (a line's windows begin at its earliest event)
        clock.observe(e.getPeriodStart().toEpochMilli(), context.currentSystemTimeMs());
        clock.observe(at, context.currentSystemTimeMs());
        alignment.observe(lineId, READINGS, at, context.currentSystemTimeMs());
        clocks.put(lineId, clock);
        emitFinal(lineId, clock, calendar);
    }

    private void onCount(ProductionCounted c) {
        double good = c.getQuantity() - c.getScrapQuantity() - c.getReworkQuantity();
        String lineId = c.getLineId();
        LineClock clock = clock(lineId);
        String id = lineId + "/count/" + c.getEventId();
        long at = c.getTimestamp().toEpochMilli();
        if (dedup.seen(id, at)) {
            return;
        }
        LineConfig config = config(lineId, c.getTimestamp());
        WindowCalendar calendar = config == null ? WindowCalendar.utc24x7() : WindowCalendar.of(config);
        long graceMs = settings.lineEnergyGrace().toMillis();
        if (clock.isLateAtFinalized(at, calendar, graceMs)
                || clock.isLateAt(at, calendar, graceMs, alignment.inputTime(lineId, COUNTS))) {
            throw BadRecordException.late("production count " + c.getEventId() + " of line " + lineId
                    + " falls in a line-energy window that is already final");
        }
        for (Granularity g : Granularity.values()) {
            for (Window w : calendar.windowsContaining(g, c.getTimestamp())) {
                LineEnergyWindow window = window(lineId, w);
                window.setGoodQuantity((window.getGoodQuantity() == null ? 0 : window.getGoodQuantity()) + good);
                store(lineId, w, window);
            }
        }
        dedup.remember(id, at);
        clock.observe(at, context.currentSystemTimeMs());
        alignment.observe(lineId, COUNTS, at, context.currentSystemTimeMs());
        clocks.put(lineId, clock);
        emitFinal(lineId, clock, calendar);
    }

    private LineEnergyWindow window(String lineId, Window w) {
        LineEnergyWindow existing = windows.get(w.key(lineId).format());
        if (existing != null) {
            return existing;
        }
        return LineEnergyWindow.newBuilder().setLineId(lineId).setGranularity(w.granularity()).setShiftName(w.shiftName())
                .setWindowStart(w.start()).setWindowEnd(w.end()).build();
    }

    private void store(String lineId, Window w, LineEnergyWindow window) {
        Double gq = window.getGoodQuantity();
        window.setKgCo2ePerGoodUnit(gq == null || gq <= 0 ? null : window.getKgCo2eMarket() / gq);
        window.setKwhPerGoodUnit(gq == null || gq <= 0 ? null : window.getElectricityKwh() / gq);
        window.setRevision(window.getRevision() + 1);
        windows.put(w.key(lineId).format(), window);
    }

    private void emitFinal(String lineId, LineClock clock, WindowCalendar calendar) {
        long frontierMs = alignment.frontier(lineId, context.currentSystemTimeMs());
        List<Window> finals = clock.drainFinal(calendar, settings.lineEnergyGrace().toMillis(), frontierMs);
        clocks.put(lineId, clock);
        if (frontierMs < clock.clockMs()) {
            held.add(lineId);
        } else {
            held.remove(lineId);
        }
        for (Window w : finals) {
            String key = w.key(lineId).format();
            LineEnergyWindow window = windows.get(key);
            if (window == null) {
                continue; // a window of the line's calendar with neither energy nor counts: nothing to report
            }
            window.setFinal$(true);
            windows.put(key, window);
            context.forward(new Record<>(key, window, w.endMs()));
        }
    }

    /** Wall-clock punctuation (aligned only): finalizes what each held line's frontier now allows. Reads held lines' clocks by key. */
    private void releaseHeldLines(long wallNowMs) {
        alignment.touch(wallNowMs);
        for (String lineId : new ArrayList<>(held)) {
            LineClock clock = clocks.get(lineId);
            if (clock == null) {
                held.remove(lineId);
                continue;
            }
            long frontierMs = alignment.frontier(lineId, wallNowMs);
            if (clock.finalClockMs(frontierMs) > clock.finalizedClockMs()) {
                LineConfig config = config(lineId, Instant.ofEpochMilli(clock.clockMs()));
                emitFinal(lineId, clock, config == null ? WindowCalendar.utc24x7() : WindowCalendar.of(config));
            } else if (frontierMs >= clock.clockMs()) {
                held.remove(lineId);
            }
        }
    }

    private void advanceIdleLines(long wallNowMs) {
        List<KeyValue<String, LineClock>> all = new ArrayList<>();
        try (KeyValueIterator<String, LineClock> it = clocks.all()) {
            it.forEachRemaining(all::add);
        }
        for (KeyValue<String, LineClock> kv : all) {
            LineClock clock = kv.value;
            if (clock.advanceIdle(wallNowMs, settings.idleAdvanceInterval().toMillis(), startWallMs)) {
                LineConfig config = config(kv.key, Instant.ofEpochMilli(clock.clockMs()));
                emitFinal(kv.key, clock, config == null ? WindowCalendar.utc24x7() : WindowCalendar.of(config));
            }
            prune(kv.key, clock);
        }
    }

    /**
     * How long a window is kept after its end (by the line's event clock): the longest reading period or the
     * correction window, whichever is longer, plus the grace; a reading ending in an open window can still revise
     * any window it began in, and a window is never created again once pruned (an older reading is LATE).
     */
    static Duration retention(CarbonSettings settings) {
        Duration longest = CarbonInputValidation.MAX_READING_PERIOD.compareTo(settings.correctionWindow()) > 0
                ? CarbonInputValidation.MAX_READING_PERIOD : settings.correctionWindow();
        return longest.plus(settings.lineEnergyGrace());
    }

    /** Deletes the line's final windows that ended before its clock minus the retention: a key range per granularity. */
    private void prune(String lineId, LineClock clock) {
        if (!clock.started()) {
            return;
        }
        long horizonMs = clock.clockMs() - retention(settings).toMillis();
        Instant horizon = Instant.ofEpochMilli(horizonMs);
        for (Granularity g : Granularity.values()) {
            List<String> expired = new ArrayList<>();
            try (KeyValueIterator<String, LineEnergyWindow> it = windows.range(WindowKey.prefix(lineId, g),
                    WindowKey.of(lineId, g, horizon).format())) {
                it.forEachRemaining(kv -> {
                    if (kv.value.getFinal$() && !kv.value.getWindowEnd().isAfter(horizon)) {
                        expired.add(kv.key);
                    }
                });
            }
            expired.forEach(windows::delete);
        }
    }

    private LineClock clock(String lineId) {
        LineClock clock = clocks.get(lineId);
        return clock == null ? new LineClock() : clock;
    }

    private LineConfig config(String lineId, Instant at) {
        VersionedRecord<LineConfig> r = lineConfigs.get(lineId, at.toEpochMilli());
        if (r == null) {
            r = lineConfigs.get(lineId);
        }
        return r == null ? null : r.value();
    }
}

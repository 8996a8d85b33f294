package io.greenline.streams.oee;

import io.greenline.events.Granularity;
import io.greenline.events.LineConfig;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.OeeWindow;
import io.greenline.events.ProductRate;
import io.greenline.events.ProductionCounted;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.WindowKey;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.BadRecordException;
import io.greenline.streams.windows.EventDeduplicator;
import io.greenline.streams.windows.LineClock;
import io.greenline.streams.windows.Window;
import io.greenline.streams.windows.WindowCalendar;
import io.micrometer.core.instrument.Metrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves machine-state and production-count records into each line's {@link LineLedger}, keeps the live window
 * records in {@link StoreNames#OEE_WINDOWS} and forwards each window once, final, when the line's clock passes
 * its end plus the grace. Bad records are refused with a {@link BadRecordException} before any state changes.
 */
final class OeeLedgerProcessor implements Processor<String, SpecificRecord, String, OeeWindow> {

    static final String LATE_METRIC = "greenline.late.records";
    static final String DUPLICATE_METRIC = "greenline.duplicate.records";
    static final String UNRATED_METRIC = "greenline.oee.unrated.counts";
    /** A count above this many units in one event is not a count but a fault of the source. */
    static final double MAX_QUANTITY = 1e9;

    private static final Logger log = LoggerFactory.getLogger(OeeLedgerProcessor.class);

    private final OeeSettings settings;
    private final long graceMs;
    private ProcessorContext<String, OeeWindow> context;
    private KeyValueStore<String, LineLedger> ledgers;
    private KeyValueStore<String, OeeWindow> windows;
    private VersionedKeyValueStore<String, LineConfig> configs;
    private EventDeduplicator seen;
    private long startWallMs;

    OeeLedgerProcessor(OeeSettings settings) {
        this.settings = settings;
        this.graceMs = settings.grace().toMillis();
    }

    @Override
    public void init(ProcessorContext<String, OeeWindow> context) {
        this.context = context;
        ledgers = context.getStateStore(StoreNames.OEE_LINE_LEDGER);
        windows = context.getStateStore(StoreNames.OEE_WINDOWS);
        configs = context.getStateStore(StoreNames.LINE_CONFIG_VERSIONS);
        seen = new EventDeduplicator(context.getStateStore(StoreNames.OEE_DEDUP), settings.dedupRetention());
        startWallMs = context.currentSystemTimeMs();
        context.schedule(settings.idleAdvanceInterval(), PunctuationType.WALL_CLOCK_TIME, this::advanceIdleLines);
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
        if (ledger.clock().isLateFrom(t, calendar, graceMs)) {
            refuseLate("machine-state", lineId, e.getEventId(), t, ledger);
        }
        seen.remember(seenKey, t);
        ledger.applyState(new StateChange(t, e.getState(), e.getReasonCode()), context.currentSystemTimeMs());
        publish(lineId, ledger);
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
        if (ledger.clock().isLateAt(t, calendar, graceMs)) {
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
        ledger.applyCount(lineId, t, c.getQuantity(), c.getScrapQuantity(), c.getReworkQuantity(), pru, calendar,
                context.currentSystemTimeMs());
        publish(lineId, ledger);
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
        LineLedger ledger = ledgers.get(lineId);
        return ledger == null ? new LineLedger() : ledger;
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

    /** Emits the windows that became final, refreshes the live ones, prunes, and saves the ledger. */
    private void publish(String lineId, LineLedger ledger) {
        LineClock clock = ledger.clock();
        LineConfig config = configAt(lineId, clock.clockMs());
        WindowCalendar calendar = calendarOf(config);
        long threshold = thresholdOf(config);
        String siteId = config == null ? null : config.getSiteId();
        String areaId = config == null ? null : config.getAreaId();

        List<Window> finals = clock.drainFinal(calendar, graceMs);
        for (Window w : finals) {
            String key = w.key(lineId).format();
            OeeWindow previous = windows.get(key);
            OeeWindow result = OeeWindowRecords.render(lineId, siteId, areaId, w, ledger.timeElements(w, calendar, threshold),
                    ledger.counts(lineId, w), true, previous == null ? 0 : previous.getRevision() + 1);
            windows.put(key, result);
            context.forward(new Record<>(key, result, w.endMs()));
        }
        ledger.forget(lineId, finals, calendar, graceMs);
        for (Window w : clock.openWindows(calendar, graceMs)) {
            String key = w.key(lineId).format();
            OeeWindow previous = windows.get(key);
            OeeWindow live = OeeWindowRecords.render(lineId, siteId, areaId, w, ledger.timeElements(w, calendar, threshold),
                    ledger.counts(lineId, w), false, previous == null ? 0 : previous.getRevision());
            if (!OeeWindowRecords.sameContent(previous, live)) {
                live.setRevision(previous == null ? 0 : previous.getRevision() + 1);
                windows.put(key, live);
            }
        }
        if (!finals.isEmpty()) {
            pruneExpired(lineId, clock.clockMs());
        }
        ledgers.put(lineId, ledger);
    }

    private void pruneExpired(String lineId, long clockMs) {
        for (Granularity g : Granularity.values()) {
            Instant cutoff = Instant.ofEpochMilli(clockMs).minus(settings.retention(g));
            String prefix = WindowKey.prefix(lineId, g);
            List<String> expired = new ArrayList<>();
            try (KeyValueIterator<String, OeeWindow> it = windows.prefixScan(prefix, new StringSerializer())) {
                while (it.hasNext()) {
                    KeyValue<String, OeeWindow> kv = it.next();
                    if (kv.value.getFinal$() && kv.value.getWindowEnd().isBefore(cutoff)) {
                        expired.add(kv.key);
                    }
                }
            }
            expired.forEach(windows::delete);
        }
    }

    /** Wall-clock punctuation: moves quiet lines' clocks on by the wall time passed, closing their windows. */
    private void advanceIdleLines(long wallNowMs) {
        long idleAfter = settings.idleAdvanceInterval().toMillis();
        List<KeyValue<String, LineLedger>> moved = new ArrayList<>();
        try (KeyValueIterator<String, LineLedger> it = ledgers.all()) {
            while (it.hasNext()) {
                KeyValue<String, LineLedger> kv = it.next();
                if (kv.value.clock().advanceIdle(wallNowMs, idleAfter, startWallMs)) {
                    moved.add(kv);
                }
            }
        }
        moved.forEach(kv -> publish(kv.key, kv.value));
    }
}

package io.greenline.streams.carbon;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchEventType;
import io.greenline.events.BatchFootprint;
import io.greenline.events.CarbonBatchSpan;
import io.greenline.events.CarbonBatchState;
import io.greenline.events.CarbonDue;
import io.greenline.events.CarbonEnergyTotal;
import io.greenline.events.CarbonGapPart;
import io.greenline.events.CarbonLedgerClock;
import io.greenline.events.CarbonLedgerInput;
import io.greenline.events.CarbonOwnerState;
import io.greenline.events.CarbonRunningBatch;
import io.greenline.events.CarbonReading;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EnergyAllocation;
import io.greenline.events.EnergyMetered;
import io.greenline.events.FootprintGap;
import io.greenline.events.FootprintStatus;
import io.greenline.events.MaterialCharge;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.state.StateSerde;
import io.greenline.streams.StoreNames;
import io.greenline.streams.carbon.EnergyAttribution.BatchSpan;
import io.greenline.streams.carbon.EnergyAttribution.Share;
import io.greenline.streams.errors.BadRecordException;
import io.greenline.streams.windows.EventDeduplicator;
import io.micrometer.core.instrument.Metrics;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The carbon ledger of every site this task owns (input keyed by siteId): keeps batches and the energy charged to
 * them, publishes footprint versions, finalizes them in event time.
 *
 * <p>Publication: the first footprint (version 1) goes out at COMPLETED as PROVISIONAL (or CANCELLED at
 * CANCELLED); when the site's event clock passes completedAt + finalization delay the same version goes out as
 * FINAL; any later change of content (a late reading, a late material charge, a corrected or newly valid emission
 * factor, found by a periodic re-check) publishes version n+1 with replacesVersion n. The event clock is the
 * largest event timestamp seen, moved on by a wall-clock punctuation by the wall time that passed, so a quiet site
 * still finalizes without turning a fast replay into late data.
 *
 * <p>Work per event does not grow with the history kept (docs/carbon.md, "State"): a reading finds the batches of
 * its line or site by a range scan of the span index {@code carbon-batch-spans} from its period start; the energy of
 * a batch is kept as running totals per carrier, unit, region and factor versions ({@code carbon-batch-energy}),
 * re-priced only when a factor version they depend on changes; finalization, expiry and stale pending energy are
 * read from the time-ordered index {@code carbon-due} up to the clock, and readings past the correction window from
 * {@code carbon-readings}, which is keyed in time order itself; duplicates are found by key in a window
 * store that expires them after the correction window.
 */
final class CarbonSiteLedger implements Processor<String, CarbonLedgerInput, String, BatchFootprint> {

    static final String GAPS_METRIC = "greenline.carbon.gaps";
    /** Key of the task's event clock in carbon-clock (read by {@link CarbonSiteAlignment} too). */
    static final String CLOCK_KEY = "event-clock";
    /** Key prefix in carbon-clock of the due time of the last entry taken from carbon-due, per kind. */
    private static final String WATERMARK = "due-taken:";
    private static final String SEP = "|";
    /** Sorts after every character of a key: the inclusive end of a range over a key prefix. */
    private static final String HIGH = "\uffff";
    /**
     * Last keys of a key space ({@code kind|~} then {@code kind|~~}, the same per owner): live keys after every range
     * read, so that RocksDB stops there instead of walking the deleted keys of the next key space (expired entries are
     * deleted from its start, and a range iterator only checks its upper bound on live keys). Two, because Kafka's
     * RocksDB iterator steps one key past every key it reads: reading {@code ~} to find the range over moves it onto
     * {@code ~~}, not into the next key space. With {@code ~} alone, that step walked every deleted entry of the next
     * kind on every record (the per-record due check): the cost grew with the history (docs/benchmarks.md).
     */
    private static final String END = "~";
    private static final String AFTER_END = "~~";
    /** Span end of a batch that still runs. */
    private static final long OPEN = Long.MAX_VALUE;
    private static final int PAD = 19;
    private static final String FINALIZE = "F";
    private static final String EXPIRE = "X";
    private static final String PENDING = "P";
    /**
     * Due entries of readings, written before readings were keyed by their end ({@link #readingKey}): taken until the
     * last of them is due (one correction window after an upgrade), never written now.
     */
    private static final String READING = "R";
    /** Key in carbon-clock of the end of the last reading forgotten ({@link #forgetReadings}). */
    private static final String READINGS_FORGOTTEN = "readings-forgotten";
    /** Prefix of a reading's part kept in carbon-allocations (pending parts are prefixed {@link #PENDING}). */
    private static final String ALLOCATED = "A";
    private static final StringSerializer KEYS = new StringSerializer();
    private static final StateSerde<BatchFootprint> CONTENT = StateSerde.of(BatchFootprint.class);

    private final CarbonSettings settings;
    private ProcessorContext<String, BatchFootprint> context;
    private KeyValueStore<String, CarbonBatchState> batches;
    private KeyValueStore<String, CarbonBatchSpan> spans;
    private KeyValueStore<String, CarbonOwnerState> owners;
    private KeyValueStore<String, EnergyAllocation> allocations;
    private KeyValueStore<String, CarbonEnergyTotal> totals;
    private KeyValueStore<String, EnergyAllocation> pending;
    private KeyValueStore<String, CarbonReading> readings;
    private KeyValueStore<String, CarbonDue> due;
    private KeyValueStore<String, BatchFootprint> unallocated;
    private KeyValueStore<String, CarbonLedgerClock> clockStore;
    private EventDeduplicator dedup;
    private CarbonLedger ledger;
    private long lastWallMs;

    CarbonSiteLedger(CarbonSettings settings) {
        this.settings = settings;
    }

    /** The stores this processor uses, to connect to it. */
    static String[] storeNames() {
        return new String[] {StoreNames.CARBON_BATCHES, StoreNames.CARBON_BATCH_SPANS, StoreNames.CARBON_OWNERS,
            StoreNames.CARBON_ALLOCATIONS, StoreNames.CARBON_BATCH_ENERGY, StoreNames.CARBON_PENDING, StoreNames.CARBON_READINGS, StoreNames.CARBON_DUE,
            StoreNames.CARBON_UNALLOCATED, StoreNames.CARBON_SEEN_EVENTS, StoreNames.CARBON_CLOCK};
    }

    @Override
    public void init(ProcessorContext<String, BatchFootprint> context) {
        this.context = context;
        batches = context.getStateStore(StoreNames.CARBON_BATCHES);
        spans = context.getStateStore(StoreNames.CARBON_BATCH_SPANS);
        owners = context.getStateStore(StoreNames.CARBON_OWNERS);
        allocations = context.getStateStore(StoreNames.CARBON_ALLOCATIONS);
        totals = context.getStateStore(StoreNames.CARBON_BATCH_ENERGY);
        pending = context.getStateStore(StoreNames.CARBON_PENDING);
        readings = context.getStateStore(StoreNames.CARBON_READINGS);
        due = context.getStateStore(StoreNames.CARBON_DUE);
        unallocated = context.getStateStore(StoreNames.CARBON_UNALLOCATED);
        clockStore = context.getStateStore(StoreNames.CARBON_CLOCK);
        WindowStore<String, Long> seen = context.getStateStore(StoreNames.CARBON_SEEN_EVENTS);
        dedup = new EventDeduplicator(seen, settings.correctionWindow());
        VersionedKeyValueStore<String, EmissionFactor> factors = context.getStateStore(StoreNames.EMISSION_FACTOR_VERSIONS);
        ledger = new CarbonLedger(new VersionedFactorLookup(factors), settings.fallbackFactorRegion());
        for (String kind : List.of(FINALIZE, EXPIRE, PENDING, READING)) {
            for (String marker : List.of(END, AFTER_END)) {
                if (due.get(kind + SEP + marker) == null) {
                    due.put(kind + SEP + marker, new CarbonDue(marker));
                }
            }
        }
        lastWallMs = context.currentSystemTimeMs();
        context.schedule(settings.idleAdvanceInterval(), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
        context.schedule(settings.factorRecheckInterval(), PunctuationType.WALL_CLOCK_TIME, wallMs -> recheckPublished());
    }

    @Override
    public void process(Record<String, CarbonLedgerInput> record) {
        CarbonLedgerInput in = record.value();
        if (in == null || (in.getBatch() == null) == (in.getEnergy() == null)) {
            throw new BadRecordException(DeadLetterReason.NULL_VALUE, "carbon ledger input must hold a batch event or an energy reading");
        }
        if (in.getBatch() != null) {
            onBatch(record.key(), in.getBatch(), in.getGridRegion());
        } else {
            onEnergy(in.getEnergy());
        }
        lastWallMs = context.currentSystemTimeMs();
        finalizeDue();
    }

    // ---- batches ----

    private void onBatch(String siteId, BatchEvent e, String gridRegion) {
        String seenKey = "batch" + SEP + e.getEventId();
        long at = e.getTimestamp().toEpochMilli();
        if (dedup.seen(seenKey, at)) {
            return;
        }
        rejectIfLate(e.getTimestamp(), "batch event " + e.getEventId());
        dedup.remember(seenKey, at);
        advanceClock(e.getTimestamp());

        CarbonBatchState state = batches.get(e.getBatchId());
        if (state == null) {
            state = CarbonBatchState.newBuilder().setBatchId(e.getBatchId()).setLineId(e.getLineId()).setSiteId(siteId)
                    .setProductId(e.getProductId()).build();
        }
        List<String> spanKeysBefore = spanKeys(state);
        if (gridRegion != null) {
            state.setGridRegion(gridRegion);
        }
        List<MaterialCharge> materials = new ArrayList<>(state.getMaterials());
        materials.addAll(e.getMaterials());
        state.setMaterials(materials);
        if (e.getProcessCo2Kg() != null) {
            state.setProcessCo2Kg((state.getProcessCo2Kg() == null ? 0 : state.getProcessCo2Kg()) + e.getProcessCo2Kg());
        }
        if (e.getOutputGoodMassKg() != null) {
            state.setOutputGoodMassKg(e.getOutputGoodMassKg());
        }
        if (e.getOutputTotalMassKg() != null) {
            state.setOutputTotalMassKg(e.getOutputTotalMassKg());
        }
        if (e.getPieces() != null) {
            state.setPieces(e.getPieces());
        }
        if (e.getProductBiogenicCarbonKgPerKg() != null) {
            state.setProductBiogenicCarbonKgPerKg(e.getProductBiogenicCarbonKgPerKg());
        }
        switch (e.getEventType()) {
            case STARTED -> {
                if (state.getStartedAt() == null || e.getTimestamp().isBefore(state.getStartedAt())) {
                    state.setStartedAt(e.getTimestamp());
                }
            }
            case COMPLETED -> {
                state.setCompletedAt(e.getTimestamp());
                schedule(FINALIZE, e.getTimestamp().plus(settings.finalizationDelay()).toEpochMilli(), state.getBatchId());
            }
            case CANCELLED -> state.setCancelledAt(e.getTimestamp());
            case MATERIAL_CHARGED -> { }
        }
        if (e.getEventType() == BatchEventType.COMPLETED || e.getEventType() == BatchEventType.CANCELLED) {
            // kept for the correction window after its end, then pruned (prune: end < clock - window)
            schedule(EXPIRE, e.getTimestamp().plus(settings.correctionWindow()).toEpochMilli() + 1, state.getBatchId());
        }
        batches.put(state.getBatchId(), state);
        indexSpan(spanKeysBefore, state);
        rememberLine(state);

        Set<String> touched = new LinkedHashSet<>();
        touched.add(state.getBatchId());
        if (e.getEventType() == BatchEventType.STARTED) {
            touched.addAll(reattributePending(lineOwner(state.getLineId())));
            if (siteId != null) {
                touched.addAll(reattributePending(siteOwner(siteId)));
            }
        }
        if (e.getEventType() != BatchEventType.MATERIAL_CHARGED) {
            touched.addAll(resplitAfter(state, e.getTimestamp(), e.getEventType() == BatchEventType.STARTED));
        }
        for (String batchId : touched) {
            CarbonBatchState s = batches.get(batchId);
            if (s != null && (s.getPublishedVersion() > 0 || s.getCompletedAt() != null || s.getCancelledAt() != null)) {
                publish(s);
            }
        }
    }

    // ---- energy ----

    private void onEnergy(EnergyMetered e) {
        String seenKey = "energy" + SEP + e.getEventId();
        long at = e.getTimestamp().toEpochMilli();
        if (dedup.seen(seenKey, at)) {
            return;
        }
        rejectIfLate(e.getTimestamp(), "energy reading " + e.getEventId());
        dedup.remember(seenKey, at);
        advanceClock(e.getTimestamp());

        String owner = e.getLineId() != null ? lineOwner(e.getLineId()) : siteOwner(e.getSiteId());
        CarbonReading reading = new CarbonReading(e.getEventId(), e.getMeterId(), e.getSiteId(), e.getLineId(), owner,
                e.getCarrier(), e.getUnit(), e.getQuantity(), e.getPeriodStart(), e.getTimestamp(), new ArrayList<>(), false);
        Set<String> touched = split(reading);
        for (String batchId : touched) {
            CarbonBatchState s = batches.get(batchId);
            if (s != null && s.getPublishedVersion() > 0) {
                publish(s);
            }
        }
    }

    /**
     * Splits a whole reading over its owner's batches as they are now known, replacing the parts it had (a batch
     * edge that arrived later, or a batch that started after it waited), unless the split is unchanged. Returns the
     * batches whose charges changed.
     */
    private Set<String> split(CarbonReading r) {
        List<Share> shares = EnergyAttribution.split(r.getPeriodStart(), r.getPeriodEnd(), r.getQuantity(),
                spans(r.getOwner(), r.getPeriodStart().toEpochMilli()));
        List<KeyValue<String, EnergyAllocation>> next = new ArrayList<>();
        List<EnergyAllocation> toUnallocated = new ArrayList<>();
        int n = 0;
        for (Share share : shares) {
            String lineId = share.lineId() != null ? share.lineId() : r.getLineId();
            EnergyAllocation a = new EnergyAllocation(r.getEventId(), r.getMeterId(), lineId,
                    share.batchId() != null ? regionOfBatch(share.batchId()) : regionOfLine(lineId), r.getCarrier(),
                    r.getUnit(), share.quantity(), share.start(), share.end(), r.getPeriodEnd(), r.getLineId() == null,
                    share.idle(), null);
            String suffix = r.getEventId() + SEP + (n++);
            if (share.idle() && settings.idleEnergy() == CarbonSettings.IdleEnergy.UNALLOCATED) {
                toUnallocated.add(a);
            } else if (share.batchId() == null) {
                next.add(KeyValue.pair(PENDING + r.getOwner() + SEP + suffix, a));
            } else {
                next.add(KeyValue.pair(ALLOCATED + allocationKey(share.batchId(), share.end().toEpochMilli(), suffix), a));
            }
        }
        List<EnergyAllocation> previous = new ArrayList<>(r.getParts().size());
        for (String part : r.getParts()) {
            previous.add(part.startsWith(ALLOCATED) ? allocations.get(part.substring(1)) : pending.get(part.substring(1)));
        }
        if (unchanged(r.getParts(), previous, next) && (toUnallocated.isEmpty() || r.getUnallocatedSent())) {
            return Set.of();
        }
        Set<String> touched = new LinkedHashSet<>();
        for (int i = 0; i < previous.size(); i++) {
            String part = r.getParts().get(i);
            if (previous.get(i) == null) {
                continue; // pruned (its batch expired) or moved to the unallocated ledger
            }
            if (part.startsWith(ALLOCATED)) {
                removeAllocation(part.substring(1), previous.get(i));
                touched.add(part.substring(1, part.indexOf(SEP)));
            } else {
                pending.delete(part.substring(1));
            }
        }
        List<String> parts = new ArrayList<>(next.size());
        for (KeyValue<String, EnergyAllocation> kv : next) {
            String key = kv.key.substring(1);
            if (kv.key.startsWith(ALLOCATED)) {
                String batchId = key.substring(0, key.indexOf(SEP));
                addAllocation(key, kv.value);
                touched.add(batchId);
            } else {
                pending.put(key, kv.value);
                // idle energy that waits a whole correction window for a next batch moves to the unallocated ledger
                schedule(PENDING, kv.value.getPeriodEnd().plus(settings.correctionWindow()).toEpochMilli() + 1, key);
            }
            parts.add(kv.key);
        }
        if (!r.getUnallocatedSent() && !toUnallocated.isEmpty()) {
            // the unallocated ledger only adds: a reading's idle energy goes there once, as first split
            toUnallocated.forEach(a -> addUnallocated(r.getOwner(), r.getSiteId(), a));
            r.setUnallocatedSent(true);
        }
        r.setParts(parts);
        readings.put(readingKey(r.getPeriodEnd().toEpochMilli(), r.getEventId()), r);
        return touched;
    }

    private static boolean unchanged(List<String> keys, List<EnergyAllocation> previous, List<KeyValue<String, EnergyAllocation>> next) {
        if (keys.size() != next.size()) {
            return false;
        }
        for (int i = 0; i < keys.size(); i++) {
            EnergyAllocation was = previous.get(i);
            EnergyAllocation now = next.get(i).value;
            if (was == null || !keys.get(i).equals(next.get(i).key) || was.getQuantity() != now.getQuantity()
                    || !was.getPeriodStart().equals(now.getPeriodStart()) || was.getIdle() != now.getIdle()
                    || !java.util.Objects.equals(was.getRegion(), now.getRegion())) {
                return false;
            }
        }
        return true;
    }

    private Set<String> reattributePending(String owner) {
        Set<String> readingKeys = new LinkedHashSet<>();
        try (KeyValueIterator<String, EnergyAllocation> it = pending.prefixScan(owner + SEP, KEYS)) {
            it.forEachRemaining(kv -> readingKeys.add(readingKeyOf(kv.value)));
        }
        return splitAgain(readingKeys);
    }

    /** Splits the readings of {@code readingKeys} ({@link #readingKey}) again; returns the batches whose charges changed. */
    private Set<String> splitAgain(Set<String> readingKeys) {
        Set<String> touched = new LinkedHashSet<>();
        for (String key : readingKeys) {
            CarbonReading r = readings.get(key);
            if (r == null) {
                // a reading kept before readings were keyed by their end is under its eventId (the key's tail)
                String eventId = key.substring(PAD + SEP.length());
                r = readings.get(eventId);
                if (r != null) {
                    // moved to its key by time, where the sweep finds it (its old due entry then finds nothing)
                    readings.put(key, r);
                    readings.put(eventId, null);
                }
            }
            if (r != null) {
                touched.addAll(split(r));
            }
        }
        return touched;
    }

    /**
     * The key of a reading in carbon-readings: the end of its period (its timestamp), zero-padded, then its eventId.
     * In time order, so the sweep forgets the readings past the correction window by a range read from where it last
     * stopped ({@link #forgetReadings}), without a due entry of their own; found again by a part of it, which knows
     * both ({@link EnergyAllocation#getEventId}, and {@link EnergyAllocation#getFactorAt}: the reading's end, at which
     * it is priced).
     */
    private static String readingKey(long periodEndMs, String eventId) {
        return pad(periodEndMs) + SEP + eventId;
    }

    private static String readingKeyOf(EnergyAllocation part) {
        return readingKey(part.getFactorAt().toEpochMilli(), part.getEventId());
    }

    /**
     * A batch edge (start, completion, cancellation) that arrives after readings covering it were charged: the
     * readings with a part charged to a batch of the same line or site that reaches past the edge are split again
     * over the batches as they are now known. Without this, readings processed before a late COMPLETED stay on the
     * batch as if it were still running (priced, correctly for themselves, with factors valid at their later
     * timestamps, so the completed batch listed factor versions valid only after it ended). A late STARTED also takes
     * back the idle energy charged to batches that start after it (it is now the next batch to start). The whole
     * reading is split again, not the part: a part can be one batch's half of a shared piece, or merged pieces of
     * different density. The batches looked at are those of the site whose span ends at or after the edge (a range of
     * the span index), and of each only the parts ending after the edge (a range of its allocations). Returns the
     * batches whose charges changed.
     */
    private Set<String> resplitAfter(CarbonBatchState changed, Instant edge, boolean started) {
        String line = lineOwner(changed.getLineId());
        String site = changed.getSiteId() == null ? null : siteOwner(changed.getSiteId());
        // the batches of the site that run or ended at or after the edge
        List<BatchSpan> candidates = spans(site != null ? site : line, edge.toEpochMilli() - 1);
        Set<String> readingKeys = new LinkedHashSet<>();
        for (BatchSpan span : candidates) {
            String batchId = span.batchId();
            List<EnergyAllocation> parts = new ArrayList<>();
            try (KeyValueIterator<String, EnergyAllocation> it = allocations.range(
                    allocationKey(batchId, edge.toEpochMilli() + 1, ""), allocationKey(batchId, OPEN, HIGH))) {
                it.forEachRemaining(kv -> parts.add(kv.value));
            }
            if (started && !batchId.equals(changed.getBatchId()) && !span.start().isBefore(edge)) {
                try (KeyValueIterator<String, EnergyAllocation> it = allocations.range(
                        allocationKey(batchId, 0, ""), allocationKey(batchId, edge.toEpochMilli(), HIGH))) {
                    it.forEachRemaining(kv -> {
                        if (kv.value.getIdle()) {
                            parts.add(kv.value);
                        }
                    });
                }
            }
            for (EnergyAllocation part : parts) {
                String owner = part.getSharedMeter() ? site : lineOwner(part.getLineId());
                if (line.equals(owner) || Objects.equals(site, owner)) {
                    readingKeys.add(readingKeyOf(part));
                }
            }
        }
        return splitAgain(readingKeys);
    }

    private void addUnallocated(String owner, String siteId, EnergyAllocation part) {
        String lineId = owner.startsWith("line:") ? owner.substring("line:".length()) : null;
        countGaps(ledger.price(part).gaps());
        unallocated.put(owner, ledger.accumulateUnallocated(unallocated.get(owner), owner, lineId, siteId, part));
    }

    // ---- span index ----

    /**
     * The batches of {@code owner} whose span ends after {@code afterMs} or that still run: all a period from there
     * needs. Running batches come from the owner's state (no key of theirs is ever deleted from the range scanned),
     * ended ones from a range of the span index.
     */
    private List<BatchSpan> spans(String owner, long afterMs) {
        List<BatchSpan> found = new ArrayList<>();
        CarbonOwnerState state = owners.get(owner);
        if (state != null) {
            state.getRunning().forEach(r -> found.add(new BatchSpan(r.getBatchId(), r.getLineId(), r.getStartedAt(), null)));
        }
        try (KeyValueIterator<String, CarbonBatchSpan> it = spans.range(spanKey(owner, afterMs + 1, ""), spanKey(owner, OPEN, HIGH))) {
            while (it.hasNext()) {
                CarbonBatchSpan s = it.next().value;
                found.add(new BatchSpan(s.getBatchId(), s.getLineId(), s.getStartedAt(), s.getEndedAt()));
            }
        }
        return found;
    }

    /** The span of a started batch: end = completion, else cancellation, at least 1 ms after its start; null end while it runs. */
    private static CarbonBatchSpan spanOf(CarbonBatchState s) {
        if (s.getStartedAt() == null) {
            return null;
        }
        Instant end = s.getCompletedAt() != null ? s.getCompletedAt() : s.getCancelledAt();
        if (end != null && !end.isAfter(s.getStartedAt())) {
            end = s.getStartedAt().plusMillis(1);
        }
        return new CarbonBatchSpan(s.getBatchId(), s.getLineId(), s.getStartedAt(), end);
    }

    private static List<String> owners(CarbonBatchState s) {
        return s.getSiteId() == null ? List.of(lineOwner(s.getLineId())) : List.of(lineOwner(s.getLineId()), siteOwner(s.getSiteId()));
    }

    /** Keys of an ended batch in the span index (none while it runs or before it starts). */
    private static List<String> spanKeys(CarbonBatchState s) {
        CarbonBatchSpan span = spanOf(s);
        if (span == null || span.getEndedAt() == null) {
            return List.of();
        }
        return owners(s).stream().map(o -> spanKey(o, span.getEndedAt().toEpochMilli(), s.getBatchId())).toList();
    }

    /** Keeps the batch in its line's and site's running list, or in the span index once it ended. */
    private void indexSpan(List<String> before, CarbonBatchState state) {
        List<String> after = spanKeys(state);
        before.stream().filter(k -> !after.contains(k)).forEach(spans::delete);
        CarbonBatchSpan span = spanOf(state);
        after.forEach(k -> spans.put(k, span));
        if (!after.isEmpty() && before.isEmpty()) {
            for (String owner : owners(state)) {
                for (String marker : List.of(END, AFTER_END)) {
                    if (spans.get(owner + SEP + marker) == null) {
                        spans.put(owner + SEP + marker, new CarbonBatchSpan(marker, marker, Instant.EPOCH, null));
                    }
                }
            }
        }
        if (span == null) {
            return;
        }
        boolean running = span.getEndedAt() == null;
        for (String owner : owners(state)) {
            CarbonOwnerState o = owner(owner);
            List<CarbonRunningBatch> list = new ArrayList<>(o.getRunning());
            boolean changed = list.removeIf(r -> r.getBatchId().equals(state.getBatchId()));
            if (running) {
                list.add(new CarbonRunningBatch(state.getBatchId(), state.getLineId(), state.getStartedAt()));
                changed = true;
            }
            if (changed) {
                o.setRunning(list);
                owners.put(owner, o);
            }
        }
    }

    private CarbonOwnerState owner(String owner) {
        CarbonOwnerState o = owners.get(owner);
        return o != null ? o : new CarbonOwnerState(null, null, null, null, new ArrayList<>());
    }

    private static String spanKey(String owner, long endMs, String batchId) {
        return owner + SEP + pad(endMs) + SEP + batchId;
    }

    // ---- lines ----

    private void rememberLine(CarbonBatchState s) {
        CarbonOwnerState line = owner(lineOwner(s.getLineId()));
        if (line.getSiteId() == null) {
            line.setSiteId(s.getSiteId());
        }
        // the grid region of the line's most recently started batch (ties: the smallest batchId)
        if (s.getGridRegion() != null && (line.getRegionBatchId() == null || line.getRegionBatchId().equals(s.getBatchId())
                || compare(s.getStartedAt(), line.getRegionStartedAt()) > 0
                || (compare(s.getStartedAt(), line.getRegionStartedAt()) == 0 && s.getBatchId().compareTo(line.getRegionBatchId()) < 0))) {
            line.setGridRegion(s.getGridRegion());
            line.setRegionBatchId(s.getBatchId());
            line.setRegionStartedAt(s.getStartedAt());
        }
        owners.put(lineOwner(s.getLineId()), line);
    }

    private String regionOfBatch(String batchId) {
        CarbonBatchState s = batches.get(batchId);
        return s == null ? null : s.getGridRegion();
    }

    /** The grid region of a line's most recently started batch, for energy not charged to a batch. */
    private String regionOfLine(String lineId) {
        if (lineId == null) {
            return null;
        }
        CarbonOwnerState line = owners.get(lineOwner(lineId));
        return line == null ? null : line.getGridRegion();
    }

    private String siteOf(String owner) {
        if (owner.startsWith("site:")) {
            return owner.substring("site:".length());
        }
        CarbonOwnerState line = owners.get(owner);
        return line == null ? null : line.getSiteId();
    }

    private static int compare(Instant a, Instant b) {
        return a == null ? (b == null ? 0 : -1) : b == null ? 1 : a.compareTo(b);
    }

    // ---- allocations and running totals ----

    private void addAllocation(String key, EnergyAllocation a) {
        String batchId = key.substring(0, key.indexOf(SEP));
        CarbonLedger.Pricing pricing = ledger.pricing(a);
        String totalKey = batchId + SEP + a.getCarrier() + SEP + a.getUnit() + SEP + a.getRegion() + SEP
                + Long.toHexString(SchemaNormalization.fingerprint64(pricing.trace().getBytes(StandardCharsets.UTF_8)));
        CarbonEnergyTotal total = totals.get(totalKey);
        if (total == null) {
            total = new CarbonEnergyTotal(a.getCarrier(), a.getUnit(), a.getRegion(), a.getLineId(), pricing.trace(),
                    a.getFactorAt(), a.getFactorAt(), ByteBuffer.wrap(BigInteger.ZERO.toByteArray()), 0, 0, new ArrayList<>());
        }
        setQuantity(total, quantity(total).add(new BigDecimal(a.getQuantity())));
        total.setParts(total.getParts() + 1);
        if (a.getFactorAt().isBefore(total.getFirstFactorAt())) {
            total.setFirstFactorAt(a.getFactorAt());
        }
        if (a.getFactorAt().isAfter(total.getLastFactorAt())) {
            total.setLastFactorAt(a.getFactorAt());
        }
        if (pricing.gap()) {
            List<CarbonGapPart> gaps = new ArrayList<>(total.getGaps());
            for (FootprintGap gap : ledger.price(a).gaps()) {
                gaps.add(new CarbonGapPart(key, gap));
            }
            total.setGaps(gaps);
        }
        totals.put(totalKey, total);
        a.setTotalKey(totalKey);
        allocations.put(key, a);
    }

    private void removeAllocation(String key, EnergyAllocation a) {
        allocations.delete(key);
        CarbonEnergyTotal total = a.getTotalKey() == null ? null : totals.get(a.getTotalKey());
        if (total == null) {
            return;
        }
        if (total.getParts() <= 1) {
            totals.delete(a.getTotalKey());
            return;
        }
        setQuantity(total, quantity(total).subtract(new BigDecimal(a.getQuantity())));
        total.setParts(total.getParts() - 1);
        if (!total.getGaps().isEmpty()) {
            total.setGaps(new ArrayList<>(total.getGaps().stream().filter(g -> !g.getPartKey().equals(key)).toList()));
        }
        totals.put(a.getTotalKey(), total);
    }

    /** Sums the batch's parts again, each priced as of now (after a factor version they used changed). */
    private void regroup(String batchId) {
        deletePrefix(totals, batchId + SEP);
        List<KeyValue<String, EnergyAllocation>> parts = new ArrayList<>();
        try (KeyValueIterator<String, EnergyAllocation> it = allocations.prefixScan(batchId + SEP, KEYS)) {
            it.forEachRemaining(parts::add);
        }
        for (KeyValue<String, EnergyAllocation> kv : parts) {
            kv.value.setTotalKey(null);
            addAllocation(kv.key, kv.value);
        }
    }

    private List<CarbonEnergyTotal> totalsOf(String batchId) {
        List<CarbonEnergyTotal> found = new ArrayList<>();
        try (KeyValueIterator<String, CarbonEnergyTotal> it = totals.prefixScan(batchId + SEP, KEYS)) {
            it.forEachRemaining(kv -> found.add(kv.value));
        }
        return found;
    }

    /** True when a total is still priced with the factors valid now at its first and last factorAt. */
    private boolean current(CarbonEnergyTotal t) {
        return ledger.pricing(representative(t, t.getFirstFactorAt())).trace().equals(t.getPricing())
                && ledger.pricing(representative(t, t.getLastFactorAt())).trace().equals(t.getPricing());
    }

    private static EnergyAllocation representative(CarbonEnergyTotal t, Instant factorAt) {
        return new EnergyAllocation("", "", t.getLineId(), t.getRegion(), t.getCarrier(), t.getUnit(),
                quantity(t).doubleValue(), t.getFirstFactorAt(), t.getLastFactorAt(), factorAt, false, false, null);
    }

    private static BigDecimal quantity(CarbonEnergyTotal t) {
        ByteBuffer b = t.getQuantityUnscaled().duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new BigDecimal(new BigInteger(bytes), t.getQuantityScale());
    }

    private static void setQuantity(CarbonEnergyTotal t, BigDecimal q) {
        BigDecimal exact = q.signum() == 0 ? BigDecimal.ZERO : q.stripTrailingZeros();
        t.setQuantityUnscaled(ByteBuffer.wrap(exact.unscaledValue().toByteArray()));
        t.setQuantityScale(exact.scale());
    }

    private static String allocationKey(String batchId, long periodEndMs, String partKey) {
        return batchId + SEP + pad(periodEndMs) + SEP + partKey;
    }

    // ---- publication ----

    private void publish(CarbonBatchState state) {
        List<CarbonEnergyTotal> energy = totalsOf(state.getBatchId());
        if (!energy.stream().allMatch(this::current)) {
            regroup(state.getBatchId());
            energy = totalsOf(state.getBatchId());
        }
        List<CarbonLedger.Priced> priced = new ArrayList<>(energy.size());
        for (CarbonEnergyTotal t : energy) {
            List<FootprintGap> gaps = t.getGaps().stream().map(CarbonGapPart::getGap).toList();
            priced.add(CarbonLedger.withGaps(ledger.price(representative(t, t.getLastFactorAt())), new ArrayList<>(gaps)));
        }
        BatchFootprint next = ledger.footprintOfPriced(state, priced);
        long fingerprint = contentFingerprint(next);
        boolean first = state.getPublishedVersion() == 0;
        boolean newContent = first || fingerprint != state.getPublishedContentFingerprint();
        if (!newContent && state.getPublishedStatus() == next.getStatus()) {
            return;
        }
        if (first) {
            next.setVersion(1);
        } else if (newContent) {
            next.setVersion(state.getPublishedVersion() + 1);
            next.setReplacesVersion(state.getPublishedVersion());
        } else {
            next.setVersion(state.getPublishedVersion());
            next.setReplacesVersion(state.getPublishedReplacesVersion());
        }
        if (newContent) {
            countGaps(next.getGaps());
        }
        state.setPublishedVersion(next.getVersion());
        state.setPublishedReplacesVersion(next.getReplacesVersion());
        state.setPublishedStatus(next.getStatus());
        state.setPublishedContentFingerprint(fingerprint);
        batches.put(state.getBatchId(), state);
        context.forward(new Record<>(state.getBatchId(), next, clock()));
    }

    /** Fingerprint of everything but status, version and replacesVersion (set aside on {@code f}, then restored). */
    private static long contentFingerprint(BatchFootprint f) {
        FootprintStatus status = f.getStatus();
        int version = f.getVersion();
        Integer replaces = f.getReplacesVersion();
        f.setStatus(FootprintStatus.PROVISIONAL);
        f.setVersion(0);
        f.setReplacesVersion(null);
        long fingerprint = SchemaNormalization.fingerprint64(CONTENT.encode(f));
        f.setStatus(status);
        f.setVersion(version);
        f.setReplacesVersion(replaces);
        return fingerprint;
    }

    private static void countGaps(List<FootprintGap> gaps) {
        for (FootprintGap g : gaps) {
            Metrics.globalRegistry.counter(GAPS_METRIC, "carrier", g.getCarrier().name(),
                    "basis", g.getBasis() == null ? "ALL" : g.getBasis().name()).increment();
        }
    }

    // ---- due index: finalization, expiry, stale pending energy ----

    private void schedule(String kind, long dueMs, String ref) {
        // never before what was already taken: the range read starts there (deleted keys before it are not walked)
        long at = Math.max(Math.max(0, dueMs), watermark(kind));
        due.put(kind + SEP + pad(at) + SEP + ref, new CarbonDue(ref));
    }

    /**
     * The entries of one kind due at or before {@code nowMs}, removed from the index. The range starts at the due
     * time of the last entry taken (kept in carbon-clock), so it never walks the deletions of entries taken before.
     */
    private List<String> takeDue(String kind, long nowMs) {
        long from = watermark(kind);
        if (nowMs < from) {
            return List.of();
        }
        List<KeyValue<String, CarbonDue>> found = new ArrayList<>();
        try (KeyValueIterator<String, CarbonDue> it = due.range(kind + SEP + pad(from), kind + SEP + pad(nowMs) + SEP + HIGH)) {
            it.forEachRemaining(found::add);
        }
        if (found.isEmpty()) {
            return List.of();
        }
        found.forEach(kv -> due.put(kv.key, null)); // a delete that does not read the value back (delete() returns it)
        String last = found.get(found.size() - 1).key;
        long lastMs = Long.parseLong(last.substring(kind.length() + SEP.length(), kind.length() + SEP.length() + PAD));
        clockStore.put(WATERMARK + kind, new CarbonLedgerClock(lastMs));
        return found.stream().map(kv -> kv.value.getRef()).toList();
    }

    private long watermark(String kind) {
        CarbonLedgerClock w = clockStore.get(WATERMARK + kind);
        return w == null ? 0L : w.getEventClockMs();
    }

    private void finalizeDue() {
        long now = clock();
        Duration delay = settings.finalizationDelay();
        for (String batchId : takeDue(FINALIZE, now)) {
            CarbonBatchState s = batches.get(batchId);
            if (s != null && !s.getFinalized() && s.getCancelledAt() == null && s.getCompletedAt() != null
                    && s.getCompletedAt().plus(delay).toEpochMilli() <= now) {
                s.setFinalized(true);
                batches.put(s.getBatchId(), s);
                publish(s);
            }
        }
    }

    // ---- clock, re-check, pruning ----

    private void onWallClock(long wallMs) {
        CarbonLedgerClock clock = clockStore.get(CLOCK_KEY);
        if (clock != null && wallMs > lastWallMs) {
            clockStore.put(CLOCK_KEY, new CarbonLedgerClock(clock.getEventClockMs() + (wallMs - lastWallMs)));
        }
        lastWallMs = wallMs;
        finalizeDue();
        prune();
    }

    /**
     * Emission factors live in a global store that cannot trigger anything: published footprints whose running
     * totals were priced with factor versions that are no longer the ones valid (a correction, a new version, a first
     * version where there was a gap) are re-priced and published again when their content changed.
     */
    private void recheckPublished() {
        List<CarbonBatchState> live = new ArrayList<>();
        try (KeyValueIterator<String, CarbonBatchState> it = batches.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value.getPublishedVersion() > 0) {
                    live.add(kv.value);
                }
            });
        }
        for (CarbonBatchState s : live) {
            if (!totalsOf(s.getBatchId()).stream().allMatch(this::current)) {
                publish(s);
            }
        }
    }

    private void prune() {
        long now = clock();
        long horizon = now - settings.correctionWindow().toMillis();
        for (String batchId : takeDue(EXPIRE, now)) {
            CarbonBatchState s = batches.get(batchId);
            Instant end = s == null ? null : s.getCompletedAt() != null ? s.getCompletedAt() : s.getCancelledAt();
            if (end != null && end.toEpochMilli() < horizon && s.getPublishedVersion() > 0) {
                deletePrefix(allocations, batchId + SEP);
                deletePrefix(totals, batchId + SEP);
                // deletes as puts of null: delete() would read each value back to return it
                spanKeys(s).forEach(key -> spans.put(key, null));
                batches.put(batchId, null);
            }
        }
        forgetReadings(horizon);
        for (String eventId : takeDue(READING, now)) {
            CarbonReading r = readings.get(eventId);
            if (r != null && r.getPeriodEnd().toEpochMilli() < horizon) {
                readings.put(eventId, null); // a reading kept under its eventId before they were keyed by their end
            }
        }
        for (String key : takeDue(PENDING, now)) {
            EnergyAllocation waiting = pending.get(key);
            if (waiting != null && waiting.getPeriodEnd().toEpochMilli() < horizon) {
                pending.put(key, null);
                String owner = key.substring(0, key.indexOf(SEP));
                addUnallocated(owner, siteOf(owner), waiting);
            }
        }
    }

    /**
     * Forgets the readings that ended before {@code horizonMs}: no edge can split them again (an edge that old is
     * LATE). One range read of carbon-readings, in time order, from the end of the last reading forgotten (kept in
     * carbon-clock), so it never walks the deletions of earlier sweeps. A reading accepted later cannot sort before
     * that point: it is at most one correction window older than the clock, and the horizon is the clock less one
     * correction window.
     */
    private void forgetReadings(long horizonMs) {
        CarbonLedgerClock mark = clockStore.get(READINGS_FORGOTTEN);
        long from = mark == null ? 0L : mark.getEventClockMs();
        if (horizonMs <= from) {
            return;
        }
        List<String> keys = new ArrayList<>();
        long last = from;
        try (KeyValueIterator<String, CarbonReading> it = readings.range(pad(from), pad(horizonMs - 1) + SEP + HIGH)) {
            while (it.hasNext()) {
                KeyValue<String, CarbonReading> kv = it.next();
                long end = kv.value.getPeriodEnd().toEpochMilli();
                if (end < horizonMs) { // else a reading kept under its eventId whose id happens to sort here
                    keys.add(kv.key);
                    last = Math.max(last, end);
                }
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        keys.forEach(key -> readings.put(key, null)); // deletes, without reading each value back as delete() would
        // every reading keyed by time that ended before the horizon is gone: the next read may start at the last end
        clockStore.put(READINGS_FORGOTTEN, new CarbonLedgerClock(last));
    }

    private static <V> void deletePrefix(KeyValueStore<String, V> store, String prefix) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.prefixScan(prefix, KEYS)) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(key -> store.put(key, null)); // deletes, without reading each value back as delete() would
    }

    private void rejectIfLate(Instant eventTime, String what) {
        CarbonLedgerClock clock = clockStore.get(CLOCK_KEY);
        if (clock != null && eventTime.toEpochMilli() < clock.getEventClockMs() - settings.correctionWindow().toMillis()) {
            throw BadRecordException.late(what + " at " + eventTime + " is older than the correction window "
                    + settings.correctionWindow() + " (event clock " + Instant.ofEpochMilli(clock.getEventClockMs()) + ")");
        }
    }

    private void advanceClock(Instant eventTime) {
        CarbonLedgerClock clock = clockStore.get(CLOCK_KEY);
        if (clock == null || eventTime.toEpochMilli() > clock.getEventClockMs()) {
            clockStore.put(CLOCK_KEY, new CarbonLedgerClock(eventTime.toEpochMilli()));
        }
    }

    private long clock() {
        CarbonLedgerClock clock = clockStore.get(CLOCK_KEY);
        return clock == null ? 0L : clock.getEventClockMs();
    }

    private static String pad(long ms) {
        String digits = Long.toString(ms);
        return "0".repeat(Math.max(0, PAD - digits.length())) + digits;
    }

    static String lineOwner(String lineId) {
        return "line:" + lineId;
    }

    static String siteOwner(String siteId) {
        return "site:" + siteId;
    }
}

package io.greenline.streams.carbon;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchFootprint;
import io.greenline.events.CarbonBatchState;
import io.greenline.events.CarbonLedgerInput;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EnergyAllocation;
import io.greenline.events.EnergyMetered;
import io.greenline.events.FootprintGap;
import io.greenline.events.FootprintStatus;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.streams.StoreNames;
import io.greenline.streams.carbon.EnergyAttribution.BatchSpan;
import io.greenline.streams.carbon.EnergyAttribution.Share;
import io.greenline.streams.errors.BadRecordException;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedKeyValueStore;

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
 */
final class CarbonSiteLedger implements Processor<String, CarbonLedgerInput, String, BatchFootprint> {

    static final String GAPS_METRIC = "greenline.carbon.gaps";
    private static final String CLOCK_KEY = "event-clock";
    private static final String SEP = "|";
    private static final StringSerializer KEYS = new StringSerializer();

    private final CarbonSettings settings;
    private ProcessorContext<String, BatchFootprint> context;
    private KeyValueStore<String, CarbonBatchState> batches;
    private KeyValueStore<String, EnergyAllocation> allocations;
    private KeyValueStore<String, EnergyAllocation> pending;
    private KeyValueStore<String, BatchFootprint> published;
    private KeyValueStore<String, BatchFootprint> unallocated;
    private KeyValueStore<String, Long> seen;
    private KeyValueStore<String, Long> clockStore;
    private CarbonLedger ledger;
    private long lastWallMs;

    CarbonSiteLedger(CarbonSettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, BatchFootprint> context) {
        this.context = context;
        batches = context.getStateStore(StoreNames.CARBON_BATCHES);
        allocations = context.getStateStore(StoreNames.CARBON_ALLOCATIONS);
        pending = context.getStateStore(StoreNames.CARBON_PENDING);
        published = context.getStateStore(StoreNames.CARBON_PUBLISHED);
        unallocated = context.getStateStore(StoreNames.CARBON_UNALLOCATED);
        seen = context.getStateStore(StoreNames.CARBON_SEEN_EVENTS);
        clockStore = context.getStateStore(StoreNames.CARBON_CLOCK);
        VersionedKeyValueStore<String, EmissionFactor> factors = context.getStateStore(StoreNames.EMISSION_FACTOR_VERSIONS);
        ledger = new CarbonLedger(new VersionedFactorLookup(factors), settings.fallbackFactorRegion());
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
        if (seen.get(seenKey) != null) {
            return;
        }
        rejectIfLate(e.getTimestamp(), "batch event " + e.getEventId());
        seen.put(seenKey, e.getTimestamp().toEpochMilli());
        advanceClock(e.getTimestamp());

        CarbonBatchState state = batches.get(e.getBatchId());
        if (state == null) {
            state = CarbonBatchState.newBuilder().setBatchId(e.getBatchId()).setLineId(e.getLineId()).setSiteId(siteId)
                    .setProductId(e.getProductId()).build();
        }
        if (gridRegion != null) {
            state.setGridRegion(gridRegion);
        }
        List<io.greenline.events.MaterialCharge> materials = new ArrayList<>(state.getMaterials());
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
            case COMPLETED -> state.setCompletedAt(e.getTimestamp());
            case CANCELLED -> state.setCancelledAt(e.getTimestamp());
            case MATERIAL_CHARGED -> { }
        }
        batches.put(state.getBatchId(), state);

        Set<String> touched = new LinkedHashSet<>();
        touched.add(state.getBatchId());
        if (e.getEventType() == io.greenline.events.BatchEventType.STARTED) {
            touched.addAll(reattributePending(lineOwner(state.getLineId())));
            touched.addAll(reattributePending(siteOwner(siteId)));
        }
        if (e.getEventType() != io.greenline.events.BatchEventType.MATERIAL_CHARGED) {
            touched.addAll(resplitAfter(state, e.getTimestamp()));
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
        if (seen.get(seenKey) != null) {
            return;
        }
        rejectIfLate(e.getTimestamp(), "energy reading " + e.getEventId());
        seen.put(seenKey, e.getTimestamp().toEpochMilli());
        advanceClock(e.getTimestamp());

        String owner = e.getLineId() != null ? lineOwner(e.getLineId()) : siteOwner(e.getSiteId());
        EnergyAllocation reading = EnergyAllocation.newBuilder()
                .setEventId(e.getEventId()).setMeterId(e.getMeterId()).setLineId(e.getLineId())
                .setRegion(null).setCarrier(e.getCarrier()).setUnit(e.getUnit()).setQuantity(e.getQuantity())
                .setPeriodStart(e.getPeriodStart()).setPeriodEnd(e.getTimestamp()).setFactorAt(e.getTimestamp())
                .setSharedMeter(e.getLineId() == null).setIdle(false).build();
        Set<String> touched = attribute(owner, e.getSiteId(), reading, e.getEventId() + SEP + "0");
        for (String batchId : touched) {
            CarbonBatchState s = batches.get(batchId);
            if (s != null && s.getPublishedVersion() > 0) {
                publish(s);
            }
        }
    }

    /** Splits a reading (or a waiting part of one) over the owner's batches; returns the batches it was charged to. */
    private Set<String> attribute(String owner, String siteId, EnergyAllocation part, String partKey) {
        List<BatchSpan> spans = spans(owner);
        List<Share> shares = EnergyAttribution.split(part.getPeriodStart(), part.getPeriodEnd(), part.getQuantity(), spans);
        Set<String> touched = new LinkedHashSet<>();
        int n = 0;
        for (Share share : shares) {
            String lineId = share.lineId() != null ? share.lineId() : part.getLineId();
            EnergyAllocation a = new EnergyAllocation(part.getEventId(), part.getMeterId(), lineId,
                    share.batchId() != null ? regionOfBatch(share.batchId()) : regionOfLine(lineId), part.getCarrier(), part.getUnit(), share.quantity(), share.start(),
                    share.end(), part.getFactorAt(), part.getSharedMeter(), share.idle());
            String suffix = partKey + SEP + (n++);
            if (share.idle() && settings.idleEnergy() == CarbonSettings.IdleEnergy.UNALLOCATED) {
                addUnallocated(owner, siteId, a);
            } else if (share.batchId() == null) {
                pending.put(owner + SEP + suffix, a);
            } else {
                allocations.put(share.batchId() + SEP + suffix, a);
                touched.add(share.batchId());
            }
        }
        return touched;
    }

    private Set<String> reattributePending(String owner) {
        List<KeyValue<String, EnergyAllocation>> waiting = new ArrayList<>();
        try (KeyValueIterator<String, EnergyAllocation> it = pending.prefixScan(owner + SEP, KEYS)) {
            it.forEachRemaining(waiting::add);
        }
        Set<String> touched = new LinkedHashSet<>();
        for (KeyValue<String, EnergyAllocation> kv : waiting) {
            pending.delete(kv.key);
            String partKey = kv.key.substring(owner.length() + SEP.length());
            touched.addAll(attribute(owner, siteOf(owner), kv.value, partKey));
        }
        return touched;
    }

    /**
     * A batch edge (start, completion, cancellation) that arrives after readings covering it were charged: the parts
     * already charged to batches of the same line or site that reach past the edge are split again over the batches
     * as they are now known. Without this, readings processed before a late COMPLETED stay on the batch as if it were
     * still running (priced, correctly for themselves, with factors valid at their later timestamps, so the completed
     * batch listed factor versions valid only after it ended). Splitting is linear, so re-splitting each part alone
     * gives what splitting the whole readings would. Returns the batches whose charges changed.
     */
    private Set<String> resplitAfter(CarbonBatchState changed, Instant edge) {
        String line = lineOwner(changed.getLineId());
        String site = siteOwner(changed.getSiteId());
        List<String> siteBatches = new ArrayList<>();
        try (KeyValueIterator<String, CarbonBatchState> it = batches.all()) {
            it.forEachRemaining(kv -> {
                CarbonBatchState s = kv.value;
                Instant end = s.getCompletedAt() != null ? s.getCompletedAt() : s.getCancelledAt();
                // a batch that ended before the edge holds no part reaching past it (its own edge re-split them)
                boolean endedBefore = end != null && end.isBefore(edge) && !s.getBatchId().equals(changed.getBatchId());
                if (java.util.Objects.equals(changed.getSiteId(), s.getSiteId()) && !endedBefore) {
                    siteBatches.add(kv.key);
                }
            });
        }
        Set<String> touched = new LinkedHashSet<>();
        for (String batchId : siteBatches) {
            List<KeyValue<String, EnergyAllocation>> reaching = new ArrayList<>();
            try (KeyValueIterator<String, EnergyAllocation> it = allocations.prefixScan(batchId + SEP, KEYS)) {
                it.forEachRemaining(kv -> {
                    String owner = kv.value.getSharedMeter() ? site : lineOwner(kv.value.getLineId());
                    if (kv.value.getPeriodEnd().isAfter(edge) && (owner.equals(line) || owner.equals(site))) {
                        reaching.add(kv);
                    }
                });
            }
            for (KeyValue<String, EnergyAllocation> kv : reaching) {
                String partOwner = kv.value.getSharedMeter() ? site : line;
                List<Share> again = EnergyAttribution.split(kv.value.getPeriodStart(), kv.value.getPeriodEnd(),
                        kv.value.getQuantity(), spans(partOwner));
                if (again.size() == 1 && batchId.equals(again.get(0).batchId()) && again.get(0).idle() == kv.value.getIdle()) {
                    continue; // unchanged: keep the part (and its key) as it is
                }
                allocations.delete(kv.key);
                touched.add(batchId);
                String owner = kv.value.getSharedMeter() ? site : line;
                touched.addAll(attribute(owner, changed.getSiteId(), kv.value, kv.key.substring(batchId.length() + SEP.length())));
            }
        }
        return touched;
    }

    private void addUnallocated(String owner, String siteId, EnergyAllocation part) {
        String lineId = owner.startsWith("line:") ? owner.substring("line:".length()) : null;
        countGaps(ledger.price(part).gaps());
        unallocated.put(owner, ledger.accumulateUnallocated(unallocated.get(owner), owner, lineId, siteId, part));
    }

    private List<BatchSpan> spans(String owner) {
        List<BatchSpan> spans = new ArrayList<>();
        boolean line = owner.startsWith("line:");
        String id = owner.substring(owner.indexOf(':') + 1);
        try (KeyValueIterator<String, CarbonBatchState> it = batches.all()) {
            while (it.hasNext()) {
                CarbonBatchState s = it.next().value;
                if (s.getStartedAt() == null || !id.equals(line ? s.getLineId() : s.getSiteId())) {
                    continue;
                }
                Instant end = s.getCompletedAt() != null ? s.getCompletedAt() : s.getCancelledAt();
                if (end != null && !end.isAfter(s.getStartedAt())) {
                    end = s.getStartedAt().plusMillis(1);
                }
                spans.add(new BatchSpan(s.getBatchId(), s.getLineId(), s.getStartedAt(), end));
            }
        }
        return spans;
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
        CarbonBatchState latest = null;
        try (KeyValueIterator<String, CarbonBatchState> it = batches.all()) {
            while (it.hasNext()) {
                CarbonBatchState s = it.next().value;
                if (lineId.equals(s.getLineId()) && s.getGridRegion() != null
                        && (latest == null || compare(s.getStartedAt(), latest.getStartedAt()) > 0)) {
                    latest = s;
                }
            }
        }
        return latest == null ? null : latest.getGridRegion();
    }

    private static int compare(Instant a, Instant b) {
        return a == null ? (b == null ? 0 : -1) : b == null ? 1 : a.compareTo(b);
    }

    // ---- publication ----

    private void publish(CarbonBatchState state) {
        List<EnergyAllocation> energy = new ArrayList<>();
        try (KeyValueIterator<String, EnergyAllocation> it = allocations.prefixScan(state.getBatchId() + SEP, KEYS)) {
            it.forEachRemaining(kv -> energy.add(kv.value));
        }
        BatchFootprint next = ledger.footprint(state, energy);
        BatchFootprint previous = published.get(state.getBatchId());
        boolean newContent = previous == null || !sameContent(previous, next);
        if (!newContent && previous.getStatus() == next.getStatus()) {
            return;
        }
        if (previous == null) {
            next.setVersion(1);
        } else if (newContent) {
            next.setVersion(previous.getVersion() + 1);
            next.setReplacesVersion(previous.getVersion());
        } else {
            next.setVersion(previous.getVersion());
            next.setReplacesVersion(previous.getReplacesVersion());
        }
        if (newContent) {
            countGaps(next.getGaps());
        }
        published.put(state.getBatchId(), next);
        state.setPublishedVersion(next.getVersion());
        batches.put(state.getBatchId(), state);
        context.forward(new Record<>(state.getBatchId(), next, clock()));
    }

    /** Equal but for status, version and replacesVersion (compared on {@code next}, then restored). */
    private static boolean sameContent(BatchFootprint previous, BatchFootprint next) {
        FootprintStatus status = next.getStatus();
        int version = next.getVersion();
        Integer replaces = next.getReplacesVersion();
        next.setStatus(previous.getStatus());
        next.setVersion(previous.getVersion());
        next.setReplacesVersion(previous.getReplacesVersion());
        boolean same = previous.equals(next);
        next.setStatus(status);
        next.setVersion(version);
        next.setReplacesVersion(replaces);
        return same;
    }

    private static void countGaps(List<FootprintGap> gaps) {
        for (FootprintGap g : gaps) {
            Metrics.globalRegistry.counter(GAPS_METRIC, "carrier", g.getCarrier().name(),
                    "basis", g.getBasis() == null ? "ALL" : g.getBasis().name()).increment();
        }
    }

    private void finalizeDue() {
        long now = clock();
        Duration delay = settings.finalizationDelay();
        List<CarbonBatchState> due = new ArrayList<>();
        try (KeyValueIterator<String, CarbonBatchState> it = batches.all()) {
            while (it.hasNext()) {
                CarbonBatchState s = it.next().value;
                if (!s.getFinalized() && s.getCancelledAt() == null && s.getCompletedAt() != null
                        && s.getCompletedAt().plus(delay).toEpochMilli() <= now) {
                    due.add(s);
                }
            }
        }
        for (CarbonBatchState s : due) {
            s.setFinalized(true);
            batches.put(s.getBatchId(), s);
            publish(s);
        }
    }

    // ---- clock, re-check, pruning ----

    private void onWallClock(long wallMs) {
        Long clock = clockStore.get(CLOCK_KEY);
        if (clock != null && wallMs > lastWallMs) {
            clockStore.put(CLOCK_KEY, clock + (wallMs - lastWallMs));
        }
        lastWallMs = wallMs;
        finalizeDue();
        prune();
    }

    /** Emission factors live in a global store that cannot trigger anything: re-price published footprints. */
    private void recheckPublished() {
        List<CarbonBatchState> live = new ArrayList<>();
        try (KeyValueIterator<String, CarbonBatchState> it = batches.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value.getPublishedVersion() > 0) {
                    live.add(kv.value);
                }
            });
        }
        live.forEach(this::publish);
    }

    private void prune() {
        long horizon = clock() - settings.correctionWindow().toMillis();
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, CarbonBatchState> it = batches.all()) {
            it.forEachRemaining(kv -> {
                Instant end = kv.value.getCompletedAt() != null ? kv.value.getCompletedAt() : kv.value.getCancelledAt();
                if (end != null && end.toEpochMilli() < horizon && kv.value.getPublishedVersion() > 0) {
                    expired.add(kv.key);
                }
            });
        }
        for (String batchId : expired) {
            deletePrefix(allocations, batchId + SEP);
            published.delete(batchId);
            batches.delete(batchId);
        }
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = seen.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value < horizon) {
                    old.add(kv.key);
                }
            });
        }
        old.forEach(seen::delete);
        // idle energy that waited a whole correction window for a next batch moves to the unallocated ledger
        List<KeyValue<String, EnergyAllocation>> stale = new ArrayList<>();
        try (KeyValueIterator<String, EnergyAllocation> it = pending.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value.getPeriodEnd().toEpochMilli() < horizon) {
                    stale.add(kv);
                }
            });
        }
        for (KeyValue<String, EnergyAllocation> kv : stale) {
            pending.delete(kv.key);
            String owner = kv.key.substring(0, kv.key.indexOf(SEP));
            addUnallocated(owner, siteOf(owner), kv.value);
        }
    }

    private static <V> void deletePrefix(KeyValueStore<String, V> store, String prefix) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.prefixScan(prefix, KEYS)) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(store::delete);
    }

    private void rejectIfLate(Instant eventTime, String what) {
        Long clock = clockStore.get(CLOCK_KEY);
        if (clock != null && eventTime.toEpochMilli() < clock - settings.correctionWindow().toMillis()) {
            throw BadRecordException.late(what + " at " + eventTime + " is older than the correction window "
                    + settings.correctionWindow() + " (event clock " + Instant.ofEpochMilli(clock) + ")");
        }
    }

    private void advanceClock(Instant eventTime) {
        Long clock = clockStore.get(CLOCK_KEY);
        if (clock == null || eventTime.toEpochMilli() > clock) {
            clockStore.put(CLOCK_KEY, eventTime.toEpochMilli());
        }
    }

    private long clock() {
        Long clock = clockStore.get(CLOCK_KEY);
        return clock == null ? 0L : clock;
    }

    private String siteOf(String owner) {
        if (owner.startsWith("site:")) {
            return owner.substring("site:".length());
        }
        try (KeyValueIterator<String, CarbonBatchState> it = batches.all()) {
            String lineId = owner.substring("line:".length());
            while (it.hasNext()) {
                CarbonBatchState s = it.next().value;
                if (lineId.equals(s.getLineId())) {
                    return s.getSiteId();
                }
            }
        }
        return null;
    }

    static String lineOwner(String lineId) {
        return "line:" + lineId;
    }

    static String siteOwner(String siteId) {
        return "site:" + siteId;
    }
}

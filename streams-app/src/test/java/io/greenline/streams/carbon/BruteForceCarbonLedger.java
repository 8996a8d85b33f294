package io.greenline.streams.carbon;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchFootprint;
import io.greenline.events.CarbonBatchState;
import io.greenline.events.EnergyAllocation;
import io.greenline.events.EnergyMetered;
import io.greenline.events.MaterialCharge;
import io.greenline.streams.carbon.EnergyAttribution.BatchSpan;
import io.greenline.streams.carbon.EnergyAttribution.Share;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test oracle of the carbon ledger: the footprints recomputed from scratch from every batch event and reading
 * accepted, in any order: each batch as its events finally say, every reading split over the spans of every batch of
 * its line (or site, for a shared meter) by {@link EnergyAttribution}, every part priced alone with the factors as
 * they finally are. This is the shape of the ledger before it kept running totals (its {@code spans} and re-split
 * logic scanned every batch on every record); it has no state, no order and no shortcut, so it is an independent
 * check of the incremental ledger.
 */
final class BruteForceCarbonLedger {

    private final Map<String, CarbonBatchState> batches = new LinkedHashMap<>();
    private final Map<String, EnergyMetered> readings = new LinkedHashMap<>();
    private final Map<String, String> regions;

    /** @param regions grid region of each line */
    BruteForceCarbonLedger(Map<String, String> regions) {
        this.regions = regions;
    }

    void batch(String siteId, BatchEvent e) {
        CarbonBatchState s = batches.computeIfAbsent(e.getBatchId(), id -> CarbonBatchState.newBuilder().setBatchId(id)
                .setLineId(e.getLineId()).setSiteId(siteId).setProductId(e.getProductId())
                .setGridRegion(regions.get(e.getLineId())).build());
        List<MaterialCharge> materials = new ArrayList<>(s.getMaterials());
        materials.addAll(e.getMaterials());
        s.setMaterials(materials);
        if (e.getProcessCo2Kg() != null) {
            s.setProcessCo2Kg((s.getProcessCo2Kg() == null ? 0 : s.getProcessCo2Kg()) + e.getProcessCo2Kg());
        }
        if (e.getOutputGoodMassKg() != null) {
            s.setOutputGoodMassKg(e.getOutputGoodMassKg());
        }
        if (e.getOutputTotalMassKg() != null) {
            s.setOutputTotalMassKg(e.getOutputTotalMassKg());
        }
        switch (e.getEventType()) {
            case STARTED -> {
                if (s.getStartedAt() == null || e.getTimestamp().isBefore(s.getStartedAt())) {
                    s.setStartedAt(e.getTimestamp());
                }
            }
            case COMPLETED -> s.setCompletedAt(e.getTimestamp());
            case CANCELLED -> s.setCancelledAt(e.getTimestamp());
            case MATERIAL_CHARGED -> { }
        }
    }

    void reading(EnergyMetered e) {
        readings.putIfAbsent(e.getEventId(), e);
    }

    /** Footprint content (status and versions aside) of every batch that completed or was cancelled. */
    Map<String, BatchFootprint> footprints(FactorLookup factors, String fallbackRegion) {
        CarbonLedger ledger = new CarbonLedger(factors, fallbackRegion);
        Map<String, List<EnergyAllocation>> energy = new HashMap<>();
        for (EnergyMetered r : readings.values()) {
            String owner = r.getLineId() != null ? "line:" + r.getLineId() : "site:" + r.getSiteId();
            for (Share share : EnergyAttribution.split(r.getPeriodStart(), r.getTimestamp(), r.getQuantity(), spans(owner))) {
                if (share.batchId() == null) {
                    continue; // idle with no next batch: waits, in no footprint
                }
                energy.computeIfAbsent(share.batchId(), b -> new ArrayList<>()).add(EnergyAllocation.newBuilder()
                        .setEventId(r.getEventId()).setMeterId(r.getMeterId()).setLineId(share.lineId())
                        .setRegion(batches.get(share.batchId()).getGridRegion()).setCarrier(r.getCarrier()).setUnit(r.getUnit())
                        .setQuantity(share.quantity()).setPeriodStart(share.start()).setPeriodEnd(share.end())
                        .setFactorAt(r.getTimestamp()).setSharedMeter(r.getLineId() == null).setIdle(share.idle()).build());
            }
        }
        Map<String, BatchFootprint> out = new LinkedHashMap<>();
        for (CarbonBatchState s : batches.values()) {
            if (s.getCompletedAt() != null || s.getCancelledAt() != null) {
                out.put(s.getBatchId(), ledger.footprint(s, energy.getOrDefault(s.getBatchId(), List.of())));
            }
        }
        return out;
    }

    /** Every started batch of a line ({@code line:id}) or site ({@code site:id}): a scan of all batches. */
    private List<BatchSpan> spans(String owner) {
        List<BatchSpan> spans = new ArrayList<>();
        boolean line = owner.startsWith("line:");
        String id = owner.substring(owner.indexOf(':') + 1);
        for (CarbonBatchState s : batches.values()) {
            if (s.getStartedAt() == null || !id.equals(line ? s.getLineId() : s.getSiteId())) {
                continue;
            }
            Instant end = s.getCompletedAt() != null ? s.getCompletedAt() : s.getCancelledAt();
            if (end != null && !end.isAfter(s.getStartedAt())) {
                end = s.getStartedAt().plusMillis(1);
            }
            spans.add(new BatchSpan(s.getBatchId(), s.getLineId(), s.getStartedAt(), end));
        }
        return spans;
    }
}

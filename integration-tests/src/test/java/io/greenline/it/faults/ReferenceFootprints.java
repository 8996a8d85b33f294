package io.greenline.it.faults;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchFootprint;
import io.greenline.events.CarrierEnergy;
import io.greenline.events.EmissionBasis;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyMetered;
import io.greenline.events.EnergyUnit;
import io.greenline.events.FootprintGap;
import io.greenline.events.FootprintStatus;
import io.greenline.events.LineConfig;
import io.greenline.events.MaterialCharge;
import io.greenline.schemas.TopicNames;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The expected footprint of every published batch (completed or cancelled) of a log, by brute force over the final
 * knowledge (docs/carbon.md "Ledger semantics"): every reading is cut at every batch edge of its line (line meter)
 * or site (shared meter) inside its period, each piece goes in proportion to its length to the batches running
 * throughout it, equally, or when none runs to the batch(es) starting next at or after the piece's end; each part
 * is priced with the factors valid at the reading's end in the batch line's grid region, then GLOBAL. Shares no
 * code with {@code io.greenline.streams}.
 */
final class ReferenceFootprints {

    static final String FALLBACK_REGION = "GLOBAL";
    private static final double MJ_PER_KWH = 3.6;

    private static final class Batch {
        String batchId, lineId, siteId, productId, gridRegion;
        final List<MaterialCharge> materials = new ArrayList<>();
        Double processCo2, good, total, biogenic;
        Long pieces;
        Long startedAt, completedAt, cancelledAt;
        final List<Part> parts = new ArrayList<>();

        Long end() {
            Long end = completedAt != null ? completedAt : cancelledAt;
            return end != null && end <= startedAt ? Long.valueOf(startedAt + 1) : end;
        }

        boolean runsThroughout(long a, long b) {
            return startedAt <= a && (end() == null || end() >= b);
        }
    }

    /** A share of a reading charged to a batch. */
    private record Part(EnergyCarrier carrier, EnergyUnit unit, double quantity, long factorAt, long from, long to) {
    }

    /**
     * The expected footprints by batchId, and for each whether FINAL is certain (the site's event clock passed
     * completion + the finalization delay) or the status may still be PROVISIONAL.
     */
    record Result(Map<String, BatchFootprint> footprints, Set<String> surelyFinal, int late, int duplicates) {
    }

    private ReferenceFootprints() {
    }

    static Result compute(EventLog log, ReferenceData ref, long finalizationDelayMs) {
        Map<String, Batch> batches = new LinkedHashMap<>();
        List<EnergyMetered> readings = new ArrayList<>();
        Map<String, Long> siteClock = new HashMap<>();
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        for (EventLog.Entry e : log.entries()) {
            if (e.topic().equals(TopicNames.BATCH) && e.value() instanceof BatchEvent b) {
                if (!seen.add("batch|" + b.getEventId())) {
                    duplicates++;
                    continue;
                }
                long t = b.getTimestamp().toEpochMilli();
                LineConfig config = ref.configAsOfOrLatest(b.getLineId(), t);
                Batch batch = batches.computeIfAbsent(b.getBatchId(), id -> new Batch());
                if (batch.batchId == null) {
                    batch.batchId = b.getBatchId();
                    batch.lineId = b.getLineId();
                    batch.siteId = config.getSiteId();
                    batch.productId = b.getProductId();
                }
                batch.gridRegion = config.getGridRegion();
                batch.materials.addAll(b.getMaterials());
                if (b.getProcessCo2Kg() != null) {
                    batch.processCo2 = (batch.processCo2 == null ? 0 : batch.processCo2) + b.getProcessCo2Kg();
                }
                batch.good = b.getOutputGoodMassKg() != null ? b.getOutputGoodMassKg() : batch.good;
                batch.total = b.getOutputTotalMassKg() != null ? b.getOutputTotalMassKg() : batch.total;
                batch.pieces = b.getPieces() != null ? b.getPieces() : batch.pieces;
                batch.biogenic = b.getProductBiogenicCarbonKgPerKg() != null ? b.getProductBiogenicCarbonKgPerKg() : batch.biogenic;
                switch (b.getEventType()) {
                    case STARTED -> batch.startedAt = batch.startedAt == null ? t : Math.min(batch.startedAt, t);
                    case COMPLETED -> batch.completedAt = t;
                    case CANCELLED -> batch.cancelledAt = t;
                    default -> { }
                }
                siteClock.merge(batch.siteId, t, Math::max);
            } else if (e.topic().equals(TopicNames.ENERGY) && e.value() instanceof EnergyMetered r) {
                if (!seen.add("energy|" + r.getEventId())) {
                    duplicates++;
                    continue;
                }
                readings.add(r);
                siteClock.merge(r.getSiteId(), r.getTimestamp().toEpochMilli(), Math::max);
            }
        }
        for (EnergyMetered r : readings) {
            split(r, batches.values());
        }
        Map<String, BatchFootprint> out = new TreeMap<>();
        Set<String> surelyFinal = new TreeSet<>();
        for (Batch b : batches.values()) {
            if (b.completedAt == null && b.cancelledAt == null) {
                continue; // never published
            }
            FootprintStatus status = b.cancelledAt != null ? FootprintStatus.CANCELLED : FootprintStatus.FINAL;
            if (status == FootprintStatus.CANCELLED || b.completedAt + finalizationDelayMs <= siteClock.getOrDefault(b.siteId, Long.MIN_VALUE)) {
                surelyFinal.add(b.batchId);
            }
            out.put(b.batchId, footprint(b, status, ref));
        }
        return new Result(out, surelyFinal, 0, duplicates);
    }

    /** Cuts a reading at the batch edges inside it and charges every piece. */
    private static void split(EnergyMetered r, java.util.Collection<Batch> all) {
        boolean shared = r.getLineId() == null;
        List<Batch> spans = new ArrayList<>();
        for (Batch b : all) {
            if (b.startedAt != null && (shared ? r.getSiteId().equals(b.siteId) : r.getLineId().equals(b.lineId))) {
                spans.add(b);
            }
        }
        long from = r.getPeriodStart().toEpochMilli();
        long to = r.getTimestamp().toEpochMilli();
        TreeSet<Long> edges = new TreeSet<>(List.of(from, to));
        for (Batch b : spans) {
            if (b.startedAt > from && b.startedAt < to) {
                edges.add(b.startedAt);
            }
            if (b.end() != null && b.end() > from && b.end() < to) {
                edges.add(b.end());
            }
        }
        Long a = null;
        for (long b : edges) {
            if (a != null) {
                double piece = r.getQuantity() * ((double) (b - a) / (double) (to - from));
                List<Batch> receivers = new ArrayList<>();
                for (Batch s : spans) {
                    if (s.runsThroughout(a, b)) {
                        receivers.add(s);
                    }
                }
                if (receivers.isEmpty()) {
                    // idle energy: to the batch(es) starting next, at or after the piece's end
                    long next = Long.MAX_VALUE;
                    for (Batch s : spans) {
                        if (s.startedAt >= b) {
                            next = Math.min(next, s.startedAt);
                        }
                    }
                    for (Batch s : spans) {
                        if (s.startedAt == next) {
                            receivers.add(s);
                        }
                    }
                }
                for (Batch s : receivers) {
                    s.parts.add(new Part(r.getCarrier(), r.getUnit(), piece / receivers.size(), to, a, b));
                }
            }
            a = b;
        }
    }

    private static Double perReadingUnit(EmissionFactor f, EnergyUnit reading) {
        if (f.getUnit() == reading) {
            return f.getKgCo2ePerUnit();
        }
        if (f.getUnit() == EnergyUnit.KWH && reading == EnergyUnit.MJ) {
            return f.getKgCo2ePerUnit() / MJ_PER_KWH;
        }
        if (f.getUnit() == EnergyUnit.MJ && reading == EnergyUnit.KWH) {
            return f.getKgCo2ePerUnit() * MJ_PER_KWH;
        }
        return null;
    }

    private record Found(EmissionFactor factor, double perUnit) {
    }

    /** The usable factor of a basis valid at t: the batch's region first, then GLOBAL. */
    private static Found find(ReferenceData ref, List<String> regions, EnergyCarrier carrier, EmissionBasis basis, EnergyUnit unit, long t) {
        for (String region : regions) {
            EmissionFactor f = ref.factorAsOf(carrier + "/" + region + "/" + basis, t);
            if (f == null || !(f.getKgCo2ePerUnit() >= 0) || Double.isInfinite(f.getKgCo2ePerUnit())) {
                continue;
            }
            Double perUnit = perReadingUnit(f, unit);
            if (perUnit != null) {
                return new Found(f, perUnit);
            }
        }
        return null;
    }

    /** Gap estimate with the newest version of the key, or null when the key never had a usable one. */
    private static Double estimate(ReferenceData ref, List<String> regions, Part p, EmissionBasis basis) {
        for (String region : regions) {
            EmissionFactor latest = ref.latestFactor(p.carrier() + "/" + region + "/" + basis);
            if (latest != null) {
                Double perUnit = perReadingUnit(latest, p.unit());
                if (perUnit != null) {
                    return p.quantity() * perUnit;
                }
            }
        }
        return null;
    }

    /** What a whole reading emits on each basis (fuels: the DIRECT factor on both; no usable factor: 0). */
    record Price(double location, double market) {
    }

    /**
     * A reading of a line in {@code gridRegion} priced with the factors valid at {@code at}: the region first, then
     * GLOBAL; the MARKET basis falls back to the LOCATION factor (residual mix).
     */
    static Price price(ReferenceData ref, String gridRegion, EnergyCarrier carrier, EnergyUnit unit, double quantity, long at) {
        List<String> regions = new ArrayList<>();
        if (gridRegion != null) {
            regions.add(gridRegion);
        }
        if (!regions.contains(FALLBACK_REGION)) {
            regions.add(FALLBACK_REGION);
        }
        if (carrier == EnergyCarrier.NATURAL_GAS || carrier == EnergyCarrier.DIESEL) {
            Found direct = find(ref, regions, carrier, EmissionBasis.DIRECT, unit, at);
            double kg = direct == null ? 0 : quantity * direct.perUnit();
            return new Price(kg, kg);
        }
        Found location = find(ref, regions, carrier, EmissionBasis.LOCATION, unit, at);
        Found market = find(ref, regions, carrier, EmissionBasis.MARKET, unit, at);
        double loc = location == null ? 0 : quantity * location.perUnit();
        double mkt = market != null ? quantity * market.perUnit() : loc;
        return new Price(loc, mkt);
    }

    private static String version(EmissionFactor f) {
        return f.getCarrier() + "/" + f.getRegion() + "/" + f.getBasis() + "@" + f.getValidFrom();
    }

    private static BatchFootprint footprint(Batch b, FootprintStatus status, ReferenceData ref) {
        List<String> regions = new ArrayList<>();
        if (b.gridRegion != null) {
            regions.add(b.gridRegion);
        }
        if (!regions.contains(FALLBACK_REGION)) {
            regions.add(FALLBACK_REGION);
        }
        double scope1Energy = 0, s2Location = 0, s2Market = 0, primary = 0, estimatedGap = 0;
        boolean unestimable = false;
        Map<String, CarrierEnergy> energy = new LinkedHashMap<>();
        Set<String> versions = new TreeSet<>();
        Set<String> notes = new TreeSet<>();
        List<FootprintGap> gaps = new ArrayList<>();
        for (Part p : b.parts) {
            addEnergy(energy, p);
            if (p.carrier() == EnergyCarrier.NATURAL_GAS || p.carrier() == EnergyCarrier.DIESEL) {
                Found direct = find(ref, regions, p.carrier(), EmissionBasis.DIRECT, p.unit(), p.factorAt());
                if (direct != null) {
                    versions.add(version(direct.factor()));
                    scope1Energy += p.quantity() * direct.perUnit();
                    primary += p.quantity() * direct.perUnit();
                } else {
                    gaps.add(gap(p, EmissionBasis.DIRECT));
                    Double e = estimate(ref, regions, p, EmissionBasis.DIRECT);
                    estimatedGap += e == null ? 0 : e;
                    unestimable |= e == null;
                }
                continue;
            }
            Found location = find(ref, regions, p.carrier(), EmissionBasis.LOCATION, p.unit(), p.factorAt());
            Found market = find(ref, regions, p.carrier(), EmissionBasis.MARKET, p.unit(), p.factorAt());
            double loc = 0;
            if (location != null) {
                versions.add(version(location.factor()));
                loc = p.quantity() * location.perUnit();
            } else {
                gaps.add(gap(p, EmissionBasis.LOCATION));
            }
            double mkt = 0;
            if (market != null) {
                versions.add(version(market.factor()));
                mkt = p.quantity() * market.perUnit();
            } else if (location != null) {
                mkt = loc; // residual-mix fallback
                notes.add("MARKET basis of " + p.carrier() + " in " + location.factor().getRegion() + " uses the LOCATION factor "
                        + version(location.factor()) + " (no MARKET factor: GHG Protocol residual-mix fallback)");
            } else {
                gaps.add(gap(p, EmissionBasis.MARKET));
                Double e = estimate(ref, regions, p, EmissionBasis.MARKET);
                if (e == null) {
                    e = estimate(ref, regions, p, EmissionBasis.LOCATION);
                }
                estimatedGap += e == null ? 0 : e;
                unestimable |= e == null;
            }
            s2Location += loc;
            s2Market += mkt;
            primary += market != null || location != null ? mkt : 0;
        }
        double process = b.processCo2 == null ? 0 : b.processCo2;
        double scope3 = 0;
        for (MaterialCharge m : b.materials) {
            scope3 += m.getMassKg() * m.getFootprintKgCo2ePerKg();
        }
        double scope1 = scope1Energy + process;
        double totalLocation = scope1 + s2Location + scope3;
        double totalMarket = scope1 + s2Market + scope3;
        double denominator = totalMarket + estimatedGap;
        double share = unestimable || denominator <= 0 ? 0.0 : 100.0 * (primary + process) / denominator;
        Double good = b.good != null && b.good > 0 ? b.good : null;
        Double total = b.total != null && b.total > 0 ? b.total : null;
        Long pieces = b.pieces != null && b.pieces > 0 ? b.pieces : null;
        double c = b.biogenic == null ? 0.0 : b.biogenic;
        double uptake = c == 0 ? 0.0 : -c * 44.0 / 12.0;
        Double massPerUnit = pieces != null ? (good == null ? null : good / pieces) : Double.valueOf(1.0);
        Double pcfExcluding = good != null && massPerUnit != null ? totalMarket / good * massPerUnit : null;
        Double pcfIncluding = pcfExcluding == null ? null : pcfExcluding + uptake * massPerUnit;
        Map<String, CarrierEnergy> perTonne = new TreeMap<>();
        if (good != null) {
            energy.forEach((k, v) -> perTonne.put(k, new CarrierEnergy(v.getQuantity() / (good / 1000.0), v.getUnit())));
        }
        return BatchFootprint.newBuilder()
                .setBatchId(b.batchId).setLineId(b.lineId).setSiteId(b.siteId).setProductId(b.productId)
                .setStatus(status).setVersion(0).setReplacesVersion(null)
                .setStartedAt(b.startedAt == null ? null : Instant.ofEpochMilli(b.startedAt))
                .setCompletedAt(b.completedAt == null ? null : Instant.ofEpochMilli(b.completedAt))
                .setCancelledAt(b.cancelledAt == null ? null : Instant.ofEpochMilli(b.cancelledAt))
                .setOutputGoodMassKg(b.good).setOutputTotalMassKg(b.total).setPieces(b.pieces)
                .setEnergy(new TreeMap<>(energy))
                .setScope1KgCo2e(scope1).setScope2LocationKgCo2e(s2Location).setScope2MarketKgCo2e(s2Market)
                .setScope3UpstreamKgCo2e(scope3).setTotalLocationKgCo2e(totalLocation).setTotalMarketKgCo2e(totalMarket)
                .setFossilGhgEmissionsKgCo2e(totalMarket)
                .setIntensityKgCo2ePerTonne(good == null ? null : totalMarket / (good / 1000.0))
                .setIntensityLocationKgCo2ePerTonne(good == null ? null : totalLocation / (good / 1000.0))
                .setIntensityPerTonneTotalOutput(total == null ? null : totalMarket / (total / 1000.0))
                .setBiogenicCarbonKgPerKg(c).setBiogenicCo2UptakeKgCo2ePerKg(uptake)
                .setPcfExcludingBiogenicUptake(pcfExcluding).setPcfIncludingBiogenicUptake(pcfIncluding)
                .setDeclaredUnit(pieces != null ? "piece" : "kilogram").setProductMassPerDeclaredUnitKg(massPerUnit)
                .setEnergyPerTonneGoodOutput(perTonne)
                .setPrimaryDataShare(share)
                .setFactorVersions(new ArrayList<>(versions)).setGaps(gaps).setNotes(new ArrayList<>(notes))
                .setUnallocatedLedger(false)
                .build();
    }

    private static void addEnergy(Map<String, CarrierEnergy> energy, Part p) {
        addEnergy(energy, p.carrier(), p.unit(), p.quantity());
    }

    /**
     * Adds a quantity to a per-carrier energy map: in the unit the carrier has there (kWh and MJ convert), else
     * under {@code CARRIER/UNIT}.
     */
    static void addEnergy(Map<String, CarrierEnergy> energy, EnergyCarrier carrier, EnergyUnit unit, double q) {
        String name = carrier.name();
        CarrierEnergy current = energy.get(name);
        if (current == null) {
            energy.put(name, new CarrierEnergy(q, unit));
            return;
        }
        if (current.getUnit() == unit) {
            energy.put(name, new CarrierEnergy(current.getQuantity() + q, current.getUnit()));
        } else if (current.getUnit() == EnergyUnit.MJ && unit == EnergyUnit.KWH) {
            energy.put(name, new CarrierEnergy(current.getQuantity() + q * MJ_PER_KWH, current.getUnit()));
        } else if (current.getUnit() == EnergyUnit.KWH && unit == EnergyUnit.MJ) {
            energy.put(name, new CarrierEnergy(current.getQuantity() + q / MJ_PER_KWH, current.getUnit()));
        } else {
            energy.merge(name + "/" + unit, new CarrierEnergy(q, unit),
                    (x, y) -> new CarrierEnergy(x.getQuantity() + y.getQuantity(), y.getUnit()));
        }
    }

    private static FootprintGap gap(Part p, EmissionBasis basis) {
        return new FootprintGap(p.carrier(), basis, Instant.ofEpochMilli(p.from()), Instant.ofEpochMilli(p.to()), p.quantity(), p.unit(),
                "no usable " + basis + " factor");
    }
}

package io.greenline.streams.carbon;

import io.greenline.events.BatchFootprint;
import io.greenline.events.CarbonBatchState;
import io.greenline.events.CarrierEnergy;
import io.greenline.events.EmissionBasis;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EnergyAllocation;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyUnit;
import io.greenline.events.FootprintGap;
import io.greenline.events.FootprintStatus;
import io.greenline.events.MaterialCharge;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The carbon ledger of a batch (docs/design.md section 6), in plain Java: from what {@code mfg.batch} said about a batch
 * and the energy charged to it, the footprint by scope and basis, its intensities, PACT per-declared-unit values,
 * primary data share, factor versions and gaps.
 *
 * <p>Rules, as implemented:
 * <ul>
 *   <li>Every part of a reading is priced with the factor valid at the reading's period end ({@code factorAt}).</li>
 *   <li>Fuels (NATURAL_GAS, DIESEL) use DIRECT factors and are scope 1, with {@code processCo2Kg}. ELECTRICITY and
 *       STEAM are scope 2 on the LOCATION and the MARKET basis; with no MARKET factor the LOCATION factor is used on
 *       the market basis (GHG Protocol residual-mix fallback) and a note says so.</li>
 *   <li>A factor is looked up in the line's grid region, then in the fallback region. A factor in KWH prices a
 *       reading in MJ and the other way round (1 kWh = 3.6 MJ); any other unit mismatch is a gap.</li>
 *   <li>A part with no usable factor on a basis is a {@link FootprintGap}: it adds nothing to the totals (they
 *       understate, and say so) and lowers {@code primaryDataShare}.</li>
 *   <li>Scope 3 upstream = sum of massKg x footprintKgCo2ePerKg of the charged materials.</li>
 *   <li>primaryDataShare (percent, market basis, as PACT defines it on pcfExcludingBiogenicUptake) =
 *       100 x P / (T + G): P = emissions from metered energy priced with a valid factor plus processCo2Kg; T =
 *       totalMarketKgCo2e; G = the market-basis emissions the gaps would have had, estimated with the latest
 *       version of the missing factor. Material footprints (scope 3 upstream) count as secondary data. When a gap
 *       cannot be estimated (its factor key never had a version) the share is 0: no claim can be made. With
 *       T + G = 0 the share is 0.</li>
 *   <li>Biogenic: C = measured productBiogenicCarbonKgPerKg, else 0; uptake = -C x 44/12 kg CO2e per kg.</li>
 *   <li>Declared unit: {@code piece} when the batch reports pieces, else {@code kilogram}; mass per piece =
 *       outputGoodMassKg / pieces. All emissions are borne by the good output.</li>
 * </ul>
 */
public final class CarbonLedger {

    /** kg CO2 per kg C. */
    public static final double CO2_PER_C = 44.0 / 12.0;
    static final double MJ_PER_KWH = 3.6;
    static final Set<EnergyCarrier> FUELS = EnumSet.of(EnergyCarrier.NATURAL_GAS, EnergyCarrier.DIESEL);

    private final FactorLookup factors;
    private final String fallbackRegion;

    public CarbonLedger(FactorLookup factors, String fallbackRegion) {
        this.factors = factors;
        this.fallbackRegion = fallbackRegion;
    }

    /** Emission factor key {@code carrier/region/basis}, as on {@code mfg.emission-factors}. */
    public static String factorKey(EnergyCarrier carrier, String region, EmissionBasis basis) {
        return carrier + "/" + region + "/" + basis;
    }

    /** Id of a factor version: {@code carrier/region/basis@validFrom}. */
    public static String factorVersionId(EmissionFactor f) {
        return factorKey(f.getCarrier(), f.getRegion(), f.getBasis()) + "@" + f.getValidFrom();
    }

    /** The emissions of one part of a reading. */
    public record Priced(EnergyAllocation part, double scope1, double scope2Location, double scope2Market,
                         double primaryMarket, double estimatedMarketGap, boolean gapUnestimable,
                         List<String> factorVersions, List<FootprintGap> gaps, List<String> notes) {
        public double location() {
            return scope1 + scope2Location;
        }

        public double market() {
            return scope1 + scope2Market;
        }
    }

    /**
     * What pricing {@code part} consults, as a string: every factor version tried (key, validFrom, value, unit, or
     * "-" when none is valid at the part's {@code factorAt}) on every basis, in the order {@link #price} tries them,
     * and when a basis has no usable factor the latest versions the gap estimate uses. Two parts of the same carrier,
     * unit and region with the same trace are priced with the same factors, so their quantities can be summed and
     * priced once; a total whose trace at its first and last {@code factorAt} is unchanged needs no re-pricing
     * (versions are piecewise constant in time).
     */
    public Pricing pricing(EnergyAllocation part) {
        EnergyCarrier carrier = part.getCarrier();
        List<String> regions = regions(part);
        StringBuilder trace = new StringBuilder();
        boolean gap = false;
        List<EmissionBasis> bases = FUELS.contains(carrier) ? List.of(EmissionBasis.DIRECT)
                : List.of(EmissionBasis.LOCATION, EmissionBasis.MARKET);
        for (EmissionBasis basis : bases) {
            boolean usable = false;
            for (String region : regions) {
                String key = factorKey(carrier, region, basis);
                EmissionFactor f = factors.asOf(key, part.getFactorAt());
                trace.append(key).append('=').append(describe(f)).append(';');
                if (f != null && f.getKgCo2ePerUnit() >= 0 && !Double.isInfinite(f.getKgCo2ePerUnit())
                        && perReadingUnit(f, part.getUnit()) != null) {
                    usable = true;
                    break;
                }
            }
            gap |= !usable;
        }
        if (gap) {
            List<EmissionBasis> estimated = FUELS.contains(carrier) ? List.of(EmissionBasis.DIRECT)
                    : List.of(EmissionBasis.MARKET, EmissionBasis.LOCATION);
            for (EmissionBasis basis : estimated) {
                for (String region : regions) {
                    String key = factorKey(carrier, region, basis);
                    trace.append("latest ").append(key).append('=').append(describe(factors.latest(key))).append(';');
                }
            }
        }
        return new Pricing(trace.toString(), gap);
    }

    /** See {@link #pricing}: {@code gap} when some basis has no usable factor. */
    public record Pricing(String trace, boolean gap) {
    }

    private static String describe(EmissionFactor f) {
        return f == null ? "-" : f.getValidFrom() + "/" + f.getKgCo2ePerUnit() + "/" + f.getUnit();
    }

    /** {@code p} with its gaps replaced (a running total lists the gaps of its parts, not of their sum). */
    public static Priced withGaps(Priced p, List<FootprintGap> gaps) {
        return new Priced(p.part(), p.scope1(), p.scope2Location(), p.scope2Market(), p.primaryMarket(),
                p.estimatedMarketGap(), p.gapUnestimable(), p.factorVersions(), gaps, p.notes());
    }

    private record Resolution(EmissionFactor factor, double kgPerReadingUnit, String reason) {
    }

    /** Prices one part of a reading with the factors valid at its {@code factorAt}. */
    public Priced price(EnergyAllocation part) {
        EnergyCarrier carrier = part.getCarrier();
        Instant at = part.getFactorAt();
        double q = part.getQuantity();
        List<String> versions = new ArrayList<>();
        List<FootprintGap> gaps = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (FUELS.contains(carrier)) {
            Resolution direct = resolve(part, EmissionBasis.DIRECT, at);
            if (direct.factor() != null) {
                versions.add(factorVersionId(direct.factor()));
                double kg = q * direct.kgPerReadingUnit();
                return new Priced(part, kg, 0, 0, kg, 0, false, versions, gaps, notes);
            }
            gaps.add(gap(part, EmissionBasis.DIRECT, direct.reason()));
            Estimate e = estimate(part, EmissionBasis.DIRECT);
            return new Priced(part, 0, 0, 0, 0, e.kg(), !e.known(), versions, gaps, notes);
        }
        Resolution location = resolve(part, EmissionBasis.LOCATION, at);
        Resolution market = resolve(part, EmissionBasis.MARKET, at);
        double loc = 0;
        double mkt = 0;
        double estimated = 0;
        boolean unestimable = false;
        if (location.factor() != null) {
            versions.add(factorVersionId(location.factor()));
            loc = q * location.kgPerReadingUnit();
        } else {
            gaps.add(gap(part, EmissionBasis.LOCATION, location.reason()));
        }
        if (market.factor() != null) {
            versions.add(factorVersionId(market.factor()));
            mkt = q * market.kgPerReadingUnit();
        } else if (location.factor() != null) {
            mkt = loc;
            notes.add("MARKET basis of " + carrier + " in " + location.factor().getRegion() + " uses the LOCATION factor "
                    + factorVersionId(location.factor()) + " (no MARKET factor: GHG Protocol residual-mix fallback)");
        } else {
            gaps.add(gap(part, EmissionBasis.MARKET, market.reason()));
            Estimate e = estimate(part, EmissionBasis.MARKET);
            if (!e.known()) {
                e = estimate(part, EmissionBasis.LOCATION);
            }
            estimated = e.kg();
            unestimable = !e.known();
        }
        boolean marketPriced = market.factor() != null || location.factor() != null;
        return new Priced(part, 0, loc, mkt, marketPriced ? mkt : 0, estimated, unestimable, versions, gaps, notes);
    }

    private record Estimate(double kg, boolean known) {
    }

    private Estimate estimate(EnergyAllocation part, EmissionBasis basis) {
        for (String region : regions(part)) {
            EmissionFactor latest = factors.latest(factorKey(part.getCarrier(), region, basis));
            if (latest != null) {
                Double perUnit = perReadingUnit(latest, part.getUnit());
                if (perUnit != null) {
                    return new Estimate(part.getQuantity() * perUnit, true);
                }
            }
        }
        return new Estimate(0, false);
    }

    private Resolution resolve(EnergyAllocation part, EmissionBasis basis, Instant at) {
        String reason = null;
        for (String region : regions(part)) {
            String key = factorKey(part.getCarrier(), region, basis);
            EmissionFactor f = factors.asOf(key, at);
            if (f == null) {
                continue;
            }
            if (!(f.getKgCo2ePerUnit() >= 0) || Double.isInfinite(f.getKgCo2ePerUnit())) {
                reason = "factor " + factorVersionId(f) + " is invalid (" + f.getKgCo2ePerUnit() + " kg CO2e per unit)";
                continue;
            }
            Double perUnit = perReadingUnit(f, part.getUnit());
            if (perUnit == null) {
                reason = "factor " + factorVersionId(f) + " is per " + f.getUnit() + ", the reading is in " + part.getUnit();
                continue;
            }
            return new Resolution(f, perUnit, null);
        }
        if (reason == null) {
            reason = "no " + basis + " factor for " + part.getCarrier() + " in " + String.join(" or ", regions(part)) + " valid at " + at;
        }
        return new Resolution(null, 0, reason);
    }

    private List<String> regions(EnergyAllocation part) {
        Set<String> regions = new LinkedHashSet<>();
        if (part.getRegion() != null) {
            regions.add(part.getRegion());
        }
        regions.add(fallbackRegion);
        return List.copyOf(regions);
    }

    /** kg CO2e per unit of the reading, or null when the units cannot be converted. */
    static Double perReadingUnit(EmissionFactor f, EnergyUnit readingUnit) {
        double perFactorUnit = f.getKgCo2ePerUnit();
        if (f.getUnit() == readingUnit) {
            return perFactorUnit;
        }
        if (f.getUnit() == EnergyUnit.KWH && readingUnit == EnergyUnit.MJ) {
            return perFactorUnit / MJ_PER_KWH;
        }
        if (f.getUnit() == EnergyUnit.MJ && readingUnit == EnergyUnit.KWH) {
            return perFactorUnit * MJ_PER_KWH;
        }
        return null;
    }

    private static FootprintGap gap(EnergyAllocation part, EmissionBasis basis, String reason) {
        return new FootprintGap(part.getCarrier(), basis, part.getPeriodStart(), part.getPeriodEnd(), part.getQuantity(),
                part.getUnit(), reason);
    }

    /**
     * The footprint of a batch from its state and the energy charged to it. Status, version and replacesVersion are
     * the caller's (publication) business; this sets PROVISIONAL, CANCELLED or FINAL from the state and version 0.
     */
    public BatchFootprint footprint(CarbonBatchState batch, Collection<EnergyAllocation> energy) {
        return footprintOfPriced(batch, energy.stream().map(this::price).toList());
    }

    /**
     * The footprint of a batch from its state and its energy already priced: one {@link Priced} per part, or per
     * running total of parts priced alike (linear: a total's quantity prices as the sum of its parts).
     */
    public BatchFootprint footprintOfPriced(CarbonBatchState batch, Collection<Priced> energy) {
        Totals t = new Totals();
        energy.forEach(t::add);
        double processCo2 = batch.getProcessCo2Kg() == null ? 0 : batch.getProcessCo2Kg();
        double scope3 = 0;
        for (MaterialCharge m : batch.getMaterials()) {
            scope3 += m.getMassKg() * m.getFootprintKgCo2ePerKg();
        }
        double scope1 = t.scope1 + processCo2;
        double totalLocation = scope1 + t.scope2Location + scope3;
        double totalMarket = scope1 + t.scope2Market + scope3;
        double primary = t.primaryMarket + processCo2;
        double denominator = totalMarket + t.estimatedGap;
        double primaryDataShare = t.unestimable || denominator <= 0 ? 0.0 : 100.0 * primary / denominator;

        Double good = positive(batch.getOutputGoodMassKg());
        Double total = positive(batch.getOutputTotalMassKg());
        Long pieces = batch.getPieces() != null && batch.getPieces() > 0 ? batch.getPieces() : null;
        double biogenicC = batch.getProductBiogenicCarbonKgPerKg() == null ? 0.0 : batch.getProductBiogenicCarbonKgPerKg();
        double uptakePerKg = biogenicC == 0 ? 0.0 : -biogenicC * CO2_PER_C;
        String declaredUnit = pieces != null ? "piece" : "kilogram";
        Double massPerUnit = pieces != null ? (good == null ? null : good / pieces) : 1.0;
        Double pcfExcluding = null;
        Double pcfIncluding = null;
        if (good != null && massPerUnit != null) {
            pcfExcluding = totalMarket / good * massPerUnit;
            pcfIncluding = pcfExcluding + uptakePerKg * massPerUnit;
        }
        Map<String, CarrierEnergy> perTonne = new TreeMap<>();
        if (good != null) {
            t.energy.forEach((k, v) -> perTonne.put(k, new CarrierEnergy(v.getQuantity() / (good / 1000.0), v.getUnit())));
        }
        Instant startedAt = batch.getStartedAt();
        Instant completedAt = batch.getCompletedAt();
        FootprintStatus status = batch.getCancelledAt() != null ? FootprintStatus.CANCELLED
                : batch.getFinalized() ? FootprintStatus.FINAL : FootprintStatus.PROVISIONAL;
        return BatchFootprint.newBuilder()
                .setBatchId(batch.getBatchId())
                .setLineId(batch.getLineId())
                .setSiteId(batch.getSiteId())
                .setProductId(batch.getProductId())
                .setStatus(status)
                .setVersion(0)
                .setReplacesVersion(null)
                .setStartedAt(startedAt)
                .setCompletedAt(completedAt)
                .setCancelledAt(batch.getCancelledAt())
                .setOutputGoodMassKg(batch.getOutputGoodMassKg())
                .setOutputTotalMassKg(batch.getOutputTotalMassKg())
                .setPieces(batch.getPieces())
                .setEnergy(new TreeMap<>(t.energy))
                .setScope1KgCo2e(scope1)
                .setScope2LocationKgCo2e(t.scope2Location)
                .setScope2MarketKgCo2e(t.scope2Market)
                .setScope3UpstreamKgCo2e(scope3)
                .setTotalLocationKgCo2e(totalLocation)
                .setTotalMarketKgCo2e(totalMarket)
                .setFossilGhgEmissionsKgCo2e(totalMarket)
                .setIntensityKgCo2ePerTonne(good == null ? null : totalMarket / (good / 1000.0))
                .setIntensityLocationKgCo2ePerTonne(good == null ? null : totalLocation / (good / 1000.0))
                .setIntensityPerTonneTotalOutput(total == null ? null : totalMarket / (total / 1000.0))
                .setBiogenicCarbonKgPerKg(biogenicC)
                .setBiogenicCo2UptakeKgCo2ePerKg(uptakePerKg)
                .setPcfExcludingBiogenicUptake(pcfExcluding)
                .setPcfIncludingBiogenicUptake(pcfIncluding)
                .setDeclaredUnit(declaredUnit)
                .setProductMassPerDeclaredUnitKg(massPerUnit)
                .setEnergyPerTonneGoodOutput(perTonne)
                .setPrimaryDataShare(primaryDataShare)
                .setFactorVersions(new ArrayList<>(t.factorVersions))
                .setGaps(t.gaps)
                .setNotes(new ArrayList<>(t.notes))
                .setUnallocatedLedger(false)
                .build();
    }

    /**
     * Adds one priced part to an unallocated-energy ledger (a footprint with no batch: energy and scope 1/2 only),
     * creating it when {@code ledger} is null; {@code ledger} itself is updated and returned.
     */
    public BatchFootprint accumulateUnallocated(BatchFootprint ledger, String ownerId, String lineId, String siteId, EnergyAllocation part) {
        Priced p = price(part);
        BatchFootprint base = ledger != null ? ledger : BatchFootprint.newBuilder()
                .setBatchId(ownerId).setLineId(lineId == null ? "" : lineId).setSiteId(siteId).setProductId("")
                .setStatus(FootprintStatus.PROVISIONAL).setVersion(0)
                .setScope1KgCo2e(0).setScope2LocationKgCo2e(0).setScope2MarketKgCo2e(0).setScope3UpstreamKgCo2e(0)
                .setTotalLocationKgCo2e(0).setTotalMarketKgCo2e(0).setPrimaryDataShare(0).setDeclaredUnit("kilogram")
                .setStartedAt(part.getPeriodStart()).setCompletedAt(part.getPeriodEnd())
                .setUnallocatedLedger(true).build();
        // plain setters, no deep-copy builder: the ledger must not depend on Avro's trusted-class set-up
        Map<String, CarrierEnergy> energy = new TreeMap<>(base.getEnergy());
        addEnergy(energy, part);
        Set<String> versions = new TreeSet<>(base.getFactorVersions());
        versions.addAll(p.factorVersions());
        Set<String> notes = new TreeSet<>(base.getNotes());
        notes.addAll(p.notes());
        List<FootprintGap> gaps = new ArrayList<>(base.getGaps());
        p.gaps().forEach(gap -> mergeGap(gaps, gap));
        base.setEnergy(energy);
        base.setScope1KgCo2e(base.getScope1KgCo2e() + p.scope1());
        base.setScope2LocationKgCo2e(base.getScope2LocationKgCo2e() + p.scope2Location());
        base.setScope2MarketKgCo2e(base.getScope2MarketKgCo2e() + p.scope2Market());
        base.setTotalLocationKgCo2e(base.getTotalLocationKgCo2e() + p.location());
        base.setTotalMarketKgCo2e(base.getTotalMarketKgCo2e() + p.market());
        base.setFossilGhgEmissionsKgCo2e(base.getFossilGhgEmissionsKgCo2e() + p.market());
        base.setFactorVersions(new ArrayList<>(versions));
        base.setNotes(new ArrayList<>(notes));
        base.setGaps(gaps);
        base.setStartedAt(min(base.getStartedAt(), part.getPeriodStart()));
        base.setCompletedAt(max(base.getCompletedAt(), part.getPeriodEnd()));
        return base;
    }

    /**
     * Adds {@code gap} to the unallocated ledger's gaps, a running total like its other fields: one gap per carrier,
     * basis, unit and reason, its quantity the sum and its period the span of what it sums. A list of every unpriced
     * part would grow with history and be rewritten with every reading.
     */
    static void mergeGap(List<FootprintGap> gaps, FootprintGap gap) {
        for (int i = 0; i < gaps.size(); i++) {
            FootprintGap g = gaps.get(i);
            if (g.getCarrier() == gap.getCarrier() && Objects.equals(g.getBasis(), gap.getBasis()) && g.getUnit() == gap.getUnit()
                    && Objects.equals(String.valueOf(g.getReason()), String.valueOf(gap.getReason()))) {
                gaps.set(i, new FootprintGap(g.getCarrier(), g.getBasis(), min(g.getPeriodStart(), gap.getPeriodStart()),
                        max(g.getPeriodEnd(), gap.getPeriodEnd()), g.getQuantity() + gap.getQuantity(), g.getUnit(), g.getReason()));
                return;
            }
        }
        gaps.add(gap);
    }

    private static Instant min(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    private static Instant max(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }

    private static Double positive(Double v) {
        return v != null && v > 0 ? v : null;
    }

    /**
     * Adds a part's quantity to the energy-by-carrier map: under the carrier's name in the unit first seen, KWH and
     * MJ converted into each other; a unit that cannot be converted gets its own entry {@code CARRIER/UNIT}.
     */
    static void addEnergy(Map<String, CarrierEnergy> energy, EnergyAllocation part) {
        String name = part.getCarrier().name();
        CarrierEnergy current = energy.get(name);
        if (current == null) {
            energy.put(name, new CarrierEnergy(part.getQuantity(), part.getUnit()));
            return;
        }
        Double converted = convert(part.getQuantity(), part.getUnit(), current.getUnit());
        if (converted != null) {
            energy.put(name, new CarrierEnergy(current.getQuantity() + converted, current.getUnit()));
        } else {
            String key = name + "/" + part.getUnit();
            CarrierEnergy other = energy.get(key);
            energy.put(key, new CarrierEnergy((other == null ? 0 : other.getQuantity()) + part.getQuantity(), part.getUnit()));
        }
    }

    static Double convert(double quantity, EnergyUnit from, EnergyUnit to) {
        if (from == to) {
            return quantity;
        }
        if (from == EnergyUnit.KWH && to == EnergyUnit.MJ) {
            return quantity * MJ_PER_KWH;
        }
        if (from == EnergyUnit.MJ && to == EnergyUnit.KWH) {
            return quantity / MJ_PER_KWH;
        }
        return null;
    }

    private static final class Totals {
        double scope1;
        double scope2Location;
        double scope2Market;
        double primaryMarket;
        double estimatedGap;
        boolean unestimable;
        final Map<String, CarrierEnergy> energy = new LinkedHashMap<>();
        final Set<String> factorVersions = new TreeSet<>();
        final Set<String> notes = new TreeSet<>();
        final List<FootprintGap> gaps = new ArrayList<>();

        void add(Priced p) {
            scope1 += p.scope1();
            scope2Location += p.scope2Location();
            scope2Market += p.scope2Market();
            primaryMarket += p.primaryMarket();
            estimatedGap += p.estimatedMarketGap();
            unestimable |= p.gapUnestimable();
            addEnergy(energy, p.part());
            factorVersions.addAll(p.factorVersions());
            notes.addAll(p.notes());
            gaps.addAll(p.gaps());
        }
    }
}

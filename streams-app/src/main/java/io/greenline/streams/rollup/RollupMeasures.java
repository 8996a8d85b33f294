package io.greenline.streams.rollup;

import io.greenline.events.CarrierEnergy;
import io.greenline.events.DefectCount;
import io.greenline.events.EnergyUnit;
import io.greenline.events.LineEnergyWindow;
import io.greenline.events.OeeWindow;
import io.greenline.events.QualityWindow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The roll-up arithmetic, plain Java (docs/rollup.md): a line window becomes a map of additive measures; a roll-up
 * window is the sum of its lines' measures (each scaled by the share of the line hour inside the roll-up window);
 * the KPIs are computed from the sums, never averaged, and are null where their denominator is zero (ISO 22400-2,
 * docs/design.md section 4).
 */
public final class RollupMeasures {

    /** Sums below this are rounding residue of a replaced contribution and count as zero. */
    static final double EPSILON = 1e-9;

    public static final String POT = "potMs";
    public static final String PDOT = "pdotMs";
    public static final String PBT = "pbtMs";
    public static final String APT = "aptMs";
    public static final String ASUT = "asutMs";
    public static final String ADET = "adetMs";
    public static final String ADOT = "adotMs";
    public static final String UNKNOWN = "unknownMs";
    public static final String AUPT = "auptMs";
    public static final String AUBT = "aubtMs";
    public static final String PRODUCED = "producedQuantity";
    public static final String GOOD = "goodQuantity";
    public static final String SCRAP = "scrapQuantity";
    public static final String REWORK = "reworkQuantity";
    public static final String IDEAL = "idealTimeMs";
    /** Sum of PRU x GQ: the numerator of OEE. A line's is its oee x pbtMs. */
    public static final String GOOD_IDEAL = "goodIdealTimeMs";
    /** Lines (share of) whose ideal time is unknown: effectiveness and oee of the sum are then unknown too. */
    public static final String IDEAL_UNKNOWN = "idealUnknownLines";
    public static final String FAILURES = "failures";
    public static final String FAILURE_MS = "failureDurationMs";
    public static final String STOP_PREFIX = "stop:";

    public static final String INSPECTED = "inspected";
    public static final String PASSED = "passed";
    public static final String Q_REWORK = "rework";
    public static final String Q_SCRAP = "scrap";
    public static final String FIRST_INSPECTED = "firstInspectedUnits";
    public static final String FIRST_PASS = "firstPassUnits";
    public static final String DEFECT_PREFIX = "defect:";

    public static final String ENERGY_PREFIX = "energy:";
    public static final String ELECTRICITY_KWH = "electricityKwh";
    public static final String KG_LOCATION = "kgCo2eLocation";
    public static final String KG_MARKET = "kgCo2eMarket";
    public static final String GOOD_UNKNOWN = "goodQuantityUnknownLines";

    /** Final batch footprints (site DAY energy only, {@link RollupFootprints}): good output mass, kg, share of the day. */
    public static final String FP_MASS = "footprintGoodMassKg";
    /** The footprints' totalMarketKgCo2e, share of the day. */
    public static final String FP_KG_MARKET = "footprintKgCo2eMarket";
    /** 1 per footprint with a part in the day. */
    public static final String FP_COUNT = "footprints";
    /** 1 per footprint with a part in the day whose good mass is unknown: the day's intensities are then unknown. */
    public static final String FP_MASS_UNKNOWN = "footprintMassUnknown";

    private RollupMeasures() {
    }

    // ---- line window -> measures --------------------------------------------------------------------

    public static Map<String, Double> of(OeeWindow w) {
        Map<String, Double> m = new HashMap<>();
        m.put(POT, (double) w.getPotMs());
        m.put(PDOT, (double) w.getPdotMs());
        m.put(PBT, (double) w.getPbtMs());
        m.put(APT, (double) w.getAptMs());
        m.put(ASUT, (double) w.getAsutMs());
        m.put(ADET, (double) w.getAdetMs());
        m.put(ADOT, (double) w.getAdotMs());
        m.put(UNKNOWN, (double) w.getUnknownMs());
        m.put(AUPT, (double) w.getAuptMs());
        m.put(AUBT, (double) w.getAubtMs());
        m.put(PRODUCED, w.getProducedQuantity());
        m.put(GOOD, w.getGoodQuantity());
        m.put(SCRAP, w.getScrapQuantity());
        m.put(REWORK, w.getReworkQuantity());
        m.put(IDEAL, w.getIdealTimeMs());
        boolean idealUnknown = (w.getAptMs() > 0 && w.getEffectiveness() == null) || (w.getPbtMs() > 0 && w.getOee() == null);
        double goodIdeal;
        if (w.getOee() != null) {
            goodIdeal = w.getOee() * w.getPbtMs();
        } else if (w.getPbtMs() == 0 && w.getQuality() != null) {
            // no planned time, yet counts: PRU x GQ estimated as ideal time x GQ/PQ (exact for one product)
            goodIdeal = w.getIdealTimeMs() * w.getQuality();
        } else {
            goodIdeal = 0;
        }
        m.put(GOOD_IDEAL, goodIdeal);
        m.put(IDEAL_UNKNOWN, idealUnknown ? 1.0 : 0.0);
        m.put(FAILURES, (double) w.getFailures());
        m.put(FAILURE_MS, w.getMttrMs() == null ? 0.0 : w.getFailures() * w.getMttrMs());
        w.getStopReasons().forEach((reason, ms) -> m.put(STOP_PREFIX + reason, (double) ms));
        return m;
    }

    public static Map<String, Double> of(QualityWindow w) {
        Map<String, Double> m = new HashMap<>();
        m.put(INSPECTED, w.getInspected());
        m.put(PASSED, w.getPassed());
        m.put(Q_REWORK, w.getRework());
        m.put(Q_SCRAP, w.getScrap());
        m.put(FIRST_INSPECTED, w.getFirstInspectedUnits());
        m.put(FIRST_PASS, w.getFirstPassUnits());
        for (DefectCount d : w.getDefects()) {
            m.merge(DEFECT_PREFIX + d.getCode(), d.getCount(), Double::sum);
        }
        return m;
    }

    public static Map<String, Double> of(LineEnergyWindow w) {
        Map<String, Double> m = new HashMap<>();
        w.getEnergy().forEach((carrier, e) -> m.merge(ENERGY_PREFIX + carrier + ":" + e.getUnit().name(), e.getQuantity(), Double::sum));
        m.put(ELECTRICITY_KWH, w.getElectricityKwh());
        m.put(KG_LOCATION, w.getKgCo2eLocation());
        m.put(KG_MARKET, w.getKgCo2eMarket());
        m.put(GOOD, w.getGoodQuantity() == null ? 0.0 : w.getGoodQuantity());
        m.put(GOOD_UNKNOWN, w.getGoodQuantity() == null ? 1.0 : 0.0);
        return m;
    }

    /** {@code sums += factor x measures}; a sum that becomes zero (within rounding) is removed. */
    public static void add(Map<String, Double> sums, Map<String, Double> measures, double factor) {
        measures.forEach((name, value) -> {
            double sum = sums.getOrDefault(name, 0.0) + factor * value;
            if (Math.abs(sum) < EPSILON) {
                sums.remove(name);
            } else {
                sums.put(name, sum);
            }
        });
    }

    // ---- sums -> KPIs --------------------------------------------------------------------------------

    /** The KPIs of summed OEE measures (docs/design.md section 4: sum, then divide). */
    public record OeeKpis(Double availability, Double effectiveness, Double quality, Double oee, Double nee,
                          Double mtbfMs, Double mttrMs) {
    }

    public static OeeKpis oeeKpis(Map<String, Double> sums) {
        double pbt = get(sums, PBT);
        double apt = get(sums, APT);
        double aupt = get(sums, AUPT);
        double pq = get(sums, PRODUCED);
        double failures = get(sums, FAILURES);
        boolean idealKnown = get(sums, IDEAL_UNKNOWN) <= EPSILON;
        Double availability = pbt > EPSILON ? apt / pbt : null;
        Double effectiveness = apt > EPSILON && idealKnown ? get(sums, IDEAL) / apt : null;
        Double quality = pq > EPSILON ? get(sums, GOOD) / pq : null;
        Double oee = pbt > EPSILON && idealKnown ? get(sums, GOOD_IDEAL) / pbt : null;
        Double nee = pbt > EPSILON && effectiveness != null && quality != null ? aupt / pbt * effectiveness * quality : null;
        Double mtbf = failures > EPSILON ? aupt / failures : null;
        Double mttr = failures > EPSILON ? get(sums, FAILURE_MS) / failures : null;
        return new OeeKpis(availability, effectiveness, quality, oee, nee, mtbf, mttr);
    }

    /** Summed ms per stop reason. */
    public static Map<String, Long> stopReasons(Map<String, Double> sums) {
        Map<String, Long> out = new TreeMap<>();
        sums.forEach((name, v) -> {
            if (name.startsWith(STOP_PREFIX)) {
                out.put(name.substring(STOP_PREFIX.length()), Math.round(v));
            }
        });
        return out;
    }

    /** The defect Pareto of summed counts: largest first, ties by code. */
    public static List<DefectCount> defects(Map<String, Double> sums) {
        List<DefectCount> out = new ArrayList<>();
        sums.forEach((name, v) -> {
            if (name.startsWith(DEFECT_PREFIX)) {
                out.add(new DefectCount(name.substring(DEFECT_PREFIX.length()), v));
            }
        });
        out.sort(Comparator.comparingDouble(DefectCount::getCount).reversed().thenComparing(DefectCount::getCode));
        return out;
    }

    /**
     * Summed energy per carrier in its native unit, keyed by carrier name; a carrier metered in two units (lines
     * that differ) appears once per unit, the second as {@code CARRIER/UNIT}.
     */
    public static Map<String, CarrierEnergy> energy(Map<String, Double> sums) {
        Map<String, CarrierEnergy> out = new TreeMap<>();
        new TreeMap<>(sums).forEach((name, v) -> {
            if (name.startsWith(ENERGY_PREFIX)) {
                String[] parts = name.substring(ENERGY_PREFIX.length()).split(":", 2);
                CarrierEnergy e = new CarrierEnergy(v, EnergyUnit.valueOf(parts[1]));
                out.put(out.containsKey(parts[0]) ? parts[0] + "/" + parts[1] : parts[0], e);
            }
        });
        return out;
    }

    /** A ratio, null when the denominator is zero. */
    public static Double ratio(double numerator, double denominator) {
        return denominator > EPSILON ? numerator / denominator : null;
    }

    public static double get(Map<String, Double> sums, String name) {
        return sums.getOrDefault(name, 0.0);
    }

    public static long ms(Map<String, Double> sums, String name) {
        return Math.round(get(sums, name));
    }
}

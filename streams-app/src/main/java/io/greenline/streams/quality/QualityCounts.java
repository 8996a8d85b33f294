package io.greenline.streams.quality;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The inspection tally of one window (of a line, or of a line and product): plain arithmetic, no Kafka.
 *
 * <ul>
 *   <li>{@code inspected} is the sum of {@code quantity} over the window's inspections; {@code passed},
 *       {@code rework} and {@code scrap} split it by result.</li>
 *   <li>Defect codes are counted once per inspection and code, weighted by the inspection's quantity: a
 *       unit carrying codes A and B adds 1 to A and 1 to B, so a Pareto bar is "units showing this
 *       defect" and the bars may add up to more than the defective units. Codes are counted on every
 *       result as recorded; a REWORK or SCRAP without any code counts under {@link #UNSPECIFIED}.</li>
 *   <li>{@code firstInspectedUnits} and {@code firstPassUnits} feed first pass yield; which inspection is
 *       a unit's first is decided by {@link FirstInspections}, not here.</li>
 * </ul>
 *
 * <p>Rates are null, never 0, when nothing was inspected.
 */
public record QualityCounts(double inspected, double passed, double rework, double scrap,
                            Map<String, Double> defects, double firstInspectedUnits, double firstPassUnits) {

    /** Code under which a REWORK or SCRAP inspection without defect codes is counted. */
    public static final String UNSPECIFIED = "UNSPECIFIED";

    public static final QualityCounts EMPTY = new QualityCounts(0, 0, 0, 0, Map.of(), 0, 0);

    /** The result of one inspection, as the domain sees it. */
    public enum Result { PASS, REWORK, SCRAP }

    /** One bar of a defect Pareto. */
    public record DefectBar(String code, double count) {
    }

    public QualityCounts {
        defects = Map.copyOf(Objects.requireNonNull(defects, "defects")); // the same map when it is one already
    }

    /** This tally plus one inspection of {@code quantity} units with the given result and defect codes. */
    public QualityCounts plusInspection(Result result, double quantity, Collection<String> codes) {
        Objects.requireNonNull(result, "result");
        Map<String, Double> nextDefects = new HashMap<>(defects);
        Collection<String> counted = new LinkedHashSet<>(codes);
        if (counted.isEmpty() && result != Result.PASS) {
            counted = List.of(UNSPECIFIED);
        }
        for (String code : counted) {
            nextDefects.merge(code, quantity, Double::sum);
        }
        return new QualityCounts(
                inspected + quantity,
                passed + (result == Result.PASS ? quantity : 0),
                rework + (result == Result.REWORK ? quantity : 0),
                scrap + (result == Result.SCRAP ? quantity : 0),
                nextDefects, firstInspectedUnits, firstPassUnits);
    }

    /**
     * This tally with {@code units} more units first inspected here, good at first pass when
     * {@code passed}. A negative {@code units} takes a first inspection back (it moved to an earlier one).
     */
    public QualityCounts plusFirstInspection(double units, boolean passed) {
        return new QualityCounts(inspected, this.passed, rework, scrap, defects,
                firstInspectedUnits + units, firstPassUnits + (passed ? units : 0));
    }

    /** Units that were reworked or scrapped: the numerator of the defect rate and of the p-chart. */
    public double defective() {
        return rework + scrap;
    }

    /** (rework + scrap) / inspected; null when nothing was inspected. */
    public Double defectRate() {
        return ratio(defective(), inspected);
    }

    /** scrap / inspected; null when nothing was inspected. */
    public Double scrapRate() {
        return ratio(scrap, inspected);
    }

    /** rework / inspected; null when nothing was inspected. */
    public Double reworkRate() {
        return ratio(rework, inspected);
    }

    /** firstPassUnits / firstInspectedUnits; null when no unit was first inspected in the window. */
    public Double firstPassYield() {
        return ratio(firstPassUnits, firstInspectedUnits);
    }

    /** The defect counts as a Pareto: largest count first, ties by code. */
    public List<DefectBar> pareto() {
        List<DefectBar> bars = new ArrayList<>();
        defects.forEach((code, count) -> bars.add(new DefectBar(code, count)));
        bars.sort(Comparator.comparingDouble(DefectBar::count).reversed().thenComparing(DefectBar::code));
        return bars;
    }

    private static Double ratio(double numerator, double denominator) {
        return denominator > 0 ? numerator / denominator : null;
    }
}

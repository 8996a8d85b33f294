package io.greenline.streams.oee;

/**
 * The KPIs of one window (docs/design.md section 4). A KPI whose denominator is zero is null (JSON null), never 0
 * or 1; effectiveness is never clamped.
 *
 * <ul>
 *   <li>availability = APT / PBT (null when PBT = 0)</li>
 *   <li>effectiveness = ideal time / APT (null when APT = 0, or when some produced quantity of the window had no
 *       ideal cycle time: an unknown ideal time is not zero effectiveness)</li>
 *   <li>quality = GQ / PQ (null when PQ = 0)</li>
 *   <li>oee = sum(PRU x GQ) / PBT (null when PBT = 0, or when some produced quantity had no ideal cycle time,
 *       e.g. a line without a config). It equals availability x effectiveness x quality when
 *       every count of the window has the same good ratio or the same PRU (one product, one rate); with
 *       several products of different rates and scrap ratios the two differ, and oee is the PRU-weighted
 *       one.</li>
 *   <li>nee = AUPT / PBT x effectiveness x quality (null when any factor is)</li>
 *   <li>mtbfMs = AUPT / failures, mttrMs = failure time / failures (null when failures = 0)</li>
 * </ul>
 */
public record OeeKpis(Double availability, Double effectiveness, Double quality, Double oee, Double nee, Double mtbfMs,
        Double mttrMs) {

    public static OeeKpis of(TimeElements t, WindowCounts c) {
        long pbt = t.pbtMs();
        Double availability = pbt > 0 ? (double) t.aptMs() / pbt : null;
        boolean rated = c.unratedQuantity() == 0;
        Double effectiveness = t.aptMs() > 0 && rated ? c.idealTimeMs() / t.aptMs() : null;
        Double quality = c.producedQuantity() > 0 ? c.goodQuantity() / c.producedQuantity() : null;
        Double oee = pbt > 0 && rated ? c.goodIdealTimeMs() / pbt : null;
        Double nee = pbt > 0 && effectiveness != null && quality != null
                ? (double) t.auptMs() / pbt * effectiveness * quality : null;
        Double mtbf = t.failures() > 0 ? (double) t.auptMs() / t.failures() : null;
        Double mttr = t.failures() > 0 ? (double) t.failureDurationMs() / t.failures() : null;
        return new OeeKpis(availability, effectiveness, quality, oee, nee, mtbf, mttr);
    }
}

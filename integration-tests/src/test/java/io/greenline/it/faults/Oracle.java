package io.greenline.it.faults;

import io.greenline.events.Alert;
import io.greenline.events.BatchFootprint;
import io.greenline.events.LineEnergyWindow;
import io.greenline.events.OeeWindow;
import io.greenline.events.QualityWindow;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The independent oracle: the expected final OEE windows, quality windows, batch footprints, line-energy windows
 * and alerts of a recorded event log, recomputed by brute force ({@link ReferenceOee}, {@link ReferenceQuality},
 * {@link ReferenceFootprints}, {@link ReferenceLineEnergy}, {@link ReferenceAlerts}) from the documented semantics,
 * with no code shared with the application's ledgers, windows or KPI classes. It uses only the generated Avro classes and the schemas module's topic names and {@code WindowKey}.
 *
 * <p>Finality follows event time only: a window is expected final when the line's clock (its largest accepted
 * event time) is past its end plus the grace. Runs checked against it disable the idle advance by wall clock
 * (long {@code oee.idle-advance-interval}, {@code quality.idle-after}), which would otherwise close windows at a
 * time no log can tell.
 */
record Oracle(Map<String, OeeWindow> oee, Map<String, QualityWindow> quality, Map<String, BatchFootprint> footprints,
              Set<String> surelyFinalFootprints, Map<String, LineEnergyWindow> lineEnergy, Map<String, Alert> alerts,
              int lateOee, int lateQuality, int lateLineEnergy, int duplicates) {

    /** The settings the oracle must share with the application under test. */
    record Settings(Duration oeeGrace, Duration qualityGrace, Duration unitTtl, Duration finalizationDelay, Duration lineEnergyGrace) {
        static Settings defaults() {
            return new Settings(Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofDays(7), Duration.ofMinutes(5), Duration.ofMinutes(5));
        }
    }

    static Oracle of(EventLog log, Settings settings) {
        ReferenceData ref = new ReferenceData(log);
        ReferenceOee.Result oee = ReferenceOee.compute(log, ref, settings.oeeGrace().toMillis());
        ReferenceQuality.Result quality = ReferenceQuality.compute(log, ref, settings.qualityGrace().toMillis(), settings.unitTtl().toMillis());
        ReferenceFootprints.Result carbon = ReferenceFootprints.compute(log, ref, settings.finalizationDelay().toMillis());
        ReferenceLineEnergy.Result energy = ReferenceLineEnergy.compute(log, ref, settings.lineEnergyGrace().toMillis());
        // line energy keeps its own duplicate count: it sees the production counts OEE already counted
        return new Oracle(oee.windows(), quality.windows(), carbon.footprints(), carbon.surelyFinal(), energy.windows(),
                ReferenceAlerts.compute(oee.windows(), quality.windows(), ref), oee.late(), quality.late(), energy.late(),
                oee.duplicates() + quality.duplicates() + carbon.duplicates());
    }
}

package io.greenline.streams.carbon;

import io.greenline.events.BatchEvent;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyMetered;
import io.greenline.events.EnergyUnit;
import io.greenline.events.MaterialCharge;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.streams.errors.BadRecordException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Bad-data rules of the carbon ledger's inputs. Each check throws {@link BadRecordException} (to {@code mfg.dlq})
 * before any state is touched.
 */
public final class CarbonInputValidation {

    /** Larger than any one meter reading or batch mass can be, in any unit (10^9 kWh, t, m3, kg...). */
    public static final double ABSURD_QUANTITY = 1e9;
    /** A reading period longer than this is a meter or clock error, not a reading. */
    public static final Duration MAX_READING_PERIOD = Duration.ofDays(31);

    /** Units a meter of each carrier may report in. */
    public static final Map<EnergyCarrier, Set<EnergyUnit>> UNITS = Map.of(
            EnergyCarrier.ELECTRICITY, EnumSet.of(EnergyUnit.KWH, EnergyUnit.MJ),
            EnergyCarrier.NATURAL_GAS, EnumSet.of(EnergyUnit.NM3, EnergyUnit.KWH, EnergyUnit.MJ),
            EnergyCarrier.STEAM, EnumSet.of(EnergyUnit.TONNE, EnergyUnit.KWH, EnergyUnit.MJ),
            EnergyCarrier.DIESEL, EnumSet.of(EnergyUnit.LITRE, EnergyUnit.KWH, EnergyUnit.MJ));

    private CarbonInputValidation() {
    }

    public static void validate(EnergyMetered e) {
        if (e == null) {
            throw new BadRecordException(DeadLetterReason.NULL_VALUE, "null energy reading");
        }
        if (blank(e.getSiteId())) {
            throw new BadRecordException(DeadLetterReason.MISSING_KEY, "energy reading " + e.getEventId() + " has no siteId");
        }
        if (e.getLineId() != null && e.getLineId().isBlank()) {
            throw new BadRecordException(DeadLetterReason.MISSING_KEY, "energy reading " + e.getEventId() + " has a blank lineId");
        }
        if (!e.getPeriodStart().isBefore(e.getTimestamp())) {
            throw BadRecordException.invalid("energy reading " + e.getEventId() + ": periodStart " + e.getPeriodStart()
                    + " is not before timestamp " + e.getTimestamp());
        }
        if (Duration.between(e.getPeriodStart(), e.getTimestamp()).compareTo(MAX_READING_PERIOD) > 0) {
            throw BadRecordException.invalid("energy reading " + e.getEventId() + ": period longer than " + MAX_READING_PERIOD);
        }
        quantity("energy reading " + e.getEventId() + " quantity", e.getQuantity());
        if (!UNITS.get(e.getCarrier()).contains(e.getUnit())) {
            throw BadRecordException.invalid("energy reading " + e.getEventId() + ": " + e.getCarrier() + " is not metered in "
                    + e.getUnit() + " (allowed: " + UNITS.get(e.getCarrier()) + ")");
        }
    }

    public static void validate(BatchEvent b) {
        if (b == null) {
            throw new BadRecordException(DeadLetterReason.NULL_VALUE, "null batch event");
        }
        if (blank(b.getBatchId()) || blank(b.getLineId())) {
            throw new BadRecordException(DeadLetterReason.MISSING_KEY, "batch event " + b.getEventId() + " has no batchId or lineId");
        }
        if (b.getBatchId().indexOf('|') >= 0) {
            throw BadRecordException.invalid("batchId must not contain '|': " + b.getBatchId());
        }
        String what = "batch " + b.getBatchId() + " event " + b.getEventId();
        for (MaterialCharge m : b.getMaterials()) {
            quantity(what + " material " + m.getMaterialId() + " massKg", m.getMassKg());
            quantity(what + " material " + m.getMaterialId() + " footprintKgCo2ePerKg", m.getFootprintKgCo2ePerKg());
            fraction(what + " material " + m.getMaterialId() + " biogenicCarbonKgPerKg", m.getBiogenicCarbonKgPerKg());
        }
        if (b.getProcessCo2Kg() != null) {
            quantity(what + " processCo2Kg", b.getProcessCo2Kg());
        }
        if (b.getOutputGoodMassKg() != null) {
            quantity(what + " outputGoodMassKg", b.getOutputGoodMassKg());
        }
        if (b.getOutputTotalMassKg() != null) {
            quantity(what + " outputTotalMassKg", b.getOutputTotalMassKg());
        }
        if (b.getOutputGoodMassKg() != null && b.getOutputTotalMassKg() != null && b.getOutputGoodMassKg() > b.getOutputTotalMassKg()) {
            throw BadRecordException.invalid(what + ": good output " + b.getOutputGoodMassKg() + " kg exceeds total output "
                    + b.getOutputTotalMassKg() + " kg");
        }
        if (b.getPieces() != null && (b.getPieces() <= 0 || b.getPieces() > ABSURD_QUANTITY)) {
            throw BadRecordException.invalid(what + ": pieces " + b.getPieces());
        }
        if (b.getProductBiogenicCarbonKgPerKg() != null) {
            fraction(what + " productBiogenicCarbonKgPerKg", b.getProductBiogenicCarbonKgPerKg());
        }
    }

    private static void quantity(String what, double v) {
        if (!Double.isFinite(v) || v < 0) {
            throw BadRecordException.invalid(what + " must be a finite number >= 0, not " + v);
        }
        if (v > ABSURD_QUANTITY) {
            throw BadRecordException.invalid(what + " = " + v + " is absurd (more than " + ABSURD_QUANTITY + ")");
        }
    }

    private static void fraction(String what, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw BadRecordException.invalid(what + " must be within [0, 1] kg C per kg, not " + v);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}

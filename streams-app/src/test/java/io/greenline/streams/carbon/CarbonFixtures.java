package io.greenline.streams.carbon;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchEventType;
import io.greenline.events.EmissionBasis;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EmissionScope;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyMetered;
import io.greenline.events.EnergyUnit;
import io.greenline.events.LineConfig;
import io.greenline.events.MaterialCharge;
import java.time.Instant;
import java.util.List;

/** Test data of the carbon ledger tests: lines, factors, batch events and readings. */
final class CarbonFixtures {

    static final Instant DAY = Instant.parse("2026-03-01T00:00:00Z");
    static final Instant FACTORS_FROM = Instant.parse("2026-01-01T00:00:00Z");
    /** The second LOCATION version of German grid electricity becomes valid mid-batch. */
    static final Instant DE_V2_FROM = Instant.parse("2026-03-01T10:30:00Z");

    private CarbonFixtures() {
    }

    static Instant at(String hhmm) {
        return Instant.parse("2026-03-01T" + hhmm + ":00Z");
    }

    static LineConfig line(String lineId, String siteId, String gridRegion) {
        return LineConfig.newBuilder().setLineId(lineId).setSiteId(siteId).setAreaId("area-" + siteId).setName(lineId)
                .setTimezone("Europe/Berlin").setGridRegion(gridRegion).setValidFrom(FACTORS_FROM).build();
    }

    static EmissionFactor factor(EnergyCarrier carrier, String region, EmissionBasis basis, double kg, EnergyUnit unit, Instant validFrom) {
        EmissionScope scope = basis == EmissionBasis.DIRECT ? EmissionScope.SCOPE1 : EmissionScope.SCOPE2;
        return new EmissionFactor(carrier, region, basis, scope, kg, unit, validFrom, "test factors 2026");
    }

    /** Factors of the DE grid and fuels: electricity LOCATION 0.380 then 0.360 from 10:30, MARKET 0.050 (PPA). */
    static List<EmissionFactor> germanFactors() {
        return List.of(
                factor(EnergyCarrier.ELECTRICITY, "DE", EmissionBasis.LOCATION, 0.380, EnergyUnit.KWH, FACTORS_FROM),
                factor(EnergyCarrier.ELECTRICITY, "DE", EmissionBasis.LOCATION, 0.360, EnergyUnit.KWH, DE_V2_FROM),
                factor(EnergyCarrier.ELECTRICITY, "DE", EmissionBasis.MARKET, 0.050, EnergyUnit.KWH, FACTORS_FROM),
                factor(EnergyCarrier.STEAM, "DE", EmissionBasis.LOCATION, 200.0, EnergyUnit.TONNE, FACTORS_FROM),
                factor(EnergyCarrier.NATURAL_GAS, "DE", EmissionBasis.DIRECT, 2.0, EnergyUnit.NM3, FACTORS_FROM));
    }

    /** Polish grid electricity (no MARKET factor) and a gas factor that only becomes valid in April. */
    static List<EmissionFactor> polishFactors() {
        return List.of(
                factor(EnergyCarrier.ELECTRICITY, "PL", EmissionBasis.LOCATION, 0.700, EnergyUnit.KWH, FACTORS_FROM),
                factor(EnergyCarrier.NATURAL_GAS, "PL", EmissionBasis.DIRECT, 2.0, EnergyUnit.NM3, Instant.parse("2026-04-01T00:00:00Z")));
    }

    static MaterialCharge material(String id, double massKg, double footprint, double biogenicC) {
        return new MaterialCharge(id, massKg, footprint, biogenicC);
    }

    static BatchEvent.Builder batch(String eventId, String batchId, String lineId, BatchEventType type, Instant at) {
        return BatchEvent.newBuilder().setEventId(eventId).setBatchId(batchId).setLineId(lineId).setProductId("PO-BIO")
                .setTimestamp(at).setEventType(type);
    }

    static BatchEvent started(String batchId, String lineId, Instant at) {
        return batch(batchId + "-start", batchId, lineId, BatchEventType.STARTED, at).build();
    }

    static BatchEvent completed(String batchId, String lineId, Instant at, double goodKg, double totalKg) {
        return batch(batchId + "-done", batchId, lineId, BatchEventType.COMPLETED, at)
                .setOutputGoodMassKg(goodKg).setOutputTotalMassKg(totalKg).build();
    }

    static EnergyMetered reading(String eventId, String siteId, String lineId, EnergyCarrier carrier, Instant from, Instant to,
                                 double quantity, EnergyUnit unit) {
        return new EnergyMetered(eventId, "meter-" + eventId, siteId, lineId, carrier, from, to, quantity, unit);
    }

    static EnergyMetered kwh(String eventId, String siteId, String lineId, Instant from, Instant to, double kwh) {
        return reading(eventId, siteId, lineId, EnergyCarrier.ELECTRICITY, from, to, kwh, EnergyUnit.KWH);
    }
}

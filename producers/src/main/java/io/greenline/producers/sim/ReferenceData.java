package io.greenline.producers.sim;

import io.greenline.events.DayOfWeek;
import io.greenline.events.EmissionFactor;
import io.greenline.events.LineConfig;
import io.greenline.events.ProductRate;
import io.greenline.events.Shift;
import io.greenline.producers.sim.SimulatorConfig.Factor;
import io.greenline.producers.sim.SimulatorConfig.LineIdentity;
import java.time.Instant;
import java.util.List;

/** Builds the reference records (line configs, emission factors) from the simulator configuration. */
final class ReferenceData {

    private static final List<DayOfWeek> EVERY_DAY = List.of(DayOfWeek.values());

    private ReferenceData() {
    }

    static LineConfig lineConfig(LineIdentity line, List<ProductRate> products, long validFrom) {
        List<Shift> shifts = line.shifts().stream()
                .map(s -> new Shift(s.name(), s.start(), s.end(), s.days() == null || s.days().isEmpty() ? EVERY_DAY : s.days()))
                .toList();
        return LineConfig.newBuilder()
                .setLineId(line.lineId())
                .setSiteId(line.siteId())
                .setAreaId(line.areaId())
                .setName(line.name())
                .setTimezone(line.timezone())
                .setShifts(shifts)
                .setProducts(products)
                .setMicroStopThresholdMs(line.microStopThresholdSeconds() * 1000)
                .setOeeTarget(line.oeeTarget())
                .setGridRegion(line.gridRegion())
                .setValidFrom(Instant.ofEpochMilli(validFrom))
                .build();
    }

    /** The version of a configured factor for a run that starts at {@code start}. */
    static EmissionFactor emissionFactor(Factor factor, long start) {
        return EmissionFactor.newBuilder()
                .setCarrier(factor.carrier())
                .setRegion(factor.region())
                .setBasis(factor.basis())
                .setScope(factor.scope())
                .setKgCo2ePerUnit(factor.kgCo2ePerUnit())
                .setUnit(factor.unit())
                .setValidFrom(Instant.ofEpochMilli(validFrom(factor, start)))
                .setSource(factor.source())
                .build();
    }

    static long validFrom(Factor factor, long start) {
        return start + Math.round(factor.validFromHours() * 3_600_000);
    }
}

package io.greenline.producers.sim;

import io.greenline.events.EnergyMetered;
import io.greenline.producers.sim.SimulatorConfig.SiteMeter;
import java.time.Instant;
import java.util.SplittableRandom;

/** A meter shared by a whole site (utilities, forklifts): a steady draw with noise, lineId null. */
final class SiteMeterProcess {

    private final Schedule schedule;
    private final Emitter out;
    private final SiteMeter meter;
    private final SplittableRandom random;
    private final long periodMs;
    private long periodStart;

    SiteMeterProcess(Schedule schedule, Emitter out, long seed, SiteMeter meter, int meterPeriodMinutes) {
        this.schedule = schedule;
        this.out = out;
        this.meter = meter;
        this.random = new SplittableRandom(seed * 31 + meter.meterId().hashCode());
        this.periodMs = meterPeriodMinutes * 60_000L;
    }

    void start(long start) {
        periodStart = start;
        schedule.at(LineProcess.nextBoundary(start, periodMs), this::read);
    }

    private void read(long t) {
        double hours = (t - periodStart) / 3_600_000.0;
        double quantity = meter.perHour() * hours * (1 + meter.noise() * (2 * random.nextDouble() - 1));
        out.energy(EnergyMetered.newBuilder()
                .setEventId(out.nextEventId(meter.meterId()))
                .setMeterId(meter.meterId())
                .setSiteId(meter.siteId())
                .setLineId(null)
                .setCarrier(meter.carrier())
                .setPeriodStart(Instant.ofEpochMilli(periodStart))
                .setTimestamp(Instant.ofEpochMilli(t))
                .setQuantity(LineProcess.round(quantity, 3))
                .setUnit(meter.unit())
                .build());
        periodStart = t;
        schedule.at(t + periodMs, this::read);
    }
}

package io.greenline.producers.sim;

import io.greenline.events.LineConfig;
import io.greenline.producers.EventSink;
import io.greenline.producers.sim.SimulatorConfig.Factor;
import io.greenline.schemas.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Every simulated line, plant and site meter of a configuration, run on one discrete-event schedule.
 *
 * <p>At the start it publishes the reference data (a {@link LineConfig} per line and the emission
 * factors valid from the start); factor versions with a later {@code validFromHours} are published when
 * simulated time reaches them. {@link #advanceTo} emits every event due up to an instant, in time order.
 * The sequence of events is a pure function of (configuration, seed, start).
 */
public final class FactorySimulation {

    private final Schedule schedule;
    private final Emitter out;
    private final long start;
    private final List<String> lineIds = new ArrayList<>();

    public FactorySimulation(SimulatorConfig config, Instant start, EventSink sink, Topics topics) {
        this.start = start.toEpochMilli();
        this.schedule = new Schedule(this.start);
        this.out = new Emitter(sink, topics, config.seed(), start);
        // the start is part of the seed, so a run resumed later does not replay the same draws
        long seed = config.seed() * 1_000_003L + this.start;

        List<LineConfig> lineConfigs = new ArrayList<>();
        List<LineProcess> lines = new ArrayList<>();
        for (SimulatorConfig.BrakeDrumLine drumLine : config.brakeDrumLines()) {
            BrakeDrumLineSimulator simulator = new BrakeDrumLineSimulator(schedule, out, seed, drumLine, config.meterPeriodMinutes());
            lineConfigs.add(simulator.lineConfig(this.start));
            lines.add(simulator);
        }
        for (SimulatorConfig.PolyolefinPlant plant : config.polyolefinPlants()) {
            PolyolefinPlantSimulator simulator = new PolyolefinPlantSimulator(schedule, out, seed, plant, config.meterPeriodMinutes());
            lineConfigs.add(simulator.lineConfig(this.start));
            lines.add(simulator);
        }
        lineConfigs.forEach(c -> lineIds.add(c.getLineId()));

        // reference data first, so the first events of every line find their configuration and factors
        schedule.at(this.start, t -> lineConfigs.forEach(out::lineConfig));
        for (Factor factor : config.emissionFactors()) {
            long validFrom = ReferenceData.validFrom(factor, this.start);
            schedule.at(validFrom, t -> out.emissionFactor(ReferenceData.emissionFactor(factor, this.start)));
        }
        lines.forEach(line -> line.start(this.start));
        for (SimulatorConfig.SiteMeter meter : config.siteMeters()) {
            new SiteMeterProcess(schedule, out, seed, meter, config.meterPeriodMinutes()).start(this.start);
        }
    }

    /** Emits every event due at or before {@code simTime} (epoch ms); returns how many were emitted. */
    public long advanceTo(long simTime) {
        long before = out.emitted();
        schedule.runUntil(simTime);
        return out.emitted() - before;
    }

    /** The simulated instant reached so far. */
    public Instant simulatedTime() {
        return Instant.ofEpochMilli(schedule.now());
    }

    /** When the next event is due (epoch ms). */
    public long nextEventTime() {
        return schedule.nextTime();
    }

    public long emitted() {
        return out.emitted();
    }

    public Instant start() {
        return Instant.ofEpochMilli(start);
    }

    /** The ids of the simulated lines and plants. */
    public List<String> lineIds() {
        return List.copyOf(lineIds);
    }
}

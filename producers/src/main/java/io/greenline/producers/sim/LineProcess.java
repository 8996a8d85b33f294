package io.greenline.producers.sim;

import io.greenline.events.EnergyMetered;
import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.producers.sim.SimulatorConfig.LineIdentity;
import io.greenline.producers.sim.SimulatorConfig.MinorStops;
import io.greenline.producers.sim.SimulatorConfig.PowerModel;
import io.greenline.producers.sim.SimulatorConfig.Range;
import io.greenline.producers.sim.SimulatorConfig.Workcell;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * The state machine every simulated line shares: it performs "work" (a drum's cycle, a batch's
 * production run) in the RUNNING state and is interrupted by faults (exponential time between failures
 * per workcell, exponential repair), minor stops and planned stops from its calendar; work pauses during
 * a stop and resumes after it. It reports each state change (per line, naming the workcell that caused
 * it) and meters energy per period from the time spent in each state.
 *
 * <p>Because the exponential distribution is memoryless, the next fault and minor stop are drawn afresh
 * at the start of every running segment.
 */
abstract class LineProcess {

    private static final long MIN_REPAIR_MS = 60_000;

    protected final Schedule schedule;
    protected final Emitter out;
    protected final SplittableRandom random;
    protected final LineIdentity line;
    protected final String runningWorkcellId;
    private final List<Workcell> workcells;
    private final MinorStops minorStops;
    private final PlannedCalendar planned;
    private final List<PowerModel> meters;
    private final long meterPeriodMs;
    private final double faultRatePerHour;

    private MachineState state;
    private String stateReason;
    private final double[] meterAccumulated;
    private long meterMark;
    private long meterPeriodStart;

    private long workTotalMs;
    private long workRemainingMs;
    private long segmentStart;
    private boolean working;
    private LongConsumer onWorkDone;

    LineProcess(Schedule schedule, Emitter out, long seed, LineIdentity line, String runningWorkcellId,
                List<Workcell> workcells, MinorStops minorStops, List<SimulatorConfig.PlannedStop> plannedStops,
                List<PowerModel> meters, int meterPeriodMinutes) {
        this.schedule = schedule;
        this.out = out;
        this.random = new SplittableRandom(seed * 31 + line.lineId().hashCode());
        this.line = line;
        this.runningWorkcellId = runningWorkcellId;
        this.workcells = List.copyOf(workcells);
        this.minorStops = minorStops;
        this.planned = new PlannedCalendar(plannedStops, ZoneId.of(line.timezone()));
        this.meters = List.copyOf(meters);
        this.meterPeriodMs = meterPeriodMinutes * 60_000L;
        this.faultRatePerHour = workcells.stream().mapToDouble(w -> 1.0 / w.mtbfHours()).sum();
        this.meterAccumulated = new double[meters.size()];
    }

    /** Schedules the line's first actions at {@code start}. */
    final void start(long start) {
        meterMark = start;
        meterPeriodStart = start;
        schedule.at(nextBoundary(start, meterPeriodMs), this::readMeters);
        schedule.at(start, this::begin);
    }

    /** What the line does first (at the simulation start). */
    protected abstract void begin(long t);

    // ---- states ----------------------------------------------------------------------------------

    /** Enters a state, metering the time spent in the previous one; a repeat of the same state is not reported. */
    protected final void enter(long t, MachineState newState, String workcellId, String reasonCode) {
        accumulateMeters(t);
        if (newState == state && Objects.equals(reasonCode, stateReason)) {
            return;
        }
        state = newState;
        stateReason = reasonCode;
        out.machineState(MachineStateChanged.newBuilder()
                .setEventId(out.nextEventId(line.lineId() + "/state"))
                .setLineId(line.lineId())
                .setWorkcellId(workcellId)
                .setTimestamp(Instant.ofEpochMilli(t))
                .setState(newState)
                .setReasonCode(reasonCode)
                .build());
    }

    protected final MachineState state() {
        return state;
    }

    /**
     * Runs for {@code workMs} of RUNNING time, interrupted by stops, then calls {@code onDone} with the
     * time the work finished.
     */
    protected final void work(long t, long workMs, LongConsumer onDone) {
        workTotalMs = Math.max(1, workMs);
        workRemainingMs = workTotalMs;
        onWorkDone = onDone;
        runSegment(t);
    }

    /** RUNNING time of the current work done by {@code t}. */
    protected final long workProgressMs(long t) {
        long done = workTotalMs - workRemainingMs;
        return working ? done + (t - segmentStart) : done;
    }

    /**
     * A stop that is not an interruption of work (setup, charging): the line enters {@code stopState}
     * for {@code durationMs}, then continues with {@code then} (after any planned stop that began meanwhile).
     */
    protected final void pause(long t, MachineState stopState, String reasonCode, long durationMs, LongConsumer then) {
        enter(t, stopState, runningWorkcellId, reasonCode);
        schedule.at(t + durationMs, end -> afterStop(end, then));
    }

    private void runSegment(long t) {
        PlannedCalendar.Window plannedWindow = planned.nextStartingAtOrAfter(t);
        if (plannedWindow != null && plannedWindow.start() == t) {
            plannedStop(t, plannedWindow);
            return;
        }
        enter(t, MachineState.RUNNING, runningWorkcellId, null);
        working = true;
        segmentStart = t;
        long doneAt = t + workRemainingMs;
        long faultAt = faultRatePerHour > 0 ? t + exponentialMs(3_600_000.0 / faultRatePerHour) : Long.MAX_VALUE;
        long minorAt = minorStops != null ? t + exponentialMs(minorStops.meanIntervalMinutes() * 60_000) : Long.MAX_VALUE;
        long plannedAt = plannedWindow != null ? plannedWindow.start() : Long.MAX_VALUE;
        long first = Math.min(faultAt, Math.min(minorAt, plannedAt));
        if (doneAt <= first) {
            schedule.at(doneAt, this::workDone);
        } else if (first == plannedAt) {
            schedule.at(plannedAt, at -> plannedStop(at, plannedWindow));
        } else if (first == faultAt) {
            schedule.at(faultAt, this::fault);
        } else {
            schedule.at(minorAt, this::minorStop);
        }
    }

    private void workDone(long t) {
        working = false;
        workRemainingMs = 0;
        onWorkDone.accept(t);
    }

    private void pauseWork(long t) {
        workRemainingMs -= t - segmentStart;
        working = false;
    }

    private void fault(long t) {
        pauseWork(t);
        Workcell cell = pickFailingCell();
        String reason = cell.faultReasons().get(random.nextInt(cell.faultReasons().size()));
        long repair = Math.max(MIN_REPAIR_MS, exponentialMs(cell.mttrMinutes() * 60_000));
        enter(t, MachineState.FAULT, cell.workcellId(), reason);
        schedule.at(t + repair, end -> afterStop(end, this::runSegment));
    }

    private void minorStop(long t) {
        pauseWork(t);
        Workcell cell = workcells.get(random.nextInt(workcells.size()));
        String reason = minorStops.reasons().get(random.nextInt(minorStops.reasons().size()));
        long duration = (long) (uniform(minorStops.durationSeconds()) * 1000);
        enter(t, MachineState.MINOR_STOP, cell.workcellId(), reason);
        schedule.at(t + duration, end -> afterStop(end, this::runSegment));
    }

    private void plannedStop(long t, PlannedCalendar.Window window) {
        if (working) {
            pauseWork(t);
        }
        enter(t, MachineState.PLANNED_STOP, runningWorkcellId, window.reasonCode());
        schedule.at(window.end(), this::runSegment);
    }

    /** After a stop: if a planned window began meanwhile, serve its remainder first. */
    private void afterStop(long t, LongConsumer then) {
        PlannedCalendar.Window window = planned.containing(t);
        if (window != null) {
            enter(t, MachineState.PLANNED_STOP, runningWorkcellId, window.reasonCode());
            schedule.at(window.end(), then);
        } else {
            then.accept(t);
        }
    }

    private Workcell pickFailingCell() {
        double u = random.nextDouble() * faultRatePerHour;
        for (Workcell cell : workcells) {
            u -= 1.0 / cell.mtbfHours();
            if (u <= 0) {
                return cell;
            }
        }
        return workcells.get(workcells.size() - 1);
    }

    // ---- energy ----------------------------------------------------------------------------------

    private void accumulateMeters(long t) {
        String stateName = (state == null ? MachineState.IDLE : state).name();
        double hours = (t - meterMark) / 3_600_000.0;
        for (int i = 0; i < meters.size(); i++) {
            meterAccumulated[i] += meters.get(i).perHour(stateName) * hours;
        }
        meterMark = t;
    }

    private void readMeters(long t) {
        accumulateMeters(t);
        for (int i = 0; i < meters.size(); i++) {
            PowerModel meter = meters.get(i);
            double quantity = meterAccumulated[i] * (1 + meter.noise() * (2 * random.nextDouble() - 1));
            meterAccumulated[i] = 0;
            out.energy(EnergyMetered.newBuilder()
                    .setEventId(out.nextEventId(meter.meterId()))
                    .setMeterId(meter.meterId())
                    .setSiteId(line.siteId())
                    .setLineId(line.lineId())
                    .setCarrier(meter.carrier())
                    .setPeriodStart(Instant.ofEpochMilli(meterPeriodStart))
                    .setTimestamp(Instant.ofEpochMilli(t))
                    .setQuantity(round(quantity, 3))
                    .setUnit(meter.unit())
                    .build());
        }
        meterPeriodStart = t;
        schedule.at(t + meterPeriodMs, this::readMeters);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    protected final long exponentialMs(double meanMs) {
        return (long) (-meanMs * Math.log(1 - random.nextDouble()));
    }

    protected final double uniform(Range range) {
        return range.min() + (range.max() - range.min()) * random.nextDouble();
    }

    protected final long uniformMinutesMs(Range minutes) {
        return (long) (uniform(minutes) * 60_000);
    }

    /** The first multiple of {@code period} (since the epoch) after {@code t}. */
    static long nextBoundary(long t, long period) {
        return (Math.floorDiv(t, period) + 1) * period;
    }

    static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}

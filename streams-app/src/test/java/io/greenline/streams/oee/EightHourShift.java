package io.greenline.streams.oee;

import io.greenline.events.MachineState;
import java.time.Instant;
import java.util.List;

/**
 * The worked example of issue 3, "Must show" 1: line L1 in UTC, one shift "early" 06:00-14:00 on weekdays,
 * Monday 2026-01-05, micro-stop threshold 120,000 ms, product A (PRU 30,000 ms) and B (PRU 45,000 ms).
 *
 * <pre>
 * 06:00    SETUP        changeover   30 min   = 1,800,000
 * 06:30    RUNNING                   90 min   = 5,400,000
 * 08:00    MINOR_STOP   jam           5 min   =   300,000
 * 08:05    RUNNING                   55 min   = 3,300,000
 * 09:00    FAULT        hydraulics   20 min   = 1,200,000  (>= 120,000: a failure)
 * 09:20    RUNNING                   70 min   = 4,200,000
 * 10:30    FAULT        (null)       90 s     =    90,000  (< 120,000: a minor stop)
 * 10:31:30 RUNNING                   58.5 min = 3,510,000
 * 11:30    IDLE         no-material  30 min   = 1,800,000
 * 12:00    PLANNED_STOP lunch        30 min   = 1,800,000
 * 12:30    RUNNING                   90 min   = 5,400,000
 * 14:00    IDLE         (null)       outside the calendar: not POT
 *                               sum 06:00-14:00 = 28,800,000 = 8 h
 * counts: A 07:00 (200, scrap 4, rework 2), A 09:30 (200, 3, 3), A 11:00 (100, 3, 0), B 13:00 (100, 2, 0)
 * </pre>
 */
final class EightHourShift {

    static final String LINE = "L1";
    static final Instant DAY = Instant.parse("2026-01-05T00:00:00Z");
    static final Instant SHIFT_START = Instant.parse("2026-01-05T06:00:00Z");
    static final Instant SHIFT_END = Instant.parse("2026-01-05T14:00:00Z");
    static final long THRESHOLD_MS = 120_000L;
    static final double PRU_A = 30_000.0;
    static final double PRU_B = 45_000.0;

    record State(String at, MachineState state, String reason) {
        Instant instant() {
            return Instant.parse("2026-01-05T" + at + "Z");
        }
    }

    record Count(String at, String product, double quantity, double scrap, double rework) {
        Instant instant() {
            return Instant.parse("2026-01-05T" + at + "Z");
        }
    }

    static final List<State> STATES = List.of(
            new State("06:00:00", MachineState.SETUP, "changeover"),
            new State("06:30:00", MachineState.RUNNING, null),
            new State("08:00:00", MachineState.MINOR_STOP, "jam"),
            new State("08:05:00", MachineState.RUNNING, null),
            new State("09:00:00", MachineState.FAULT, "hydraulics"),
            new State("09:20:00", MachineState.RUNNING, null),
            new State("10:30:00", MachineState.FAULT, null),
            new State("10:31:30", MachineState.RUNNING, null),
            new State("11:30:00", MachineState.IDLE, "no-material"),
            new State("12:00:00", MachineState.PLANNED_STOP, "lunch"),
            new State("12:30:00", MachineState.RUNNING, null),
            new State("14:00:00", MachineState.IDLE, null));

    static final List<Count> COUNTS = List.of(
            new Count("07:00:00", "A", 200, 4, 2),
            new Count("09:30:00", "A", 200, 3, 3),
            new Count("11:00:00", "A", 100, 3, 0),
            new Count("13:00:00", "B", 100, 2, 0));

    static List<StateChange> timeline() {
        return STATES.stream().map(s -> new StateChange(s.instant().toEpochMilli(), s.state(), s.reason())).toList();
    }

    static double pru(String product) {
        return product.equals("A") ? PRU_A : PRU_B;
    }

    private EightHourShift() {
    }
}

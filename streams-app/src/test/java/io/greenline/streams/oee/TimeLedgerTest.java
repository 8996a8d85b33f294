package io.greenline.streams.oee;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.greenline.events.Granularity;
import io.greenline.events.MachineState;
import io.greenline.streams.windows.ShiftDefinition;
import io.greenline.streams.windows.Window;
import io.greenline.streams.windows.WindowCalendar;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TimeLedgerTest {

    private static final Offset<Double> EXACT = within(1e-9);
    private static final WindowCalendar EARLY_SHIFT = new WindowCalendar(ZoneOffset.UTC, List.of(ShiftDefinition.of("early", "06:00", "14:00",
            DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY)));
    private static final Window SHIFT = new Window(Granularity.SHIFT, "early", EightHourShift.SHIFT_START, EightHourShift.SHIFT_END);
    private static final long END_OF_DAY = Instant.parse("2026-01-06T00:00:00Z").toEpochMilli();

    private static Window hour(String startIso) {
        Instant s = Instant.parse(startIso);
        return new Window(Granularity.HOUR, null, s, s.plusSeconds(3600));
    }

    private static WindowCounts shiftCounts() {
        WindowCounts c = new WindowCounts();
        EightHourShift.COUNTS.forEach(k -> c.add(k.quantity(), k.scrap(), k.rework(), EightHourShift.pru(k.product())));
        return c;
    }

    @Test
    @DisplayName("The 8-hour shift: every time element, failure, MTBF, MTTR and stop-reason time as worked by hand")
    void eightHourShiftTimeElements() {
        TimeElements t = TimeLedger.classify(EightHourShift.timeline(), SHIFT, END_OF_DAY, EARLY_SHIFT, EightHourShift.THRESHOLD_MS);
        // POT = the whole shift, all states in calendar: 28,800,000
        assertThat(t.potMs()).isEqualTo(28_800_000L);
        // PDOT = lunch 1,800,000; PBT = 28,800,000 - 1,800,000 = 27,000,000
        assertThat(t.pdotMs()).isEqualTo(1_800_000L);
        assertThat(t.pbtMs()).isEqualTo(27_000_000L);
        // APT = 5,400,000 + 3,300,000 + 4,200,000 + 3,510,000 + 5,400,000 = 21,810,000
        assertThat(t.aptMs()).isEqualTo(21_810_000L);
        assertThat(t.asutMs()).isEqualTo(1_800_000L);
        // ADET = jam 300,000 + hydraulics 1,200,000 + 90 s fault 90,000 = 1,590,000
        assertThat(t.adetMs()).isEqualTo(1_590_000L);
        assertThat(t.adotMs()).isEqualTo(1_800_000L);
        // AUPT = 21,810,000 + 1,800,000 = 23,610,000; AUBT = 23,610,000 + 1,590,000 = 25,200,000
        assertThat(t.auptMs()).isEqualTo(23_610_000L);
        assertThat(t.aubtMs()).isEqualTo(25_200_000L);
        assertThat(t.unknownMs()).isZero();
        assertThat(t.outsidePotMs()).isZero();
        // one failure (the 20-min fault), 1,200,000 long; the 90-s fault is a minor stop
        assertThat(t.failures()).isEqualTo(1);
        assertThat(t.failureDurationMs()).isEqualTo(1_200_000L);
        // every non-RUNNING millisecond inside POT, by reason
        assertThat(t.stopReasons()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "changeover", 1_800_000L, "jam", 300_000L, "hydraulics", 1_200_000L,
                "UNSPECIFIED", 90_000L, "no-material", 1_800_000L, "lunch", 1_800_000L));
    }

    @Test
    @DisplayName("The 8-hour shift: availability, effectiveness, quality, OEE, NEE, MTBF and MTTR as worked by hand")
    void eightHourShiftKpis() {
        TimeElements t = TimeLedger.classify(EightHourShift.timeline(), SHIFT, END_OF_DAY, EARLY_SHIFT, EightHourShift.THRESHOLD_MS);
        WindowCounts c = shiftCounts();
        // PQ = 200 + 200 + 100 + 100 = 600; SQ = 4 + 3 + 3 + 2 = 12; RQ = 2 + 3 = 5; GQ = 600 - 12 - 5 = 583
        assertThat(c.producedQuantity()).isEqualTo(600.0);
        assertThat(c.scrapQuantity()).isEqualTo(12.0);
        assertThat(c.reworkQuantity()).isEqualTo(5.0);
        assertThat(c.goodQuantity()).isEqualTo(583.0);
        // ideal time = 500 x 30,000 + 100 x 45,000 = 15,000,000 + 4,500,000 = 19,500,000
        assertThat(c.idealTimeMs()).isEqualTo(19_500_000.0);
        OeeKpis k = OeeKpis.of(t, c);
        // A = 21,810,000 / 27,000,000
        assertThat(k.availability()).isCloseTo(21_810_000.0 / 27_000_000.0, EXACT).isCloseTo(0.8077777777777778, EXACT);
        // E = 19,500,000 / 21,810,000
        assertThat(k.effectiveness()).isCloseTo(0.8940852819807428, EXACT);
        // Q = 583 / 600
        assertThat(k.quality()).isCloseTo(0.9716666666666667, EXACT);
        // OEE = sum PRU x GQ / PBT = (485 x 30,000 + 98 x 45,000) / 27,000,000 = (14,550,000 + 4,410,000) / 27,000,000
        //     = 18,960,000 / 27,000,000 = 0.7022222...
        assertThat(k.oee()).isCloseTo(0.7022222222222222, EXACT);
        // A x E x Q = 19,500,000 / 27,000,000 x 583 / 600 = 0.7017592...: not OEE, because A's and B's good ratios differ
        assertThat(k.availability() * k.effectiveness() * k.quality()).isCloseTo(0.7017592592592592, EXACT);
        // NEE = AUPT / PBT x E x Q = 23,610,000 / 27,000,000 x 19,500,000 / 21,810,000 x 583 / 600
        assertThat(k.nee()).isCloseTo(23_610_000.0 / 27_000_000.0 * (19_500_000.0 / 21_810_000.0) * (583.0 / 600.0), EXACT)
                .isCloseTo(0.7596761169697896, EXACT);
        // MTBF = AUPT / 1 = 23,610,000; MTTR = 1,200,000 / 1
        assertThat(k.mtbfMs()).isEqualTo(23_610_000.0);
        assertThat(k.mttrMs()).isEqualTo(1_200_000.0);
    }

    @Test
    @DisplayName("A state spanning several hours and the shift end is split exactly at each hour edge and at the calendar edge")
    void stateSpanningHoursAndShiftEdge() {
        // RUNNING 11:40 -> 15:10 then IDLE; FAULT from 13:50 would be separate: here only RUNNING then IDLE at 15:10
        List<StateChange> timeline = List.of(
                new StateChange(Instant.parse("2026-01-05T11:40:00Z").toEpochMilli(), MachineState.RUNNING, null),
                new StateChange(Instant.parse("2026-01-05T15:10:00Z").toEpochMilli(), MachineState.IDLE, "end"));
        // hour 11: unknown 11:00-11:40 = 2,400,000; RUNNING 11:40-12:00 = 1,200,000 (POT, APT)
        TimeElements h11 = TimeLedger.classify(timeline, hour("2026-01-05T11:00:00Z"), END_OF_DAY, EARLY_SHIFT, 120_000L);
        assertThat(h11.unknownMs()).isEqualTo(2_400_000L);
        assertThat(h11.aptMs()).isEqualTo(1_200_000L);
        assertThat(h11.potMs()).isEqualTo(1_200_000L);
        // hour 13: RUNNING all 3,600,000; in calendar until 14:00 anyway
        TimeElements h13 = TimeLedger.classify(timeline, hour("2026-01-05T13:00:00Z"), END_OF_DAY, EARLY_SHIFT, 120_000L);
        assertThat(h13.aptMs()).isEqualTo(3_600_000L);
        // hour 14: RUNNING 14:00-15:00 outside the calendar is overtime: POT = APT = 3,600,000
        TimeElements h14 = TimeLedger.classify(timeline, hour("2026-01-05T14:00:00Z"), END_OF_DAY, EARLY_SHIFT, 120_000L);
        assertThat(h14.potMs()).isEqualTo(3_600_000L);
        assertThat(h14.aptMs()).isEqualTo(3_600_000L);
        // hour 15: overtime RUNNING 15:00-15:10 = 600,000; IDLE 15:10-16:00 outside the calendar = 3,000,000, not POT
        TimeElements h15 = TimeLedger.classify(timeline, hour("2026-01-05T15:00:00Z"), END_OF_DAY, EARLY_SHIFT, 120_000L);
        assertThat(h15.potMs()).isEqualTo(600_000L);
        assertThat(h15.outsidePotMs()).isEqualTo(3_000_000L);
        assertThat(h15.adotMs()).isZero();
        assertThat(h15.stopReasons()).isEmpty();
        // the shift 06:00-14:00: unknown 06:00-11:40 = 20,400,000, RUNNING 11:40-14:00 = 8,400,000
        TimeElements shift = TimeLedger.classify(timeline, SHIFT, END_OF_DAY, EARLY_SHIFT, 120_000L);
        assertThat(shift.unknownMs()).isEqualTo(20_400_000L);
        assertThat(shift.aptMs()).isEqualTo(8_400_000L);
        assertThat(shift.unknownMs() + shift.potMs() + shift.outsidePotMs()).isEqualTo(SHIFT.lengthMs());
    }

    @Test
    @DisplayName("A window with no planned time and no overtime has PBT 0: availability and OEE are null, not 0")
    void noPlannedTime() {
        // IDLE all Monday night 20:00-21:00, outside the 06:00-14:00 calendar
        List<StateChange> timeline = List.of(new StateChange(Instant.parse("2026-01-05T19:00:00Z").toEpochMilli(), MachineState.IDLE, null));
        TimeElements t = TimeLedger.classify(timeline, hour("2026-01-05T20:00:00Z"), END_OF_DAY, EARLY_SHIFT, 120_000L);
        assertThat(t.potMs()).isZero();
        assertThat(t.outsidePotMs()).isEqualTo(3_600_000L);
        OeeKpis k = OeeKpis.of(t, new WindowCounts());
        assertThat(k.availability()).isNull();
        assertThat(k.oee()).isNull();
        assertThat(k.effectiveness()).isNull();
        assertThat(k.quality()).isNull();
        assertThat(k.nee()).isNull();
        assertThat(k.mtbfMs()).isNull();
        assertThat(k.mttrMs()).isNull();
    }

    @Test
    @DisplayName("A failure belongs to the window where it ends, with its whole length; effectiveness above 1 is not clamped")
    void failureInWindowOfItsEnd() {
        // FAULT 09:50 -> 10:15 (25 min = 1,500,000 >= 120,000), RUNNING after
        List<StateChange> timeline = List.of(
                new StateChange(Instant.parse("2026-01-05T09:00:00Z").toEpochMilli(), MachineState.RUNNING, null),
                new StateChange(Instant.parse("2026-01-05T09:50:00Z").toEpochMilli(), MachineState.FAULT, "motor"),
                new StateChange(Instant.parse("2026-01-05T10:15:00Z").toEpochMilli(), MachineState.RUNNING, null));
        TimeElements h9 = TimeLedger.classify(timeline, hour("2026-01-05T09:00:00Z"), END_OF_DAY, EARLY_SHIFT, 120_000L);
        TimeElements h10 = TimeLedger.classify(timeline, hour("2026-01-05T10:00:00Z"), END_OF_DAY, EARLY_SHIFT, 120_000L);
        assertThat(h9.failures()).isZero();
        assertThat(h9.adetMs()).isEqualTo(600_000L);
        assertThat(h10.failures()).isEqualTo(1);
        assertThat(h10.failureDurationMs()).isEqualTo(1_500_000L);
        // hour 10: APT = 10:15-11:00 = 2,700,000; MTBF = AUPT / 1 = 2,700,000; MTTR = 1,500,000
        WindowCounts c = new WindowCounts();
        // 100 units x 30,000 = 3,000,000 ideal > APT 2,700,000: E = 3,000,000 / 2,700,000 = 1.111...
        c.add(100, 0, 0, 30_000.0);
        OeeKpis k = OeeKpis.of(h10, c);
        assertThat(k.effectiveness()).isCloseTo(1.1111111111111112, EXACT);
        assertThat(k.mtbfMs()).isEqualTo(2_700_000.0);
        assertThat(k.mttrMs()).isEqualTo(1_500_000.0);
        // the fault still open at the clock (10:10) has not ended: no failure yet
        TimeElements open = TimeLedger.classify(timeline.subList(0, 2), hour("2026-01-05T10:00:00Z"),
                Instant.parse("2026-01-05T10:10:00Z").toEpochMilli(), EARLY_SHIFT, 120_000L);
        assertThat(open.failures()).isZero();
        assertThat(open.adetMs()).isEqualTo(600_000L);
    }

    @Test
    @DisplayName("A count of a product without PRU adds to PQ and to unrated quantity, not to ideal time")
    void unratedCount() {
        WindowCounts c = new WindowCounts();
        c.add(10, 1, 0, null);
        c.add(20, 0, 0, 1_000.0);
        assertThat(c.producedQuantity()).isEqualTo(30.0);
        assertThat(c.unratedQuantity()).isEqualTo(10.0);
        // ideal = 20 x 1,000 = 20,000
        assertThat(c.idealTimeMs()).isEqualTo(20_000.0);
    }
}

package io.greenline.streams.oee;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.greenline.events.DayOfWeek;
import io.greenline.events.Granularity;
import io.greenline.events.LineConfig;
import io.greenline.events.MachineState;
import io.greenline.events.OeeWindow;
import io.greenline.events.ProductionCounted;
import io.greenline.events.Shift;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.Topics;
import io.greenline.schemas.WindowKey;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.DeadLetterHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.test.TestRecord;
import org.assertj.core.data.Offset;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OeeTopologyTest {

    private static final Offset<Double> EXACT = within(1e-9);
    private static final List<Shift> EARLY = List.of(new Shift("early", "06:00", "14:00",
            List.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY)));
    private static final Instant V1 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Map<String, Double> PRUS = Map.of("A", EightHourShift.PRU_A, "B", EightHourShift.PRU_B);

    /** 2026-01-05 (a Monday) at {@code hhmm[:ss]} UTC. */
    private static Instant at(String time) {
        return Instant.parse("2026-01-05T" + (time.length() == 5 ? time + ":00" : time) + "Z");
    }

    private static String key(String line, Granularity g, Instant start) {
        return WindowKey.of(line, g, start).format();
    }

    private static OeeDriver driverWithLine(String scope, String line) {
        OeeDriver d = new OeeDriver(scope, OeeSettings.defaults());
        d.config(OeeDriver.config(line, "UTC", EARLY, PRUS, V1));
        return d;
    }

    @BeforeAll
    static void meterRegistry() {
        // the global registry is a composite: without a member registry its counters count nothing
        Metrics.addRegistry(new SimpleMeterRegistry());
    }

    private static double lateRecords() {
        Counter c = Metrics.globalRegistry.find(OeeLedgerProcessor.LATE_METRIC).tag("topology", "oee").counter();
        return c == null ? 0 : c.count();
    }

    @Test
    @DisplayName("8-hour shift: every time element, KPI, failure, MTBF, MTTR and stop-reason time of the final SHIFT record")
    void eightHourShift() {
        try (OeeDriver d = driverWithLine("shift8", "L1")) {
            record Event(Instant at, Runnable pipe) {
            }
            List<Event> events = new ArrayList<>();
            EightHourShift.STATES.forEach(s -> events.add(new Event(s.instant(), () -> d.state("L1", s.instant(), s.state(), s.reason()))));
            EightHourShift.COUNTS.forEach(c -> events.add(new Event(c.instant(),
                    () -> d.count("L1", c.instant(), c.product(), c.quantity(), c.scrap(), c.rework()))));
            events.sort(Comparator.comparing(Event::at));
            events.forEach(e -> e.pipe().run());
            // clock 14:00 (last event) + 10 min of silence = 14:10 >= 14:00 + 5 min grace: the shift is final
            d.advanceWallClock(Duration.ofMinutes(10));

            Map<String, OeeWindow> finals = d.finalsByKey();
            OeeWindow w = finals.get(key("L1", Granularity.SHIFT, at("06:00")));
            assertThat(w).isNotNull();
            assertThat(w.getFinal$()).isTrue();
            assertThat(w.getShiftName()).isEqualTo("early");
            assertThat(w.getWindowEnd()).isEqualTo(at("14:00"));
            assertThat(w.getSiteId()).isEqualTo("site-1");
            // time elements worked out in EightHourShift / TimeLedgerTest
            assertThat(w.getPotMs()).isEqualTo(28_800_000L);
            assertThat(w.getPdotMs()).isEqualTo(1_800_000L);
            assertThat(w.getPbtMs()).isEqualTo(27_000_000L);
            assertThat(w.getAptMs()).isEqualTo(21_810_000L);
            assertThat(w.getAsutMs()).isEqualTo(1_800_000L);
            assertThat(w.getAdetMs()).isEqualTo(1_590_000L);
            assertThat(w.getAdotMs()).isEqualTo(1_800_000L);
            assertThat(w.getAuptMs()).isEqualTo(23_610_000L);
            assertThat(w.getAubtMs()).isEqualTo(25_200_000L);
            assertThat(w.getUnknownMs()).isZero();
            // PQ 600, SQ 12, RQ 5, GQ 583; ideal = 500 x 30,000 + 100 x 45,000 = 19,500,000
            assertThat(w.getProducedQuantity()).isEqualTo(600.0);
            assertThat(w.getScrapQuantity()).isEqualTo(12.0);
            assertThat(w.getReworkQuantity()).isEqualTo(5.0);
            assertThat(w.getGoodQuantity()).isEqualTo(583.0);
            assertThat(w.getIdealTimeMs()).isEqualTo(19_500_000.0);
            // A = 21,810,000 / 27,000,000; E = 19,500,000 / 21,810,000; Q = 583 / 600
            assertThat(w.getAvailability()).isCloseTo(0.8077777777777778, EXACT);
            assertThat(w.getEffectiveness()).isCloseTo(0.8940852819807428, EXACT);
            assertThat(w.getQuality()).isCloseTo(0.9716666666666667, EXACT);
            // OEE = (485 x 30,000 + 98 x 45,000) / 27,000,000 = 18,960,000 / 27,000,000
            assertThat(w.getOee()).isCloseTo(0.7022222222222222, EXACT);
            // NEE = 23,610,000 / 27,000,000 x E x Q
            assertThat(w.getNee()).isCloseTo(0.7596761169697896, EXACT);
            // one failure of 1,200,000 (the 90-s fault is a minor stop): MTBF = 23,610,000 / 1, MTTR = 1,200,000
            assertThat(w.getFailures()).isEqualTo(1);
            assertThat(w.getMtbfMs()).isEqualTo(23_610_000.0);
            assertThat(w.getMttrMs()).isEqualTo(1_200_000.0);
            assertThat(w.getStopReasons()).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "changeover", 1_800_000L, "jam", 300_000L, "hydraulics", 1_200_000L,
                    "UNSPECIFIED", 90_000L, "no-material", 1_800_000L, "lunch", 1_800_000L));
            // the store holds the same final record; the day is still live (final after 2026-01-06 00:05)
            assertThat(d.windowStore().get(key("L1", Granularity.SHIFT, at("06:00")))).isEqualTo(w);
            OeeWindow day = d.windowStore().get(key("L1", Granularity.DAY, EightHourShift.DAY));
            assertThat(day.getFinal$()).isFalse();
            assertThat(day.getRevision()).isPositive();
            // day so far: 00:00-06:00 before the first event is unknown (21,600,000); 14:00-14:10 IDLE outside the calendar
            assertThat(day.getUnknownMs()).isEqualTo(21_600_000L);
            assertThat(day.getPotMs()).isEqualTo(28_800_000L);
            assertThat(d.dlq.isEmpty()).isTrue();
        }
    }

    @Test
    @DisplayName("A state spanning several hours and the shift end is split exactly at each hour edge and at 14:00")
    void stateSpanningHoursAndShiftEdge() {
        try (OeeDriver d = driverWithLine("span", "L2")) {
            d.state("L2", at("11:40"), MachineState.RUNNING, null);
            d.state("L2", at("15:10"), MachineState.IDLE, "end");
            // clock 15:10 + 60 min silence = 16:10: hours 11..15 and the shift are final
            d.advanceWallClock(Duration.ofMinutes(60));
            Map<String, OeeWindow> f = d.finalsByKey();
            OeeWindow h11 = f.get(key("L2", Granularity.HOUR, at("11:00")));
            // 11:00-11:40 unknown = 2,400,000; 11:40-12:00 RUNNING = 1,200,000
            assertThat(h11.getUnknownMs()).isEqualTo(2_400_000L);
            assertThat(h11.getAptMs()).isEqualTo(1_200_000L);
            assertThat(h11.getPotMs()).isEqualTo(1_200_000L);
            assertThat(h11.getAvailability()).isCloseTo(1.0, EXACT);
            for (String h : List.of("12:00", "13:00")) {
                assertThat(f.get(key("L2", Granularity.HOUR, at(h))).getAptMs()).isEqualTo(3_600_000L);
            }
            // 14:00-15:00: RUNNING outside the calendar is overtime: POT = APT = 3,600,000
            OeeWindow h14 = f.get(key("L2", Granularity.HOUR, at("14:00")));
            assertThat(h14.getPotMs()).isEqualTo(3_600_000L);
            assertThat(h14.getAptMs()).isEqualTo(3_600_000L);
            // 15:00-15:10 overtime RUNNING = 600,000; IDLE 15:10-16:00 is outside the calendar: not POT, no stop reason
            OeeWindow h15 = f.get(key("L2", Granularity.HOUR, at("15:00")));
            assertThat(h15.getPotMs()).isEqualTo(600_000L);
            assertThat(h15.getAdotMs()).isZero();
            assertThat(h15.getStopReasons()).isEmpty();
            // shift 06:00-14:00: unknown 06:00-11:40 = 20,400,000; RUNNING 11:40-14:00 = 8,400,000 (cut at 14:00)
            OeeWindow shift = f.get(key("L2", Granularity.SHIFT, at("06:00")));
            assertThat(shift.getUnknownMs()).isEqualTo(20_400_000L);
            assertThat(shift.getAptMs()).isEqualTo(8_400_000L);
            assertThat(shift.getPotMs()).isEqualTo(8_400_000L);
            // no HOUR window before the line's first event
            assertThat(f).doesNotContainKey(key("L2", Granularity.HOUR, at("10:00")));
        }
    }

    @Test
    @DisplayName("Running on a Saturday is overtime and extends POT; a window with no planned time has availability and OEE null")
    void overtimeAndNoPlannedTime() {
        try (OeeDriver d = driverWithLine("overtime", "L3")) {
            Instant sat10 = Instant.parse("2026-01-10T10:00:00Z");
            d.state("L3", sat10, MachineState.RUNNING, null);
            d.count("L3", sat10.plus(Duration.ofMinutes(15)), "A", 60, 0, 0);
            d.state("L3", sat10.plus(Duration.ofMinutes(30)), MachineState.IDLE, "weekend");
            // clock 10:30 + 100 min = 12:10: hours 10 and 11 are final
            d.advanceWallClock(Duration.ofMinutes(100));
            Map<String, OeeWindow> f = d.finalsByKey();
            OeeWindow h10 = f.get(key("L3", Granularity.HOUR, sat10));
            // RUNNING 10:00-10:30 = 1,800,000 overtime: POT = PBT = APT; IDLE 10:30-11:00 is not POT
            assertThat(h10.getPotMs()).isEqualTo(1_800_000L);
            assertThat(h10.getPbtMs()).isEqualTo(1_800_000L);
            assertThat(h10.getAptMs()).isEqualTo(1_800_000L);
            // A = 1,800,000 / 1,800,000 = 1; E = 60 x 30,000 / 1,800,000 = 1; Q = 60 / 60 = 1; OEE = 1,800,000 / 1,800,000
            assertThat(h10.getAvailability()).isCloseTo(1.0, EXACT);
            assertThat(h10.getEffectiveness()).isCloseTo(1.0, EXACT);
            assertThat(h10.getOee()).isCloseTo(1.0, EXACT);
            OeeWindow h11 = f.get(key("L3", Granularity.HOUR, sat10.plus(Duration.ofHours(1))));
            // IDLE 11:00-12:00 outside the calendar: POT = 0, so availability, effectiveness, quality, OEE, NEE are null
            assertThat(h11.getPotMs()).isZero();
            assertThat(h11.getPbtMs()).isZero();
            assertThat(h11.getAvailability()).isNull();
            assertThat(h11.getOee()).isNull();
            assertThat(h11.getEffectiveness()).isNull();
            assertThat(h11.getQuality()).isNull();
            assertThat(h11.getNee()).isNull();
            assertThat(h11.getMtbfMs()).isNull();
            // no SHIFT window on a Saturday
            assertThat(f.keySet()).noneMatch(k -> k.contains("/SHIFT/"));
        }
    }

    @Test
    @DisplayName("A count within the grace is included; one beyond it goes to mfg.dlq as LATE, is counted, and the final record is unchanged")
    void lateCount() {
        try (OeeDriver d = driverWithLine("late", "L4")) {
            double lateBefore = lateRecords();
            d.state("L4", at("13:00"), MachineState.RUNNING, null);
            d.count("L4", at("13:30"), "A", 10, 0, 0);
            d.state("L4", "s-1403", at("14:03"), MachineState.RUNNING, null);
            // clock 14:03 < 14:00 + 5 min: hour 13 still accepts
            d.count("L4", at("13:59"), "A", 5, 0, 0);
            // clock 14:06 >= 14:05: hour 13 and the shift become final
            d.state("L4", at("14:06"), MachineState.RUNNING, null);
            Map<String, OeeWindow> f = d.finalsByKey();
            OeeWindow h13 = f.get(key("L4", Granularity.HOUR, at("13:00")));
            // PQ = 10 + 5 = 15
            assertThat(h13.getProducedQuantity()).isEqualTo(15.0);
            assertThat(d.dlq.isEmpty()).isTrue();

            d.count("L4", "late-count", at("13:58"), "A", 7, 0, 0);
            d.state("L4", "late-state", at("13:50"), MachineState.FAULT, "x");
            TestRecord<byte[], byte[]> dead = d.dlq.readRecord();
            assertThat(OeeDriver.header(dead, DeadLetterHandler.HEADER_REASON)).isEqualTo(DeadLetterReason.LATE.name());
            assertThat(d.topics.productionCount.valueSerde().deserializer().deserialize(d.topics.productionCount.name(), dead.value())
                    .getEventId()).isEqualTo("late-count");
            assertThat(OeeDriver.header(d.dlq.readRecord(), DeadLetterHandler.HEADER_REASON)).isEqualTo(DeadLetterReason.LATE.name());
            assertThat(lateRecords() - lateBefore).isEqualTo(2.0);
            // nothing re-emitted, the stored final record unchanged
            assertThat(d.oee.isEmpty()).isTrue();
            assertThat(d.windowStore().get(key("L4", Granularity.HOUR, at("13:00")))).isEqualTo(h13);
        }
    }

    @Test
    @DisplayName("A duplicate event (same eventId) changes nothing; a PRU change in mid-window applies only from its validFrom")
    void duplicatesAndPruChange() {
        try (OeeDriver d = driverWithLine("dup", "L5")) {
            // from 10:00 product A's ideal cycle time is 20,000 ms instead of 30,000
            d.config(OeeDriver.config("L5", "UTC", EARLY, Map.of("A", 20_000.0, "B", EightHourShift.PRU_B), at("10:00")));
            d.state("L5", "run", at("09:00"), MachineState.RUNNING, null);
            d.count("L5", "c1", at("09:30"), "A", 100, 0, 0);
            d.count("L5", "c1", at("09:30"), "A", 100, 0, 0);
            d.state("L5", "run", at("09:00"), MachineState.RUNNING, null);
            d.count("L5", "c2", at("10:30"), "A", 100, 0, 0);
            OeeWindow liveHour9 = d.windowStore().get(key("L5", Granularity.HOUR, at("09:00")));
            d.count("L5", "c1", at("09:30"), "A", 100, 0, 0);
            assertThat(d.windowStore().get(key("L5", Granularity.HOUR, at("09:00")))).isEqualTo(liveHour9);
            // clock 10:30 + 40 min = 11:10: hours 9 and 10 final
            d.advanceWallClock(Duration.ofMinutes(40));
            Map<String, OeeWindow> f = d.finalsByKey();
            OeeWindow h9 = f.get(key("L5", Granularity.HOUR, at("09:00")));
            OeeWindow h10 = f.get(key("L5", Granularity.HOUR, at("10:00")));
            // hour 9: PQ 100 (not 200), ideal = 100 x 30,000 = 3,000,000; E = 3,000,000 / 3,600,000
            assertThat(h9.getProducedQuantity()).isEqualTo(100.0);
            assertThat(h9.getIdealTimeMs()).isEqualTo(3_000_000.0);
            assertThat(h9.getEffectiveness()).isCloseTo(0.8333333333333334, EXACT);
            // hour 10: ideal = 100 x 20,000 = 2,000,000; E = 2,000,000 / 3,600,000
            assertThat(h10.getIdealTimeMs()).isEqualTo(2_000_000.0);
            assertThat(h10.getEffectiveness()).isCloseTo(0.5555555555555556, EXACT);
            // the live shift so far (06:00-11:10): ideal 3,000,000 + 2,000,000; unknown 06:00-09:00 = 10,800,000
            OeeWindow shift = d.windowStore().get(key("L5", Granularity.SHIFT, at("06:00")));
            assertThat(shift.getIdealTimeMs()).isEqualTo(5_000_000.0);
            assertThat(shift.getUnknownMs()).isEqualTo(10_800_000L);
            assertThat(shift.getAptMs()).isEqualTo(7_800_000L);
            assertThat(d.dlq.isEmpty()).isTrue();
        }
    }

    @Test
    @DisplayName("An idle line's window is closed by wall-clock time alone, moved by the time passed, not to 'now'")
    void idleLineClosedByWallClock() {
        try (OeeDriver d = driverWithLine("idle", "L6")) {
            d.state("L6", at("10:00"), MachineState.RUNNING, null);
            d.count("L6", at("10:30"), "A", 50, 0, 0);
            // 20 min of silence: clock 10:50, hour 10 not final yet
            d.advanceWallClock(Duration.ofMinutes(20));
            assertThat(d.finals()).isEmpty();
            // 16 min more: clock 11:06 >= 11:05, hour 10 final
            d.advanceWallClock(Duration.ofMinutes(16));
            Map<String, OeeWindow> f = d.finalsByKey();
            assertThat(f).containsOnlyKeys(key("L6", Granularity.HOUR, at("10:00")));
            OeeWindow h10 = f.get(key("L6", Granularity.HOUR, at("10:00")));
            // RUNNING 10:00-11:00 = 3,600,000; ideal = 50 x 30,000 = 1,500,000
            assertThat(h10.getAptMs()).isEqualTo(3_600_000L);
            assertThat(h10.getEffectiveness()).isCloseTo(1_500_000.0 / 3_600_000.0, EXACT);
            // the wall clock is months after the data, yet hour 11 is live, covering 11:00-11:06 only
            OeeWindow h11 = d.windowStore().get(key("L6", Granularity.HOUR, at("11:00")));
            assertThat(h11.getFinal$()).isFalse();
            assertThat(h11.getAptMs()).isEqualTo(360_000L);
        }
    }

    @Test
    @DisplayName("Bad counts go to mfg.dlq as INVALID_VALUE or MISSING_KEY without touching state")
    void invalidRecords() {
        try (OeeDriver d = driverWithLine("invalid", "L7")) {
            d.state("L7", at("10:00"), MachineState.RUNNING, null);
            d.count("L7", at("10:10"), "A", -1, 0, 0);
            d.count("L7", at("10:11"), "A", 5, 4, 2);
            d.counts.pipeInput("other-line", new ProductionCounted("k", "L7", "cell", "A", at("10:12"), 1.0, 0.0, 0.0, null));
            assertThat(OeeDriver.header(d.dlq.readRecord(), DeadLetterHandler.HEADER_REASON)).isEqualTo("INVALID_VALUE");
            assertThat(OeeDriver.header(d.dlq.readRecord(), DeadLetterHandler.HEADER_REASON)).isEqualTo("INVALID_VALUE");
            assertThat(OeeDriver.header(d.dlq.readRecord(), DeadLetterHandler.HEADER_REASON)).isEqualTo("MISSING_KEY");
            OeeWindow live = d.windowStore().get(key("L7", Granularity.HOUR, at("10:00")));
            assertThat(live.getProducedQuantity()).isZero();
        }
    }

    @Test
    @DisplayName("A count of a product without PRU counts in PQ but adds no ideal time, and is counted in a metric")
    void countWithoutPru() {
        try (OeeDriver d = driverWithLine("unrated", "L8")) {
            d.state("L8", at("10:00"), MachineState.RUNNING, null);
            d.count("L8", at("10:10"), "Z", 40, 0, 0);
            d.count("L8", at("10:20"), "A", 10, 0, 0);
            OeeWindow live = d.windowStore().get(key("L8", Granularity.HOUR, at("10:00")));
            assertThat(live.getProducedQuantity()).isEqualTo(50.0);
            // only A is rated: 10 x 30,000 = 300,000
            assertThat(live.getIdealTimeMs()).isEqualTo(300_000.0);
            assertThat(Metrics.globalRegistry.find(OeeLedgerProcessor.UNRATED_METRIC).tag("line", "L8").counter().count()).isEqualTo(1.0);
        }
    }

    @Test
    @DisplayName("A line without a config: an unknown ideal cycle time makes effectiveness, OEE and NEE null, not 0")
    void lineWithoutConfigHasNoEffectiveness() {
        try (OeeDriver d = new OeeDriver("noconfig", OeeSettings.defaults())) {
            d.state("N1", at("10:00"), MachineState.RUNNING, null);
            d.count("N1", at("10:10"), "A", 40, 4, 0);
            d.state("N1", at("10:30"), MachineState.IDLE, null);
            // UTC 24/7 without a config: clock 10:30 + 40 min = 11:10, hour 10 final
            d.advanceWallClock(Duration.ofMinutes(40));
            OeeWindow h10 = d.finalsByKey().get(key("N1", Granularity.HOUR, at("10:00")));
            // APT 1,800,000 of POT = PBT 3,600,000: A = 0.5; Q = 36 / 40 = 0.9; no PRU: E, OEE, NEE unknown
            assertThat(h10.getAvailability()).isCloseTo(0.5, EXACT);
            assertThat(h10.getQuality()).isCloseTo(0.9, EXACT);
            assertThat(h10.getIdealTimeMs()).isZero();
            assertThat(h10.getEffectiveness()).isNull();
            assertThat(h10.getOee()).isNull();
            assertThat(h10.getNee()).isNull();
            // once the line has a config, a count of a rated product has an effectiveness again
            d.config(OeeDriver.config("N1", "UTC", List.of(), PRUS, at("11:00")));
            d.count("N1", at("11:15"), "A", 10, 0, 0);
            d.state("N1", at("11:20"), MachineState.RUNNING, null);
            OeeWindow h11 = d.windowStore().get(key("N1", Granularity.HOUR, at("11:00")));
            // IDLE 11:00-11:20 then RUNNING to the clock 11:20: APT 0, so E stays null; OEE = 10 x 30,000 / 1,200,000
            assertThat(h11.getEffectiveness()).isNull();
            assertThat(h11.getOee()).isCloseTo(0.25, EXACT);
        }
    }

    @Test
    @DisplayName("Final windows older than their granularity's retention are pruned from the store; mfg.oee keeps them")
    void retentionPrunesStore() {
        OeeSettings settings = OeeSettings.defaults().withRetention(Granularity.HOUR, Duration.ofHours(2));
        try (OeeDriver d = new OeeDriver("retention", settings)) {
            d.config(OeeDriver.config("L9", "UTC", EARLY, PRUS, V1));
            d.state("L9", at("10:00"), MachineState.RUNNING, null);
            // clock 14:06: hours 10-13 final; cutoff 14:06 - 2 h = 12:06: hours ending 11:00 and 12:00 are pruned
            d.state("L9", at("14:06"), MachineState.RUNNING, null);
            assertThat(d.finalsByKey()).containsKeys(key("L9", Granularity.HOUR, at("10:00")), key("L9", Granularity.HOUR, at("11:00")));
            assertThat(d.windowStore().get(key("L9", Granularity.HOUR, at("10:00")))).isNull();
            assertThat(d.windowStore().get(key("L9", Granularity.HOUR, at("11:00")))).isNull();
            assertThat(d.windowStore().get(key("L9", Granularity.HOUR, at("12:00"))).getFinal$()).isTrue();
            assertThat(d.windowStore().get(key("L9", Granularity.SHIFT, at("06:00"))).getFinal$()).isTrue();
        }
    }

    @Test
    @DisplayName("One sub-topology reads states and counts; line configs come from the global versioned store; the ledger owns three named stores")
    void topologyShape() {
        org.apache.kafka.streams.TopologyDescription description = OeeTopology.build(
                new Topics(GreenlineSerdes.inMemory("shape")), OeeSettings.defaults()).describe();
        assertThat(description.subtopologies()).hasSize(1);
        var nodes = description.subtopologies().iterator().next().nodes();
        assertThat(nodes).filteredOn(n -> n instanceof TopologyDescription.Source)
                .extracting(n -> ((TopologyDescription.Source) n).topicSet())
                .containsExactlyInAnyOrder(Set.of("mfg.machine-state"), Set.of("mfg.production-count"));
        assertThat(description.globalStores()).singleElement()
                .satisfies(g -> {
                    assertThat(g.source().topicSet()).containsExactly("mfg.line-config");
                    assertThat(g.processor().stores()).containsExactly(StoreNames.LINE_CONFIG_VERSIONS);
                });
        var ledger = (TopologyDescription.Processor) nodes.stream()
                .filter(n -> n.name().equals(OeeTopology.LEDGER_PROCESSOR)).findFirst().orElseThrow();
        assertThat(ledger.stores()).containsExactlyInAnyOrder(StoreNames.OEE_WINDOWS,
                StoreNames.OEE_LINE_LEDGER, StoreNames.OEE_DEDUP);
    }
}

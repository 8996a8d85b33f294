package io.greenline.streams.oee;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.DayOfWeek;
import io.greenline.events.Granularity;
import io.greenline.events.LineConfig;
import io.greenline.events.MachineState;
import io.greenline.events.OeeWindow;
import io.greenline.events.Shift;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.WindowKey;
import io.greenline.streams.errors.DeadLetterHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * OEE with its inputs aligned as in the application: whichever input topic's fetch lands first (a day of counts
 * before the day's machine states, or the reverse), the final windows are those of the run in event-time order,
 * and nothing is dead-lettered; an input silent for longer than {@code oee.align-idle} holds nothing back.
 */
class AlignedOeeTopologyTest {

    private static final String LINE = "A1";
    private static final Instant DAY = Instant.parse("2026-01-05T00:00:00Z");
    private static final Duration ALIGN_IDLE = Duration.ofSeconds(5);
    /** Less than the idle advance (30 s), more than the alignment's idle time: inputs fall idle, clocks stay. */
    private static final Duration PAST_ALIGN_IDLE = Duration.ofSeconds(6);
    private static final List<Shift> SHIFTS = List.of(
            new Shift("early", "06:00", "14:00", List.of(DayOfWeek.values())),
            new Shift("late", "14:00", "22:00", List.of(DayOfWeek.values())));
    private static final LineConfig CONFIG = OeeDriver.config(LINE, "Europe/Berlin", SHIFTS, Map.of("P", 30_000.0),
            Instant.parse("2025-01-01T00:00:00Z"));

    private sealed interface Event permits State, Count {
        Instant at();
    }

    private record State(String id, Instant at, MachineState state, String reason) implements Event {
    }

    private record Count(String id, Instant at, double quantity, double scrap) implements Event {
    }

    /** A day of a line, plus the next morning's first hour so that the day's windows become final: seeded states and counts. */
    private static List<Event> day(long seed) {
        Random random = new Random(seed);
        List<Event> events = new ArrayList<>();
        MachineState[] states = MachineState.values();
        int n = 0;
        for (long minute = 0; minute < 25 * 60; minute += 3 + random.nextInt(40)) {
            MachineState s = minute == 0 ? MachineState.RUNNING : states[random.nextInt(states.length)];
            events.add(new State("s" + n++, DAY.plus(Duration.ofMinutes(minute)).plusSeconds(random.nextInt(60)), s,
                    s == MachineState.RUNNING ? null : "r" + random.nextInt(3)));
        }
        for (long minute = 2; minute < 25 * 60; minute += 4 + random.nextInt(8)) {
            double q = 1 + random.nextInt(20);
            events.add(new Count("c" + n++, DAY.plus(Duration.ofMinutes(minute)).plusSeconds(random.nextInt(60)), q, random.nextInt(2)));
        }
        events.sort(Comparator.comparing(Event::at));
        return events;
    }

    private static OeeDriver driver(String scope) {
        OeeDriver d = new OeeDriver(scope, OeeSettings.defaults().withAlignIdle(ALIGN_IDLE), true);
        d.config(CONFIG);
        return d;
    }

    private static void pipe(OeeDriver d, List<? extends Event> events) {
        for (Event e : events) {
            if (e instanceof State s) {
                d.state(LINE, s.id(), s.at(), s.state(), s.reason());
            } else if (e instanceof Count c) {
                d.count(LINE, c.id(), c.at(), "P", c.quantity(), c.scrap(), 0);
            }
        }
    }

    private static List<Event> only(List<Event> events, Class<? extends Event> type) {
        return events.stream().filter(type::isInstance).toList();
    }

    /** The final windows by key, revision left out (it counts live updates, which depend on arrival order). */
    private static Map<String, OeeWindow> finals(OeeDriver d) {
        Map<String, OeeWindow> out = new LinkedHashMap<>();
        d.finalsByKey().forEach((k, v) -> out.put(k, OeeWindow.newBuilder(v).setRevision(0).build()));
        return out;
    }

    private static Map<String, OeeWindow> inEventTimeOrder(List<Event> events, String scope) {
        try (OeeDriver d = driver(scope)) {
            pipe(d, events);
            d.advanceWallClock(PAST_ALIGN_IDLE);
            assertThat(d.dlq.isEmpty()).isTrue();
            return finals(d);
        }
    }

    @Test
    @DisplayName("A day of counts before the day's machine states gives the finals of event-time order; nothing is late")
    void countsBeforeStates() {
        List<Event> events = day(1);
        Map<String, OeeWindow> expected = inEventTimeOrder(events, "aligned-expected-1");
        // the whole day and a half: 2 shifts a day, 25 hours, the day itself
        assertThat(expected).hasSizeGreaterThanOrEqualTo(24 + 2 + 1);
        try (OeeDriver d = driver("aligned-counts-first")) {
            pipe(d, only(events, Count.class));
            // the counts moved the clock a day on, but the states have not arrived: nothing is final yet
            assertThat(d.finals()).isEmpty();
            pipe(d, only(events, State.class));
            d.advanceWallClock(PAST_ALIGN_IDLE);
            assertThat(d.dlq.isEmpty()).as("no machine state dead-lettered as LATE").isTrue();
            assertThat(finals(d)).isEqualTo(expected);
        }
    }

    @Test
    @DisplayName("A day of machine states before the day's counts gives the finals of event-time order; nothing is late")
    void statesBeforeCounts() {
        List<Event> events = day(2);
        Map<String, OeeWindow> expected = inEventTimeOrder(events, "aligned-expected-2");
        try (OeeDriver d = driver("aligned-states-first")) {
            pipe(d, only(events, State.class));
            assertThat(d.finals()).isEmpty();
            pipe(d, only(events, Count.class));
            d.advanceWallClock(PAST_ALIGN_IDLE);
            assertThat(d.dlq.isEmpty()).as("no count dead-lettered as LATE").isTrue();
            assertThat(finals(d)).isEqualTo(expected);
        }
    }

    @Test
    @DisplayName("Without alignment (a topology fed in order) the same counts-first arrival dead-letters machine states as LATE")
    void unalignedCountsFirstLosesStates() {
        List<Event> events = day(1);
        try (OeeDriver d = new OeeDriver("unaligned-counts-first", OeeSettings.defaults())) {
            d.config(CONFIG);
            pipe(d, only(events, Count.class));
            pipe(d, only(events, State.class));
            List<TestRecord<byte[], byte[]>> dead = d.dlq.readRecordsToList();
            assertThat(dead).isNotEmpty().allSatisfy(r ->
                    assertThat(OeeDriver.header(r, DeadLetterHandler.HEADER_REASON)).isEqualTo(DeadLetterReason.LATE.name()));
        }
    }

    @Test
    @DisplayName("An input silent beyond oee.align-idle while the other delivers holds nothing back; a count behind the finals is then LATE")
    void idleInputDoesNotHoldFinals() {
        try (OeeDriver d = driver("aligned-idle")) {
            d.state(LINE, "run", at("06:00"), MachineState.RUNNING, null);
            d.count(LINE, "c1", at("06:30"), "P", 10, 0, 0);
            d.count(LINE, "c2", at("07:10"), "P", 10, 0, 0);
            // the counter falls silent; machine states go on, one a second of wall-clock time
            List<String> times = List.of("08:00", "09:00", "10:00", "10:30", "11:00", "11:30");
            for (int i = 0; i < times.size(); i++) {
                d.advanceWallClock(Duration.ofSeconds(1));
                MachineState state = i < 3 ? MachineState.IDLE : MachineState.RUNNING;
                d.state(LINE, "s" + i, at(times.get(i)), state, state == MachineState.IDLE ? "no-order" : null);
                if (i == 4) {
                    // counts behind for 4 s: they hold at 07:10, only hour 06 (07:00 + 5 min grace) is final
                    assertThat(d.finalsByKey()).containsOnlyKeys(key(Granularity.HOUR, at("06:00")));
                }
            }
            // counts behind for 5 s: idle; the states alone move the frontier to 11:30, hours 07 to 10 are final
            assertThat(d.finalsByKey()).containsOnlyKeys(key(Granularity.HOUR, at("06:00")), key(Granularity.HOUR, at("07:00")),
                    key(Granularity.HOUR, at("08:00")), key(Granularity.HOUR, at("09:00")), key(Granularity.HOUR, at("10:00")));
            OeeWindow h8 = d.finalsByKey().get(key(Granularity.HOUR, at("08:00")));
            // IDLE all hour inside the early shift: down time, no production
            assertThat(h8.getAptMs()).isZero();
            assertThat(h8.getProducedQuantity()).isZero();
            assertThat(d.dlq.isEmpty()).isTrue();
            // a count in the final hour 08 is now late: judged against what was made final
            d.count(LINE, "late", at("08:30"), "P", 5, 0, 0);
            TestRecord<byte[], byte[]> dead = d.dlq.readRecord();
            assertThat(OeeDriver.header(dead, DeadLetterHandler.HEADER_REASON)).isEqualTo(DeadLetterReason.LATE.name());
        }
    }

    @Test
    @DisplayName("While the counts hold the frontier, a count behind the states' clock is not late: it lands in its open window")
    void heldWindowStillAcceptsTheLaggingInput() {
        try (OeeDriver d = driver("aligned-held")) {
            d.state(LINE, "run", at("06:00"), MachineState.RUNNING, null);
            d.count(LINE, "c1", at("06:10"), "P", 10, 0, 0);
            d.state(LINE, "stop", at("09:00"), MachineState.IDLE, "no-order");
            // hour 07 ended an hour before the clock, but the counts are at 06:10: hour 07 is still open
            assertThat(d.finals()).isEmpty();
            // a machine state far behind the states' own progress is late though no window is final yet: the order
            // within one topic is the same in every run, so this does not depend on which fetch landed first
            d.state(LINE, "behind-own", at("06:20"), MachineState.FAULT, "x");
            assertThat(OeeDriver.header(d.dlq.readRecord(), DeadLetterHandler.HEADER_REASON)).isEqualTo(DeadLetterReason.LATE.name());
            d.count(LINE, "c2", at("07:30"), "P", 7, 0, 0);
            // frontier 07:30: hour 06 final
            assertThat(d.finalsByKey()).containsOnlyKeys(key(Granularity.HOUR, at("06:00")));
            d.count(LINE, "c3", at("09:20"), "P", 1, 0, 0);
            // frontier min(09:00 states, 09:20 counts) - 5 min grace: hour 07 final, hour 08 (ends 09:00) not yet
            assertThat(d.dlq.isEmpty()).isTrue();
            Map<String, OeeWindow> f = d.finalsByKey();
            assertThat(f).containsOnlyKeys(key(Granularity.HOUR, at("06:00")), key(Granularity.HOUR, at("07:00")));
            assertThat(f.get(key(Granularity.HOUR, at("07:00"))).getProducedQuantity()).isEqualTo(7.0);
        }
    }

    /** 2026-01-05 (a Monday) at {@code hh:mm} in Europe/Berlin (UTC+1). */
    private static Instant at(String hhmm) {
        return Instant.parse("2026-01-05T" + hhmm + ":00Z").minus(Duration.ofHours(1));
    }

    private static String key(Granularity g, Instant start) {
        return WindowKey.of(LINE, g, start).format();
    }
}

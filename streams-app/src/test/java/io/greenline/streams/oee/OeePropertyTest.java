package io.greenline.streams.oee;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.greenline.events.DayOfWeek;
import io.greenline.events.Granularity;
import io.greenline.events.LineConfig;
import io.greenline.events.MachineState;
import io.greenline.events.OeeWindow;
import io.greenline.events.Shift;
import io.greenline.streams.windows.Window;
import io.greenline.streams.windows.WindowCalendar;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Randomized: many generated event sequences (states, counts, ties, out-of-order arrivals within the grace,
 * duplicates) fed one by one through the topology give exactly the windows computed all at once from the
 * whole, sorted event list; and the ISO time model's identities hold in every window.
 */
class OeePropertyTest {

    private static final String LINE = "R1";
    private static final long GRACE_MS = 300_000L;
    private static final double PRU = 30_000.0;
    private static final Duration SILENCE = Duration.ofDays(3);
    private static final List<DayOfWeek> WEEKDAYS = List.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY,
            DayOfWeek.THURSDAY, DayOfWeek.FRIDAY);

    /** One calendar per scenario kind: two day shifts over a weekend, a night shift over spring DST, 24/7 over autumn DST. */
    private record Scenario(String zone, List<Shift> shifts, Instant base) {
    }

    private static final List<Scenario> SCENARIOS = List.of(
            new Scenario("UTC", List.of(new Shift("early", "06:00", "14:00", WEEKDAYS), new Shift("late", "14:00", "22:00", WEEKDAYS)),
                    Instant.parse("2026-01-09T04:00:00Z")),
            new Scenario("Europe/Berlin", List.of(new Shift("night", "22:00", "06:00", List.of(DayOfWeek.values()))),
                    Instant.parse("2026-03-28T17:00:00Z")),
            new Scenario("Europe/Berlin", List.of(), Instant.parse("2026-10-24T19:00:00Z")));

    private sealed interface Event permits StateEvent, CountEvent {
        String id();

        long at();
    }

    private record StateEvent(String id, long at, MachineState state, String reason) implements Event {
    }

    private record CountEvent(String id, long at, double quantity, double scrap, double rework) implements Event {
    }

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 18);
    }

    private static List<Event> generate(Random rnd, long base) {
        List<Event> sorted = new ArrayList<>();
        long t = base;
        int n = 60 + rnd.nextInt(80);
        String[] reasons = {null, "r1", "r2"};
        for (int i = 0; i < n; i++) {
            t += rnd.nextInt(20) == 0 ? 0 : 1 + rnd.nextInt(2_700_000);
            if (rnd.nextInt(10) < 6) {
                MachineState s = MachineState.values()[rnd.nextInt(MachineState.values().length)];
                sorted.add(new StateEvent("s" + i, t, s, reasons[rnd.nextInt(3)]));
            } else {
                int q = rnd.nextInt(60);
                int scrap = rnd.nextInt(q + 1);
                int rework = rnd.nextInt(q - scrap + 1);
                sorted.add(new CountEvent("c" + i, t, q, scrap, rework));
            }
        }
        // out of order within the grace: swap some neighbours less than 4 minutes apart
        List<Event> feed = new ArrayList<>(sorted);
        for (int i = 0; i + 1 < feed.size(); i++) {
            if (feed.get(i + 1).at() - feed.get(i).at() < 240_000 && rnd.nextInt(10) < 3) {
                Event a = feed.get(i);
                feed.set(i, feed.get(i + 1));
                feed.set(i + 1, a);
                i++;
            }
        }
        // duplicates: re-send a recent event now and then
        List<Event> withDuplicates = new ArrayList<>();
        for (int i = 0; i < feed.size(); i++) {
            withDuplicates.add(feed.get(i));
            if (rnd.nextInt(20) == 0) {
                withDuplicates.add(feed.get(Math.max(0, i - rnd.nextInt(5))));
            }
        }
        return withDuplicates;
    }

    /** The windows computed all at once from the accepted events and the final clock. */
    private static Map<String, OeeWindow> allAtOnce(List<Event> accepted, long finalClock, WindowCalendar cal) {
        List<StateChange> timeline = new ArrayList<>();
        accepted.stream().filter(e -> e instanceof StateEvent).map(e -> (StateEvent) e)
                .sorted(Comparator.comparingLong(StateEvent::at))
                .forEach(s -> timeline.add(new StateChange(s.at(), s.state(), s.reason())));
        long earliest = accepted.stream().mapToLong(Event::at).min().orElseThrow();
        Map<String, OeeWindow> out = new LinkedHashMap<>();
        for (Granularity g : Granularity.values()) {
            for (Window w : cal.windows(g, Instant.ofEpochMilli(earliest), Instant.ofEpochMilli(finalClock - GRACE_MS))) {
                if (w.endMs() <= earliest || w.endMs() > finalClock - GRACE_MS) {
                    continue;
                }
                TimeElements te = TimeLedger.classify(timeline, w, finalClock, cal, 120_000L);
                // POT + unknown + outside POT = window length
                assertThat(te.potMs() + te.unknownMs() + te.outsidePotMs()).as("time of %s", w).isEqualTo(w.lengthMs());
                WindowCounts c = new WindowCounts();
                accepted.stream().filter(e -> e instanceof CountEvent && w.containsMs(e.at())).map(e -> (CountEvent) e)
                        .forEach(k -> c.add(k.quantity(), k.scrap(), k.rework(), PRU));
                out.put(w.key(LINE).format(), OeeWindowRecords.render(LINE, "site-1", "area-1", w, te, c, true, 0));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @DisplayName("Random sequences: one-by-one through the topology equals all-at-once; POT + unknown + outside POT = length; A x E x Q = OEE")
    void incrementalEqualsAllAtOnce(long seed) {
        Random rnd = new Random(seed);
        Scenario scenario = SCENARIOS.get((int) (seed % SCENARIOS.size()));
        LineConfig config = OeeDriver.config(LINE, scenario.zone(), scenario.shifts(), Map.of("P", PRU), Instant.parse("2025-01-01T00:00:00Z"));
        List<Event> feed = generate(rnd, scenario.base().toEpochMilli());
        try (OeeDriver d = new OeeDriver("prop" + seed, OeeSettings.defaults().withGrace(Duration.ofMillis(GRACE_MS)))) {
            d.config(config);
            for (Event e : feed) {
                if (e instanceof StateEvent s) {
                    d.state(LINE, s.id(), Instant.ofEpochMilli(s.at()), s.state(), s.reason());
                } else if (e instanceof CountEvent c) {
                    d.count(LINE, c.id(), Instant.ofEpochMilli(c.at()), "P", c.quantity(), c.scrap(), c.rework());
                }
            }
            // the line falls silent: 3 days of wall-clock time close every window
            d.advanceWallClock(SILENCE);
            assertThat(d.dlq.isEmpty()).as("nothing late or invalid").isTrue();

            Set<String> ids = new HashSet<>();
            List<Event> accepted = feed.stream().filter(e -> ids.add(e.id())).toList();
            long finalClock = accepted.stream().mapToLong(Event::at).max().orElseThrow() + SILENCE.toMillis();
            Map<String, OeeWindow> expected = allAtOnce(accepted, finalClock, WindowCalendar.of(config));

            Map<String, OeeWindow> actual = new LinkedHashMap<>();
            d.finalsByKey().forEach((k, v) -> actual.put(k, OeeWindow.newBuilder(v).setRevision(0).build()));
            assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
            expected.forEach((k, v) -> assertThat(actual.get(k)).as(k).isEqualTo(v));
            // the sequence is not trivial: windows with every KPI defined, and failures
            assertThat(actual.values()).anyMatch(w -> w.getOee() != null && w.getEffectiveness() != null && w.getQuality() != null);
            for (OeeWindow w : actual.values()) {
                if (w.getAvailability() != null && w.getEffectiveness() != null && w.getQuality() != null) {
                    assertThat(w.getAvailability() * w.getEffectiveness() * w.getQuality()).as("A x E x Q of %s", w.getWindowStart())
                            .isCloseTo(w.getOee(), within(1e-9));
                }
            }
        }
    }
}

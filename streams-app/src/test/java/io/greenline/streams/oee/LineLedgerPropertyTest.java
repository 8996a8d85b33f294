package io.greenline.streams.oee;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.Granularity;
import io.greenline.events.MachineState;
import io.greenline.events.OeeLedgerEntry;
import io.greenline.events.OeeTimelineEntry;
import io.greenline.events.OeeWindow;
import io.greenline.schemas.state.StateSerde;
import io.greenline.streams.windows.ShiftDefinition;
import io.greenline.streams.windows.Window;
import io.greenline.streams.windows.WindowCalendar;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The running totals of {@link LineLedger} against the classify-from-timeline code of Greenline 0.1
 * ({@link OracleLedger} + {@link TimeLedger}, the test oracle), over many seeded random sequences: states and counts
 * in and out of order within the grace, ties, duplicates, late events, config changes in mid-window (calendar,
 * timezone, micro-stop threshold, PRU) and idle advance by wall-clock time. Both sides are driven the way their
 * processors drive them; after every record every window they publish (final or live) must be the same record,
 * and the new ledger goes through its versioned state encoding between records, as it does through the store. Half
 * the cases keep the timeline in a Kafka key-value store ({@link StoreTimeline}), half in a sorted map.
 */
class LineLedgerPropertyTest {

    private static final String LINE = "P1";
    private static final int CASES = 400;
    private static final StateSerde<OeeLedgerEntry> SERDE = StateSerde.of(OeeLedgerEntry.class);
    private static final Set<DayOfWeek> WEEKDAYS = Set.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY,
            DayOfWeek.THURSDAY, DayOfWeek.FRIDAY);
    private static final List<WindowCalendar> CALENDARS = List.of(
            new WindowCalendar(ZoneOffset.UTC, List.of(ShiftDefinition.of("early", "06:00", "14:00", WEEKDAYS.toArray(DayOfWeek[]::new)),
                    ShiftDefinition.of("late", "14:00", "22:00", WEEKDAYS.toArray(DayOfWeek[]::new)))),
            new WindowCalendar(ZoneId.of("Europe/Berlin"), List.of(ShiftDefinition.of("night", "22:00", "06:00", DayOfWeek.values()))),
            WindowCalendar.twentyFourSeven(ZoneId.of("Europe/Berlin")),
            new WindowCalendar(ZoneOffset.UTC, List.of(ShiftDefinition.of("day", "07:30", "16:15", DayOfWeek.values()))),
            WindowCalendar.utc24x7());
    private static final List<Instant> BASES = List.of(Instant.parse("2026-01-09T04:00:00Z"),
            Instant.parse("2026-03-28T17:00:00Z"), Instant.parse("2026-10-24T19:00:00Z"));
    private static final long MIN = 60_000L;
    private static final long HOUR = 60 * MIN;

    /** The line's config from {@code validFromMs} on. */
    private record Rules(long validFromMs, WindowCalendar calendar, long thresholdMs, double pruMs) {
    }

    /** The config versions of one case, by validFrom: as the versioned store answers. */
    private record Configs(List<Rules> versions) {
        Rules at(long t) {
            Rules found = null;
            for (Rules r : versions) {
                if (r.validFromMs <= t) {
                    found = r;
                }
            }
            return found != null ? found : versions.get(versions.size() - 1);
        }

        Double pruAt(long t) {
            Rules found = null;
            for (Rules r : versions) {
                if (r.validFromMs <= t) {
                    found = r;
                }
            }
            return found == null ? null : found.pruMs;
        }
    }

    private record Key(long atMs, long seq) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(atMs, o.atMs);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** The timeline in memory, as the store keeps it (same order, same bounded operations). */
    static final class MemoryTimeline implements Timeline {
        final NavigableMap<Key, OeeTimelineEntry> entries = new TreeMap<>();

        @Override
        public OeeTimelineEntry inForceAt(long t) {
            Map.Entry<Key, OeeTimelineEntry> e = entries.floorEntry(new Key(t, Long.MAX_VALUE));
            return e == null ? null : e.getValue();
        }

        @Override
        public OeeTimelineEntry firstAfter(long t) {
            Map.Entry<Key, OeeTimelineEntry> e = entries.ceilingEntry(new Key(t + 1, Long.MIN_VALUE));
            return e == null ? null : e.getValue();
        }

        @Override
        public List<OeeTimelineEntry> between(long fromExclusive, long toInclusive) {
            if (toInclusive <= fromExclusive) {
                return List.of();
            }
            return new ArrayList<>(entries.subMap(new Key(fromExclusive + 1, Long.MIN_VALUE), true,
                    new Key(toInclusive, Long.MAX_VALUE), true).values());
        }

        @Override
        public void insert(OeeTimelineEntry change) {
            entries.put(new Key(change.getAtMs(), change.getSeq()), change);
        }

        @Override
        public void forgetBefore(long t) {
            Key inForce = entries.floorKey(new Key(t, Long.MAX_VALUE));
            if (inForce != null) {
                entries.headMap(inForce, false).clear();
            }
        }
    }

    /** What one record did: refused as late, or the windows published (finals, then live), revision set to 0. */
    private record Outcome(boolean late, List<OeeWindow> finals, List<OeeWindow> live) {
    }

    /** Greenline 0.1's processor steps over {@link OracleLedger}. */
    private static final class OracleSide {
        final OracleLedger ledger = new OracleLedger();
        final Configs configs;
        final long graceMs;

        OracleSide(Configs configs, long graceMs) {
            this.configs = configs;
            this.graceMs = graceMs;
        }

        Outcome state(long t, MachineState s, String reason, long wall) {
            if (ledger.clock().isLateFrom(t, configs.at(ledger.clock().clockOr(t)).calendar, graceMs)) {
                return new Outcome(true, List.of(), List.of());
            }
            ledger.applyState(new StateChange(t, s, reason), wall);
            return publish();
        }

        Outcome count(long t, double q, double scrap, double rework, long wall) {
            WindowCalendar calendar = configs.at(ledger.clock().clockOr(t)).calendar;
            if (ledger.clock().isLateAt(t, calendar, graceMs)) {
                return new Outcome(true, List.of(), List.of());
            }
            ledger.applyCount(LINE, t, q, scrap, rework, configs.pruAt(t), calendar, wall);
            return publish();
        }

        Outcome idle(long wall, long idleAfter, long startWall) {
            return ledger.clock().advanceIdle(wall, idleAfter, startWall) ? publish() : null;
        }

        Outcome publish() {
            Rules rules = configs.at(ledger.clock().clockMs());
            List<Window> finals = ledger.clock().drainFinal(rules.calendar, graceMs);
            List<OeeWindow> f = new ArrayList<>();
            for (Window w : finals) {
                f.add(OeeWindowRecords.render(LINE, null, null, w, ledger.timeElements(w, rules.calendar, rules.thresholdMs),
                        ledger.counts(LINE, w), true, 0));
            }
            ledger.forget(LINE, finals, rules.calendar, graceMs);
            List<OeeWindow> live = new ArrayList<>();
            for (Window w : ledger.clock().openWindows(rules.calendar, graceMs)) {
                live.add(OeeWindowRecords.render(LINE, null, null, w, ledger.timeElements(w, rules.calendar, rules.thresholdMs),
                        ledger.counts(LINE, w), false, 0));
            }
            return new Outcome(false, f, live);
        }
    }

    /** {@link OeeLedgerProcessor}'s steps over {@link LineLedger}, the ledger through its state encoding between records. */
    private static final class IncrementalSide {
        LineLedger ledger = new LineLedger();
        final Timeline timeline;
        final Configs configs;
        final long graceMs;
        int maxTimeline;

        IncrementalSide(Configs configs, long graceMs, Timeline timeline) {
            this.configs = configs;
            this.graceMs = graceMs;
            this.timeline = timeline;
        }

        private record View(Rules rules, List<Window> finals, List<Window> open, boolean rebuilt) {
        }

        private View track() {
            Rules rules = configs.at(ledger.clock().clockMs());
            List<Window> finals = ledger.clock().drainFinal(rules.calendar, graceMs);
            List<Window> open = ledger.clock().openWindows(rules.calendar, graceMs);
            List<Window> tracked = new ArrayList<>(finals);
            tracked.addAll(open);
            return new View(rules, finals, open, ledger.track(tracked, rules.calendar, rules.thresholdMs, graceMs, timeline));
        }

        Outcome state(long t, MachineState s, String reason, long wall) {
            if (ledger.clock().isLateFrom(t, configs.at(ledger.clock().clockOr(t)).calendar, graceMs)) {
                return new Outcome(true, List.of(), List.of());
            }
            ledger.clock().observe(t, wall);
            View view = track();
            ledger.applyState(t, s, reason, view.rules.calendar, view.rules.thresholdMs, timeline);
            return publish(view);
        }

        Outcome count(long t, double q, double scrap, double rework, long wall) {
            WindowCalendar calendar = configs.at(ledger.clock().clockOr(t)).calendar;
            if (ledger.clock().isLateAt(t, calendar, graceMs)) {
                return new Outcome(true, List.of(), List.of());
            }
            List<Window> containing = new ArrayList<>();
            for (Granularity g : Granularity.values()) {
                containing.addAll(calendar.windowsContaining(g, Instant.ofEpochMilli(t)));
            }
            ledger.clock().observe(t, wall);
            View view = track();
            ledger.applyCount(containing, q, scrap, rework, configs.pruAt(t));
            return publish(view);
        }

        Outcome idle(long wall, long idleAfter, long startWall) {
            return ledger.clock().advanceIdle(wall, idleAfter, startWall) ? publish(track()) : null;
        }

        private Outcome publish(View view) {
            List<OeeWindow> f = new ArrayList<>();
            for (Window w : view.finals) {
                LineLedger.OpenWindow totals = ledger.window(w);
                f.add(OeeWindowRecords.render(LINE, null, null, w, totals.time, totals.counts, true, 0));
                ledger.forget(w);
            }
            List<OeeWindow> live = new ArrayList<>();
            for (Window w : view.open) {
                LineLedger.OpenWindow totals = ledger.window(w);
                live.add(OeeWindowRecords.render(LINE, null, null, w, totals.time, totals.counts, false, 0));
            }
            if (!view.finals.isEmpty() || view.rebuilt) {
                timeline.forgetBefore(ledger.clock().earliestOpenStartMs(view.rules.calendar, graceMs));
            }
            if (timeline instanceof MemoryTimeline memory) {
                maxTimeline = Math.max(maxTimeline, memory.entries.size());
            }
            // through the store's encoding, as between two records
            ledger = LineLedger.fromState(SERDE.decode(SERDE.encode(new OeeLedgerEntry(ledger.toState(), null))).getLedger());
            return new Outcome(false, f, live);
        }
    }

    private static Configs configs(Random rnd, long base) {
        List<Rules> versions = new ArrayList<>();
        versions.add(new Rules(base - 10 * 24 * HOUR, CALENDARS.get(rnd.nextInt(CALENDARS.size())), 120_000L, 30_000.0));
        long at = base;
        int changes = rnd.nextInt(3);
        long[] thresholds = {60_000L, 120_000L, 600_000L};
        for (int i = 0; i < changes; i++) {
            at += rnd.nextInt(12) * HOUR + rnd.nextInt(60) * MIN;
            WindowCalendar calendar = rnd.nextInt(3) == 0 ? versions.get(versions.size() - 1).calendar
                    : CALENDARS.get(rnd.nextInt(CALENDARS.size()));
            versions.add(new Rules(at, calendar, thresholds[rnd.nextInt(thresholds.length)], 20_000.0 + rnd.nextInt(3) * 10_000.0));
        }
        // now and then a config that starts only after the first events: counts before it are unrated
        if (rnd.nextInt(8) == 0) {
            versions.set(0, new Rules(base + 2 * HOUR, versions.get(0).calendar, 120_000L, 30_000.0));
            versions.sort((a, b) -> Long.compare(a.validFromMs, b.validFromMs));
        }
        return new Configs(versions);
    }

    @Test
    @DisplayName("Running totals equal the classify-from-timeline oracle after every record (400 random sequences)")
    void runningTotalsEqualTheOracle() {
        long totalRecords = 0;
        long late = 0;
        long rebuiltOrFinal = 0;
        int maxTimeline = 0;
        for (int seed = 1; seed <= CASES; seed++) {
            Random rnd = new Random(seed);
            long base = BASES.get(seed % BASES.size()).toEpochMilli();
            long graceMs = rnd.nextBoolean() ? 5 * MIN : 20 * MIN;
            Configs configs = configs(rnd, base);
            OracleSide oracle = new OracleSide(configs, graceMs);
            // odd cases keep the timeline in a Kafka key-value store (in memory, same byte order as RocksDB), as the processor does
            IncrementalSide incremental = new IncrementalSide(configs, graceMs,
                    seed % 2 == 1 ? new StoreTimeline(store(), LINE, new io.greenline.streams.windows.PurgeCursor()) : new MemoryTimeline());
            long startWall = Instant.parse("2026-06-01T00:00:00Z").toEpochMilli();
            long wall = startWall;
            long t = base;
            long idleAfter = 30_000L;
            List<Object[]> sent = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            int n = 80 + rnd.nextInt(120);
            String[] reasons = {null, "r1", "r2", " "};
            for (int i = 0; i < n; i++) {
                wall += 1 + rnd.nextInt(200);
                int kind = rnd.nextInt(100);
                Object[] event;
                if (kind < 5 && !sent.isEmpty()) {
                    // a duplicate: the same event again (ignored by the processor's deduplication)
                    event = sent.get(Math.max(0, sent.size() - 1 - rnd.nextInt(8)));
                } else if (kind < 10) {
                    // idle advance: the wall clock moves on by up to 3 hours with no record
                    wall += rnd.nextInt(3 * 60) * MIN;
                    Outcome a = oracle.idle(wall, idleAfter, startWall);
                    Outcome b = incremental.idle(wall, idleAfter, startWall);
                    assertSame(a, b, seed, i);
                    continue;
                } else {
                    long at;
                    if (kind < 25) {
                        // out of order: up to grace + 90 minutes back (some within the grace, some late)
                        at = t - rnd.nextLong(graceMs + 90 * MIN);
                    } else {
                        t += rnd.nextInt(15) == 0 ? 0 : 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? (int) (3 * HOUR) : (int) (20 * MIN));
                        at = t;
                    }
                    if (rnd.nextInt(10) < 6) {
                        event = new Object[] {"s" + i, at, MachineState.values()[rnd.nextInt(MachineState.values().length)],
                                reasons[rnd.nextInt(reasons.length)]};
                    } else {
                        int q = rnd.nextInt(60);
                        int scrap = rnd.nextInt(q + 1);
                        int rework = rnd.nextInt(q - scrap + 1);
                        event = new Object[] {"c" + i, at, (double) q, (double) scrap, (double) rework};
                    }
                    sent.add(event);
                }
                if (!seen.add((String) event[0])) {
                    continue;
                }
                long at = (Long) event[1];
                Outcome a;
                Outcome b;
                if (event.length == 4) {
                    a = oracle.state(at, (MachineState) event[2], (String) event[3], wall);
                    b = incremental.state(at, (MachineState) event[2], (String) event[3], wall);
                } else {
                    a = oracle.count(at, (Double) event[2], (Double) event[3], (Double) event[4], wall);
                    b = incremental.count(at, (Double) event[2], (Double) event[3], (Double) event[4], wall);
                }
                if (a.late) {
                    // a refused record changes nothing on either side
                    seen.remove((String) event[0]);
                    late++;
                }
                assertSame(a, b, seed, i);
                totalRecords++;
                rebuiltOrFinal += b.finals.size();
            }
            // silence: every window closes
            wall += 3 * 24 * HOUR;
            assertSame(oracle.idle(wall, idleAfter, startWall), incremental.idle(wall, idleAfter, startWall), seed, n);
            maxTimeline = Math.max(maxTimeline, incremental.maxTimeline);
        }
        // the sequences are not trivial: many records, some late, many windows final
        assertThat(totalRecords).isGreaterThan(CASES * 80L);
        assertThat(late).isGreaterThan(CASES);
        assertThat(rebuiltOrFinal).isGreaterThan(CASES * 10L);
        assertThat(maxTimeline).isPositive();
    }

    private static KeyValueStore<String, OeeLedgerEntry> store() {
        KeyValueStore<String, OeeLedgerEntry> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("timeline"),
                Serdes.String(), SERDE).withLoggingDisabled().build();
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }

    private static void assertSame(Outcome expected, Outcome actual, int seed, int step) {
        if (expected == null || actual == null) {
            assertThat(actual).as("seed %d step %d: idle advance", seed, step).isEqualTo(expected);
            return;
        }
        assertThat(actual.late).as("seed %d step %d: late", seed, step).isEqualTo(expected.late);
        assertThat(actual.finals).as("seed %d step %d: finals", seed, step).isEqualTo(expected.finals);
        assertThat(actual.live).as("seed %d step %d: live windows", seed, step).isEqualTo(expected.live);
    }
}

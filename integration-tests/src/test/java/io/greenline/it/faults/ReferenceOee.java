package io.greenline.it.faults;

import io.greenline.events.LineConfig;
import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.OeeWindow;
import io.greenline.events.ProductRate;
import io.greenline.events.ProductionCounted;
import io.greenline.it.faults.ReferenceCalendar.Win;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.WindowKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The expected final OEE windows of a log, by brute force (docs/oee.md "Semantics as implemented", "Event time,
 * lateness, finality"): events are taken in log order per line; duplicates (line, topic, eventId) are ignored;
 * an event that would change a window already final on the line's clock (the largest accepted timestamp) is late
 * and left out; then every window that is final at the end is classified from scratch, interval by interval.
 * Shares no code with {@code io.greenline.streams}.
 */
final class ReferenceOee {

    private record State(long at, MachineState state, String reason) {
    }

    private record Count(long at, double quantity, double scrap, double rework, Double pru, Set<String> windowKeys) {
    }

    private static final class Line {
        boolean started;
        long clock;
        long earliest;
        final List<State> states = new ArrayList<>();
        final List<Count> counts = new ArrayList<>();
    }

    /** What the oracle found: the expected final windows by key, and how many events it found late. */
    record Result(Map<String, OeeWindow> windows, int late, int duplicates) {
    }

    private ReferenceOee() {
    }

    static Result compute(EventLog log, ReferenceData ref, long graceMs) {
        Map<String, Line> lines = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        int late = 0;
        int duplicates = 0;
        for (EventLog.Entry e : log.entries()) {
            boolean isState = e.topic().equals(TopicNames.MACHINE_STATE);
            if (!isState && !e.topic().equals(TopicNames.PRODUCTION_COUNT)) {
                continue;
            }
            String lineId = isState ? ((MachineStateChanged) e.value()).getLineId() : ((ProductionCounted) e.value()).getLineId();
            String eventId = isState ? ((MachineStateChanged) e.value()).getEventId() : ((ProductionCounted) e.value()).getEventId();
            long t = isState ? ((MachineStateChanged) e.value()).getTimestamp().toEpochMilli()
                    : ((ProductionCounted) e.value()).getTimestamp().toEpochMilli();
            if (!seen.add(lineId + (isState ? "/state/" : "/count/") + eventId)) {
                duplicates++;
                continue;
            }
            Line line = lines.computeIfAbsent(lineId, k -> new Line());
            ReferenceCalendar calendar = ReferenceCalendar.of(ref.configAsOfOrLatest(lineId, line.started ? line.clock : t));
            if (line.started) {
                long finalUpTo = line.clock - graceMs;
                // a state changes every instant from t on; a count only the windows containing t
                List<Win> touched = isState ? calendar.overlapping(t, Math.max(t + 1, finalUpTo)) : calendar.containing(t);
                if (touched.stream().anyMatch(w -> w.end() <= finalUpTo && w.end() > t)) {
                    seen.remove(lineId + (isState ? "/state/" : "/count/") + eventId);
                    late++;
                    continue;
                }
            }
            if (isState) {
                MachineStateChanged s = (MachineStateChanged) e.value();
                line.states.add(new State(t, s.getState(), s.getReasonCode()));
            } else {
                ProductionCounted c = (ProductionCounted) e.value();
                Set<String> keys = new HashSet<>();
                for (Win w : calendar.containing(t)) {
                    keys.add(WindowKey.of(lineId, w.granularity(), Instant.ofEpochMilli(w.start())).format());
                }
                line.counts.add(new Count(t, c.getQuantity(), c.getScrapQuantity(), c.getReworkQuantity(),
                        pru(ref.configAsOf(lineId, t), c.getProductId()), keys));
            }
            line.clock = line.started ? Math.max(line.clock, t) : t;
            line.earliest = line.started ? Math.min(line.earliest, t) : t;
            line.started = true;
        }
        Map<String, OeeWindow> out = new TreeMap<>();
        lines.forEach((lineId, line) -> {
            LineConfig config = ref.configAsOfOrLatest(lineId, line.clock);
            ReferenceCalendar calendar = ReferenceCalendar.of(config);
            long finalUpTo = line.clock - graceMs;
            // states sorted by time; equal times keep their arrival order (a stable sort)
            List<State> timeline = new ArrayList<>(line.states);
            timeline.sort((a, b) -> Long.compare(a.at(), b.at()));
            // only to find things fast: the counts of each window, by key
            Map<String, List<Count>> countsByWindow = new HashMap<>();
            for (Count c : line.counts) {
                c.windowKeys().forEach(k -> countsByWindow.computeIfAbsent(k, x -> new ArrayList<>()).add(c));
            }
            for (Win w : calendar.overlapping(line.earliest, finalUpTo)) {
                if (w.end() > line.earliest && w.end() <= finalUpTo) {
                    String key = WindowKey.of(lineId, w.granularity(), Instant.ofEpochMilli(w.start())).format();
                    OeeWindow window = window(lineId, config, calendar, w, timeline, countsByWindow.getOrDefault(key, List.of()));
                    out.put(WindowKey.of(lineId, w.granularity(), Instant.ofEpochMilli(w.start())).format(), window);
                }
            }
        });
        return new Result(out, late, duplicates);
    }

    private static Double pru(LineConfig config, String productId) {
        if (config == null) {
            return null;
        }
        for (ProductRate r : config.getProducts()) {
            if (r.getProductId().equals(productId)) {
                return r.getIdealCycleTimeMs();
            }
        }
        return null;
    }

    /** The index of the last state at or before t (0 when none is): binary search over the sorted timeline. */
    private static int inForceAt(List<State> timeline, long t) {
        int lo = 0;
        int hi = timeline.size() - 1;
        int found = 0;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (timeline.get(mid).at() <= t) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    private static OeeWindow window(String lineId, LineConfig config, ReferenceCalendar calendar, Win w, List<State> timeline,
            List<Count> counts) {
        long threshold = config == null ? 120_000L : config.getMicroStopThresholdMs();
        long pot = 0, pdot = 0, apt = 0, asut = 0, adet = 0, adot = 0, unknown = 0;
        Map<String, Long> reasons = new TreeMap<>();
        long firstChange = timeline.isEmpty() ? Long.MAX_VALUE : timeline.get(0).at();
        if (firstChange > w.start()) {
            unknown += Math.min(w.end(), firstChange) - w.start();
        }
        int failures = 0;
        long failureMs = 0;
        // states before the one in force at the window's start end at or before it (no time, no failure in it), and
        // states from the window's end on neither: classify the ones between
        for (int i = inForceAt(timeline, w.start()); i < timeline.size() && timeline.get(i).at() < w.end(); i++) {
            State s = timeline.get(i);
            long next = i + 1 < timeline.size() ? timeline.get(i + 1).at() : Long.MAX_VALUE;
            long a = Math.max(w.start(), s.at());
            long b = Math.min(w.end(), next);
            if (b > a) {
                long length = b - a;
                long planned = calendar.plannedMs(a, b);
                String reason = s.reason() == null || s.reason().isBlank() ? "UNSPECIFIED" : s.reason();
                switch (s.state()) {
                    case RUNNING -> {
                        pot += length;
                        apt += length;
                    }
                    case SETUP -> {
                        pot += length;
                        asut += length;
                        reasons.merge(reason, length, Long::sum);
                    }
                    default -> {
                        pot += planned;
                        if (s.state() == MachineState.PLANNED_STOP) {
                            pdot += planned;
                        } else if (s.state() == MachineState.IDLE) {
                            adot += planned;
                        } else {
                            adet += planned;
                        }
                        if (planned > 0) {
                            reasons.merge(reason, planned, Long::sum);
                        }
                    }
                }
            }
            // a failure: a FAULT of at least the threshold, in the window where it ends
            if (s.state() == MachineState.FAULT && next != Long.MAX_VALUE && next - s.at() > 0 && next - s.at() >= threshold
                    && next > w.start() && next <= w.end()) {
                failures++;
                failureMs += next - s.at();
            }
        }
        double pq = 0, sq = 0, rq = 0, ideal = 0, goodIdeal = 0;
        String key = WindowKey.of(lineId, w.granularity(), Instant.ofEpochMilli(w.start())).format();
        for (Count c : counts) {
            if (c.windowKeys().contains(key)) { // always: the counts given are the window's
                pq += c.quantity();
                sq += c.scrap();
                rq += c.rework();
                if (c.pru() != null) {
                    ideal += c.pru() * c.quantity();
                    goodIdeal += c.pru() * (c.quantity() - c.scrap() - c.rework());
                }
            }
        }
        double gq = pq - sq - rq;
        long pbt = pot - pdot;
        long aupt = apt + asut;
        Double availability = pbt > 0 ? (double) apt / pbt : null;
        Double effectiveness = apt > 0 ? ideal / apt : null;
        Double quality = pq > 0 ? gq / pq : null;
        Double oee = pbt > 0 ? goodIdeal / pbt : null;
        Double nee = pbt > 0 && effectiveness != null && quality != null ? (double) aupt / pbt * effectiveness * quality : null;
        return OeeWindow.newBuilder()
                .setLineId(lineId)
                .setSiteId(config == null ? null : config.getSiteId())
                .setAreaId(config == null ? null : config.getAreaId())
                .setGranularity(w.granularity())
                .setShiftName(w.shiftName())
                .setWindowStart(Instant.ofEpochMilli(w.start()))
                .setWindowEnd(Instant.ofEpochMilli(w.end()))
                .setPotMs(pot).setPdotMs(pdot).setPbtMs(pbt).setAptMs(apt).setAsutMs(asut).setAdetMs(adet).setAdotMs(adot)
                .setUnknownMs(unknown).setAuptMs(aupt).setAubtMs(aupt + adet)
                .setProducedQuantity(pq).setGoodQuantity(gq).setScrapQuantity(sq).setReworkQuantity(rq).setIdealTimeMs(ideal)
                .setAvailability(availability).setEffectiveness(effectiveness).setQuality(quality).setOee(oee).setNee(nee)
                .setFailures(failures)
                .setMtbfMs(failures > 0 ? (double) aupt / failures : null)
                .setMttrMs(failures > 0 ? (double) failureMs / failures : null)
                .setStopReasons(new LinkedHashMap<>(reasons))
                .setFinal$(true)
                .setRevision(0)
                .build();
    }
}

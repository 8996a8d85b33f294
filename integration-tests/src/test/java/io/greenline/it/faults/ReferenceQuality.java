package io.greenline.it.faults;

import io.greenline.events.DefectCount;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.InspectionResult;
import io.greenline.events.QualityWindow;
import io.greenline.it.faults.ReferenceCalendar.Win;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.WindowKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The expected final quality windows of a log (docs/quality.md "What a window holds", "First pass yield",
 * "Event time, finalization"), recounted inspection by inspection in log order: duplicates (line, eventId)
 * ignored, late inspections (in a window already final on the line's clock) left out, each inspection counted
 * in every window of the calendar valid at its time, once for the line and once for line + product; a unit's
 * first inspection is its earliest, while its memory lives. Shares no code with {@code io.greenline.streams}.
 */
final class ReferenceQuality {

    private static final class Tally {
        final WindowKey key;
        final Win window;
        double inspected, passed, rework, scrap, firstInspected, firstPassed;
        final Map<String, Double> defects = new TreeMap<>();

        Tally(WindowKey key, Win window) {
            this.key = key;
            this.window = window;
        }
    }

    private static final class Unit {
        long firstAt;
        boolean firstPassed;
        double quantity;
        String productId;
        long lastSeen;
        List<Win> windows;
    }

    private static final class Line {
        boolean started;
        long clock;
        long earliest;
        final Map<String, Tally> tallies = new HashMap<>();
        final Map<String, Unit> units = new HashMap<>();
    }

    record Result(Map<String, QualityWindow> windows, int late, int duplicates) {
    }

    private ReferenceQuality() {
    }

    static Result compute(EventLog log, ReferenceData ref, long graceMs, long unitTtlMs) {
        Map<String, Line> lines = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        int late = 0;
        int duplicates = 0;
        for (EventLog.Entry e : log.of(TopicNames.INSPECTION)) {
            InspectionRecorded in = (InspectionRecorded) e.value();
            String lineId = in.getLineId();
            long t = in.getTimestamp().toEpochMilli();
            Line line = lines.computeIfAbsent(lineId, k -> new Line());
            List<Win> containing = ReferenceCalendar.of(ref.configAsOf(lineId, t)).containing(t);
            if (seen.contains(lineId + "/" + in.getEventId())) {
                duplicates++;
                continue;
            }
            long finalUpTo = line.clock - graceMs;
            if (line.started && containing.stream().anyMatch(w -> w.end() <= finalUpTo)) {
                late++;
                continue;
            }
            seen.add(lineId + "/" + in.getEventId());
            double q = in.getQuantity();
            boolean passed = in.getResult() == InspectionResult.PASS;
            boolean first = true;
            if (in.getUnitId() != null) {
                long now = line.started ? Math.max(line.clock, t) : t;
                Unit unit = line.units.get(in.getUnitId());
                if (unit != null && unit.lastSeen < now - unitTtlMs) {
                    unit = null; // forgotten after the TTL
                }
                if (unit == null || t < unit.firstAt) {
                    if (unit != null) {
                        // an earlier inspection of the unit arrived: take the old first one back out of its open windows
                        for (Win w : unit.windows) {
                            if (w.end() > finalUpTo || !line.started) {
                                takeBack(line, lineId, w, null, unit);
                                takeBack(line, lineId, w, unit.productId, unit);
                            }
                        }
                    }
                    Unit next = new Unit();
                    next.firstAt = t;
                    next.firstPassed = passed;
                    next.quantity = q;
                    next.productId = in.getProductId();
                    next.lastSeen = unit == null ? t : Math.max(unit.lastSeen, t);
                    next.windows = containing;
                    line.units.put(in.getUnitId(), next);
                } else {
                    first = false;
                    unit.lastSeen = Math.max(unit.lastSeen, t);
                    line.units.put(in.getUnitId(), unit);
                }
            }
            Set<String> codes = new LinkedHashSet<>(in.getDefectCodes());
            if (codes.isEmpty() && !passed) {
                codes.add("UNSPECIFIED");
            }
            for (Win w : containing) {
                for (String product : new String[] {null, in.getProductId()}) {
                    Tally tally = tally(line, lineId, w, product);
                    tally.inspected += q;
                    tally.passed += passed ? q : 0;
                    tally.rework += in.getResult() == InspectionResult.REWORK ? q : 0;
                    tally.scrap += in.getResult() == InspectionResult.SCRAP ? q : 0;
                    codes.forEach(c -> tally.defects.merge(c, q, Double::sum));
                    if (first) {
                        tally.firstInspected += q;
                        tally.firstPassed += passed ? q : 0;
                    }
                }
            }
            line.clock = line.started ? Math.max(line.clock, t) : t;
            line.earliest = line.started ? Math.min(line.earliest, t) : t;
            line.started = true;
        }
        Map<String, QualityWindow> out = new TreeMap<>();
        lines.forEach((lineId, line) -> {
            long finalUpTo = line.clock - graceMs;
            ReferenceCalendar calendar = ReferenceCalendar.of(ref.configAsOf(lineId, line.clock));
            // only to find things fast: the line's and its products' tallies of each window, by the line-level key
            Map<String, List<Tally>> byWindow = new HashMap<>();
            for (Tally tally : line.tallies.values()) {
                String lineLevel = WindowKey.of(tally.key.lineId(), tally.key.granularity(), tally.key.windowStart()).format();
                byWindow.computeIfAbsent(lineLevel, k -> new ArrayList<>()).add(tally);
            }
            for (Win w : calendar.overlapping(line.earliest, finalUpTo)) {
                if (w.end() <= line.earliest || w.end() > finalUpTo) {
                    continue;
                }
                String lineKey = WindowKey.of(lineId, w.granularity(), Instant.ofEpochMilli(w.start())).format();
                if (!line.tallies.containsKey(lineKey)) {
                    continue; // nothing inspected: no record
                }
                for (Tally tally : byWindow.get(lineKey)) {
                    if (tally.key.lineId().equals(lineId) && tally.key.granularity() == w.granularity()
                            && tally.key.windowStart().toEpochMilli() == w.start()) {
                        out.put(tally.key.format(), record(tally));
                    }
                }
            }
        });
        return new Result(out, late, duplicates);
    }

    private static Tally tally(Line line, String lineId, Win w, String productId) {
        WindowKey key = new WindowKey(lineId, w.granularity(), Instant.ofEpochMilli(w.start()), productId);
        return line.tallies.computeIfAbsent(key.format(), k -> new Tally(key, w));
    }

    private static void takeBack(Line line, String lineId, Win w, String productId, Unit unit) {
        Tally tally = line.tallies.get(new WindowKey(lineId, w.granularity(), Instant.ofEpochMilli(w.start()), productId).format());
        if (tally != null) {
            tally.firstInspected -= unit.quantity;
            tally.firstPassed -= unit.firstPassed ? unit.quantity : 0;
        }
    }

    private static Double ratio(double a, double b) {
        return b > 0 ? a / b : null;
    }

    private static QualityWindow record(Tally t) {
        List<DefectCount> pareto = new ArrayList<>();
        t.defects.forEach((code, count) -> pareto.add(new DefectCount(code, count)));
        pareto.sort(Comparator.comparingDouble(DefectCount::getCount).reversed().thenComparing(DefectCount::getCode));
        return QualityWindow.newBuilder()
                .setLineId(t.key.lineId())
                .setProductId(t.key.productId())
                .setGranularity(t.key.granularity())
                .setShiftName(t.window.shiftName())
                .setWindowStart(t.key.windowStart())
                .setWindowEnd(Instant.ofEpochMilli(t.window.end()))
                .setInspected(t.inspected).setPassed(t.passed).setRework(t.rework).setScrap(t.scrap)
                .setDefectRate(ratio(t.rework + t.scrap, t.inspected))
                .setScrapRate(ratio(t.scrap, t.inspected))
                .setReworkRate(ratio(t.rework, t.inspected))
                .setDefects(pareto)
                .setFirstInspectedUnits(t.firstInspected)
                .setFirstPassUnits(t.firstPassed)
                .setFirstPassYield(ratio(t.firstPassed, t.firstInspected))
                .setFinal$(true)
                .setRevision(0)
                .build();
    }
}

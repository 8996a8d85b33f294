package io.greenline.it.faults;

import io.greenline.events.CarrierEnergy;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyMetered;
import io.greenline.events.EnergyUnit;
import io.greenline.events.LineConfig;
import io.greenline.events.LineEnergyWindow;
import io.greenline.events.ProductionCounted;
import io.greenline.it.faults.ReferenceCalendar.Win;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.WindowKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The expected final {@code mfg.line-energy} windows of a log, by brute force (docs/carbon.md "Energy per line and
 * window", docs/design.md section 6): line-meter readings and production counts are taken in log order per line;
 * duplicates (line, kind, eventId) are ignored; a count in a window already final on the line's clock (the largest
 * accepted event time, a reading's period start and end both observed), or a reading whose period END lies in one,
 * is late and left out. Then every accepted reading is re-split over every window of the line's calendar its
 * period overlaps, in proportion to time, and priced whole with the factors valid at its period end
 * ({@link ReferenceFootprints#price}); every accepted count adds its good quantity to the windows containing it. A
 * window with data that ends at or before the final clock minus the grace is expected, with its final content
 * (a long reading may revise a window after it was first published: the last record must hold it). Shared site
 * meters (no lineId) are not line energy. Shares no code with {@code io.greenline.streams}.
 */
final class ReferenceLineEnergy {

    private static final double MJ_PER_KWH = 3.6;

    /** An accepted reading or count of a line, with the calendar valid at its time. */
    private record Accepted(EnergyMetered reading, ProductionCounted count, ReferenceCalendar calendar) {
    }

    private static final class Line {
        boolean started;
        long clock;
        final List<Accepted> accepted = new ArrayList<>();
    }

    /** The expected final windows by {@code WindowKey}, and how many events the oracle found late. */
    record Result(Map<String, LineEnergyWindow> windows, int late, int duplicates) {
    }

    private ReferenceLineEnergy() {
    }

    static Result compute(EventLog log, ReferenceData ref, long graceMs) {
        Map<String, Line> lines = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        int late = 0;
        int duplicates = 0;
        for (EventLog.Entry e : log.entries()) {
            EnergyMetered reading = e.topic().equals(TopicNames.ENERGY) ? (EnergyMetered) e.value() : null;
            ProductionCounted count = e.topic().equals(TopicNames.PRODUCTION_COUNT) ? (ProductionCounted) e.value() : null;
            if (reading == null && count == null || reading != null && reading.getLineId() == null) {
                continue; // other topics; shared site meters
            }
            String lineId = reading != null ? reading.getLineId() : count.getLineId();
            long t = reading != null ? reading.getTimestamp().toEpochMilli() : count.getTimestamp().toEpochMilli();
            String id = lineId + (reading != null ? "/energy/" + reading.getEventId() : "/count/" + count.getEventId());
            if (seen.contains(id)) {
                duplicates++;
                continue;
            }
            Line line = lines.computeIfAbsent(lineId, k -> new Line());
            ReferenceCalendar calendar = ReferenceCalendar.of(ref.configAsOfOrLatest(lineId, t));
            // a count changes the windows containing its time; a reading is judged by the windows of its last instant
            long judgedAt = reading != null ? t - 1 : t;
            long finalUpTo = line.clock - graceMs;
            if (line.started && calendar.containing(judgedAt).stream().anyMatch(w -> w.end() <= finalUpTo)) {
                late++;
                continue;
            }
            seen.add(id);
            line.accepted.add(new Accepted(reading, count, calendar));
            long earliestTime = reading != null ? reading.getPeriodStart().toEpochMilli() : t;
            line.clock = line.started ? Math.max(line.clock, Math.max(earliestTime, t)) : Math.max(earliestTime, t);
            line.started = true;
        }
        Map<String, LineEnergyWindow> out = new TreeMap<>();
        lines.forEach((lineId, line) -> {
            long finalUpTo = line.clock - graceMs;
            Map<String, Tally> tallies = new HashMap<>();
            for (Accepted a : line.accepted) {
                if (a.reading() != null) {
                    spread(lineId, a.reading(), a.calendar(), ref, tallies);
                } else {
                    ProductionCounted c = a.count();
                    double good = c.getQuantity() - c.getScrapQuantity() - c.getReworkQuantity();
                    for (Win w : a.calendar().containing(c.getTimestamp().toEpochMilli())) {
                        Tally tally = tallies.computeIfAbsent(key(lineId, w), k -> new Tally(w));
                        tally.good = (tally.good == null ? 0 : tally.good) + good;
                    }
                }
            }
            tallies.forEach((key, tally) -> {
                if (tally.window.end() <= finalUpTo) {
                    out.put(key, tally.record(lineId));
                }
            });
        });
        return new Result(out, late, duplicates);
    }

    private static String key(String lineId, Win w) {
        return WindowKey.of(lineId, w.granularity(), Instant.ofEpochMilli(w.start())).format();
    }

    /** One reading over every window its period overlaps, in proportion to time, priced whole at its period end. */
    private static void spread(String lineId, EnergyMetered r, ReferenceCalendar calendar, ReferenceData ref, Map<String, Tally> tallies) {
        long from = r.getPeriodStart().toEpochMilli();
        long to = r.getTimestamp().toEpochMilli();
        LineConfig config = ref.configAsOfOrLatest(lineId, to);
        ReferenceFootprints.Price price = ReferenceFootprints.price(ref, config == null ? null : config.getGridRegion(), r.getCarrier(),
                r.getUnit(), r.getQuantity(), to);
        for (Win w : calendar.overlapping(from, to)) {
            long overlap = Math.min(w.end(), to) - Math.max(w.start(), from);
            if (overlap <= 0) {
                continue;
            }
            double share = (double) overlap / (double) (to - from);
            Tally tally = tallies.computeIfAbsent(key(lineId, w), k -> new Tally(w));
            double quantity = r.getQuantity() * share;
            ReferenceFootprints.addEnergy(tally.energy, r.getCarrier(), r.getUnit(), quantity);
            if (r.getCarrier() == EnergyCarrier.ELECTRICITY) {
                tally.kwh += r.getUnit() == EnergyUnit.KWH ? quantity : r.getUnit() == EnergyUnit.MJ ? quantity / MJ_PER_KWH : 0;
            }
            tally.location += price.location() * share;
            tally.market += price.market() * share;
        }
    }

    private static final class Tally {
        final Win window;
        final Map<String, CarrierEnergy> energy = new TreeMap<>();
        double kwh, location, market;
        Double good;

        Tally(Win window) {
            this.window = window;
        }

        LineEnergyWindow record(String lineId) {
            boolean perUnit = good != null && good > 0;
            return LineEnergyWindow.newBuilder()
                    .setLineId(lineId)
                    .setGranularity(window.granularity())
                    .setShiftName(window.shiftName())
                    .setWindowStart(Instant.ofEpochMilli(window.start()))
                    .setWindowEnd(Instant.ofEpochMilli(window.end()))
                    .setEnergy(new TreeMap<>(energy))
                    .setElectricityKwh(kwh)
                    .setKgCo2eLocation(location)
                    .setKgCo2eMarket(market)
                    .setGoodQuantity(good)
                    .setKgCo2ePerGoodUnit(perUnit ? market / good : null)
                    .setKwhPerGoodUnit(perUnit ? kwh / good : null)
                    .setFinal$(true)
                    .setRevision(0)
                    .build();
        }
    }
}

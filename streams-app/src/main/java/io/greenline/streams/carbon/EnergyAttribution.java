package io.greenline.streams.carbon;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Splits one energy reading over the batches that ran during its period (docs/design.md section 6).
 *
 * <p>The period {@code [start, end)} is cut at every batch edge inside it. Each piece carries the reading's quantity
 * in proportion to its length and is shared equally among the batches running throughout it: one batch on a line
 * meter, every batch of the site on a shared site meter (so two concurrent batches halve only the time they overlap).
 * A piece during which no batch runs is idle energy: it goes to the batch(es) starting next (earliest start at or
 * after the piece's end; several starting at that same instant share it equally), or stays unassigned when no batch
 * has started yet. Pieces of the same batch and kind are merged.
 */
public final class EnergyAttribution {

    private EnergyAttribution() {
    }

    /** A batch's running time on a line: {@code [start, end)}, {@code end == null} while it still runs. */
    public record BatchSpan(String batchId, String lineId, Instant start, Instant end) {
        public BatchSpan {
            Objects.requireNonNull(batchId, "batchId");
            Objects.requireNonNull(start, "start");
        }

        boolean covers(Instant from, Instant to) {
            return !start.isAfter(from) && (end == null || !end.isBefore(to));
        }
    }

    /**
     * A part of a reading: to {@code batchId} ({@code null} when idle with no next batch yet), over
     * {@code [start, end)} of the reading's period; {@code idle} when no batch ran during it.
     */
    public record Share(String batchId, String lineId, Instant start, Instant end, double quantity, boolean idle) {
    }

    public static List<Share> split(Instant start, Instant end, double quantity, List<BatchSpan> spans) {
        if (!start.isBefore(end)) {
            throw new IllegalArgumentException("empty period [" + start + ", " + end + ")");
        }
        TreeSet<Instant> edges = new TreeSet<>(List.of(start, end));
        for (BatchSpan s : spans) {
            if (s.start().isAfter(start) && s.start().isBefore(end)) {
                edges.add(s.start());
            }
            if (s.end() != null && s.end().isAfter(start) && s.end().isBefore(end)) {
                edges.add(s.end());
            }
        }
        double periodMs = end.toEpochMilli() - start.toEpochMilli();
        Map<String, Share> merged = new LinkedHashMap<>();
        Instant from = null;
        for (Instant to : edges) {
            if (from != null) {
                double piece = quantity * ((to.toEpochMilli() - from.toEpochMilli()) / periodMs);
                Instant a = from;
                List<BatchSpan> running = spans.stream().filter(s -> s.covers(a, to)).sorted(Comparator.comparing(BatchSpan::batchId)).toList();
                boolean idle = running.isEmpty();
                List<BatchSpan> receivers = idle ? nextToStart(spans, to) : running;
                if (receivers.isEmpty()) {
                    add(merged, new Share(null, null, from, to, piece, true));
                } else {
                    for (BatchSpan r : receivers) {
                        add(merged, new Share(r.batchId(), r.lineId(), from, to, piece / receivers.size(), idle));
                    }
                }
            }
            from = to;
        }
        return new ArrayList<>(merged.values());
    }

    private static List<BatchSpan> nextToStart(List<BatchSpan> spans, Instant notBefore) {
        Instant first = spans.stream().map(BatchSpan::start).filter(s -> !s.isBefore(notBefore)).min(Comparator.naturalOrder()).orElse(null);
        if (first == null) {
            return List.of();
        }
        return spans.stream().filter(s -> s.start().equals(first)).sorted(Comparator.comparing(BatchSpan::batchId)).toList();
    }

    private static void add(Map<String, Share> merged, Share s) {
        String key = s.batchId() + "|" + s.idle();
        merged.merge(key, s, (a, b) -> new Share(a.batchId(), a.lineId(),
                a.start().isBefore(b.start()) ? a.start() : b.start(),
                a.end().isAfter(b.end()) ? a.end() : b.end(),
                a.quantity() + b.quantity(), a.idle()));
    }
}

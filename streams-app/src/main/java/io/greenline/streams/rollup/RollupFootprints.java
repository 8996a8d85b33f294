package io.greenline.streams.rollup;

import io.greenline.streams.VersionCache;
import io.greenline.events.BatchFootprint;
import io.greenline.events.FootprintStatus;
import io.greenline.events.LineConfig;
import io.greenline.events.RollupContribution;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.BadRecordException;
import io.greenline.streams.windows.Interval;
import io.greenline.streams.windows.Window;
import java.time.Instant;
import io.micrometer.core.instrument.Metrics;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.VersionedRecord;

/**
 * Final batch footprints ({@code mfg.batch-footprint}) in the site's DAY energy roll-up: the intensity per tonne of
 * good output per site and day (docs/rollup.md, "Intensity per tonne").
 *
 * <p><b>Rule.</b> A FINAL footprint's good output mass and totalMarketKgCo2e are split over the site's DAY windows
 * (the roll-up's calendar) in proportion to the time of the batch's run {@code [startedAt, completedAt)} inside each
 * day: the mass then sits in the days whose line energy made it. A batch without a run (no startedAt) goes wholly
 * to the day it completed in. A newer version of a batch's footprint replaces the parts the earlier one added (they
 * are remembered per batch); a CANCELLED one removes them; PROVISIONAL footprints and unallocated-energy ledgers
 * add nothing. Work per footprint: the days of its run (parts are remembered per batch in rollup-contributions and
 * leave with the roll-up's correction window).
 */
final class RollupFootprints {

    /** {@link RollupContribution#getKind()} of a footprint. */
    static final String KIND = "FOOTPRINT";

    private RollupFootprints() {
    }

    /**
     * The parts a footprint adds to each DAY window it overlaps, by {@code <startMs>/<endMs>/<measure>} (start and end
     * as 13-digit epoch ms), for {@code days}: the DAY windows overlapping its run.
     */
    static Map<String, Double> parts(RollupContribution footprint, List<Window> days) {
        Map<String, Double> parts = new LinkedHashMap<>();
        if (footprint.getMeasures().isEmpty()) {
            return parts;
        }
        long start = footprint.getWindowStart();
        long end = footprint.getWindowEnd();
        Interval run = new Interval(Instant.ofEpochMilli(start), Instant.ofEpochMilli(end));
        for (Window day : days) {
            double share;
            if (end > start) {
                long overlap = day.interval().intersect(run).lengthMs();
                if (overlap <= 0) {
                    continue;
                }
                share = (double) overlap / (end - start);
            } else if (day.startMs() < end && end <= day.endMs()) {
                share = 1.0; // no run: the day it completed in (an end at midnight belongs to the day before)
            } else {
                continue;
            }
            String prefix = RollupProcessor.pad(day.startMs()) + "/" + RollupProcessor.pad(day.endMs()) + "/";
            footprint.getMeasures().forEach((name, value) -> {
                if (name.equals(RollupMeasures.FP_MASS_UNKNOWN)) {
                    parts.put(prefix + name, 1.0);
                } else {
                    parts.put(prefix + name, share * value);
                }
            });
            parts.put(prefix + RollupMeasures.FP_COUNT, 1.0);
        }
        return parts;
    }

    /** A part's day: {@code <startMs>/<endMs>} of a key of {@link #parts}. */
    static String day(String partKey) {
        return partKey.substring(0, partKey.indexOf('/', partKey.indexOf('/') + 1));
    }

    /** A day's window {@code [startMs, endMs]} from {@link #day}. */
    static long[] window(String day) {
        String[] fields = day.split("/", 2);
        return new long[] {Long.parseLong(fields[0]), Long.parseLong(fields[1])};
    }

    /** A part's measure name. */
    static String measure(String partKey) {
        return partKey.split("/", 3)[2];
    }

    /**
     * Keys a footprint by the roll-up of its line's site ({@code site:<siteId>}: the line config valid when the batch
     * completed, else the footprint's own siteId) as one {@link RollupContribution} of kind {@link #KIND}; only FINAL and
     * CANCELLED footprints of batches go on.
     */
    static final class BySite implements Processor<String, BatchFootprint, String, RollupContribution> {
        private ProcessorContext<String, RollupContribution> context;
        private VersionCache<LineConfig> lineConfigs;

        @Override
        public void init(ProcessorContext<String, RollupContribution> context) {
            this.context = context;
            lineConfigs = new VersionCache<>(context.getStateStore(StoreNames.LINE_CONFIG_VERSIONS), StoreNames.LINE_CONFIG_VERSIONS);
        }

        @Override
        public void process(Record<String, BatchFootprint> record) {
            BatchFootprint f = record.value();
            // a tombstone (compaction of the topic) and the unallocated-energy ledgers are no batch output
            if (f == null || f.getUnallocatedLedger() || f.getStatus() == FootprintStatus.PROVISIONAL) {
                return;
            }
            if (f.getBatchId() == null || f.getBatchId().isBlank() || f.getLineId() == null || f.getLineId().isBlank()) {
                throw new BadRecordException(DeadLetterReason.MISSING_KEY, "footprint " + record.key() + " has no batchId or lineId");
            }
            Instant end = f.getCompletedAt() != null ? f.getCompletedAt() : f.getCancelledAt();
            if (end == null) {
                if (f.getStatus() == FootprintStatus.FINAL) {
                    throw BadRecordException.invalid("FINAL footprint of batch " + f.getBatchId() + " has no completedAt");
                }
                end = Instant.ofEpochMilli(record.timestamp());
            }
            Instant start = f.getStartedAt() != null && f.getStartedAt().isBefore(end) ? f.getStartedAt() : end;
            VersionedRecord<LineConfig> config = lineConfigs.get(f.getLineId(), end.toEpochMilli() - 1);
            if (config == null) {
                config = lineConfigs.get(f.getLineId());
            }
            String siteId = config != null ? config.value().getSiteId() : f.getSiteId();
            if (siteId == null || siteId.isBlank()) {
                Metrics.counter(RollupTopology.UNASSIGNED_METRIC, "kind", KIND).increment();
                return;
            }
            Map<String, Double> measures = new HashMap<>();
            if (f.getStatus() == FootprintStatus.FINAL) {
                measures.put(RollupMeasures.FP_KG_MARKET, f.getTotalMarketKgCo2e());
                if (f.getOutputGoodMassKg() == null) {
                    measures.put(RollupMeasures.FP_MASS_UNKNOWN, 1.0);
                } else {
                    measures.put(RollupMeasures.FP_MASS, f.getOutputGoodMassKg());
                }
            }
            String rollupId = RollupIds.site(siteId);
            context.forward(record.withKey(rollupId).withValue(new RollupContribution(KIND, rollupId, f.getLineId(),
                    start.toEpochMilli(), end.toEpochMilli(), measures, f.getBatchId())));
        }
    }
}

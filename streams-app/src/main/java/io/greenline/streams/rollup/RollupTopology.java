package io.greenline.streams.rollup;

import io.greenline.streams.VersionCache;
import io.greenline.events.EnergyRollupWindow;
import io.greenline.events.Granularity;
import io.greenline.events.LineConfig;
import io.greenline.events.LineEnergyWindow;
import io.greenline.events.OeeRollupWindow;
import io.greenline.events.OeeWindow;
import io.greenline.events.QualityRollupWindow;
import io.greenline.events.QualityWindow;
import io.greenline.events.RollupAccumulator;
import io.greenline.events.RollupContribution;
import io.greenline.events.RollupMembers;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.Topics;
import io.greenline.schemas.state.StateSerde;
import io.greenline.streams.InputStreams;
import io.greenline.streams.LineLatestView;
import io.greenline.streams.ReferenceStores;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.BadRecordException;
import io.greenline.streams.windows.SourceStamp;
import java.util.Map;
import io.micrometer.core.instrument.Metrics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.VersionedRecord;

/**
 * Area and site roll-ups of OEE, quality and energy (docs/rollup.md, docs/design.md section 4: sum, then divide).
 *
 * <p>Inputs: the public final line windows of {@code mfg.oee}, {@code mfg.quality} (line level) and
 * {@code mfg.line-energy}, HOUR granularity only, and the final batch footprints of {@code mfg.batch-footprint} for
 * the site DAY intensity per tonne ({@link RollupFootprints}); all (the building block: shift and day roll-ups are sums of line hours
 * inside the roll-up's own shift and day windows), and the global line-config store
 * {@link StoreNames#LINE_CONFIG_VERSIONS} (a line's area and site as of each hour). Each line hour is keyed by
 * {@code area:<areaId>} and by {@code site:<siteId>} and repartitioned through
 * {@code <application.id>-rollup-by-area-or-site-repartition} (values in the versioned state encoding), so each
 * roll-up is summed in one task by {@link RollupProcessor}.
 *
 * <p>Outputs: final roll-up windows on {@code mfg.oee-rollup}, {@code mfg.quality-rollup}, {@code mfg.energy-rollup}
 * (key {@code area:<id>/GRANULARITY/windowStart}), kept in the queryable stores {@link StoreNames#OEE_ROLLUP_WINDOWS},
 * {@link StoreNames#QUALITY_ROLLUP_WINDOWS}, {@link StoreNames#ENERGY_ROLLUP_WINDOWS} (partitioned by roll-up id).
 * Internal stores: {@link StoreNames#ROLLUP_MEMBERS}, {@link StoreNames#ROLLUP_ACCUMULATORS},
 * {@link StoreNames#ROLLUP_OPEN}, {@link StoreNames#ROLLUP_CONTRIBUTIONS}; the latest-per-roll-up views
 * {@link StoreNames#ROLLUP_LATEST_OEE}, {@link StoreNames#ROLLUP_LATEST_QUALITY}, {@link StoreNames#ROLLUP_LATEST_ENERGY}
 * ({@link LineLatestView}: each roll-up's latest published HOUR window, for the list endpoints).
 */
public final class RollupTopology {

    static final String REPARTITION = "rollup-by-area-or-site";
    /** Counter of line windows in no roll-up because their line has no config (tag kind). */
    public static final String UNASSIGNED_METRIC = "greenline.rollup.unassigned.windows";

    private RollupTopology() {
    }

    /** The roll-up topology alone (tests), with its own global line-config store. */
    public static Topology build(Topics topics, RollupSettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, topics, settings);
        return builder.build();
    }

    public static void addTo(StreamsBuilder builder, Topics topics, RollupSettings settings) {
        ReferenceStores.lineConfigVersions(builder, topics, settings.configHistory());
        builder.addStateStore(kv(StoreNames.ROLLUP_MEMBERS, StateSerde.of(RollupMembers.class)));
        builder.addStateStore(kv(StoreNames.ROLLUP_ACCUMULATORS, StateSerde.of(RollupAccumulator.class)));
        builder.addStateStore(kv(StoreNames.ROLLUP_OPEN, Serdes.String()));
        builder.addStateStore(kv(StoreNames.ROLLUP_CONTRIBUTIONS, StateSerde.of(RollupContribution.class)));
        builder.addStateStore(kv(StoreNames.OEE_ROLLUP_WINDOWS, topics.oeeRollup.valueSerde()));
        builder.addStateStore(kv(StoreNames.QUALITY_ROLLUP_WINDOWS, topics.qualityRollup.valueSerde()));
        builder.addStateStore(kv(StoreNames.ENERGY_ROLLUP_WINDOWS, topics.energyRollup.valueSerde()));

        boolean aligned = InputStreams.aligned(builder);
        // mfg.oee: a null value or a window without lineId is dead-lettered by QualityTopology's validation of the same source
        KStream<String, RollupContribution> oee = InputStreams.of(builder, topics.oee)
                .filter((k, w) -> w != null && w.getLineId() != null && w.getFinal$() && w.getGranularity() == Granularity.HOUR,
                        Named.as("rollup-final-oee-hours"))
                .process(() -> new ByRollup<OeeWindow>(RollupKind.OEE, OeeWindow::getLineId,
                        w -> w.getWindowStart().toEpochMilli(), w -> w.getWindowEnd().toEpochMilli(), RollupMeasures::of),
                        Named.as("rollup-oee-by-area-and-site"));
        KStream<String, RollupContribution> quality = InputStreams.of(builder, topics.quality)
                .process(() -> new ByRollup<QualityWindow>(RollupKind.QUALITY, QualityWindow::getLineId,
                        w -> w.getWindowStart().toEpochMilli(), w -> w.getWindowEnd().toEpochMilli(), RollupMeasures::of,
                        w -> w.getFinal$() && w.getProductId() == null && w.getGranularity() == Granularity.HOUR),
                        Named.as("rollup-quality-by-area-and-site"));
        KStream<String, RollupContribution> energy = InputStreams.of(builder, topics.lineEnergy)
                .process(() -> new ByRollup<LineEnergyWindow>(RollupKind.ENERGY, LineEnergyWindow::getLineId,
                        w -> w.getWindowStart().toEpochMilli(), w -> w.getWindowEnd().toEpochMilli(), RollupMeasures::of,
                        w -> w.getFinal$() && w.getGranularity() == Granularity.HOUR),
                        Named.as("rollup-energy-by-area-and-site"));

        // mfg.batch-footprint: in the whole application the updates of the carbon ledger's footprint table (InputStreams)
        KStream<String, RollupContribution> footprints = InputStreams.of(builder, topics.batchFootprint)
                .process(RollupFootprints.BySite::new, Named.as("rollup-footprints-by-site"));

        KStream<String, RollupContribution> rollupInputs = oee.merge(quality, Named.as("rollup-oee-and-quality"))
                .merge(energy, Named.as("rollup-line-windows"))
                .merge(footprints, Named.as("rollup-inputs"));
        if (aligned) {
            // which relay task sent each record (RollupProcessor's frontier): a line's windows are keyed by hour on
            // its output topic, so its hours reach a roll-up through every relay, each at its own pace
            rollupInputs = rollupInputs.processValues(SourceStamp::new, Named.as("rollup-source-stamp"));
        }
        KStream<String, SpecificRecord> rollups = rollupInputs
                .repartition(Repartitioned.with(Serdes.String(), StateSerde.of(RollupContribution.class)).withName(REPARTITION))
                .process(() -> new RollupProcessor(settings, aligned), Named.as("rollup-processor"),
                        StoreNames.ROLLUP_MEMBERS, StoreNames.ROLLUP_ACCUMULATORS, StoreNames.ROLLUP_OPEN,
                        StoreNames.ROLLUP_CONTRIBUTIONS, StoreNames.OEE_ROLLUP_WINDOWS, StoreNames.QUALITY_ROLLUP_WINDOWS,
                        StoreNames.ENERGY_ROLLUP_WINDOWS);

        var branches = rollups.split(Named.as("rollup-output-"))
                .branch((k, v) -> v instanceof OeeRollupWindow, Branched.as("oee"))
                .branch((k, v) -> v instanceof QualityRollupWindow, Branched.as("quality"))
                .defaultBranch(Branched.as("energy"));
        KStream<String, OeeRollupWindow> oeeOut = branches.get("rollup-output-oee")
                .mapValues(v -> (OeeRollupWindow) v, Named.as("rollup-oee-windows"));
        oeeOut.to(topics.oeeRollup.name(), topics.oeeRollup.produced());
        KStream<String, QualityRollupWindow> qualityOut = branches.get("rollup-output-quality")
                .mapValues(v -> (QualityRollupWindow) v, Named.as("rollup-quality-windows"));
        qualityOut.to(topics.qualityRollup.name(), topics.qualityRollup.produced());
        KStream<String, EnergyRollupWindow> energyOut = branches.get("rollup-output-energy")
                .mapValues(v -> (EnergyRollupWindow) v, Named.as("rollup-energy-windows"));
        energyOut.to(topics.energyRollup.name(), topics.energyRollup.produced());
        // latest HOUR window per roll-up id (one record per area or site), so GET /api/v1/areas and /sites read no window store
        LineLatestView.attach(builder, oeeOut, StoreNames.ROLLUP_LATEST_OEE, topics.oeeRollup.valueSerde(), OeeRollupWindow::getWindowStart);
        LineLatestView.attach(builder, qualityOut, StoreNames.ROLLUP_LATEST_QUALITY, topics.qualityRollup.valueSerde(),
                QualityRollupWindow::getWindowStart);
        LineLatestView.attach(builder, energyOut, StoreNames.ROLLUP_LATEST_ENERGY, topics.energyRollup.valueSerde(),
                EnergyRollupWindow::getWindowStart);
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> kv(String name, Serde<V> valueSerde) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), valueSerde);
    }

    /**
     * Keys a final line HOUR window by the area and the site its line belongs to as of the window's start (line
     * config valid then; else the latest), as one {@link RollupContribution} each. A line with no config at all is in
     * no roll-up (counted in {@link #UNASSIGNED_METRIC}).
     */
    static final class ByRollup<W> implements Processor<String, W, String, RollupContribution> {
        private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ByRollup.class);
        private final RollupKind kind;
        private final java.util.function.Function<W, String> lineId;
        private final java.util.function.ToLongFunction<W> start;
        private final java.util.function.ToLongFunction<W> end;
        private final java.util.function.Function<W, Map<String, Double>> measures;
        private final java.util.function.Predicate<W> wanted;
        private ProcessorContext<String, RollupContribution> context;
        private VersionCache<LineConfig> lineConfigs;

        ByRollup(RollupKind kind, java.util.function.Function<W, String> lineId, java.util.function.ToLongFunction<W> start,
                 java.util.function.ToLongFunction<W> end, java.util.function.Function<W, Map<String, Double>> measures) {
            this(kind, lineId, start, end, measures, w -> true);
        }

        ByRollup(RollupKind kind, java.util.function.Function<W, String> lineId, java.util.function.ToLongFunction<W> start,
                 java.util.function.ToLongFunction<W> end, java.util.function.Function<W, Map<String, Double>> measures,
                 java.util.function.Predicate<W> wanted) {
            this.kind = kind;
            this.lineId = lineId;
            this.start = start;
            this.end = end;
            this.measures = measures;
            this.wanted = wanted;
        }

        @Override
        public void init(ProcessorContext<String, RollupContribution> context) {
            this.context = context;
            lineConfigs = new VersionCache<>(context.getStateStore(StoreNames.LINE_CONFIG_VERSIONS), StoreNames.LINE_CONFIG_VERSIONS);
        }

        @Override
        public void process(Record<String, W> record) {
            W window = record.value();
            if (window == null) {
                throw new BadRecordException(DeadLetterReason.NULL_VALUE, "a " + kind + " line window must have a value");
            }
            if (!wanted.test(window)) {
                return;
            }
            String line = lineId.apply(window);
            if (line == null || line.isBlank()) {
                throw new BadRecordException(DeadLetterReason.MISSING_KEY, kind + " line window " + record.key() + " has no lineId");
            }
            long startMs = start.applyAsLong(window);
            long endMs = end.applyAsLong(window);
            if (endMs <= startMs) {
                throw BadRecordException.invalid(kind + " line window " + record.key() + " ends before it starts");
            }
            VersionedRecord<LineConfig> config = lineConfigs.get(line, startMs);
            if (config == null) {
                config = lineConfigs.get(line);
            }
            if (config == null) {
                // a line without any config has no area or site: its window stays on its line topic, in no roll-up
                Metrics.counter(UNASSIGNED_METRIC, "kind", kind.name()).increment();
                log.debug("{} window {} of line {} is in no roll-up: the line has no mfg.line-config", kind, record.key(), line);
                return;
            }
            Map<String, Double> m = measures.apply(window);
            for (String rollupId : new String[] {RollupIds.area(config.value().getAreaId()), RollupIds.site(config.value().getSiteId())}) {
                context.forward(record.withKey(rollupId)
                        .withValue(new RollupContribution(kind.name(), rollupId, line, startMs, endMs, m, null)));
            }
        }
    }
}

package io.greenline.streams.carbon;

import io.greenline.streams.VersionCache;
import io.greenline.events.BatchEvent;
import io.greenline.events.BatchFootprint;
import io.greenline.events.CarbonBatchSpan;
import io.greenline.events.CarbonBatchState;
import io.greenline.events.CarbonDue;
import io.greenline.events.CarbonEnergyTotal;
import io.greenline.events.CarbonHeldInput;
import io.greenline.events.CarbonLedgerClock;
import io.greenline.events.CarbonOwnerState;
import io.greenline.events.CarbonReading;
import io.greenline.events.CarbonLedgerInput;
import io.greenline.events.EnergyAllocation;
import io.greenline.events.LineConfig;
import io.greenline.events.LineEnergyWindow;
import io.greenline.schemas.Topics;
import io.greenline.schemas.state.StateSerde;
import io.greenline.streams.InputStreams;
import io.greenline.streams.LineLatestView;
import io.greenline.streams.ReferenceStores;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.BadRecordException;
import io.greenline.streams.windows.EventDeduplicator;
import io.greenline.streams.windows.LineClockSerde;
import io.greenline.streams.windows.SourceStamp;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.VersionedRecord;

/**
 * The carbon ledger (docs/design.md section 6): per-batch footprints from batches, energy readings and versioned emission
 * factors.
 *
 * <p>Inputs: {@code mfg.batch} (key lineId), {@code mfg.energy} (key lineId, or siteId for a shared meter),
 * {@code mfg.emission-factors} (compacted, read into the global versioned store
 * {@link StoreNames#EMISSION_FACTOR_VERSIONS}, each version at its validFrom, so a reading is priced with the factor
 * valid at its own timestamp) and {@code mfg.line-config} (the application's global versioned store
 * {@link StoreNames#LINE_CONFIG_VERSIONS}: a batch's siteId and gridRegion, a line's calendar; OEE and quality may
 * look configs up in it too). The other input streams come from {@link InputStreams}, so topologies that share an
 * input (mfg.production-count: OEE and the line-energy windows) share its one source node.
 *
 * <p>Batch events are keyed by their line's siteId (from the line config) and energy readings by their siteId, then
 * repartitioned together through {@code <application.id>-carbon-ledger-by-site-repartition}: everything a site's
 * ledger needs (a shared meter's batches on several lines) meets in one task, {@link CarbonSiteLedger}, with its stores
 * {@code carbon-batches}, {@code carbon-batch-spans}, {@code carbon-owners}, {@code carbon-allocations},
 * {@code carbon-batch-energy}, {@code carbon-pending-energy}, {@code carbon-readings}, {@code carbon-due}, {@code carbon-unallocated},
 * {@code carbon-seen-events} (a window store) and {@code carbon-clock}, every value in the versioned state encoding
 * ({@link StateSerde}; no schema registry).
 *
 * <p>In the whole application ({@link InputStreams#align}) each input is stamped before the repartition with its
 * upstream task and that task's stream time ({@link SourceStamp}), and {@link CarbonSiteAlignment} holds the ledger's
 * input in {@code carbon-site-held} until every upstream task feeding the partition has passed its event time, so batch
 * edges reach the ledger before the readings they cut ({@code carbon.site-align-idle}). A topology built alone is not
 * aligned.
 *
 * <p>Energy per line and window: {@link LineEnergyProcessor} over line meters of {@code mfg.energy} and
 * {@code mfg.production-count} (keyed by lineId), with the shared window calendar and line clock, on
 * {@code mfg.line-energy} and in {@link StoreNames#LINE_ENERGY_WINDOWS}.
 *
 * <p>Output: footprint versions on the compacted {@code mfg.batch-footprint} (key batchId), read back into the
 * queryable table {@link StoreNames#BATCH_FOOTPRINTS}, which is therefore partitioned by batchId. Bad input is thrown
 * as {@link BadRecordException} before it is repartitioned, so {@code mfg.dlq} receives the original bytes.
 */
public final class CarbonLedgerTopology {

    static final String REPARTITION = "carbon-ledger-by-site";

    private CarbonLedgerTopology() {
    }

    /** A topology holding the carbon ledger only (tests, a carbon-only deployment). */
    public static Topology build(Topics topics, CarbonSettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, topics, settings);
        return builder.build();
    }

    /**
     * Adds the carbon ledger to {@code builder}: the global emission-factor and line-config stores
     * ({@link StoreNames#EMISSION_FACTOR_VERSIONS}, {@link StoreNames#LINE_CONFIG_VERSIONS}), the ledger, the
     * queryable footprint table and the line-energy windows. Other sources are taken from {@link InputStreams}.
     */
    public static void addTo(StreamsBuilder builder, Topics topics, CarbonSettings settings) {
        addReferenceStores(builder, topics, settings);
        Serde<CarbonLedgerInput> inputSerde = topics.serdes().value(CarbonLedgerInput.class);
        Serde<BatchFootprint> footprintSerde = topics.batchFootprint.valueSerde();

        KStream<String, CarbonLedgerInput> batches = InputStreams.of(builder, topics.batch)
                .process(BatchBySite::new, Named.as("carbon-batch-by-site"));
        KStream<String, CarbonLedgerInput> energy = InputStreams.of(builder, topics.energy)
                .map((key, reading) -> {
                    CarbonInputValidation.validate(reading);
                    return KeyValue.pair(reading.getSiteId(), new CarbonLedgerInput(null, reading, null));
                }, Named.as("carbon-energy-by-site"));

        builder.addStateStore(kv(StoreNames.CARBON_BATCHES, StateSerde.of(CarbonBatchState.class)));
        builder.addStateStore(kv(StoreNames.CARBON_BATCH_SPANS, StateSerde.of(CarbonBatchSpan.class)));
        builder.addStateStore(kv(StoreNames.CARBON_OWNERS, StateSerde.of(CarbonOwnerState.class)));
        builder.addStateStore(kv(StoreNames.CARBON_ALLOCATIONS, StateSerde.of(EnergyAllocation.class)));
        builder.addStateStore(kv(StoreNames.CARBON_BATCH_ENERGY, StateSerde.of(CarbonEnergyTotal.class)));
        builder.addStateStore(kv(StoreNames.CARBON_PENDING, StateSerde.of(EnergyAllocation.class)));
        builder.addStateStore(kv(StoreNames.CARBON_READINGS, StateSerde.of(CarbonReading.class)));
        builder.addStateStore(kv(StoreNames.CARBON_DUE, StateSerde.of(CarbonDue.class)));
        builder.addStateStore(kv(StoreNames.CARBON_UNALLOCATED, StateSerde.of(BatchFootprint.class)));
        builder.addStateStore(EventDeduplicator.storeBuilder(StoreNames.CARBON_SEEN_EVENTS, settings.correctionWindow()));
        builder.addStateStore(kv(StoreNames.CARBON_CLOCK, StateSerde.of(CarbonLedgerClock.class)));

        KStream<String, CarbonLedgerInput> inputs = batches.merge(energy, Named.as("carbon-ledger-inputs"));
        boolean siteAligned = InputStreams.aligned(builder) && !settings.siteAlignIdle().isZero();
        if (siteAligned) {
            // each record says which upstream task sent it and how far that task is in event time (CarbonSiteAlignment)
            inputs = inputs.processValues(SourceStamp::new, Named.as("carbon-ledger-source-stamp"));
        }
        KStream<String, CarbonLedgerInput> bySite = inputs.repartition(Repartitioned.with(Serdes.String(), inputSerde).withName(REPARTITION));
        if (siteAligned) {
            builder.addStateStore(kv(StoreNames.CARBON_SITE_HELD, StateSerde.of(CarbonHeldInput.class)));
            KStream<String, Object> aligned = bySite.process(() -> new CarbonSiteAlignment(settings.siteAlignIdle().toMillis(),
                            CarbonSiteAlignment.capOf(settings), settings.correctionWindow().toMillis(), inputSerde.serializer()),
                    Named.as("carbon-site-alignment"), StoreNames.CARBON_SITE_HELD, StoreNames.CARBON_CLOCK);
            aligned.filter((key, value) -> value instanceof CarbonSiteAlignment.DeadLetter, Named.as("carbon-site-alignment-dead-letters"))
                    .map((key, value) -> KeyValue.pair(key, ((CarbonSiteAlignment.DeadLetter) value).value()),
                            Named.as("carbon-site-alignment-dead-letter-bytes"))
                    .to(topics.dlq.name(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("carbon-site-alignment-dead-letter-sink"));
            bySite = aligned.filter((key, value) -> value instanceof CarbonLedgerInput, Named.as("carbon-site-aligned-inputs"))
                    .mapValues(value -> (CarbonLedgerInput) value, Named.as("carbon-site-aligned"));
        }
        bySite.process(() -> new CarbonSiteLedger(settings), Named.as("carbon-site-ledger"), CarbonSiteLedger.storeNames())
                .to(topics.batchFootprint.name(), topics.batchFootprint.produced());

        addLineEnergy(builder, topics, settings);

        // through InputStreams: the roll-up follows the table's updates (the topic can have one source per builder)
        InputStreams.table(builder, topics.batchFootprint,
                Consumed.with(Serdes.String(), footprintSerde).withName("carbon-batch-footprint-table-source"),
                Materialized.<String, BatchFootprint, KeyValueStore<Bytes, byte[]>>as(StoreNames.BATCH_FOOTPRINTS)
                        .withKeySerde(Serdes.String()).withValueSerde(footprintSerde), "carbon-batch-footprint-table-updates");
    }

    private static void addReferenceStores(StreamsBuilder builder, Topics topics, CarbonSettings settings) {
        ReferenceStores.emissionFactorVersions(builder, topics, settings.factorHistory());
        ReferenceStores.lineConfigVersions(builder, topics, settings.factorHistory());
    }

    /**
     * Energy per line and window ({@link LineEnergyProcessor}) on mfg.line-energy and in
     * {@link StoreNames#LINE_ENERGY_WINDOWS}. Invalid readings are dead-lettered by the ledger branch and invalid
     * counts by OEE; this branch only skips them, so a bad record is dead-lettered once.
     */
    private static void addLineEnergy(StreamsBuilder builder, Topics topics, CarbonSettings settings) {
        builder.addStateStore(kv(StoreNames.LINE_ENERGY_WINDOWS, StateSerde.of(LineEnergyWindow.class)));
        builder.addStateStore(kv(StoreNames.CARBON_LINE_CLOCKS, new LineClockSerde()));
        builder.addStateStore(EventDeduplicator.storeBuilder(StoreNames.CARBON_LINE_ENERGY_DEDUP, settings.correctionWindow()));
        KStream<String, SpecificRecord> readings = InputStreams.of(builder, topics.energy)
                .mapValues(v -> (SpecificRecord) v, Named.as("carbon-line-energy-readings"));
        KStream<String, SpecificRecord> counts = InputStreams.of(builder, topics.productionCount)
                .mapValues(v -> (SpecificRecord) v, Named.as("carbon-line-energy-counts"));
        boolean aligned = InputStreams.aligned(builder);
        KStream<String, LineEnergyWindow> energyWindows = readings.merge(counts, Named.as("carbon-line-energy-inputs"))
                .process(() -> new LineEnergyProcessor(settings, aligned), Named.as("carbon-line-energy"),
                        StoreNames.LINE_ENERGY_WINDOWS, StoreNames.CARBON_LINE_CLOCKS, StoreNames.CARBON_LINE_ENERGY_DEDUP);
        energyWindows.to(topics.lineEnergy.name(), topics.lineEnergy.produced());
        LineLatestView.attach(builder, energyWindows, StoreNames.LINE_LATEST_ENERGY, topics.lineEnergy.valueSerde(),
                LineEnergyWindow::getWindowStart);
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> kv(String name, Serde<V> valueSerde) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), valueSerde);
    }

    /**
     * Validates a batch event and keys it by the siteId of its line, with the line's gridRegion (line config as of
     * the event, else the latest, from the global line-config store).
     */
    static final class BatchBySite implements Processor<String, BatchEvent, String, CarbonLedgerInput> {
        private ProcessorContext<String, CarbonLedgerInput> context;
        private VersionCache<LineConfig> lineConfigs;

        @Override
        public void init(ProcessorContext<String, CarbonLedgerInput> context) {
            this.context = context;
            lineConfigs = new VersionCache<>(context.getStateStore(StoreNames.LINE_CONFIG_VERSIONS), StoreNames.LINE_CONFIG_VERSIONS);
        }

        @Override
        public void process(Record<String, BatchEvent> record) {
            BatchEvent event = record.value();
            CarbonInputValidation.validate(event);
            VersionedRecord<LineConfig> config = lineConfigs.get(event.getLineId(), event.getTimestamp().toEpochMilli());
            if (config == null) {
                config = lineConfigs.get(event.getLineId());
            }
            if (config == null) {
                throw BadRecordException.invalid("batch " + event.getBatchId() + ": no mfg.line-config for line "
                        + event.getLineId() + ", so its site (shared meters, ledger partition) is unknown");
            }
            context.forward(record.withKey(config.value().getSiteId())
                    .withValue(new CarbonLedgerInput(event, null, config.value().getGridRegion())));
        }
    }
}

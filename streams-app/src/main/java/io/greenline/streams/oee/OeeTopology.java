package io.greenline.streams.oee;

import io.greenline.events.OeeLedgerEntry;
import io.greenline.events.OeeWindow;
import io.greenline.schemas.Topics;
import io.greenline.schemas.state.StateSerde;
import io.greenline.streams.InputStreams;
import io.greenline.streams.LineLatestView;
import io.greenline.streams.ReferenceStores;
import io.greenline.streams.StoreNames;
import io.greenline.streams.windows.EventDeduplicator;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;

/**
 * OEE per line and window (ISO 22400-2, docs/design.md section 4), in event time.
 *
 * <p>Reads {@code mfg.machine-state} and {@code mfg.production-count} (keyed by lineId), and looks each line's config up,
 * as of each record's time, in the global versioned store {@link StoreNames#LINE_CONFIG_VERSIONS}. Per line it keeps a {@link LineLedger} (clock,
 * running totals of the windows not yet final; the recent state timeline beside it) and per window (UTC hour, shift of the line's calendar, local day) a
 * live {@link OeeWindow} (final=false, revision counting changes); once the line's clock passes the window's
 * end plus the grace, the final record (final=true) goes to {@code mfg.oee} once, keyed
 * {@code lineId/GRANULARITY/windowStart}. Late, duplicate and invalid records: see {@link OeeLedgerProcessor}.
 *
 * <p>Stores: {@link StoreNames#OEE_WINDOWS} (queryable), {@link StoreNames#OEE_LINE_LEDGER},
 * {@link StoreNames#OEE_DEDUP}.
 */
public final class OeeTopology {

    static final String LEDGER_PROCESSOR = "oee-ledger";

    private OeeTopology() {
    }

    /** The OEE topology alone (tests, or an app running only OEE). */
    public static Topology build(Topics topics, OeeSettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, topics, settings);
        return builder.build();
    }

    /**
     * Adds the OEE sources, stores, processors and sink to {@code builder}. Line configs (PRU, calendar) are looked
     * up, as of each record's time, in the application's global versioned store
     * {@link StoreNames#LINE_CONFIG_VERSIONS} ({@link ReferenceStores}).
     */
    public static void addTo(StreamsBuilder builder, Topics topics, OeeSettings settings) {
        ReferenceStores.lineConfigVersions(builder, topics, settings.configHistory());
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.OEE_LINE_LEDGER), Serdes.String(), StateSerde.of(OeeLedgerEntry.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.OEE_WINDOWS), Serdes.String(), topics.oee.valueSerde()));
        builder.addStateStore(EventDeduplicator.storeBuilder(StoreNames.OEE_DEDUP, settings.dedupRetention()));

        KStream<String, SpecificRecord> states = InputStreams.of(builder, topics.machineState)
                .mapValues(v -> (SpecificRecord) v, Named.as("oee-machine-state-events"));
        KStream<String, SpecificRecord> counts = InputStreams.of(builder, topics.productionCount)
                .mapValues(v -> (SpecificRecord) v, Named.as("oee-production-count-events"));
        // the global line-config store is readable by every processor without being connected
        String[] stores = {StoreNames.OEE_LINE_LEDGER, StoreNames.OEE_WINDOWS, StoreNames.OEE_DEDUP};
        boolean aligned = InputStreams.aligned(builder);
        KStream<String, OeeWindow> finals = states.merge(counts, Named.as("oee-line-events"))
                .process(() -> new OeeLedgerProcessor(settings, aligned), Named.as(LEDGER_PROCESSOR), stores);
        finals.to(topics.oee.name(), topics.oee.produced());
        LineLatestView.attach(builder, finals, StoreNames.LINE_LATEST_OEE, topics.oee.valueSerde(), OeeWindow::getWindowStart);
    }
}

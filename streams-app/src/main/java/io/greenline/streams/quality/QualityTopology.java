package io.greenline.streams.quality;

import io.greenline.events.Alert;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.OeeWindow;
import io.greenline.events.QualityUnitMemory;
import io.greenline.events.QualityWindow;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.Topics;
import io.greenline.schemas.state.StateSerde;
import io.greenline.streams.CachedStoresBuilder;
import io.greenline.streams.InputStreams;
import io.greenline.streams.LineLatestView;
import io.greenline.streams.ReferenceStores;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.BadRecordException;
import io.greenline.streams.windows.EventDeduplicator;
import io.greenline.streams.windows.LineClockSerde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.Stores;

/**
 * Quality per line and per line + product, per window (docs/design.md section 5), and the quality alerts.
 *
 * <p>Inputs: {@code mfg.inspection} (key lineId), {@code mfg.line-config} (through the global versioned store
 * {@link StoreNames#LINE_CONFIG_VERSIONS}: the calendar valid at each inspection's time and the
 * {@code oeeTarget} valid at each OEE window's start) and
 * {@code mfg.oee} (final OEE windows). Outputs: {@code mfg.quality} (one FINAL {@link QualityWindow} per
 * window and line, and per window, line and product, key {@code WindowKey}), {@code mfg.alerts}
 * ({@code SPC_DEFECT_RATE} from the p-chart over the line's preceding windows, {@code OEE_BELOW_TARGET};
 * key lineId). Live (not yet final) windows are only in the store {@link StoreNames#QUALITY_WINDOWS}.
 *
 * <p>Stores: {@link StoreNames#QUALITY_WINDOWS}, {@link StoreNames#QUALITY_LINE_CLOCKS}, {@link StoreNames#QUALITY_UNITS}, {@link StoreNames#QUALITY_UNIT_EXPIRY}, {@link StoreNames#QUALITY_SEEN_EVENTS},
 * {@link StoreNames#QUALITY_OEE_ALERTS_RAISED}, and the global {@link StoreNames#LINE_CONFIG_VERSIONS} (shared by the
 * whole application through {@link ReferenceStores}). Every store of its own has a record cache (an inspection
 * updates the same few window records as the ones before it: RocksDB and the changelog see them once per commit);
 * windows and unit memories are kept in the versioned state encoding {@link StateSerde}. Arithmetic lives in {@link QualityCounts}, {@link FirstInspections}
 * and {@link PChart}; the windows come from {@link io.greenline.streams.windows.WindowCalendar}.
 */
public final class QualityTopology {

    /** What the windows processor emits: a final window (key WindowKey) or an SPC alert (key lineId). */
    record Output(QualityWindow window, Alert alert) {
        static Output window(QualityWindow w) {
            return new Output(w, null);
        }

        static Output alert(Alert a) {
            return new Output(null, a);
        }
    }

    private QualityTopology() {
    }

    /** The quality topology alone, with its own global line-config store. */
    public static Topology build(Topics topics, QualitySettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, topics, settings);
        return builder.build();
    }

    /**
     * Adds the quality topology to {@code builder}. Line configs are looked up, as of each record's time, in the
     * application's global versioned store {@link StoreNames#LINE_CONFIG_VERSIONS} ({@link ReferenceStores}).
     */
    public static void addTo(StreamsBuilder builder, Topics topics, QualitySettings settings) {
        ReferenceStores.lineConfigVersions(builder, topics, settings.lineConfigHistory());
        // internal state in the versioned state encoding (no registry framing): mfg.quality keeps the registry serde
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.QUALITY_WINDOWS),
                Serdes.String(), StateSerde.of(QualityWindow.class)).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.QUALITY_LINE_CLOCKS),
                Serdes.String(), new LineClockSerde()).withCachingEnabled());
        // a unit is remembered at its first inspection and seldom inspected again: new keys, nothing for a record cache
        // to collapse, and their stream would evict the hot windows from it (CachedStoresBuilder)
        builder.addStateStore(CachedStoresBuilder.uncached(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.QUALITY_UNITS),
                Serdes.String(), StateSerde.of(QualityUnitMemory.class))));
        // the expiry index is derived from the unit memory and rebuilt from it whenever its task opens, so it needs no
        // changelog: two changelog records (its entry and that entry's deletion) less per unit remembered
        builder.addStateStore(CachedStoresBuilder.uncached(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.QUALITY_UNIT_EXPIRY),
                Serdes.String(), Serdes.String()).withLoggingDisabled()));
        builder.addStateStore(EventDeduplicator.storeBuilder(StoreNames.QUALITY_SEEN_EVENTS, settings.dedupRetention()));
        builder.addStateStore(EventDeduplicator.storeBuilder(StoreNames.QUALITY_OEE_ALERTS_RAISED, settings.alertRetention()));

        // inspections: validate, stamp with event time, count in the windows of the calendar valid then
        KStream<String, Output> windowsOut = InputStreams.of(builder, topics.inspection)
                .processValues(ValidateInspection::new, Named.as("quality-validate-inspection"))
                .process(() -> new QualityWindowsProcessor(settings), Named.as("quality-windows-processor"),
                        StoreNames.QUALITY_WINDOWS, StoreNames.QUALITY_LINE_CLOCKS,
                        StoreNames.QUALITY_UNITS, StoreNames.QUALITY_UNIT_EXPIRY, StoreNames.QUALITY_SEEN_EVENTS);

        var branches = windowsOut.split(Named.as("quality-output-"))
                .branch((k, v) -> v.window() != null, Branched.as("windows"))
                .defaultBranch(Branched.as("alerts"));
        KStream<String, QualityWindow> finalWindows = branches.get("quality-output-windows")
                .mapValues(Output::window, Named.as("quality-final-windows"));
        finalWindows.to(topics.quality.name(), topics.quality.produced());
        LineLatestView.attach(builder, finalWindows, StoreNames.LINE_LATEST_QUALITY, topics.quality.valueSerde(),
                QualityWindow::getWindowStart);
        KStream<String, Alert> spcAlerts = branches.get("quality-output-alerts")
                .mapValues(Output::alert, Named.as("quality-spc-alerts"));

        // final OEE windows of the alerting granularities, against the target valid at the window's start
        KStream<String, Alert> oeeAlerts = InputStreams.of(builder, topics.oee)
                .processValues(ValidateOee::new, Named.as("quality-validate-oee"))
                .filter((k, w) -> w.getFinal$() && settings.oeeAlertGranularities().contains(w.getGranularity()),
                        Named.as("quality-final-oee-of-alert-granularities"))
                .process(() -> new OeeTargetAlertProcessor(settings.alertRetention()), Named.as("quality-oee-target-alerts"),
                        StoreNames.QUALITY_OEE_ALERTS_RAISED);

        spcAlerts.merge(oeeAlerts, Named.as("quality-alerts"))
                .to(topics.alerts.name(), topics.alerts.produced());
    }

    /**
     * Refuses, before any state is touched, inspections that are bad data, and stamps the good ones with their
     * event time (so the line-config lookup and the windows use it, not the producer's record time).
     */
    static final class ValidateInspection implements FixedKeyProcessor<String, InspectionRecorded, InspectionRecorded> {
        private FixedKeyProcessorContext<String, InspectionRecorded> context;

        @Override
        public void init(FixedKeyProcessorContext<String, InspectionRecorded> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, InspectionRecorded> record) {
            InspectionRecorded v = record.value();
            if (v == null) {
                throw new BadRecordException(DeadLetterReason.NULL_VALUE, "an inspection must have a value");
            }
            if (record.key() == null || !record.key().equals(v.getLineId())) {
                throw new BadRecordException(DeadLetterReason.MISSING_KEY,
                        "inspection " + v.getEventId() + ": key " + record.key() + " is not its lineId " + v.getLineId());
            }
            String id = v.getEventId();
            if (id == null || id.isBlank()) {
                throw BadRecordException.invalid("an inspection of line " + v.getLineId() + " has no eventId");
            }
            double q = v.getQuantity();
            if (!Double.isFinite(q) || q <= 0) {
                throw BadRecordException.invalid("inspection " + id + ": quantity must be a positive number, got " + q);
            }
            if (v.getResult() == null) {
                throw BadRecordException.invalid("inspection " + id + " has no result");
            }
            if (v.getProductId() == null || v.getProductId().isBlank() || v.getProductId().indexOf('/') >= 0) {
                throw BadRecordException.invalid("inspection " + id + ": productId must be non-blank without '/', got '" + v.getProductId() + "'");
            }
            if (v.getUnitId() != null && v.getUnitId().isBlank()) {
                throw BadRecordException.invalid("inspection " + id + ": unitId is blank (leave it null when units are not serialized)");
            }
            if (v.getDefectCodes().stream().anyMatch(c -> c == null || c.isBlank())) {
                throw BadRecordException.invalid("inspection " + id + ": blank defect code in " + v.getDefectCodes());
            }
            context.forward(record.withTimestamp(v.getTimestamp().toEpochMilli()));
        }
    }

    /** Refuses OEE records without a value or line. */
    static final class ValidateOee implements FixedKeyProcessor<String, OeeWindow, OeeWindow> {
        private FixedKeyProcessorContext<String, OeeWindow> context;

        @Override
        public void init(FixedKeyProcessorContext<String, OeeWindow> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, OeeWindow> record) {
            OeeWindow w = record.value();
            if (w == null) {
                throw new BadRecordException(DeadLetterReason.NULL_VALUE, "an OEE window must have a value");
            }
            if (w.getLineId() == null || w.getLineId().isBlank()) {
                throw new BadRecordException(DeadLetterReason.MISSING_KEY, "OEE window " + record.key() + " has no lineId");
            }
            if (w.getOee() != null && !Double.isFinite(w.getOee())) {
                throw BadRecordException.invalid("OEE window " + record.key() + ": oee is " + w.getOee());
            }
            context.forward(record);
        }
    }
}

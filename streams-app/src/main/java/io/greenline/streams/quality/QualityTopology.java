package io.greenline.streams.quality;

import io.greenline.events.Alert;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.LineConfig;
import io.greenline.events.OeeWindow;
import io.greenline.events.QualityUnitMemory;
import io.greenline.events.QualityWindow;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.Topics;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.BadRecordException;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.Stores;

/**
 * Quality per line and per line + product, per window (DESIGN.md section 5), and the quality alerts.
 *
 * <p>Inputs: {@code mfg.inspection} (key lineId), {@code mfg.line-config} (a versioned table: the calendar
 * valid at each inspection's time and the {@code oeeTarget} valid at each OEE window's start) and
 * {@code mfg.oee} (final OEE windows). Outputs: {@code mfg.quality} (one FINAL {@link QualityWindow} per
 * window and line, and per window, line and product, key {@code WindowKey}), {@code mfg.alerts}
 * ({@code SPC_DEFECT_RATE} from the p-chart over the line's preceding windows, {@code OEE_BELOW_TARGET};
 * key lineId). Live (not yet final) windows are only in the store {@link StoreNames#QUALITY_WINDOWS}.
 *
 * <p>Stores: {@link StoreNames#QUALITY_WINDOWS}, {@link StoreNames#QUALITY_OPEN_WINDOWS},
 * {@link StoreNames#QUALITY_LINE_CLOCKS}, {@link StoreNames#QUALITY_UNITS}, {@link StoreNames#QUALITY_SEEN_EVENTS},
 * {@link StoreNames#QUALITY_OEE_ALERTS_RAISED}, and {@link StoreNames#QUALITY_LINE_CONFIGS} unless the caller
 * passes its own line-config table. Arithmetic lives in {@link QualityCounts}, {@link FirstInspections}
 * and {@link PChart}; the windows come from {@link io.greenline.streams.windows.WindowCalendar}.
 */
public final class QualityTopology {

    /** An inspection with the line config valid at its time (null when none is known). */
    record ConfiguredInspection(InspectionRecorded inspection, LineConfig config) {
    }

    /** A final OEE window with the line's oeeTarget valid at its start (null when none). */
    record OeeWithTarget(OeeWindow oee, Double target) {
    }

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

    /** The quality topology alone (it reads {@code mfg.line-config} itself). */
    public static Topology build(Topics topics, QualitySettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, topics, settings);
        return builder.build();
    }

    /** Adds the quality topology, with its own versioned line-config table, to {@code builder}. */
    public static void addTo(StreamsBuilder builder, Topics topics, QualitySettings settings) {
        addTo(builder, topics, settings, lineConfigTable(builder, topics, settings));
    }

    /**
     * The versioned line-config table ({@link StoreNames#QUALITY_LINE_CONFIGS}), keeping
     * {@code lineConfigHistory} of versions. A topic can be a source only once per builder: an application
     * that already has a versioned line-config table passes that one to
     * {@link #addTo(StreamsBuilder, Topics, QualitySettings, KTable)} instead.
     */
    public static KTable<String, LineConfig> lineConfigTable(StreamsBuilder builder, Topics topics, QualitySettings settings) {
        return builder.table(topics.lineConfig.name(), topics.lineConfig.consumed(),
                Materialized.<String, LineConfig>as(Stores.persistentVersionedKeyValueStore(
                                StoreNames.QUALITY_LINE_CONFIGS, settings.lineConfigHistory()))
                        .withKeySerde(topics.lineConfig.keySerde())
                        .withValueSerde(topics.lineConfig.valueSerde()));
    }

    /**
     * Adds the quality topology to {@code builder}, looking line configs up in {@code lineConfigs}, which must
     * be materialized in a versioned store (so each inspection sees the version valid at its time).
     */
    public static void addTo(StreamsBuilder builder, Topics topics, QualitySettings settings, KTable<String, LineConfig> lineConfigs) {
        addTo(builder, topics, settings, new LineConfigSource() {
            @Override
            public KStream<String, ConfiguredInspection> inspections(KStream<String, InspectionRecorded> in) {
                return in.leftJoin(lineConfigs, ConfiguredInspection::new,
                        Joined.with(topics.inspection.keySerde(), topics.inspection.valueSerde(), topics.lineConfig.valueSerde())
                                .withName("quality-inspection-line-config"));
            }

            @Override
            public KStream<String, OeeWithTarget> oee(KStream<String, OeeWindow> byLine) {
                return byLine.leftJoin(lineConfigs, (w, config) -> new OeeWithTarget(w, config == null ? null : config.getOeeTarget()),
                        Joined.with(topics.oee.keySerde(), topics.oee.valueSerde(), topics.lineConfig.valueSerde())
                                .withName("quality-oee-line-config"));
            }
        });
    }

    /**
     * Adds the quality topology to {@code builder}, looking line configs up in the application's GLOBAL versioned
     * store {@code globalLineConfigStore} (lineId -> LineConfig, versioned by validFrom) at each record's time:
     * {@code mfg.line-config} can be a source only once per application, and the carbon ledger reads it as a
     * global store (GreenlineTopology wires it so). No repartition is needed for the OEE-target lookup.
     */
    public static void addTo(StreamsBuilder builder, Topics topics, QualitySettings settings, String globalLineConfigStore) {
        addTo(builder, topics, settings, new LineConfigSource() {
            @Override
            public KStream<String, ConfiguredInspection> inspections(KStream<String, InspectionRecorded> in) {
                return in.processValues(() -> new GlobalLineConfigLookup<InspectionRecorded, ConfiguredInspection>(
                        globalLineConfigStore, ConfiguredInspection::new), Named.as("quality-inspection-line-config"));
            }

            @Override
            public KStream<String, OeeWithTarget> oee(KStream<String, OeeWindow> byLine) {
                return byLine.processValues(() -> new GlobalLineConfigLookup<OeeWindow, OeeWithTarget>(globalLineConfigStore,
                        (w, config) -> new OeeWithTarget(w, config == null ? null : config.getOeeTarget())),
                        Named.as("quality-oee-line-config"));
            }
        });
    }

    /** How records meet the line config valid at their time: a versioned-table join or a global-store lookup. */
    private interface LineConfigSource {
        KStream<String, ConfiguredInspection> inspections(KStream<String, InspectionRecorded> validated);

        KStream<String, OeeWithTarget> oee(KStream<String, OeeWindow> finalWindowsByLine);
    }

    /** Looks the line config valid at the record's timestamp up in a global versioned store (latest when older). */
    static final class GlobalLineConfigLookup<V, R> implements FixedKeyProcessor<String, V, R> {
        private final String store;
        private final java.util.function.BiFunction<V, LineConfig, R> joiner;
        private FixedKeyProcessorContext<String, R> context;
        private org.apache.kafka.streams.state.VersionedKeyValueStore<String, LineConfig> configs;

        GlobalLineConfigLookup(String store, java.util.function.BiFunction<V, LineConfig, R> joiner) {
            this.store = store;
            this.joiner = joiner;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, R> context) {
            this.context = context;
            this.configs = context.getStateStore(store);
        }

        @Override
        public void process(FixedKeyRecord<String, V> record) {
            org.apache.kafka.streams.state.VersionedRecord<LineConfig> config =
                    record.key() == null ? null : configs.get(record.key(), record.timestamp());
            context.forward(record.withValue(joiner.apply(record.value(), config == null ? null : config.value())));
        }
    }

    private static void addTo(StreamsBuilder builder, Topics topics, QualitySettings settings, LineConfigSource lineConfigs) {
        var serdes = topics.serdes();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.QUALITY_WINDOWS),
                Serdes.String(), serdes.value(QualityWindow.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.QUALITY_OPEN_WINDOWS),
                Serdes.String(), Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.QUALITY_LINE_CLOCKS),
                Serdes.String(), Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.QUALITY_UNITS),
                Serdes.String(), serdes.value(QualityUnitMemory.class)));
        builder.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(StoreNames.QUALITY_SEEN_EVENTS,
                settings.dedupRetention(), Duration.ofMillis(1), false), Serdes.String(), Serdes.Long()));
        builder.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(StoreNames.QUALITY_OEE_ALERTS_RAISED,
                settings.alertRetention(), Duration.ofMillis(1), false), Serdes.String(), Serdes.Long()));

        // inspections: validate, stamp with event time, look up the calendar valid then, count
        KStream<String, QualityTopology.Output> windowsOut = lineConfigs.inspections(builder
                .stream(topics.inspection.name(), topics.inspection.consumed())
                .processValues(ValidateInspection::new, Named.as("quality-validate-inspection")))
                .process(() -> new QualityWindowsProcessor(settings), Named.as("quality-windows-processor"),
                        StoreNames.QUALITY_WINDOWS, StoreNames.QUALITY_OPEN_WINDOWS, StoreNames.QUALITY_LINE_CLOCKS,
                        StoreNames.QUALITY_UNITS, StoreNames.QUALITY_SEEN_EVENTS);

        var branches = windowsOut.split(Named.as("quality-output-"))
                .branch((k, v) -> v.window() != null, Branched.as("windows"))
                .defaultBranch(Branched.as("alerts"));
        branches.get("quality-output-windows")
                .mapValues(Output::window, Named.as("quality-final-windows"))
                .to(topics.quality.name(), topics.quality.produced());
        KStream<String, Alert> spcAlerts = branches.get("quality-output-alerts")
                .mapValues(Output::alert, Named.as("quality-spc-alerts"));

        // final OEE windows: re-key by line, look up the target valid at the window's start, alert once
        KStream<String, Alert> oeeAlerts = lineConfigs.oee(builder
                .stream(topics.oee.name(), topics.oee.consumed())
                .processValues(ValidateOee::new, Named.as("quality-validate-oee"))
                .filter((k, w) -> w.getFinal$() && settings.oeeAlertGranularities().contains(w.getGranularity()),
                        Named.as("quality-final-oee-of-alert-granularities"))
                .selectKey((k, w) -> w.getLineId(), Named.as("quality-oee-by-line")))
                .process(OeeTargetAlertProcessor::new, Named.as("quality-oee-target-alerts"),
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

    /** Refuses OEE records without a value or line, and stamps them with their window start (the target lookup time). */
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
            context.forward(record.withTimestamp(w.getWindowStart().toEpochMilli()));
        }
    }
}

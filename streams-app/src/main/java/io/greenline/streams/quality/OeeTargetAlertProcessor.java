package io.greenline.streams.quality;

import io.greenline.events.Alert;
import io.greenline.events.LineConfig;
import io.greenline.events.OeeWindow;
import io.greenline.streams.StoreNames;
import io.greenline.streams.windows.ChangelogMarker;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Raises OEE_BELOW_TARGET for a final OEE window whose oee is below the line's {@code oeeTarget} valid at the
 * window's start (global store {@link StoreNames#LINE_CONFIG_VERSIONS}; both
 * ratios, e.g. 0.62 &lt; 0.85), once per window: the deterministic alert id is remembered in
 * {@link StoreNames#QUALITY_OEE_ALERTS_RAISED}, so a re-delivered or re-published final window raises
 * nothing new. A window with a null oee, or a line without a target, raises nothing.
 */
final class OeeTargetAlertProcessor implements Processor<String, OeeWindow, String, Alert> {

    private ProcessorContext<String, Alert> context;
    private WindowStore<String, Long> raised;
    private VersionedKeyValueStore<String, LineConfig> lineConfigs;

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        raised = context.getStateStore(StoreNames.QUALITY_OEE_ALERTS_RAISED);
        ChangelogMarker.mark(raised, 0L);
        lineConfigs = context.getStateStore(StoreNames.LINE_CONFIG_VERSIONS);
    }

    @Override
    public void process(Record<String, OeeWindow> record) {
        OeeWindow w = record.value();
        VersionedRecord<LineConfig> config = lineConfigs.get(w.getLineId(), w.getWindowStart().toEpochMilli());
        Double target = config == null ? null : config.value().getOeeTarget();
        if (target == null || w.getOee() == null || !(w.getOee() < target)) {
            return;
        }
        Alert alert = QualityRecords.oeeAlert(w.getLineId(), w.getGranularity(), w.getShiftName(), w.getWindowStart(),
                w.getWindowEnd(), w.getOee(), target);
        long start = w.getWindowStart().toEpochMilli();
        try (WindowStoreIterator<Long> seen = raised.fetch(alert.getAlertId(), start, start)) {
            if (seen.hasNext()) {
                return;
            }
        }
        raised.put(alert.getAlertId(), start, start);
        context.forward(new Record<>(w.getLineId(), alert, w.getWindowEnd().toEpochMilli()));
    }
}

package io.greenline.streams.quality;

import io.greenline.streams.VersionCache;
import io.greenline.events.Alert;
import io.greenline.events.LineConfig;
import io.greenline.events.OeeWindow;
import io.greenline.streams.StoreNames;
import io.greenline.streams.windows.EventDeduplicator;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.VersionedRecord;

/**
 * Raises OEE_BELOW_TARGET for a final OEE window whose oee is below the line's {@code oeeTarget} valid at the
 * window's start (global store {@link StoreNames#LINE_CONFIG_VERSIONS}; both
 * ratios, e.g. 0.62 &lt; 0.85), once per window: the deterministic alert id is remembered in
 * {@link StoreNames#QUALITY_OEE_ALERTS_RAISED}, so a re-delivered or re-published final window raises
 * nothing new. A window with a null oee, or a line without a target, raises nothing.
 *
 * <p>An id is remembered at the task's stream time when raised, for {@code quality.alert-retention} of stream time
 * ({@link EventDeduplicator}), not at its window's start: the windows of one partition reach this processor out of
 * window order (a line with sparse events publishes a week of windows at once when its clock moves, behind the
 * lines sent every minute), and a window store keyed by window start dropped such ids as older than its retention,
 * unremembered ("Skipping record for expired segment": 6,748 times in a benchmark run of 1,000,000 events).
 */
final class OeeTargetAlertProcessor implements Processor<String, OeeWindow, String, Alert> {

    private final Duration retention;
    private ProcessorContext<String, Alert> context;
    private EventDeduplicator raised;
    private VersionCache<LineConfig> lineConfigs;

    OeeTargetAlertProcessor(Duration retention) {
        this.retention = retention;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        raised = new EventDeduplicator(context.getStateStore(StoreNames.QUALITY_OEE_ALERTS_RAISED), retention);
        lineConfigs = new VersionCache<>(context.getStateStore(StoreNames.LINE_CONFIG_VERSIONS), StoreNames.LINE_CONFIG_VERSIONS);
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
        long now = context.currentStreamTimeMs();
        if (raised.seen(alert.getAlertId(), now)) {
            return;
        }
        raised.remember(alert.getAlertId(), now);
        context.forward(new Record<>(w.getLineId(), alert, w.getWindowEnd().toEpochMilli()));
    }
}

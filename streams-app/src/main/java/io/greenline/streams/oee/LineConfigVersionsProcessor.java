package io.greenline.streams.oee;

import io.greenline.events.LineConfig;
import io.greenline.events.ProductRate;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.BadRecordException;
import io.greenline.streams.windows.WindowCalendar;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.VersionedKeyValueStore;

/**
 * Keeps every version of each line's {@link LineConfig} in the versioned store {@link StoreNames#OEE_LINE_CONFIG},
 * valid from its {@code validFrom}, so the ledger reads the PRU valid at a count's own timestamp. A tombstone
 * ends the line's config from the record's timestamp.
 */
final class LineConfigVersionsProcessor implements Processor<String, LineConfig, Void, Void> {

    private VersionedKeyValueStore<String, LineConfig> versions;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        versions = context.getStateStore(StoreNames.OEE_LINE_CONFIG);
    }

    @Override
    public void process(Record<String, LineConfig> record) {
        String key = record.key();
        if (key == null || key.isBlank()) {
            throw new BadRecordException(DeadLetterReason.MISSING_KEY, "line-config without a key");
        }
        LineConfig config = record.value();
        if (config == null) {
            versions.delete(key, record.timestamp());
            return;
        }
        validate(key, config);
        versions.put(key, config, config.getValidFrom().toEpochMilli());
    }

    private static void validate(String key, LineConfig config) {
        if (!key.equals(config.getLineId())) {
            throw new BadRecordException(DeadLetterReason.MISSING_KEY, "key " + key + " is not the lineId " + config.getLineId());
        }
        try {
            WindowCalendar.of(config);
        } catch (RuntimeException e) {
            throw BadRecordException.invalid("line " + key + ": bad timezone or shift: " + e.getMessage());
        }
        if (config.getMicroStopThresholdMs() < 0) {
            throw BadRecordException.invalid("line " + key + ": negative microStopThresholdMs");
        }
        for (ProductRate rate : config.getProducts()) {
            double pru = rate.getIdealCycleTimeMs();
            if (!Double.isFinite(pru) || pru <= 0) {
                throw BadRecordException.invalid("line " + key + ": product " + rate.getProductId() + " has ideal cycle time " + pru);
            }
        }
    }
}

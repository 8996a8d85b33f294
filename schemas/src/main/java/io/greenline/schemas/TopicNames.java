package io.greenline.schemas;

import java.util.List;

/**
 * Names and layout of every Kafka topic in Greenline's public contract (docs/design.md sections 3 and 7).
 *
 * <p>The typed view of each topic (name plus key and value serdes) is {@link Topics}; this class holds
 * the plain names so that code without serdes (admin tools, the CLI, the Helm chart's tests) agrees
 * on them too.
 */
public final class TopicNames {

    public static final String MACHINE_STATE = "mfg.machine-state";
    public static final String PRODUCTION_COUNT = "mfg.production-count";
    public static final String INSPECTION = "mfg.inspection";
    public static final String ENERGY = "mfg.energy";
    public static final String BATCH = "mfg.batch";
    public static final String LINE_CONFIG = "mfg.line-config";
    public static final String EMISSION_FACTORS = "mfg.emission-factors";

    public static final String OEE = "mfg.oee";
    public static final String QUALITY = "mfg.quality";
    public static final String BATCH_FOOTPRINT = "mfg.batch-footprint";
    public static final String LINE_ENERGY = "mfg.line-energy";
    public static final String ALERTS = "mfg.alerts";
    /** Area and site roll-ups (docs/rollup.md): OEE, quality and energy windows summed over lines, then divided. */
    public static final String OEE_ROLLUP = "mfg.oee-rollup";
    public static final String QUALITY_ROLLUP = "mfg.quality-rollup";
    public static final String ENERGY_ROLLUP = "mfg.energy-rollup";
    public static final String DLQ = "mfg.dlq";

    /** Where the embedded schema registry keeps its schemas (compacted, one partition). */
    public static final String SCHEMAS = "_schemas";

    /** How a topic keeps its data. */
    public enum Retention { DELETE, COMPACT }

    /** Layout of one topic: its name, how it retains data, and whether it must have a single partition. */
    public record TopicSpec(String name, Retention retention, boolean singlePartition) {
        public boolean compacted() {
            return retention == Retention.COMPACT;
        }
    }

    /** Every topic Greenline reads or writes, with its retention. */
    public static final List<TopicSpec> ALL = List.of(
            new TopicSpec(MACHINE_STATE, Retention.DELETE, false),
            new TopicSpec(PRODUCTION_COUNT, Retention.DELETE, false),
            new TopicSpec(INSPECTION, Retention.DELETE, false),
            new TopicSpec(ENERGY, Retention.DELETE, false),
            new TopicSpec(BATCH, Retention.DELETE, false),
            new TopicSpec(LINE_CONFIG, Retention.COMPACT, false),
            new TopicSpec(EMISSION_FACTORS, Retention.COMPACT, false),
            new TopicSpec(OEE, Retention.DELETE, false),
            new TopicSpec(QUALITY, Retention.DELETE, false),
            new TopicSpec(BATCH_FOOTPRINT, Retention.COMPACT, false),
            new TopicSpec(LINE_ENERGY, Retention.DELETE, false),
            new TopicSpec(ALERTS, Retention.DELETE, false),
            new TopicSpec(OEE_ROLLUP, Retention.DELETE, false),
            new TopicSpec(QUALITY_ROLLUP, Retention.DELETE, false),
            new TopicSpec(ENERGY_ROLLUP, Retention.DELETE, false),
            new TopicSpec(DLQ, Retention.DELETE, false),
            new TopicSpec(SCHEMAS, Retention.COMPACT, true));

    private TopicNames() {
    }
}

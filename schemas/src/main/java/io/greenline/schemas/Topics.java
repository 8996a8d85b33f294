package io.greenline.schemas;

import io.greenline.events.Alert;
import io.greenline.events.BatchEvent;
import io.greenline.events.BatchFootprint;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EnergyMetered;
import io.greenline.events.EnergyRollupWindow;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.LineConfig;
import io.greenline.events.LineEnergyWindow;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.OeeRollupWindow;
import io.greenline.events.OeeWindow;
import io.greenline.events.ProductionCounted;
import io.greenline.events.QualityRollupWindow;
import io.greenline.events.QualityWindow;
import io.greenline.schemas.serde.GreenlineSerdes;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The typed topic catalogue (docs/design.md sections 3 and 7): every topic with its key and value serdes.
 * Keys are strings; values are Avro in Confluent's wire format, except the dead-letter topic, which
 * keeps the original bytes.
 */
public final class Topics {

    public final Topic<String, MachineStateChanged> machineState;
    public final Topic<String, ProductionCounted> productionCount;
    public final Topic<String, InspectionRecorded> inspection;
    public final Topic<String, EnergyMetered> energy;
    public final Topic<String, BatchEvent> batch;
    public final Topic<String, LineConfig> lineConfig;
    public final Topic<String, EmissionFactor> emissionFactors;

    public final Topic<String, OeeWindow> oee;
    public final Topic<String, QualityWindow> quality;
    public final Topic<String, BatchFootprint> batchFootprint;
    public final Topic<String, LineEnergyWindow> lineEnergy;
    public final Topic<String, Alert> alerts;
    public final Topic<String, OeeRollupWindow> oeeRollup;
    public final Topic<String, QualityRollupWindow> qualityRollup;
    public final Topic<String, EnergyRollupWindow> energyRollup;
    public final Topic<byte[], byte[]> dlq;

    private final GreenlineSerdes serdes;

    public Topics(GreenlineSerdes serdes) {
        this.serdes = serdes;
        Serde<String> key = Serdes.String();
        machineState = new Topic<>(TopicNames.MACHINE_STATE, key, serdes.value(MachineStateChanged.class));
        productionCount = new Topic<>(TopicNames.PRODUCTION_COUNT, key, serdes.value(ProductionCounted.class));
        inspection = new Topic<>(TopicNames.INSPECTION, key, serdes.value(InspectionRecorded.class));
        energy = new Topic<>(TopicNames.ENERGY, key, serdes.value(EnergyMetered.class));
        batch = new Topic<>(TopicNames.BATCH, key, serdes.value(BatchEvent.class));
        lineConfig = new Topic<>(TopicNames.LINE_CONFIG, key, serdes.value(LineConfig.class));
        emissionFactors = new Topic<>(TopicNames.EMISSION_FACTORS, key, serdes.value(EmissionFactor.class));
        oee = new Topic<>(TopicNames.OEE, key, serdes.value(OeeWindow.class));
        quality = new Topic<>(TopicNames.QUALITY, key, serdes.value(QualityWindow.class));
        batchFootprint = new Topic<>(TopicNames.BATCH_FOOTPRINT, key, serdes.value(BatchFootprint.class));
        lineEnergy = new Topic<>(TopicNames.LINE_ENERGY, key, serdes.value(LineEnergyWindow.class));
        alerts = new Topic<>(TopicNames.ALERTS, key, serdes.value(Alert.class));
        oeeRollup = new Topic<>(TopicNames.OEE_ROLLUP, key, serdes.value(OeeRollupWindow.class));
        qualityRollup = new Topic<>(TopicNames.QUALITY_ROLLUP, key, serdes.value(QualityRollupWindow.class));
        energyRollup = new Topic<>(TopicNames.ENERGY_ROLLUP, key, serdes.value(EnergyRollupWindow.class));
        dlq = new Topic<>(TopicNames.DLQ, Serdes.ByteArray(), Serdes.ByteArray());
    }

    /** The serde factory behind this catalogue, for stores and internal topics. */
    public GreenlineSerdes serdes() {
        return serdes;
    }

    /** The key of an emission factor version: {@code carrier/region/basis}. */
    public static String emissionFactorKey(EmissionFactor factor) {
        return factor.getCarrier() + "/" + factor.getRegion() + "/" + factor.getBasis();
    }
}

package io.greenline.producers.sim;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchEventType;
import io.greenline.events.LineConfig;
import io.greenline.events.MachineState;
import io.greenline.events.MaterialCharge;
import io.greenline.events.ProductRate;
import io.greenline.events.ProductionCounted;
import io.greenline.producers.sim.SimulatorConfig.Grade;
import io.greenline.producers.sim.SimulatorConfig.Material;
import io.greenline.producers.sim.SimulatorConfig.PolyolefinPlant;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A bio-based polyolefin plant making lots (e.g. 2,500 t) as campaigns of batches. Each batch is charged
 * (SETUP, MATERIAL_CHARGED with the feed mix of waste cooking oil, palm-oil residue and fossil co-feed,
 * their footprints and biogenic carbon), then produced at a per-batch rate (RUNNING, with faults and
 * minor stops pausing it), and COMPLETED with total and on-spec output, direct process CO2 and the
 * measured biogenic carbon of the product. A grade change (SETUP) separates lots of different grades.
 * Production counts are in tonnes: quantity produced since the last count, off-spec as scrap.
 */
final class PolyolefinPlantSimulator extends LineProcess {

    private final PolyolefinPlant config;
    private final long countPeriodMs;

    private int gradeIndex;
    private int lotNumber;
    private double lotProducedTonnes;
    private int batchNumber;

    private String batchId;
    private double batchTonnes;
    private long batchWorkMs;
    private boolean producing;
    private double offSpecFraction;
    private double feedTonnes;
    private List<MaterialCharge> feed = List.of();
    private double countedTonnes;
    private double countedOffSpecTonnes;

    PolyolefinPlantSimulator(Schedule schedule, Emitter out, long seed, PolyolefinPlant config, int meterPeriodMinutes) {
        super(schedule, out, seed, config.line(), config.workcellId(), config.workcells(), config.minorStops(),
                config.plannedStops(), config.meters(), meterPeriodMinutes);
        this.config = config;
        this.countPeriodMs = config.countPeriodMinutes() * 60_000L;
    }

    /** The plant's reference data: ideal cycle time per tonne of each grade. */
    LineConfig lineConfig(long validFrom) {
        List<ProductRate> rates = config.grades().stream()
                .map(g -> new ProductRate(g.productId(), 3_600_000.0 / g.idealTonnesPerHour()))
                .toList();
        return ReferenceData.lineConfig(config.line(), rates, validFrom);
    }

    private Grade grade() {
        return config.grades().get(gradeIndex);
    }

    @Override
    protected void begin(long t) {
        lotNumber = 1;
        // counts are stamped 1 ms before each period boundary, so a count falls in the window it covers
        schedule.at(nextBoundary(t + 1, countPeriodMs) - 1, this::countTick);
        startBatch(t);
    }

    private void startBatch(long t) {
        batchNumber++;
        batchId = "%s-LOT%s%03d-B%02d".formatted(line.lineId(), out.runCode(), lotNumber, batchNumber);
        double remaining = config.lotSizeTonnes() - lotProducedTonnes;
        batchTonnes = Math.min(round(uniform(config.batchTonnes()), 1), round(remaining, 1));
        offSpecFraction = uniform(config.offSpecFraction());
        feedTonnes = batchTonnes / uniform(config.feedYield());
        feed = feedMix(feedTonnes);
        countedTonnes = 0;
        countedOffSpecTonnes = 0;
        producing = false;

        BatchEvent.Builder base = BatchEvent.newBuilder()
                .setBatchId(batchId)
                .setLineId(line.lineId())
                .setProductId(grade().productId())
                .setTimestamp(Instant.ofEpochMilli(t));
        out.batch(BatchEvent.newBuilder(base)
                .setEventId(out.nextEventId(line.lineId() + "/batch"))
                .setEventType(BatchEventType.STARTED)
                .build());
        out.batch(BatchEvent.newBuilder(base)
                .setEventId(out.nextEventId(line.lineId() + "/batch"))
                .setEventType(BatchEventType.MATERIAL_CHARGED)
                .setMaterials(feed)
                .build());
        pause(t, MachineState.SETUP, "BATCH_CHARGE", uniformMinutesMs(config.chargeMinutes()), this::produce);
    }

    /** The feed of one batch: nominal shares jittered per batch and re-normalised to the feed mass. */
    private List<MaterialCharge> feedMix(double tonnes) {
        double[] shares = new double[config.feed().size()];
        double total = 0;
        for (int i = 0; i < shares.length; i++) {
            shares[i] = config.feed().get(i).share() * uniform(config.feedShareJitter());
            total += shares[i];
        }
        List<MaterialCharge> charges = new ArrayList<>();
        for (int i = 0; i < shares.length; i++) {
            Material material = config.feed().get(i);
            charges.add(new MaterialCharge(material.materialId(), round(tonnes * 1000 * shares[i] / total, 1),
                    material.footprintKgCo2ePerKg(), material.biogenicCarbonKgPerKg()));
        }
        return charges;
    }

    private void produce(long t) {
        double tonnesPerHour = grade().idealTonnesPerHour() * uniform(config.rateFactor());
        batchWorkMs = Math.round(batchTonnes / tonnesPerHour * 3_600_000);
        producing = true;
        work(t, batchWorkMs, this::completeBatch);
    }

    private void completeBatch(long t) {
        emitCount(t, batchTonnes);
        producing = false;
        double totalKg = batchTonnes * 1000;
        double goodKg = round(totalKg * (1 - offSpecFraction), 1);
        out.batch(BatchEvent.newBuilder()
                .setEventId(out.nextEventId(line.lineId() + "/batch"))
                .setBatchId(batchId)
                .setLineId(line.lineId())
                .setProductId(grade().productId())
                .setTimestamp(Instant.ofEpochMilli(t))
                .setEventType(BatchEventType.COMPLETED)
                .setProcessCo2Kg(round(feedTonnes * config.processCo2KgPerTonneFeed(), 1))
                .setOutputGoodMassKg(goodKg)
                .setOutputTotalMassKg(totalKg)
                .setProductBiogenicCarbonKgPerKg(round(measuredBiogenicCarbon(), 4))
                .build());

        lotProducedTonnes += batchTonnes;
        if (lotProducedTonnes >= config.lotSizeTonnes() - 1e-6) {
            lotNumber++;
            lotProducedTonnes = 0;
            batchNumber = 0;
            gradeIndex = (gradeIndex + 1) % config.grades().size();
            pause(t, MachineState.SETUP, "GRADE_CHANGE", uniformMinutesMs(config.gradeChangeMinutes()), this::startBatch);
        } else {
            startBatch(t);
        }
    }

    /**
     * Biogenic carbon of the product as a lab would measure it: the product's carbon content times the
     * biogenic share of the feed's carbon, with a small measurement error.
     */
    private double measuredBiogenicCarbon() {
        double biogenic = 0;
        double total = 0;
        for (int i = 0; i < feed.size(); i++) {
            MaterialCharge charge = feed.get(i);
            biogenic += charge.getMassKg() * charge.getBiogenicCarbonKgPerKg();
            total += charge.getMassKg() * feedCarbon(config.feed().get(i));
        }
        double share = total == 0 ? 0 : biogenic / total;
        double noise = 1 + config.biogenicMeasurementNoise() * random.nextGaussian();
        return Math.max(0, config.productCarbonKgPerKg() * share * noise);
    }

    /** Total carbon per kg of a feed: its biogenic carbon, or ~0.84 kg C/kg for a fossil hydrocarbon. */
    private static double feedCarbon(Material material) {
        return material.biogenicCarbonKgPerKg() > 0 ? material.biogenicCarbonKgPerKg() : 0.84;
    }

    private void countTick(long t) {
        double produced = producing ? batchTonnes * workProgressMs(t) / batchWorkMs : countedTonnes;
        emitCount(t, Math.min(produced, batchTonnes));
        schedule.at(t + countPeriodMs, this::countTick);
    }

    /** Counts the tonnes produced since the previous count, given the batch's cumulative output so far. */
    private void emitCount(long t, double cumulativeTonnes) {
        double quantity = Math.max(0, cumulativeTonnes - countedTonnes);
        double cumulativeOffSpec = round(cumulativeTonnes * offSpecFraction, 4);
        double offSpec = Math.max(0, cumulativeOffSpec - countedOffSpecTonnes);
        countedTonnes = cumulativeTonnes;
        countedOffSpecTonnes = cumulativeOffSpec;
        out.productionCount(ProductionCounted.newBuilder()
                .setEventId(out.nextEventId(line.lineId() + "/count"))
                .setLineId(line.lineId())
                .setWorkcellId(config.workcellId())
                .setProductId(grade().productId())
                .setTimestamp(Instant.ofEpochMilli(t))
                .setQuantity(round(quantity, 4))
                .setScrapQuantity(round(offSpec, 4))
                .setReworkQuantity(0.0)
                .setBatchId(batchId)
                .build());
    }
}

package io.greenline.producers.sim;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchEventType;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.InspectionResult;
import io.greenline.events.LineConfig;
import io.greenline.events.MachineState;
import io.greenline.events.MaterialCharge;
import io.greenline.events.ProductRate;
import io.greenline.events.ProductionCounted;
import io.greenline.producers.sim.SimulatorConfig.BrakeDrumLine;
import io.greenline.producers.sim.SimulatorConfig.DrumProduct;
import io.greenline.producers.sim.SimulatorConfig.Material;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An automated brake-drum line: drums are cast, machined, balanced and inspected one by one at the
 * bottleneck's cycle time (slowed by a per-drum speed-loss factor). Production is organised in work
 * orders of one drum type; each work order is a batch (BatchEvent STARTED, MATERIAL_CHARGED,
 * COMPLETED with pieces and masses) so its carbon footprint can be declared per piece. A new drum type
 * needs a changeover (SETUP). Every drum gets a serial number and a first inspection; a drum sent to
 * rework is re-inspected later and passes or is scrapped. Production is counted at the end of the line
 * every few minutes (scrap and rework by first inspection).
 */
final class BrakeDrumLineSimulator extends LineProcess {

    private final BrakeDrumLine config;
    private final long countPeriodMs;

    private DrumProduct product;
    private String workOrderId;
    private int workOrderNumber;
    private long workOrderTarget;
    private long cast;
    private long good;
    private long serial;

    private long producedSinceCount;
    private long scrapSinceCount;
    private long reworkSinceCount;

    BrakeDrumLineSimulator(Schedule schedule, Emitter out, long seed, BrakeDrumLine config, int meterPeriodMinutes) {
        super(schedule, out, seed, config.line(), config.outputWorkcellId(), config.workcells(), config.minorStops(),
                config.plannedStops(), config.meters(), meterPeriodMinutes);
        this.config = config;
        this.countPeriodMs = config.countPeriodMinutes() * 60_000L;
    }

    /** The line's reference data, valid from {@code validFrom}. */
    LineConfig lineConfig(long validFrom) {
        List<ProductRate> rates = config.products().stream()
                .map(p -> new ProductRate(p.productId(), p.idealCycleSeconds() * 1000))
                .toList();
        return ReferenceData.lineConfig(config.line(), rates, validFrom);
    }

    @Override
    protected void begin(long t) {
        // counts are stamped 1 ms before each period boundary, so a count falls in the window it covers
        schedule.at(nextBoundary(t + 1, countPeriodMs) - 1, this::countTick);
        startWorkOrder(t, config.products().get(random.nextInt(config.products().size())));
    }

    private void startWorkOrder(long t, DrumProduct next) {
        product = next;
        workOrderNumber++;
        workOrderId = "%s-WO-%s-%04d".formatted(line.lineId(), out.runCode(), workOrderNumber);
        workOrderTarget = Math.round(uniform(config.workOrderPieces()));
        cast = 0;
        good = 0;
        out.batch(BatchEvent.newBuilder()
                .setEventId(out.nextEventId(line.lineId() + "/batch"))
                .setBatchId(workOrderId)
                .setLineId(line.lineId())
                .setProductId(product.productId())
                .setTimestamp(Instant.ofEpochMilli(t))
                .setEventType(BatchEventType.STARTED)
                .build());
        castNext(t);
    }

    private void castNext(long t) {
        long cycleMs = Math.round(product.idealCycleSeconds() * 1000 * uniform(config.speedLossFactor()));
        work(t, cycleMs, this::drumFinished);
    }

    private void drumFinished(long t) {
        serial++;
        cast++;
        producedSinceCount++;
        String unitId = "%s-%s-%07d".formatted(line.lineId().toUpperCase(), out.runCode(), serial);
        inspectFirstTime(t, unitId);
        if (cast >= workOrderTarget) {
            completeWorkOrder(t);
        } else {
            castNext(t);
        }
    }

    private void inspectFirstTime(long t, String unitId) {
        SimulatorConfig.DrumQuality quality = config.quality();
        double u = random.nextDouble();
        if (u < quality.scrapProbability()) {
            scrapSinceCount++;
            inspection(t, unitId, workOrderId, InspectionResult.SCRAP, defects(quality.scrapDefects()));
        } else if (u < quality.scrapProbability() + quality.reworkProbability()) {
            reworkSinceCount++;
            List<String> codes = defects(quality.reworkDefects());
            inspection(t, unitId, workOrderId, InspectionResult.REWORK, codes);
            boolean passes = random.nextDouble() < quality.reworkPassProbability();
            if (passes) {
                good++;
            }
            String batchId = workOrderId;
            String productId = product.productId();
            long reinspectAt = t + uniformMinutesMs(quality.reworkDelayMinutes());
            schedule.at(reinspectAt, at -> reinspection(at, unitId, batchId, productId, passes, codes));
        } else {
            good++;
            inspection(t, unitId, workOrderId, InspectionResult.PASS, List.of());
        }
    }

    private void reinspection(long t, String unitId, String batchId, String productId, boolean passes, List<String> codes) {
        emitInspection(t, unitId, batchId, productId, passes ? InspectionResult.PASS : InspectionResult.SCRAP,
                passes ? List.of() : codes);
    }

    private void inspection(long t, String unitId, String batchId, InspectionResult result, List<String> codes) {
        emitInspection(t, unitId, batchId, product.productId(), result, codes);
    }

    private void emitInspection(long t, String unitId, String batchId, String productId, InspectionResult result,
                                List<String> codes) {
        out.inspection(InspectionRecorded.newBuilder()
                .setEventId(out.nextEventId(line.lineId() + "/inspection"))
                .setLineId(line.lineId())
                .setStationId(config.inspectionStationId())
                .setProductId(productId)
                .setTimestamp(Instant.ofEpochMilli(t))
                .setUnitId(unitId)
                .setBatchId(batchId)
                .setResult(result)
                .setDefectCodes(codes)
                .setQuantity(1.0)
                .build());
    }

    /** One defect code drawn by weight, sometimes with a second, different one. */
    private List<String> defects(Map<String, Double> weights) {
        List<String> codes = new ArrayList<>();
        codes.add(draw(weights));
        if (random.nextDouble() < config.quality().secondDefectProbability()) {
            String second = draw(weights);
            if (!codes.contains(second)) {
                codes.add(second);
            }
        }
        return codes;
    }

    private String draw(Map<String, Double> weights) {
        double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        double u = random.nextDouble() * total;
        String last = null;
        for (var entry : new java.util.TreeMap<>(weights).entrySet()) {
            last = entry.getKey();
            u -= entry.getValue();
            if (u <= 0) {
                return last;
            }
        }
        return last;
    }

    private void completeWorkOrder(long t) {
        emitCount(t);
        List<MaterialCharge> materials = new ArrayList<>();
        for (Material material : product.materials()) {
            materials.add(new MaterialCharge(material.materialId(), round(cast * product.massKg() * material.share(), 1),
                    material.footprintKgCo2ePerKg(), material.biogenicCarbonKgPerKg()));
        }
        BatchEvent.Builder event = BatchEvent.newBuilder()
                .setBatchId(workOrderId)
                .setLineId(line.lineId())
                .setProductId(product.productId())
                .setTimestamp(Instant.ofEpochMilli(t));
        out.batch(BatchEvent.newBuilder(event)
                .setEventId(out.nextEventId(line.lineId() + "/batch"))
                .setEventType(BatchEventType.MATERIAL_CHARGED)
                .setMaterials(materials)
                .build());
        out.batch(BatchEvent.newBuilder(event)
                .setEventId(out.nextEventId(line.lineId() + "/batch"))
                .setEventType(BatchEventType.COMPLETED)
                .setOutputGoodMassKg(good * product.massKg())
                .setOutputTotalMassKg(cast * product.massKg())
                .setPieces(good)
                .build());

        DrumProduct next = config.products().get(random.nextInt(config.products().size()));
        if (next.equals(product)) {
            startWorkOrder(t, next);
        } else {
            pause(t, MachineState.SETUP, "CHANGEOVER_" + next.productId(), uniformMinutesMs(config.setupMinutes()),
                    at -> startWorkOrder(at, next));
        }
    }

    private void countTick(long t) {
        emitCount(t);
        schedule.at(t + countPeriodMs, this::countTick);
    }

    private void emitCount(long t) {
        out.productionCount(ProductionCounted.newBuilder()
                .setEventId(out.nextEventId(line.lineId() + "/count"))
                .setLineId(line.lineId())
                .setWorkcellId(config.outputWorkcellId())
                .setProductId(product.productId())
                .setTimestamp(Instant.ofEpochMilli(t))
                .setQuantity(producedSinceCount)
                .setScrapQuantity(scrapSinceCount)
                .setReworkQuantity(reworkSinceCount)
                .setBatchId(workOrderId)
                .build());
        producedSinceCount = 0;
        scrapSinceCount = 0;
        reworkSinceCount = 0;
    }
}

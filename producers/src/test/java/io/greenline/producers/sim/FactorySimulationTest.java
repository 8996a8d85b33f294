package io.greenline.producers.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchEventType;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EnergyMetered;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.InspectionResult;
import io.greenline.events.LineConfig;
import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.ProductionCounted;
import io.greenline.producers.RecordingSink;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FactorySimulationTest {

    private static final Instant START = Instant.parse("2026-11-23T00:00:00Z");
    private static final Duration SIMULATED = Duration.ofDays(2);
    private static final Topics TOPICS = new Topics(GreenlineSerdes.inMemory("factory-simulation-test"));

    private static List<RecordingSink.Sent> twoDays;

    @BeforeAll
    static void simulateTwoDays() {
        twoDays = simulate(SimulatorConfig.defaults(), START, SIMULATED);
    }

    private static List<RecordingSink.Sent> simulate(SimulatorConfig config, Instant start, Duration length) {
        RecordingSink sink = new RecordingSink();
        FactorySimulation simulation = new FactorySimulation(config, start, sink, TOPICS);
        simulation.advanceTo(start.plus(length).toEpochMilli());
        return sink.events();
    }

    private static <V> List<V> values(String topic, Class<V> type) {
        return twoDays.stream().filter(e -> e.topic().equals(topic)).map(e -> type.cast(e.value())).toList();
    }

    @Test
    @DisplayName("two runs with the same seed and start produce the identical event sequence (values, keys, timestamps, ids)")
    void sameSeedSameEvents() {
        List<RecordingSink.Sent> again = simulate(SimulatorConfig.defaults(), START, SIMULATED);

        assertThat(again).hasSize(twoDays.size());
        assertThat(again).containsExactlyElementsOf(twoDays);
    }

    @Test
    @DisplayName("another seed gives another sequence, with event ids that do not collide with the first run")
    void otherSeedOtherEvents() {
        List<RecordingSink.Sent> other = simulate(SimulatorConfig.defaults().withSeed(7), START, Duration.ofHours(12));

        assertThat(other).isNotEqualTo(twoDays.subList(0, Math.min(other.size(), twoDays.size())));
        Set<String> firstIds = eventIds(twoDays);
        assertThat(eventIds(other)).doesNotContainAnyElementsOf(firstIds);
    }

    @Test
    @DisplayName("every event id is unique within a run")
    void uniqueEventIds() {
        List<String> ids = twoDays.stream().map(FactorySimulationTest::eventId).filter(id -> id != null).toList();
        assertThat(new HashSet<>(ids)).hasSameSizeAs(ids);
    }

    @Test
    @DisplayName("events leave the simulator in non-decreasing event time, keyed by lineId (siteId for a shared meter)")
    void orderedAndKeyed() {
        long previous = Long.MIN_VALUE;
        for (RecordingSink.Sent sent : twoDays) {
            assertThat(sent.timestampMs()).isGreaterThanOrEqualTo(previous);
            previous = sent.timestampMs();
            if (sent.value() instanceof EnergyMetered energy) {
                assertThat(sent.key()).isEqualTo(energy.getLineId() != null ? energy.getLineId() : energy.getSiteId());
            } else if (sent.value() instanceof EmissionFactor factor) {
                assertThat(sent.key()).isEqualTo(Topics.emissionFactorKey(factor));
            } else if (sent.value() instanceof LineConfig config) {
                assertThat(sent.key()).isEqualTo(config.getLineId());
            } else {
                assertThat(sent.key()).isEqualTo(sent.value().get(sent.value().getSchema().getField("lineId").pos()).toString());
            }
        }
    }

    @Test
    @DisplayName("reference data: a line config per line at the start, every factor, and a mid-run factor update with a later validFrom")
    void referenceData() {
        List<LineConfig> configs = values(TOPICS.lineConfig.name(), LineConfig.class);
        assertThat(configs).extracting(LineConfig::getLineId).containsExactly("drum-line-1", "bio-po-1");
        LineConfig drums = configs.get(0);
        assertThat(drums.getShifts()).hasSize(3);
        assertThat(drums.getProducts()).extracting(p -> p.getIdealCycleTimeMs()).containsExactly(62_000.0, 66_000.0, 74_000.0);
        assertThat(drums.getValidFrom()).isEqualTo(START);
        // the plants this project was started for: Queshan (brake drums) and Puyang (bio-PO), both in Henan
        assertThat(configs).extracting(LineConfig::getSiteId).containsExactly("queshan", "puyang");
        assertThat(configs).allSatisfy(c -> {
            assertThat(c.getTimezone()).isEqualTo("Asia/Shanghai");
            assertThat(c.getGridRegion()).isEqualTo("CN-CENTRAL");
        });

        List<EmissionFactor> factors = values(TOPICS.emissionFactors.name(), EmissionFactor.class);
        Map<String, List<Instant>> versions = factors.stream().collect(Collectors.groupingBy(Topics::emissionFactorKey,
                LinkedHashMap::new, Collectors.mapping(EmissionFactor::getValidFrom, Collectors.toList())));
        assertThat(versions.get("ELECTRICITY/CN-CENTRAL/LOCATION")).containsExactly(START);
        assertThat(versions.get("ELECTRICITY/CN-CENTRAL/MARKET")).containsExactly(START, START.plus(Duration.ofHours(6)));
        assertThat(versions.get("STEAM/CN-CENTRAL/MARKET")).containsExactly(START.plus(Duration.ofHours(6)));
        assertThat(versions).containsKeys("NATURAL_GAS/CN-CENTRAL/DIRECT", "STEAM/CN-CENTRAL/LOCATION", "DIESEL/CN-CENTRAL/DIRECT");
        // the update is published when the simulated clock reaches its validFrom, with that record timestamp
        twoDays.stream().filter(e -> e.value() instanceof EmissionFactor)
                .forEach(e -> assertThat(e.timestampMs()).isEqualTo(((EmissionFactor) e.value()).getValidFrom().toEpochMilli()));
    }

    @Test
    @DisplayName("machine states are well formed: a line never repeats the same state and reason, stops carry a reason")
    void statesWellFormed() {
        Map<String, List<MachineStateChanged>> byLine = values(TOPICS.machineState.name(), MachineStateChanged.class).stream()
                .collect(Collectors.groupingBy(MachineStateChanged::getLineId));
        assertThat(byLine).containsOnlyKeys("drum-line-1", "bio-po-1");
        for (List<MachineStateChanged> states : byLine.values()) {
            assertThat(states.get(0).getTimestamp()).isEqualTo(START);
            for (int i = 1; i < states.size(); i++) {
                MachineStateChanged previous = states.get(i - 1);
                MachineStateChanged current = states.get(i);
                assertThat(current.getState() == previous.getState()
                        && java.util.Objects.equals(current.getReasonCode(), previous.getReasonCode())).isFalse();
                if (current.getState() != MachineState.RUNNING) {
                    assertThat(current.getReasonCode()).isNotBlank();
                }
            }
        }
        Set<MachineState> drumStates = byLine.get("drum-line-1").stream().map(MachineStateChanged::getState).collect(Collectors.toSet());
        assertThat(drumStates).contains(MachineState.RUNNING, MachineState.FAULT, MachineState.MINOR_STOP,
                MachineState.SETUP, MachineState.PLANNED_STOP);
    }

    @Test
    @DisplayName("the drum line runs near its ideal cycle: two days give roughly 1,700-2,700 drums, counts non-negative")
    void drumCountsRealistic() {
        List<ProductionCounted> counts = values(TOPICS.productionCount.name(), ProductionCounted.class).stream()
                .filter(c -> c.getLineId().equals("drum-line-1")).toList();
        assertThat(counts).allSatisfy(c -> {
            assertThat(c.getQuantity()).isGreaterThanOrEqualTo(0);
            assertThat(c.getScrapQuantity() + c.getReworkQuantity()).isBetween(0.0, c.getQuantity());
        });
        double drums = counts.stream().mapToDouble(ProductionCounted::getQuantity).sum();
        // 48 h / 66 s ideal = 2,618 drums at 100% OEE; at ~65-100% OEE: 1,700-2,618
        assertThat(drums).isBetween(1_700.0, 2_618.0);
        long inspectedFirst = values(TOPICS.inspection.name(), InspectionRecorded.class).stream()
                .filter(i -> i.getLineId().equals("drum-line-1")).map(InspectionRecorded::getUnitId).distinct().count();
        assertThat((double) inspectedFirst).isEqualTo(drums);
    }

    @Test
    @DisplayName("no line beats its ideal cycle: per line, ideal time of the counted output <= RUNNING time (effectiveness <= 1)")
    void effectivenessAtMostOne() {
        Map<String, Map<String, Double>> idealMs = new java.util.HashMap<>();
        values(TOPICS.lineConfig.name(), LineConfig.class).forEach(c -> idealMs.put(c.getLineId(),
                c.getProducts().stream().collect(Collectors.toMap(p -> p.getProductId(), p -> p.getIdealCycleTimeMs()))));
        long end = START.plus(SIMULATED).toEpochMilli();
        for (String lineId : idealMs.keySet()) {
            List<MachineStateChanged> states = values(TOPICS.machineState.name(), MachineStateChanged.class).stream()
                    .filter(s -> s.getLineId().equals(lineId)).toList();
            long running = 0;
            for (int i = 0; i < states.size(); i++) {
                long until = i + 1 < states.size() ? states.get(i + 1).getTimestamp().toEpochMilli() : end;
                if (states.get(i).getState() == MachineState.RUNNING) {
                    running += until - states.get(i).getTimestamp().toEpochMilli();
                }
            }
            double ideal = values(TOPICS.productionCount.name(), ProductionCounted.class).stream()
                    .filter(c -> c.getLineId().equals(lineId))
                    .mapToDouble(c -> c.getQuantity() * idealMs.get(lineId).get(c.getProductId())).sum();
            assertThat(ideal / running).as(lineId + " effectiveness").isBetween(0.80, 1.0);
        }
    }

    @Test
    @DisplayName("a reworked drum is re-inspected later under the same serial, ending PASS or SCRAP; defect codes are the contract's")
    void reworkReinspected() {
        Map<String, List<InspectionRecorded>> byUnit = values(TOPICS.inspection.name(), InspectionRecorded.class).stream()
                .collect(Collectors.groupingBy(InspectionRecorded::getUnitId, LinkedHashMap::new, Collectors.toList()));
        List<List<InspectionRecorded>> reworked = byUnit.values().stream()
                .filter(list -> list.get(0).getResult() == InspectionResult.REWORK).toList();
        assertThat(reworked).isNotEmpty();
        for (List<InspectionRecorded> history : reworked) {
            if (history.size() == 2) {
                assertThat(history.get(1).getResult()).isIn(InspectionResult.PASS, InspectionResult.SCRAP);
                assertThat(history.get(1).getTimestamp()).isAfter(history.get(0).getTimestamp());
            } else {
                // re-inspection still pending at the end of the simulated period
                assertThat(history).hasSize(1);
            }
        }
        Set<String> codes = byUnit.values().stream().flatMap(List::stream).flatMap(i -> i.getDefectCodes().stream())
                .collect(Collectors.toSet());
        assertThat(codes).containsExactlyInAnyOrder("POROSITY", "CRACK", "IMBALANCE", "DIMENSION_OOT", "BOND_FAILURE");
    }

    @Test
    @DisplayName("every batch goes STARTED, MATERIAL_CHARGED, COMPLETED in order; plant batches are 110-140 t with off-spec output")
    void batchLifecycle() {
        Map<String, List<BatchEvent>> byBatch = values(TOPICS.batch.name(), BatchEvent.class).stream()
                .collect(Collectors.groupingBy(BatchEvent::getBatchId, LinkedHashMap::new, Collectors.toList()));
        List<BatchEvent> completedPlantBatches = new ArrayList<>();
        for (List<BatchEvent> events : byBatch.values()) {
            List<BatchEventType> types = events.stream().map(BatchEvent::getEventType).toList();
            assertThat(types.get(0)).isEqualTo(BatchEventType.STARTED);
            if (types.contains(BatchEventType.COMPLETED)) {
                assertThat(types).containsSubsequence(BatchEventType.STARTED, BatchEventType.MATERIAL_CHARGED, BatchEventType.COMPLETED);
                assertThat(types.get(types.size() - 1)).isEqualTo(BatchEventType.COMPLETED);
                BatchEvent completed = events.get(events.size() - 1);
                assertThat(completed.getOutputGoodMassKg()).isPositive().isLessThan(completed.getOutputTotalMassKg());
                if (completed.getLineId().equals("bio-po-1")) {
                    completedPlantBatches.add(completed);
                }
            }
        }
        // 48 h at ~24-29 t/h with ~45 min charging per ~5 h batch: at least 6 plant batches complete
        assertThat(completedPlantBatches).hasSizeGreaterThanOrEqualTo(6);
        for (BatchEvent completed : completedPlantBatches) {
            assertThat(completed.getOutputTotalMassKg()).isBetween(110_000.0, 140_000.0);
            assertThat(completed.getProcessCo2Kg()).isPositive();
            // ~80% biogenic feed carbon x 0.857 kg C/kg product
            assertThat(completed.getProductBiogenicCarbonKgPerKg()).isBetween(0.55, 0.80);
            BatchEvent charged = byBatch.get(completed.getBatchId()).get(1);
            assertThat(charged.getMaterials()).extracting(m -> m.getMaterialId()).containsExactly("UCO", "PFAD", "FOSSIL_NAPHTHA");
            double feedKg = charged.getMaterials().stream().mapToDouble(m -> m.getMassKg()).sum();
            // yield 0.82-0.87 t product per t feed
            assertThat(completed.getOutputTotalMassKg() / feedKg).isBetween(0.819, 0.871);
        }
    }

    @Test
    @DisplayName("energy readings cover consecutive periods per meter with positive quantities; the plant meters electricity, steam and gas")
    void energyReadings() {
        Map<String, List<EnergyMetered>> byMeter = values(TOPICS.energy.name(), EnergyMetered.class).stream()
                .collect(Collectors.groupingBy(EnergyMetered::getMeterId));
        assertThat(byMeter).containsKeys("drum-line-1-main", "bio-po-1-power", "bio-po-1-steam", "bio-po-1-gas",
                "puyang-utilities", "queshan-forklifts");
        for (List<EnergyMetered> readings : byMeter.values()) {
            assertThat(readings.get(0).getPeriodStart()).isEqualTo(START);
            for (int i = 1; i < readings.size(); i++) {
                assertThat(readings.get(i).getPeriodStart()).isEqualTo(readings.get(i - 1).getTimestamp());
            }
            assertThat(readings).allSatisfy(r -> assertThat(r.getQuantity()).isPositive());
        }
        assertThat(byMeter.get("puyang-utilities")).allSatisfy(r -> assertThat(r.getLineId()).isNull());
    }

    private static Set<String> eventIds(List<RecordingSink.Sent> events) {
        return events.stream().map(FactorySimulationTest::eventId).filter(id -> id != null).collect(Collectors.toSet());
    }

    private static String eventId(RecordingSink.Sent sent) {
        var field = sent.value().getSchema().getField("eventId");
        return field == null ? null : sent.value().get(field.pos()).toString();
    }
}

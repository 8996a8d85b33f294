package io.greenline.it.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchEventType;
import io.greenline.events.BatchFootprint;
import io.greenline.events.DayOfWeek;
import io.greenline.events.DefectCount;
import io.greenline.events.EmissionBasis;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EmissionScope;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyMetered;
import io.greenline.events.EnergyUnit;
import io.greenline.events.Granularity;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.InspectionResult;
import io.greenline.events.LineConfig;
import io.greenline.events.LineEnergyWindow;
import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.MaterialCharge;
import io.greenline.events.OeeWindow;
import io.greenline.events.ProductRate;
import io.greenline.events.ProductionCounted;
import io.greenline.events.QualityWindow;
import io.greenline.events.Shift;
import io.greenline.schemas.TopicNames;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The oracle itself against values worked out by hand (a line, a quality hour, two batches, line-energy hours, alerts). */
class OracleTest {

    static final String LINE = "L1";
    static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");

    static Instant at(String hhmm) {
        return Instant.parse("2026-03-02T" + hhmm + ":00Z");
    }

    static EventLog log() {
        EventLog log = new EventLog();
        LineConfig config = LineConfig.newBuilder().setLineId(LINE).setSiteId("S1").setAreaId("A1").setName("line 1").setTimezone("UTC")
                .setShifts(List.of(new Shift("DAY", "06:00", "14:00", Arrays.asList(DayOfWeek.values()))))
                .setProducts(List.of(new ProductRate("P", 60_000.0))).setMicroStopThresholdMs(120_000L).setOeeTarget(null)
                .setGridRegion("DE").setValidFrom(FROM).build();
        log.add(TopicNames.LINE_CONFIG, LINE, config, FROM.toEpochMilli());
        for (EmissionFactor f : List.of(
                new EmissionFactor(EnergyCarrier.ELECTRICITY, "DE", EmissionBasis.LOCATION, EmissionScope.SCOPE2, 0.4, EnergyUnit.KWH, FROM, "t"),
                new EmissionFactor(EnergyCarrier.ELECTRICITY, "DE", EmissionBasis.MARKET, EmissionScope.SCOPE2, 0.05, EnergyUnit.KWH, FROM, "t"))) {
            log.add(TopicNames.EMISSION_FACTORS, f.getCarrier() + "/DE/" + f.getBasis(), f, FROM.toEpochMilli());
        }
        state(log, "s0", "05:30", MachineState.IDLE, null);
        state(log, "s1", "06:00", MachineState.RUNNING, null);
        count(log, "c1", "06:10", 10, 1, 0);
        state(log, "s2", "06:30", MachineState.FAULT, "JAM");
        state(log, "s3", "06:40", MachineState.RUNNING, null);
        count(log, "c2", "06:45", 5, 0, 1);
        state(log, "s4", "06:50", MachineState.PLANNED_STOP, "PM");
        state(log, "s5", "07:00", MachineState.RUNNING, null);
        state(log, "s5", "07:00", MachineState.RUNNING, null); // a duplicate: ignored
        inspection(log, "i1", "06:05", "U1", InspectionResult.REWORK, "POROSITY");
        inspection(log, "i2", "06:10", null, InspectionResult.SCRAP);
        inspection(log, "i3", "06:15", "U2", InspectionResult.PASS);
        inspection(log, "i4", "06:20", "U1", InspectionResult.PASS);
        inspection(log, "i5", "06:25", "U3", InspectionResult.SCRAP, "CRACK", "CRACK", "POROSITY");
        batch(log, "b1s", "B1", "06:00", BatchEventType.STARTED, null, null, List.of(new MaterialCharge("M", 1000.0, 0.5, 0.0)));
        energy(log, "e1", "05:30", "06:30", 100);
        energy(log, "e2", "07:30", "08:30", 100);
        batch(log, "b1c", "B1", "08:00", BatchEventType.COMPLETED, 1000.0, 1100.0, List.of());
        batch(log, "b2s", "B2", "09:00", BatchEventType.STARTED, null, null, List.of());
        energy(log, "e3", "09:00", "10:00", 40);
        batch(log, "b2c", "B2", "10:00", BatchEventType.COMPLETED, 500.0, 500.0, List.of());
        // moves both line clocks to 08:00: the 06:00 hour is final (08:00 >= 07:00 + 5 min)
        count(log, "c3", "08:00", 0, 0, 0);
        inspection(log, "i6", "08:00", null, InspectionResult.PASS);
        // a late count (its hour is final) and a late inspection: left out
        count(log, "late-c", "06:20", 100, 0, 0);
        inspection(log, "late-i", "06:20", null, InspectionResult.SCRAP);
        return log;
    }

    @Test
    @DisplayName("OEE of a hand-worked hour: 40 min running, a 10-min fault, 10 min planned stop, 15 made (1 scrap, 1 rework) at 60 s ideal")
    void oeeHour() {
        Oracle oracle = Oracle.of(log(), Oracle.Settings.defaults());
        OeeWindow w = oracle.oee().get("L1/HOUR/2026-03-02T06:00:00Z");
        assertThat(w.getPotMs()).isEqualTo(3_600_000L);
        assertThat(w.getPdotMs()).isEqualTo(600_000L);
        assertThat(w.getPbtMs()).isEqualTo(3_000_000L);
        assertThat(w.getAptMs()).isEqualTo(2_400_000L);
        assertThat(w.getAdetMs()).isEqualTo(600_000L);
        assertThat(w.getUnknownMs()).isZero();
        assertThat(w.getProducedQuantity()).isEqualTo(15.0);
        assertThat(w.getGoodQuantity()).isEqualTo(13.0);
        assertThat(w.getIdealTimeMs()).isEqualTo(900_000.0);
        assertThat(w.getAvailability()).isEqualTo(0.8);
        assertThat(w.getEffectiveness()).isEqualTo(0.375);
        assertThat(w.getQuality()).isCloseTo(13.0 / 15, within(1e-12));
        assertThat(w.getOee()).isCloseTo(0.26, within(1e-12));
        assertThat(w.getFailures()).isEqualTo(1);
        assertThat(w.getMttrMs()).isEqualTo(600_000.0);
        assertThat(w.getMtbfMs()).isEqualTo(2_400_000.0);
        assertThat(w.getStopReasons()).isEqualTo(Map.of("JAM", 600_000L, "PM", 600_000L));
        // before the shift: 30 min unknown, then IDLE outside the calendar (not POT), so no availability
        OeeWindow before = oracle.oee().get("L1/HOUR/2026-03-02T05:00:00Z");
        assertThat(before.getUnknownMs()).isEqualTo(1_800_000L);
        assertThat(before.getPotMs()).isZero();
        assertThat(before.getAvailability()).isNull();
        // the 07:00 hour is not final (the clock 08:00 is short of 08:00 + 5 min): only 05:00 and 06:00 are
        assertThat(oracle.oee().keySet()).filteredOn(k -> k.contains("/HOUR/")).containsExactly(
                "L1/HOUR/2026-03-02T05:00:00Z", "L1/HOUR/2026-03-02T06:00:00Z");
        assertThat(oracle.lateOee()).isEqualTo(1);
        assertThat(oracle.duplicates()).isEqualTo(1);
    }

    @Test
    @DisplayName("Quality of a hand-worked hour: 5 inspected, Pareto POROSITY 2, CRACK 1, UNSPECIFIED 1, first pass yield 1 of 4 units")
    void qualityHour() {
        Oracle oracle = Oracle.of(log(), Oracle.Settings.defaults());
        QualityWindow w = oracle.quality().get("L1/HOUR/2026-03-02T06:00:00Z");
        assertThat(w.getInspected()).isEqualTo(5.0);
        assertThat(w.getPassed()).isEqualTo(2.0);
        assertThat(w.getRework()).isEqualTo(1.0);
        assertThat(w.getScrap()).isEqualTo(2.0);
        assertThat(w.getDefectRate()).isEqualTo(0.6);
        assertThat(w.getDefects()).containsExactly(new DefectCount("POROSITY", 2.0), new DefectCount("CRACK", 1.0),
                new DefectCount("UNSPECIFIED", 1.0));
        assertThat(w.getFirstInspectedUnits()).isEqualTo(4.0);
        assertThat(w.getFirstPassUnits()).isEqualTo(1.0);
        assertThat(w.getFirstPassYield()).isEqualTo(0.25);
        assertThat(oracle.quality()).containsKey("L1/HOUR/2026-03-02T06:00:00Z/P");
        assertThat(oracle.lateQuality()).isEqualTo(1);
    }

    @Test
    @DisplayName("Footprints: idle energy before a batch and after it goes to the batch starting next; 150 kWh and 500 kg upstream for B1, 90 kWh for B2")
    void footprints() {
        Oracle oracle = Oracle.of(log(), Oracle.Settings.defaults());
        BatchFootprint b1 = oracle.footprints().get("B1");
        assertThat(b1.getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(150.0, within(1e-9));
        assertThat(b1.getScope2LocationKgCo2e()).isCloseTo(60.0, within(1e-9));
        assertThat(b1.getScope2MarketKgCo2e()).isCloseTo(7.5, within(1e-9));
        assertThat(b1.getScope3UpstreamKgCo2e()).isEqualTo(500.0);
        assertThat(b1.getTotalMarketKgCo2e()).isCloseTo(507.5, within(1e-9));
        assertThat(b1.getIntensityLocationKgCo2ePerTonne()).isCloseTo(560.0, within(1e-9));
        assertThat(b1.getIntensityPerTonneTotalOutput()).isCloseTo(507.5 / 1.1, within(1e-9));
        assertThat(b1.getPrimaryDataShare()).isCloseTo(100 * 7.5 / 507.5, within(1e-9));
        BatchFootprint b2 = oracle.footprints().get("B2");
        assertThat(b2.getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(90.0, within(1e-9));
        assertThat(b2.getIntensityKgCo2ePerTonne()).isCloseTo(9.0, within(1e-9));
        assertThat(b2.getPrimaryDataShare()).isCloseTo(100.0, within(1e-9));
        assertThat(oracle.surelyFinalFootprints()).containsExactly("B1");
    }

    @Test
    @DisplayName("Line energy: readings split by time over hours (50 kWh each side of 06:00), 13 good in the 06:00 hour, a count in a final hour is late")
    void lineEnergy() {
        Oracle oracle = Oracle.of(log(), Oracle.Settings.defaults());
        // e3 (09:00-10:00) moves the line-energy clock to 10:00: hours up to 09:00 are final, and c3 (08:00) is late
        // there although OEE, whose clock only counts and states move, still takes it; late-c (06:20) is late too
        assertThat(oracle.lineEnergy().keySet()).containsExactly("L1/HOUR/2026-03-02T05:00:00Z", "L1/HOUR/2026-03-02T06:00:00Z",
                "L1/HOUR/2026-03-02T07:00:00Z", "L1/HOUR/2026-03-02T08:00:00Z");
        assertThat(oracle.lateLineEnergy()).isEqualTo(2);
        LineEnergyWindow five = oracle.lineEnergy().get("L1/HOUR/2026-03-02T05:00:00Z");
        assertThat(five.getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(50.0, within(1e-9));
        assertThat(five.getGoodQuantity()).isNull();
        assertThat(five.getKgCo2ePerGoodUnit()).isNull();
        LineEnergyWindow six = oracle.lineEnergy().get("L1/HOUR/2026-03-02T06:00:00Z");
        assertThat(six.getElectricityKwh()).isCloseTo(50.0, within(1e-9));
        assertThat(six.getKgCo2eLocation()).isCloseTo(20.0, within(1e-9));
        assertThat(six.getKgCo2eMarket()).isCloseTo(2.5, within(1e-9));
        assertThat(six.getGoodQuantity()).isEqualTo(13.0);
        assertThat(six.getKgCo2ePerGoodUnit()).isCloseTo(2.5 / 13, within(1e-12));
        assertThat(six.getKwhPerGoodUnit()).isCloseTo(50.0 / 13, within(1e-12));
        assertThat(oracle.lineEnergy().get("L1/HOUR/2026-03-02T08:00:00Z").getGoodQuantity()).isNull();
        assertThat(oracle.alerts()).isEmpty(); // no OEE target, and far fewer than 20 hours of history
    }

    @Test
    @DisplayName("Alerts: p-chart over 20 preceding hours at 5 %: 12 of 100 fires (limit 11.54 %), 11 of 100 does not; OEE 0.62 below a 0.85 target fires")
    void alerts() {
        EventLog log = new EventLog();
        log.add(TopicNames.LINE_CONFIG, LINE, LineConfig.newBuilder().setLineId(LINE).setSiteId("S1").setAreaId("A1").setName("line 1")
                .setTimezone("UTC").setShifts(List.of()).setProducts(List.of()).setMicroStopThresholdMs(120_000L).setOeeTarget(0.85)
                .setGridRegion("DE").setValidFrom(FROM).build(), FROM.toEpochMilli());
        Map<String, QualityWindow> quality = new java.util.TreeMap<>();
        Instant h0 = at("00:00");
        for (int h = 0; h < 22; h++) {
            double defective = h == 20 ? 12 : h == 21 ? 11 : 5;
            Instant start = h0.plusSeconds(3600L * h);
            QualityWindow w = QualityWindow.newBuilder().setLineId(LINE).setProductId(null).setGranularity(Granularity.HOUR)
                    .setShiftName(null).setWindowStart(start).setWindowEnd(start.plusSeconds(3600)).setInspected(100).setPassed(100 - defective)
                    .setRework(0).setScrap(defective).setDefectRate(defective / 100).setScrapRate(defective / 100).setReworkRate(0.0)
                    .setDefects(List.of()).setFirstInspectedUnits(100).setFirstPassUnits(100 - defective)
                    .setFirstPassYield((100 - defective) / 100).setFinal$(true).setRevision(1).build();
            quality.put(io.greenline.schemas.WindowKey.of(LINE, Granularity.HOUR, start).format(), w);
        }
        Map<String, OeeWindow> oee = new java.util.TreeMap<>();
        for (double value : new double[] {0.62, 0.9}) {
            Instant start = value < 0.85 ? at("06:00") : at("07:00");
            oee.put(io.greenline.schemas.WindowKey.of(LINE, Granularity.HOUR, start).format(), OeeWindow.newBuilder(
                    Oracle.of(log(), Oracle.Settings.defaults()).oee().get("L1/HOUR/2026-03-02T06:00:00Z"))
                    .setWindowStart(start).setWindowEnd(start.plusSeconds(3600)).setOee(value).build());
        }
        Map<String, io.greenline.events.Alert> alerts = ReferenceAlerts.compute(oee, quality, new ReferenceData(log));
        assertThat(alerts.keySet()).containsExactly("OEE_BELOW_TARGET/L1/HOUR/2026-03-02T06:00:00Z", "SPC_DEFECT_RATE/L1/HOUR/2026-03-02T20:00:00Z");
        io.greenline.events.Alert spc = alerts.get("SPC_DEFECT_RATE/L1/HOUR/2026-03-02T20:00:00Z");
        assertThat(spc.getValue()).isEqualTo(0.12);
        assertThat(spc.getLimit()).isCloseTo(0.05 + 3 * Math.sqrt(0.05 * 0.95 / 100), within(1e-12)).isCloseTo(0.1154, within(1e-4));
        io.greenline.events.Alert low = alerts.get("OEE_BELOW_TARGET/L1/HOUR/2026-03-02T06:00:00Z");
        assertThat(low.getValue()).isEqualTo(0.62);
        assertThat(low.getLimit()).isEqualTo(0.85);
        assertThat(low.getWindowEnd()).isEqualTo(at("07:00"));
    }

    @Test
    @DisplayName("The comparison can fail: a published window or footprint that differs, is missing or repeats is counted")
    void checkCountsDifferences() {
        Oracle oracle = Oracle.of(log(), Oracle.Settings.defaults());
        List<OutputCheck.Published<OeeWindow>> oee = new java.util.ArrayList<>();
        oracle.oee().forEach((k, v) -> oee.add(new OutputCheck.Published<>(k, v)));
        OeeWindow wrong = OeeWindow.newBuilder(oee.get(0).value()).setAptMs(oee.get(0).value().getAptMs() + 1).build();
        oee.set(0, new OutputCheck.Published<>(oee.get(0).key(), wrong));
        oee.remove(1);
        List<OutputCheck.Published<QualityWindow>> quality = new java.util.ArrayList<>();
        oracle.quality().forEach((k, v) -> quality.add(new OutputCheck.Published<>(k, v)));
        quality.add(quality.get(0));
        List<OutputCheck.Published<BatchFootprint>> footprints = new java.util.ArrayList<>();
        oracle.footprints().forEach((k, v) -> footprints.add(new OutputCheck.Published<>(k, v)));
        List<OutputCheck.Published<LineEnergyWindow>> energy = new java.util.ArrayList<>();
        oracle.lineEnergy().forEach((k, v) -> energy.add(new OutputCheck.Published<>(k, v)));
        // a long reading republished a final window with a higher revision: not a duplicate, the last one counts
        LineEnergyWindow first = energy.get(0).value();
        energy.add(0, new OutputCheck.Published<>(energy.get(0).key(), LineEnergyWindow.newBuilder(first)
                .setElectricityKwh(first.getElectricityKwh() / 2).setRevision(first.getRevision() - 1).build()));
        OutputCheck check = OutputCheck.of(oracle, oee, quality, footprints, energy, List.of());
        assertThat(check.mismatched).isEqualTo(1);
        assertThat(check.lost).isEqualTo(1);
        assertThat(check.duplicated).isEqualTo(1);
        energy.add(energy.get(1));
        energy.set(2, new OutputCheck.Published<>(energy.get(2).key(), LineEnergyWindow.newBuilder(energy.get(2).value())
                .setGoodQuantity(7.0).build()));
        OutputCheck energyCheck = OutputCheck.of(oracle, oee, quality, footprints, energy, List.of());
        assertThat(energyCheck.byTopic.get("mfg.line-energy")).containsExactly(4, 6, 0, 1, 1);
        assertThat(OutputCheck.of(oracle, oee.subList(0, 0), quality.subList(0, 0), footprints.subList(0, 0), List.of(), List.of()).lost)
                .isEqualTo(oracle.oee().size() + oracle.quality().size() + oracle.footprints().size() + oracle.lineEnergy().size());
    }

    static void state(EventLog log, String id, String hhmm, MachineState s, String reason) {
        log.add(TopicNames.MACHINE_STATE, LINE, new MachineStateChanged(id, LINE, "cell", at(hhmm), s, reason), at(hhmm).toEpochMilli());
    }

    static void count(EventLog log, String id, String hhmm, double q, double scrap, double rework) {
        log.add(TopicNames.PRODUCTION_COUNT, LINE, new ProductionCounted(id, LINE, "cell", "P", at(hhmm), q, scrap, rework, null),
                at(hhmm).toEpochMilli());
    }

    static void inspection(EventLog log, String id, String hhmm, String unit, InspectionResult result, String... codes) {
        log.add(TopicNames.INSPECTION, LINE, new InspectionRecorded(id, LINE, "st", "P", at(hhmm), unit, null, result, List.of(codes), 1.0),
                at(hhmm).toEpochMilli());
    }

    static void energy(EventLog log, String id, String from, String to, double kwh) {
        log.add(TopicNames.ENERGY, LINE, new EnergyMetered(id, "m1", "S1", LINE, EnergyCarrier.ELECTRICITY, at(from), at(to), kwh, EnergyUnit.KWH),
                at(to).toEpochMilli());
    }

    static void batch(EventLog log, String id, String batchId, String hhmm, BatchEventType type, Double good, Double total,
            List<MaterialCharge> materials) {
        BatchEvent e = BatchEvent.newBuilder().setEventId(id).setBatchId(batchId).setLineId(LINE).setProductId("P").setTimestamp(at(hhmm))
                .setEventType(type).setMaterials(materials).setOutputGoodMassKg(good).setOutputTotalMassKg(total).build();
        log.add(TopicNames.BATCH, LINE, e, at(hhmm).toEpochMilli());
    }
}

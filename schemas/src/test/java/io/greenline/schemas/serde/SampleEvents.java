package io.greenline.schemas.serde;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchEventType;
import io.greenline.events.DayOfWeek;
import io.greenline.events.EmissionBasis;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EmissionScope;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyMetered;
import io.greenline.events.EnergyUnit;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.InspectionResult;
import io.greenline.events.LineConfig;
import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.MaterialCharge;
import io.greenline.events.ProductRate;
import io.greenline.events.ProductionCounted;
import io.greenline.events.Shift;
import java.time.Instant;
import java.util.List;

/** One event of every input type, with nullable fields both set and unset, for serde tests. */
public final class SampleEvents {

    public static final Instant T0 = Instant.parse("2026-03-02T06:00:00Z");

    public static final MachineStateChanged FAULT = MachineStateChanged.newBuilder()
            .setEventId("ms-1").setLineId("drum-line-1").setWorkcellId("lathe-2").setTimestamp(T0)
            .setState(MachineState.FAULT).setReasonCode("SPINDLE_OVERLOAD").build();

    public static final MachineStateChanged RUNNING = MachineStateChanged.newBuilder()
            .setEventId("ms-2").setLineId("drum-line-1").setWorkcellId("lathe-2").setTimestamp(T0.plusSeconds(300))
            .setState(MachineState.RUNNING).setReasonCode(null).build();

    public static final ProductionCounted COUNT = ProductionCounted.newBuilder()
            .setEventId("pc-1").setLineId("drum-line-1").setWorkcellId("lathe-2").setProductId("drum-70kg")
            .setTimestamp(T0.plusSeconds(60)).setQuantity(12.0).setScrapQuantity(1.0).setReworkQuantity(0.5)
            .setBatchId(null).build();

    public static final InspectionRecorded INSPECTION = InspectionRecorded.newBuilder()
            .setEventId("in-1").setLineId("drum-line-1").setStationId("cmm-1").setProductId("drum-70kg")
            .setTimestamp(T0.plusSeconds(90)).setUnitId("SN-0001").setBatchId(null).setResult(InspectionResult.REWORK)
            .setDefectCodes(List.of("POROSITY", "OVAL")).setQuantity(1.0).build();

    public static final EnergyMetered ENERGY = EnergyMetered.newBuilder()
            .setEventId("en-1").setMeterId("m-17").setSiteId("site-a").setLineId(null).setCarrier(EnergyCarrier.NATURAL_GAS)
            .setPeriodStart(T0).setTimestamp(T0.plusSeconds(900)).setQuantity(42.5).setUnit(EnergyUnit.NM3).build();

    public static final BatchEvent BATCH = BatchEvent.newBuilder()
            .setEventId("b-1").setBatchId("lot-2026-0042").setLineId("pp-reactor-1").setProductId("bio-pp")
            .setTimestamp(T0).setEventType(BatchEventType.MATERIAL_CHARGED)
            .setMaterials(List.of(
                    new MaterialCharge("used-cooking-oil", 1_200_000.0, 0.35, 0.78),
                    new MaterialCharge("palm-residue", 300_000.0, 0.5, 0.8)))
            .setProcessCo2Kg(1250.0).setOutputGoodMassKg(null).setOutputTotalMassKg(null).setPieces(7L)
            .setProductBiogenicCarbonKgPerKg(0.82).build();

    public static final LineConfig LINE = LineConfig.newBuilder()
            .setLineId("drum-line-1").setSiteId("site-a").setAreaId("casting").setName("Brake drum line 1")
            .setTimezone("Europe/Berlin")
            .setShifts(List.of(new Shift("early", "06:00", "14:00", List.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY))))
            .setProducts(List.of(new ProductRate("drum-70kg", 95_000.0)))
            .setMicroStopThresholdMs(120_000L).setOeeTarget(0.85).setGridRegion("DE").setValidFrom(Instant.EPOCH).build();

    public static final EmissionFactor FACTOR = EmissionFactor.newBuilder()
            .setCarrier(EnergyCarrier.ELECTRICITY).setRegion("DE").setBasis(EmissionBasis.MARKET).setScope(EmissionScope.SCOPE2)
            .setKgCo2ePerUnit(0.38).setUnit(EnergyUnit.KWH).setValidFrom(Instant.parse("2026-01-01T00:00:00Z"))
            .setSource("supplier mix 2026").build();

    private SampleEvents() {
    }
}

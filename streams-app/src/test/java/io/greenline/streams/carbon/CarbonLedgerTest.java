package io.greenline.streams.carbon;

import static io.greenline.streams.carbon.CarbonFixtures.at;
import static io.greenline.streams.carbon.CarbonFixtures.factor;
import static io.greenline.streams.carbon.CarbonFixtures.material;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.greenline.events.BatchFootprint;
import io.greenline.events.CarbonBatchState;
import io.greenline.events.EmissionBasis;
import io.greenline.events.EnergyAllocation;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyUnit;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

public class CarbonLedgerTest {

    private static final double EPS = 1e-9;

    static EnergyAllocation part(String id, EnergyCarrier carrier, EnergyUnit unit, double q, Instant from, Instant to, String region) {
        return EnergyAllocation.newBuilder().setEventId(id).setMeterId("m-" + id).setLineId("L1").setRegion(region)
                .setCarrier(carrier).setUnit(unit).setQuantity(q).setPeriodStart(from).setPeriodEnd(to).setFactorAt(to).build();
    }

    /** The polyolefin batch of the topology test, as plain state. */
    static CarbonBatchState polyolefinState() {
        return CarbonBatchState.newBuilder().setBatchId("PO-1").setLineId("L1").setSiteId("S1").setProductId("PO-BIO")
                .setStartedAt(at("08:00")).setCompletedAt(at("12:00"))
                .setMaterials(List.of(material("WCO", 2000, 0.3, 0.77), material("NAPHTHA", 500, 0.6, 0), material("POME", 200, 0.5, 0.78)))
                .setProcessCo2Kg(50.0).setOutputGoodMassKg(2000.0).setOutputTotalMassKg(2200.0).setProductBiogenicCarbonKgPerKg(0.68)
                .build();
    }

    static List<EnergyAllocation> polyolefinEnergy() {
        return List.of(
                part("e1", EnergyCarrier.ELECTRICITY, EnergyUnit.KWH, 1000, at("08:00"), at("10:00"), "DE"),
                part("e2", EnergyCarrier.ELECTRICITY, EnergyUnit.KWH, 1000, at("10:00"), at("12:00"), "DE"),
                part("steam", EnergyCarrier.STEAM, EnergyUnit.TONNE, 2, at("08:00"), at("12:00"), "DE"),
                part("gas", EnergyCarrier.NATURAL_GAS, EnergyUnit.NM3, 100, at("08:00"), at("12:00"), "DE"));
    }

    public static BatchFootprint polyolefinFootprint() {
        return new CarbonLedger(new InMemoryFactors().add(CarbonFixtures.germanFactors()), "GLOBAL")
                .footprint(polyolefinState(), polyolefinEnergy());
    }

    @Test
    @DisplayName("The polyolefin ledger in plain Java: scopes, bases, totals, intensities, PACT values, primary data share")
    void polyolefinLedger() {
        BatchFootprint f = polyolefinFootprint();
        // scope 1: gas 100 x 2.0 + process 50 = 250; scope 2 LOCATION: 1000 x 0.380 + 1000 x 0.360 + 2 x 200 = 1140;
        // MARKET: 1000 x 0.05 x 2 + 400 (steam fallback) = 500; scope 3: 2000 x 0.3 + 500 x 0.6 + 200 x 0.5 = 1000
        assertThat(f.getScope1KgCo2e()).isCloseTo(250.0, within(EPS));
        assertThat(f.getScope2LocationKgCo2e()).isCloseTo(1140.0, within(EPS));
        assertThat(f.getScope2MarketKgCo2e()).isCloseTo(500.0, within(EPS));
        assertThat(f.getScope3UpstreamKgCo2e()).isCloseTo(1000.0, within(EPS));
        assertThat(f.getTotalLocationKgCo2e()).isCloseTo(2390.0, within(EPS));
        assertThat(f.getTotalMarketKgCo2e()).isCloseTo(1750.0, within(EPS));
        assertThat(f.getIntensityKgCo2ePerTonne()).isCloseTo(875.0, within(EPS));
        assertThat(f.getPcfExcludingBiogenicUptake()).isCloseTo(0.875, within(EPS));
        // -0.68 x 44 / 12 = -2.4933333333
        assertThat(f.getPcfIncludingBiogenicUptake()).isCloseTo(0.875 - 2.4933333333333333, within(EPS));
        assertThat(f.getPrimaryDataShare()).isCloseTo(42.857142857142854, within(EPS)); // 750 / 1750
        assertThat(f.getProductMassPerDeclaredUnitKg()).isCloseTo(1.0, within(EPS));
    }

    @Test
    @DisplayName("A factor per kWh prices a reading in MJ (1 kWh = 3.6 MJ); an unconvertible unit is a gap")
    void unitConversion() {
        CarbonLedger ledger = new CarbonLedger(new InMemoryFactors().add(List.of(
                factor(EnergyCarrier.NATURAL_GAS, "DE", EmissionBasis.DIRECT, 0.2, EnergyUnit.KWH, CarbonFixtures.FACTORS_FROM))), "GLOBAL");
        // 360 MJ = 100 kWh -> 100 x 0.2 = 20 kg
        CarbonLedger.Priced mj = ledger.price(part("mj", EnergyCarrier.NATURAL_GAS, EnergyUnit.MJ, 360, at("08:00"), at("09:00"), "DE"));
        assertThat(mj.scope1()).isCloseTo(20.0, within(EPS));
        CarbonLedger.Priced nm3 = ledger.price(part("nm3", EnergyCarrier.NATURAL_GAS, EnergyUnit.NM3, 10, at("08:00"), at("09:00"), "DE"));
        assertThat(nm3.scope1()).isZero();
        assertThat(nm3.gaps()).singleElement().satisfies(g -> assertThat(g.getReason()).contains("is per KWH, the reading is in NM3"));
    }

    @Test
    @DisplayName("A factor missing in the line's region is taken from the fallback region")
    void fallbackRegion() {
        CarbonLedger ledger = new CarbonLedger(new InMemoryFactors().add(List.of(
                factor(EnergyCarrier.DIESEL, "GLOBAL", EmissionBasis.DIRECT, 2.68, EnergyUnit.LITRE, CarbonFixtures.FACTORS_FROM))), "GLOBAL");
        CarbonLedger.Priced p = ledger.price(part("d", EnergyCarrier.DIESEL, EnergyUnit.LITRE, 10, at("08:00"), at("09:00"), "DE"));
        assertThat(p.scope1()).isCloseTo(26.8, within(EPS)); // 10 l x 2.68
        assertThat(p.factorVersions()).containsExactly("DIESEL/GLOBAL/DIRECT@2026-01-01T00:00:00Z");
    }

    @Test
    @DisplayName("A gap whose factor never existed cannot be estimated: primaryDataShare is 0, no claim is made")
    void unestimableGapZeroesShare() {
        CarbonLedger ledger = new CarbonLedger(new InMemoryFactors().add(CarbonFixtures.germanFactors()), "GLOBAL");
        CarbonBatchState s = polyolefinState();
        List<EnergyAllocation> energy = new java.util.ArrayList<>(polyolefinEnergy());
        energy.add(part("diesel", EnergyCarrier.DIESEL, EnergyUnit.LITRE, 10, at("08:00"), at("12:00"), "DE"));
        BatchFootprint f = ledger.footprint(s, energy);
        assertThat(f.getTotalMarketKgCo2e()).isCloseTo(1750.0, within(EPS));
        assertThat(f.getGaps()).singleElement().satisfies(g -> assertThat(g.getCarrier()).isEqualTo(EnergyCarrier.DIESEL));
        assertThat(f.getPrimaryDataShare()).isZero();
    }

    @Test
    @DisplayName("Without a measured biogenic carbon content the uptake is 0 and both PACT totals agree")
    void noBiogenicMeasurement() {
        CarbonBatchState s = polyolefinState();
        s.setProductBiogenicCarbonKgPerKg(null);
        BatchFootprint f = new CarbonLedger(new InMemoryFactors().add(CarbonFixtures.germanFactors()), "GLOBAL").footprint(s, polyolefinEnergy());
        assertThat(f.getBiogenicCo2UptakeKgCo2ePerKg()).isEqualTo(0.0);
        assertThat(f.getPcfIncludingBiogenicUptake()).isCloseTo(f.getPcfExcludingBiogenicUptake(), within(EPS));
    }
    @Test
    @DisplayName("The unallocated ledger sums its gaps per carrier, basis, unit and reason over their span; it never lists every unpriced part")
    void unallocatedGapsAreRunningTotals() {
        java.util.List<io.greenline.events.FootprintGap> gaps = new java.util.ArrayList<>();
        String noFactor = "no LOCATION factor valid for ELECTRICITY in DE";
        CarbonLedger.mergeGap(gaps, new io.greenline.events.FootprintGap(EnergyCarrier.ELECTRICITY, EmissionBasis.LOCATION,
                at("00:00"), at("01:00"), 10.0, EnergyUnit.KWH, noFactor));
        CarbonLedger.mergeGap(gaps, new io.greenline.events.FootprintGap(EnergyCarrier.ELECTRICITY, EmissionBasis.LOCATION,
                at("03:00"), at("04:00"), 5.0, EnergyUnit.KWH, noFactor));
        // another basis: a gap of its own
        CarbonLedger.mergeGap(gaps, new io.greenline.events.FootprintGap(EnergyCarrier.ELECTRICITY, EmissionBasis.MARKET,
                at("03:00"), at("04:00"), 5.0, EnergyUnit.KWH, "no MARKET factor"));
        // an earlier part of the first kind widens its span to the left
        CarbonLedger.mergeGap(gaps, new io.greenline.events.FootprintGap(EnergyCarrier.ELECTRICITY, EmissionBasis.LOCATION,
                at("00:00").minusSeconds(3600), at("00:00"), 2.5, EnergyUnit.KWH, noFactor));
        assertThat(gaps).hasSize(2);
        assertThat(gaps.get(0).getQuantity()).isCloseTo(17.5, within(EPS));
        assertThat(gaps.get(0).getPeriodStart()).isEqualTo(at("00:00").minusSeconds(3600));
        assertThat(gaps.get(0).getPeriodEnd()).isEqualTo(at("04:00"));
        assertThat(gaps.get(1).getBasis()).isEqualTo(EmissionBasis.MARKET);
        assertThat(gaps.get(1).getQuantity()).isCloseTo(5.0, within(EPS));
    }
}

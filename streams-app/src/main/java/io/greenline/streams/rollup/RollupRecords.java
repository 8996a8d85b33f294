package io.greenline.streams.rollup;

import static io.greenline.streams.rollup.RollupMeasures.get;
import static io.greenline.streams.rollup.RollupMeasures.ms;

import io.greenline.events.EnergyRollupWindow;
import io.greenline.events.Granularity;
import io.greenline.events.OeeRollupWindow;
import io.greenline.events.QualityRollupWindow;
import io.greenline.events.RollupAccumulator;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** Builds the published roll-up records from a window's sums. */
final class RollupRecords {

    /** Who contributed to a roll-up window and who is missing, in lineId order. */
    record Completeness(List<String> contributing, List<String> missing, String siteId) {
    }

    private RollupRecords() {
    }

    static SpecificRecord of(RollupAccumulator acc, Completeness lines) {
        return switch (RollupKind.valueOf(acc.getKind())) {
            case OEE -> oee(acc, lines);
            case QUALITY -> quality(acc, lines);
            case ENERGY -> energy(acc, lines);
        };
    }

    static OeeRollupWindow oee(RollupAccumulator acc, Completeness lines) {
        Map<String, Double> s = acc.getMeasures();
        RollupMeasures.OeeKpis k = RollupMeasures.oeeKpis(s);
        Id id = Id.of(acc.getRollupId(), lines.siteId());
        return OeeRollupWindow.newBuilder()
                .setRollupId(acc.getRollupId()).setLevel(id.level()).setSiteId(id.siteId()).setAreaId(id.areaId())
                .setGranularity(Granularity.valueOf(acc.getGranularity())).setShiftName(acc.getShiftName())
                .setWindowStart(Instant.ofEpochMilli(acc.getWindowStart())).setWindowEnd(Instant.ofEpochMilli(acc.getWindowEnd()))
                .setPotMs(ms(s, RollupMeasures.POT)).setPdotMs(ms(s, RollupMeasures.PDOT)).setPbtMs(ms(s, RollupMeasures.PBT))
                .setAptMs(ms(s, RollupMeasures.APT)).setAsutMs(ms(s, RollupMeasures.ASUT)).setAdetMs(ms(s, RollupMeasures.ADET))
                .setAdotMs(ms(s, RollupMeasures.ADOT)).setUnknownMs(ms(s, RollupMeasures.UNKNOWN))
                .setAuptMs(ms(s, RollupMeasures.AUPT)).setAubtMs(ms(s, RollupMeasures.AUBT))
                .setProducedQuantity(get(s, RollupMeasures.PRODUCED)).setGoodQuantity(get(s, RollupMeasures.GOOD))
                .setScrapQuantity(get(s, RollupMeasures.SCRAP)).setReworkQuantity(get(s, RollupMeasures.REWORK))
                .setIdealTimeMs(get(s, RollupMeasures.IDEAL)).setGoodIdealTimeMs(get(s, RollupMeasures.GOOD_IDEAL))
                .setAvailability(k.availability()).setEffectiveness(k.effectiveness()).setQuality(k.quality())
                .setOee(k.oee()).setNee(k.nee())
                .setFailures(get(s, RollupMeasures.FAILURES)).setFailureDurationMs(get(s, RollupMeasures.FAILURE_MS))
                .setMtbfMs(k.mtbfMs()).setMttrMs(k.mttrMs())
                .setStopReasons(RollupMeasures.stopReasons(s))
                .setLines(lines.contributing().size()).setContributingLines(lines.contributing()).setLinesMissing(lines.missing())
                .setFinal$(true).setRevision(acc.getRevision())
                .build();
    }

    static QualityRollupWindow quality(RollupAccumulator acc, Completeness lines) {
        Map<String, Double> s = acc.getMeasures();
        Id id = Id.of(acc.getRollupId(), lines.siteId());
        double inspected = get(s, RollupMeasures.INSPECTED);
        double rework = get(s, RollupMeasures.Q_REWORK);
        double scrap = get(s, RollupMeasures.Q_SCRAP);
        return QualityRollupWindow.newBuilder()
                .setRollupId(acc.getRollupId()).setLevel(id.level()).setSiteId(id.siteId()).setAreaId(id.areaId())
                .setGranularity(Granularity.valueOf(acc.getGranularity())).setShiftName(acc.getShiftName())
                .setWindowStart(Instant.ofEpochMilli(acc.getWindowStart())).setWindowEnd(Instant.ofEpochMilli(acc.getWindowEnd()))
                .setInspected(inspected).setPassed(get(s, RollupMeasures.PASSED)).setRework(rework).setScrap(scrap)
                .setDefectRate(RollupMeasures.ratio(rework + scrap, inspected))
                .setScrapRate(RollupMeasures.ratio(scrap, inspected))
                .setReworkRate(RollupMeasures.ratio(rework, inspected))
                .setDefects(RollupMeasures.defects(s))
                .setFirstInspectedUnits(get(s, RollupMeasures.FIRST_INSPECTED)).setFirstPassUnits(get(s, RollupMeasures.FIRST_PASS))
                .setFirstPassYield(RollupMeasures.ratio(get(s, RollupMeasures.FIRST_PASS), get(s, RollupMeasures.FIRST_INSPECTED)))
                .setLines(lines.contributing().size()).setContributingLines(lines.contributing()).setLinesMissing(lines.missing())
                .setFinal$(true).setRevision(acc.getRevision())
                .build();
    }

    static EnergyRollupWindow energy(RollupAccumulator acc, Completeness lines) {
        Map<String, Double> s = acc.getMeasures();
        Id id = Id.of(acc.getRollupId(), lines.siteId());
        Double good = get(s, RollupMeasures.GOOD_UNKNOWN) > RollupMeasures.EPSILON ? null : get(s, RollupMeasures.GOOD);
        double market = get(s, RollupMeasures.KG_MARKET);
        double kwh = get(s, RollupMeasures.ELECTRICITY_KWH);
        EnergyRollupWindow out = EnergyRollupWindow.newBuilder()
                .setRollupId(acc.getRollupId()).setLevel(id.level()).setSiteId(id.siteId()).setAreaId(id.areaId())
                .setGranularity(Granularity.valueOf(acc.getGranularity())).setShiftName(acc.getShiftName())
                .setWindowStart(Instant.ofEpochMilli(acc.getWindowStart())).setWindowEnd(Instant.ofEpochMilli(acc.getWindowEnd()))
                .setEnergy(RollupMeasures.energy(s)).setElectricityKwh(kwh)
                .setKgCo2eLocation(get(s, RollupMeasures.KG_LOCATION)).setKgCo2eMarket(market)
                .setGoodQuantity(good)
                .setKgCo2ePerGoodUnit(good == null ? null : RollupMeasures.ratio(market, good))
                .setKwhPerGoodUnit(good == null ? null : RollupMeasures.ratio(kwh, good))
                .setLines(lines.contributing().size()).setContributingLines(lines.contributing()).setLinesMissing(lines.missing())
                .setFinal$(true).setRevision(acc.getRevision())
                .setFootprints(0)
                .build();
        if ("SITE".equals(id.level()) && acc.getGranularity().equals(Granularity.DAY.name())) {
            perTonne(out, s);
        }
        return out;
    }

    /**
     * A site DAY's intensity per tonne of good output ({@link RollupFootprints}): the final footprints' good mass
     * attributed to the day, the lines' energy and emissions of the day over it; null without good output or when a
     * footprint's mass is unknown.
     */
    private static void perTonne(EnergyRollupWindow out, Map<String, Double> s) {
        out.setFootprints((int) Math.round(get(s, RollupMeasures.FP_COUNT)));
        out.setFootprintKgCo2eMarket(get(s, RollupMeasures.FP_KG_MARKET));
        if (get(s, RollupMeasures.FP_MASS_UNKNOWN) > RollupMeasures.EPSILON) {
            return;
        }
        double massKg = get(s, RollupMeasures.FP_MASS);
        out.setGoodOutputMassKg(massKg);
        double tonnes = massKg / 1000;
        out.setKgCo2ePerTonneGoodOutput(RollupMeasures.ratio(out.getKgCo2eMarket(), tonnes));
        out.setKwhPerTonneGoodOutput(RollupMeasures.ratio(out.getElectricityKwh(), tonnes));
        out.setFootprintKgCo2ePerTonneGoodOutput(RollupMeasures.ratio(out.getFootprintKgCo2eMarket(), tonnes));
    }

    /** A roll-up id: {@code area:<areaId>} (its site comes from its lines' configs) or {@code site:<siteId>}. */
    record Id(String level, String siteId, String areaId) {
        static Id of(String rollupId, String siteOfArea) {
            if (rollupId.startsWith(RollupIds.AREA)) {
                return new Id("AREA", siteOfArea, rollupId.substring(RollupIds.AREA.length()));
            }
            return new Id("SITE", rollupId.substring(RollupIds.SITE.length()), null);
        }
    }
}

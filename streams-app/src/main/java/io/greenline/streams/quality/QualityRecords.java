package io.greenline.streams.quality;

import io.greenline.events.Alert;
import io.greenline.events.AlertType;
import io.greenline.events.DefectCount;
import io.greenline.events.Granularity;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.QualityWindow;
import io.greenline.schemas.WindowKey;
import io.greenline.streams.errors.BadRecordException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Translation between the Avro records of the quality topology and its plain-Java domain. */
final class QualityRecords {

    private QualityRecords() {
    }

    static QualityCounts.Result result(InspectionRecorded inspection) {
        if (inspection.getResult() == null) {
            throw BadRecordException.invalid("inspection " + inspection.getEventId() + " has no result");
        }
        return switch (inspection.getResult()) {
            case PASS -> QualityCounts.Result.PASS;
            case REWORK -> QualityCounts.Result.REWORK;
            case SCRAP -> QualityCounts.Result.SCRAP;
        };
    }

    static QualityCounts counts(QualityWindow w) {
        if (w == null) {
            return QualityCounts.EMPTY;
        }
        Map<String, Double> defects = new TreeMap<>();
        w.getDefects().forEach(d -> defects.put(d.getCode(), d.getCount()));
        return new QualityCounts(w.getInspected(), w.getPassed(), w.getRework(), w.getScrap(), defects,
                w.getFirstInspectedUnits(), w.getFirstPassUnits());
    }

    /** The window record for {@code counts}, not final. */
    static QualityWindow window(WindowKey key, String shiftName, Instant end, QualityCounts c, int revision) {
        List<DefectCount> pareto = new ArrayList<>();
        c.pareto().forEach(bar -> pareto.add(new DefectCount(bar.code(), bar.count())));
        return QualityWindow.newBuilder()
                .setLineId(key.lineId())
                .setProductId(key.productId())
                .setGranularity(key.granularity())
                .setShiftName(shiftName)
                .setWindowStart(key.windowStart())
                .setWindowEnd(end)
                .setInspected(c.inspected())
                .setPassed(c.passed())
                .setRework(c.rework())
                .setScrap(c.scrap())
                .setDefectRate(c.defectRate())
                .setScrapRate(c.scrapRate())
                .setReworkRate(c.reworkRate())
                .setDefects(pareto)
                .setFirstInspectedUnits(c.firstInspectedUnits())
                .setFirstPassUnits(c.firstPassUnits())
                .setFirstPassYield(c.firstPassYield())
                .setFinal$(false)
                .setRevision(revision)
                .build();
    }

    /** Deterministic alert id: {@code TYPE/lineId/GRANULARITY/windowStart[/productId]}. */
    static String alertId(AlertType type, WindowKey window) {
        return type.name() + WindowKey.SEPARATOR + window.format();
    }

    static Alert spcAlert(QualityWindow w, PChart.Verdict v) {
        WindowKey key = new WindowKey(w.getLineId(), w.getGranularity(), w.getWindowStart(), w.getProductId());
        String message = String.format(Locale.ROOT,
                "Line %s: defect rate %.2f%% in the %s window [%s, %s) is above the p-chart limit %.2f%% "
                        + "(p-bar %.2f%% over the %d preceding windows, n = %s inspected)",
                w.getLineId(), 100 * v.defectRate(), label(w.getGranularity(), w.getShiftName()), w.getWindowStart(),
                w.getWindowEnd(), 100 * v.upperLimit(), 100 * v.pBar(), v.historyWindows(), number(w.getInspected()));
        return Alert.newBuilder()
                .setAlertId(alertId(AlertType.SPC_DEFECT_RATE, key))
                .setType(AlertType.SPC_DEFECT_RATE)
                .setLineId(w.getLineId())
                .setProductId(w.getProductId())
                .setGranularity(w.getGranularity())
                .setWindowStart(w.getWindowStart())
                .setWindowEnd(w.getWindowEnd())
                .setValue(v.defectRate())
                .setLimit(v.upperLimit())
                .setMessage(message)
                .build();
    }

    static Alert oeeAlert(String lineId, Granularity granularity, String shiftName, Instant start, Instant end,
                          double oee, double target) {
        WindowKey key = WindowKey.of(lineId, granularity, start);
        String message = String.format(Locale.ROOT, "Line %s: OEE %.1f%% in the %s window [%s, %s) is below the target %.1f%%",
                lineId, 100 * oee, label(granularity, shiftName), start, end, 100 * target);
        return Alert.newBuilder()
                .setAlertId(alertId(AlertType.OEE_BELOW_TARGET, key))
                .setType(AlertType.OEE_BELOW_TARGET)
                .setLineId(lineId)
                .setProductId(null)
                .setGranularity(granularity)
                .setWindowStart(start)
                .setWindowEnd(end)
                .setValue(oee)
                .setLimit(target)
                .setMessage(message)
                .build();
    }

    private static String label(Granularity g, String shiftName) {
        return shiftName == null ? g.name() : g.name() + " '" + shiftName + "'";
    }

    private static String number(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}

package io.greenline.it.faults;

import io.greenline.events.Alert;
import io.greenline.events.AlertType;
import io.greenline.events.Granularity;
import io.greenline.events.LineConfig;
import io.greenline.events.OeeWindow;
import io.greenline.events.QualityWindow;
import io.greenline.schemas.WindowKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The expected {@code mfg.alerts} of a log, from the oracle's own final windows (docs/quality.md "Alerts",
 * docs/design.md section 5). Both kinds follow from final windows alone, so they are as deterministic as the
 * windows:
 * <ul>
 *   <li>SPC_DEFECT_RATE: each final line-level HOUR quality window, judged against the line's preceding final HOUR
 *       windows that inspected anything (at most 24, at least 20, the window itself excluded): p-bar = sum of
 *       (rework + scrap) / sum of inspected, limit = p-bar + 3 sqrt(p-bar (1 - p-bar) / n); an alert when the
 *       window's defect rate is strictly above the limit. Windows become final in time order on a line, so the
 *       history of a window is exactly the final windows before it.</li>
 *   <li>OEE_BELOW_TARGET: each final OEE window (HOUR, SHIFT, DAY) whose oee is below the {@code oeeTarget} of the
 *       line config valid at the window's start.</li>
 * </ul>
 * Keyed by the alert id ({@code TYPE/WindowKey}). The message is prose and not compared. Shares no code with
 * {@code io.greenline.streams}.
 */
final class ReferenceAlerts {

    static final int SPC_WINDOWS = 24;
    static final int SPC_MIN_WINDOWS = 20;

    private ReferenceAlerts() {
    }

    static Map<String, Alert> compute(Map<String, OeeWindow> oee, Map<String, QualityWindow> quality, ReferenceData ref) {
        Map<String, Alert> out = new TreeMap<>();
        Map<String, List<QualityWindow>> hoursByLine = new TreeMap<>();
        for (QualityWindow w : quality.values()) {
            if (w.getProductId() == null && w.getGranularity() == Granularity.HOUR) {
                hoursByLine.computeIfAbsent(w.getLineId(), k -> new ArrayList<>()).add(w);
            }
        }
        hoursByLine.forEach((lineId, hours) -> {
            hours.sort(Comparator.comparing(QualityWindow::getWindowStart));
            for (int i = 0; i < hours.size(); i++) {
                QualityWindow w = hours.get(i);
                if (w.getInspected() <= 0) {
                    continue;
                }
                double defective = 0;
                double inspected = 0;
                int used = 0;
                for (int j = i - 1; j >= 0 && used < SPC_WINDOWS; j--) {
                    QualityWindow before = hours.get(j);
                    if (before.getInspected() > 0) {
                        defective += before.getRework() + before.getScrap();
                        inspected += before.getInspected();
                        used++;
                    }
                }
                if (used < SPC_MIN_WINDOWS) {
                    continue;
                }
                double pBar = defective / inspected;
                double limit = pBar + 3 * Math.sqrt(pBar * (1 - pBar) / w.getInspected());
                double rate = (w.getRework() + w.getScrap()) / w.getInspected();
                if (rate > limit) {
                    WindowKey key = WindowKey.of(lineId, Granularity.HOUR, w.getWindowStart());
                    add(out, alert(AlertType.SPC_DEFECT_RATE, key, w.getWindowEnd(), rate, limit));
                }
            }
        });
        for (OeeWindow w : oee.values()) {
            LineConfig config = ref.configAsOf(w.getLineId(), w.getWindowStart().toEpochMilli());
            Double target = config == null ? null : config.getOeeTarget();
            if (target != null && w.getOee() != null && w.getOee() < target) {
                WindowKey key = WindowKey.of(w.getLineId(), w.getGranularity(), w.getWindowStart());
                add(out, alert(AlertType.OEE_BELOW_TARGET, key, w.getWindowEnd(), w.getOee(), target));
            }
        }
        return out;
    }

    private static void add(Map<String, Alert> out, Alert alert) {
        out.put(alert.getAlertId(), alert);
    }

    private static Alert alert(AlertType type, WindowKey key, java.time.Instant end, double value, double limit) {
        return Alert.newBuilder()
                .setAlertId(type.name() + "/" + key.format())
                .setType(type)
                .setLineId(key.lineId())
                .setProductId(null)
                .setGranularity(key.granularity())
                .setWindowStart(key.windowStart())
                .setWindowEnd(end)
                .setValue(value)
                .setLimit(limit)
                .setMessage("(not compared)")
                .build();
    }
}

package io.greenline.streams.quality;

import java.util.List;
import java.util.Optional;

/**
 * An SPC p-chart for the defect rate of one line (plain Java, no Kafka).
 *
 * <p>The centre line p-bar is the pooled defect rate of the line's preceding windows: sum of defective
 * (rework + scrap) over sum of inspected, over at most {@code windows} windows that inspected anything.
 * The window under test is NOT part of its own limits (limits come from history, as in Phase II
 * monitoring), so a spike cannot mask itself. The upper control limit for a window that inspected
 * {@code n} units is {@code p-bar + 3 sqrt(p-bar (1 - p-bar) / n)}; the window is out of control when its
 * defect rate is strictly above it. With fewer than {@code minWindows} windows of history there are no
 * limits yet and nothing is judged.
 */
public record PChart(int windows, int minWindows) {

    /** One past window: its defective and inspected quantities. */
    public record Sample(double defective, double inspected) {
    }

    /** The verdict on one window: its rate, the centre line, the limit, and whether it is above it. */
    public record Verdict(double defectRate, double pBar, double upperLimit, int historyWindows) {
        public boolean outOfControl() {
            return defectRate > upperLimit;
        }
    }

    public PChart {
        if (windows < 1 || minWindows < 1 || minWindows > windows) {
            throw new IllegalArgumentException("need 1 <= minWindows <= windows, got " + minWindows + " and " + windows);
        }
    }

    /**
     * Judges a window with {@code defective} of {@code inspected} units against {@code history} (its
     * preceding windows, newest first; only the first {@code windows} that inspected anything are used).
     * Empty when the window inspected nothing or the history is too short.
     */
    public Optional<Verdict> judge(double defective, double inspected, List<Sample> history) {
        if (inspected <= 0) {
            return Optional.empty();
        }
        double sumDefective = 0;
        double sumInspected = 0;
        int used = 0;
        for (Sample s : history) {
            if (used == windows) {
                break;
            }
            if (s.inspected() > 0) {
                sumDefective += s.defective();
                sumInspected += s.inspected();
                used++;
            }
        }
        if (used < minWindows) {
            return Optional.empty();
        }
        double pBar = sumDefective / sumInspected;
        double limit = upperLimit(pBar, inspected);
        return Optional.of(new Verdict(defective / inspected, pBar, limit, used));
    }

    /** p-bar + 3 sqrt(p-bar (1 - p-bar) / n). */
    public static double upperLimit(double pBar, double n) {
        return pBar + 3 * Math.sqrt(pBar * (1 - pBar) / n);
    }
}

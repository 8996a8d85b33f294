package io.greenline.streams.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.greenline.streams.quality.PChart.Sample;
import io.greenline.streams.quality.PChart.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PChartTest {

    private static final double EPS = 1e-9;
    private static final PChart CHART = new PChart(24, 12);

    private static List<Sample> history(int count, double defective, double inspected) {
        List<Sample> h = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            h.add(new Sample(defective, inspected));
        }
        return h;
    }

    @Test
    @DisplayName("The limit is p-bar + 3 sqrt(p-bar (1 - p-bar) / n) over the preceding windows; a spike above it is out of control")
    void spike() {
        // 24 windows of 5 defective in 100: p-bar = 120/2400 = 0.05
        // n = 100: sigma = sqrt(0.05 * 0.95 / 100) = sqrt(0.000475) = 0.021794494717703367
        // UCL = 0.05 + 3 * 0.021794494717703367 = 0.11538348415311010
        Verdict v = CHART.judge(15, 100, history(24, 5, 100)).orElseThrow();
        assertThat(v.pBar()).isCloseTo(0.05, within(EPS));
        assertThat(v.upperLimit()).isCloseTo(0.05 + 3 * Math.sqrt(0.000475), within(EPS));
        assertThat(v.upperLimit()).isCloseTo(0.1153834841531101, within(EPS));
        assertThat(v.defectRate()).isCloseTo(0.15, within(EPS));
        assertThat(v.outOfControl()).isTrue();
        // 11 of 100 = 0.11 < 0.11538...: normal variation
        assertThat(CHART.judge(11, 100, history(24, 5, 100)).orElseThrow().outOfControl()).isFalse();
    }

    @Test
    @DisplayName("Only the newest 24 windows that inspected anything make p-bar; empty windows are skipped")
    void onlyLast24() {
        // newest first: an empty window, then 24 windows of 2/100, then older ones of 50/100 that must be ignored
        List<Sample> h = new ArrayList<>();
        h.add(new Sample(0, 0));
        h.addAll(history(24, 2, 100));
        h.addAll(history(10, 50, 100));
        Verdict v = CHART.judge(2, 50, h).orElseThrow();
        // p-bar = 48/2400 = 0.02; n = 50: UCL = 0.02 + 3 sqrt(0.02*0.98/50) = 0.02 + 3 * sqrt(0.000392)
        assertThat(v.pBar()).isCloseTo(0.02, within(EPS));
        assertThat(v.historyWindows()).isEqualTo(24);
        assertThat(v.upperLimit()).isCloseTo(0.02 + 3 * 0.019798989873223332, within(EPS));
    }

    @Test
    @DisplayName("With fewer than the minimum windows of history, or nothing inspected, there is no verdict")
    void tooShort() {
        assertThat(CHART.judge(50, 100, history(11, 1, 100))).isEmpty();
        assertThat(CHART.judge(0, 0, history(24, 1, 100))).isEmpty();
        assertThat(CHART.judge(50, 100, history(12, 1, 100))).isPresent();
        assertThatThrownBy(() -> new PChart(24, 25)).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.greenline.streams.quality;

import static io.greenline.streams.quality.QualityCounts.Result.PASS;
import static io.greenline.streams.quality.QualityCounts.Result.REWORK;
import static io.greenline.streams.quality.QualityCounts.Result.SCRAP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.greenline.streams.quality.QualityCounts.DefectBar;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class QualityCountsTest {

    private static final double EPS = 1e-9;

    @Test
    @DisplayName("Rates divide rework and scrap quantities by the inspected quantity")
    void rates() {
        // 6 PASS + 2 REWORK (qty 1 each) + one SCRAP inspection of quantity 2:
        // inspected = 6 + 2 + 2 = 10, defective = 2 + 2 = 4
        // defectRate = 4/10 = 0.4, reworkRate = 2/10 = 0.2, scrapRate = 2/10 = 0.2
        QualityCounts c = QualityCounts.EMPTY;
        for (int i = 0; i < 6; i++) {
            c = c.plusInspection(PASS, 1, List.of());
        }
        c = c.plusInspection(REWORK, 1, List.of("POROSITY"))
                .plusInspection(REWORK, 1, List.of("POROSITY"))
                .plusInspection(SCRAP, 2, List.of("CRACK"));
        assertThat(c.inspected()).isCloseTo(10, within(EPS));
        assertThat(c.passed()).isCloseTo(6, within(EPS));
        assertThat(c.defectRate()).isCloseTo(0.4, within(EPS));
        assertThat(c.reworkRate()).isCloseTo(0.2, within(EPS));
        assertThat(c.scrapRate()).isCloseTo(0.2, within(EPS));
    }

    @Test
    @DisplayName("With nothing inspected every rate is null, never 0")
    void emptyRatesAreNull() {
        assertThat(QualityCounts.EMPTY.defectRate()).isNull();
        assertThat(QualityCounts.EMPTY.scrapRate()).isNull();
        assertThat(QualityCounts.EMPTY.reworkRate()).isNull();
        assertThat(QualityCounts.EMPTY.firstPassYield()).isNull();
        assertThat(QualityCounts.EMPTY.pareto()).isEmpty();
    }

    @Test
    @DisplayName("A unit with several codes counts once under each code, weighted by quantity; the Pareto is largest first, ties by code")
    void paretoOrder() {
        // u1 SCRAP [CRACK, POROSITY] qty 1 -> CRACK 1, POROSITY 1
        // u2 REWORK [POROSITY, POROSITY, BURR] qty 1 -> POROSITY 2, BURR 1 (a code repeated on one unit counts once)
        // lot SCRAP [BURR] qty 3 -> BURR 4
        // u3 REWORK [] -> UNSPECIFIED 1
        // Pareto: BURR 4, POROSITY 2, then CRACK 1 and UNSPECIFIED 1 tied -> by code: CRACK, UNSPECIFIED
        QualityCounts c = QualityCounts.EMPTY
                .plusInspection(SCRAP, 1, List.of("CRACK", "POROSITY"))
                .plusInspection(REWORK, 1, List.of("POROSITY", "POROSITY", "BURR"))
                .plusInspection(SCRAP, 3, List.of("BURR"))
                .plusInspection(REWORK, 1, List.of());
        assertThat(c.pareto()).containsExactly(
                new DefectBar("BURR", 4), new DefectBar("POROSITY", 2),
                new DefectBar("CRACK", 1), new DefectBar(QualityCounts.UNSPECIFIED, 1));
    }

    @Test
    @DisplayName("First pass yield is first-pass-good units over first-inspected units; a retraction takes a unit back")
    void firstPassYield() {
        // three first inspections: PASS 1, PASS 1, REWORK 1 -> 2/3; then the REWORK unit is taken back -> 2/2 = 1
        QualityCounts c = QualityCounts.EMPTY
                .plusFirstInspection(1, true).plusFirstInspection(1, true).plusFirstInspection(1, false);
        assertThat(c.firstPassYield()).isCloseTo(2.0 / 3.0, within(EPS));
        assertThat(c.plusFirstInspection(-1, false).firstPassYield()).isCloseTo(1.0, within(EPS));
    }
}

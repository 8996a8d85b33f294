package io.greenline.streams.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.greenline.events.Granularity;
import io.greenline.events.RollupContribution;
import io.greenline.streams.windows.Window;
import io.greenline.streams.windows.WindowCalendar;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The split of a final footprint over a site's days (docs/rollup.md, "Intensity per tonne"), worked by hand. */
class RollupFootprintsTest {

    private static final WindowCalendar BERLIN = WindowCalendar.twentyFourSeven(ZoneId.of("Europe/Berlin"));

    private static RollupContribution run(String from, String to, double goodKg, double kg) {
        return new RollupContribution(RollupFootprints.KIND, "site:plant", "L1", Instant.parse(from).toEpochMilli(),
                Instant.parse(to).toEpochMilli(), Map.of(RollupMeasures.FP_MASS, goodKg, RollupMeasures.FP_KG_MARKET, kg), "B1");
    }

    private static List<Window> days(RollupContribution c) {
        return BERLIN.windows(Granularity.DAY, Instant.ofEpochMilli(c.getWindowStart()), Instant.ofEpochMilli(c.getWindowEnd() + 1));
    }

    private static double part(Map<String, Double> parts, String dayStartUtc, String dayEndUtc, String measure) {
        String key = RollupProcessor.pad(Instant.parse(dayStartUtc).toEpochMilli()) + "/"
                + RollupProcessor.pad(Instant.parse(dayEndUtc).toEpochMilli()) + "/" + measure;
        assertThat(parts).containsKey(key);
        return parts.get(key);
    }

    @Test
    @DisplayName("a batch running 21:00-05:00 Berlin time (20:00-04:00 UTC, winter) puts 3/8 of its mass and kg in the first local day and 5/8 in the second")
    void splitByTimeOverLocalDays() {
        // Berlin midnight is 23:00 UTC: 20:00-23:00 UTC = 3 h in 2 March, 23:00-04:00 UTC = 5 h in 3 March
        RollupContribution b = run("2026-03-02T20:00:00Z", "2026-03-03T04:00:00Z", 8_000, 1_600);
        Map<String, Double> parts = RollupFootprints.parts(b, days(b));
        assertThat(part(parts, "2026-03-01T23:00:00Z", "2026-03-02T23:00:00Z", RollupMeasures.FP_MASS)).isCloseTo(3_000, within(1e-9));
        assertThat(part(parts, "2026-03-01T23:00:00Z", "2026-03-02T23:00:00Z", RollupMeasures.FP_KG_MARKET)).isCloseTo(600, within(1e-9));
        assertThat(part(parts, "2026-03-02T23:00:00Z", "2026-03-03T23:00:00Z", RollupMeasures.FP_MASS)).isCloseTo(5_000, within(1e-9));
        assertThat(part(parts, "2026-03-02T23:00:00Z", "2026-03-03T23:00:00Z", RollupMeasures.FP_KG_MARKET)).isCloseTo(1_000, within(1e-9));
        // the batch counts once in each day it has a part in
        assertThat(part(parts, "2026-03-01T23:00:00Z", "2026-03-02T23:00:00Z", RollupMeasures.FP_COUNT)).isEqualTo(1.0);
        assertThat(part(parts, "2026-03-02T23:00:00Z", "2026-03-03T23:00:00Z", RollupMeasures.FP_COUNT)).isEqualTo(1.0);
        assertThat(parts).hasSize(6);
        assertThat(RollupFootprints.day(parts.keySet().iterator().next())).matches("\\d{13}/\\d{13}");
    }

    @Test
    @DisplayName("a batch without a run goes wholly to the day it completed in; an end at local midnight is the day before")
    void noRunGoesToTheEndDay() {
        RollupContribution atMidnight = run("2026-03-02T23:00:00Z", "2026-03-02T23:00:00Z", 1_000, 200);
        Map<String, Double> parts = RollupFootprints.parts(atMidnight,
                BERLIN.windows(Granularity.DAY, Instant.parse("2026-03-02T22:59:59.999Z"), Instant.parse("2026-03-02T23:00:00Z")));
        assertThat(parts).hasSize(3);
        assertThat(part(parts, "2026-03-01T23:00:00Z", "2026-03-02T23:00:00Z", RollupMeasures.FP_MASS)).isEqualTo(1_000);
    }

    @Test
    @DisplayName("a CANCELLED footprint (no measures) has no parts: it only takes the batch's earlier parts out")
    void cancelledHasNoParts() {
        RollupContribution cancelled = new RollupContribution(RollupFootprints.KIND, "site:plant", "L1", 0L, 3_600_000L, Map.of(), "B1");
        assertThat(RollupFootprints.parts(cancelled, days(cancelled))).isEmpty();
    }
}

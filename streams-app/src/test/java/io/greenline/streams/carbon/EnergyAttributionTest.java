package io.greenline.streams.carbon;

import static io.greenline.streams.carbon.CarbonFixtures.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.greenline.streams.carbon.EnergyAttribution.BatchSpan;
import io.greenline.streams.carbon.EnergyAttribution.Share;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EnergyAttributionTest {

    private static final double EPS = 1e-9;

    private static Map<String, Double> byBatch(List<Share> shares) {
        return shares.stream().collect(Collectors.toMap(s -> s.batchId() + (s.idle() ? "(idle)" : ""), Share::quantity, Double::sum));
    }

    @Test
    @DisplayName("A reading over a batch edge is split in proportion to time")
    void splitAtBatchEdge() {
        List<BatchSpan> spans = List.of(new BatchSpan("B1", "L", at("08:00"), at("10:00")), new BatchSpan("B2", "L", at("10:00"), null));
        // [09:30, 11:00) 300: 30/90 x 300 = 100 to B1, 60/90 x 300 = 200 to B2
        List<Share> shares = EnergyAttribution.split(at("09:30"), at("11:00"), 300, spans);
        assertThat(byBatch(shares)).hasSize(2);
        assertThat(byBatch(shares).get("B1")).isCloseTo(100.0, within(EPS));
        assertThat(byBatch(shares).get("B2")).isCloseTo(200.0, within(EPS));
        assertThat(shares.get(0).start()).isEqualTo(at("09:30"));
        assertThat(shares.get(0).end()).isEqualTo(at("10:00"));
    }

    @Test
    @DisplayName("Concurrent batches share only the time they overlap, equally")
    void sharedMeterHalvesOnlyTheOverlap() {
        List<BatchSpan> spans = List.of(new BatchSpan("A", "L5", at("08:00"), at("12:00")), new BatchSpan("B", "L6", at("10:00"), at("14:00")));
        // [08:00, 12:00) 400: [08,10) 200 -> A; [10,12) 200 -> 100 A + 100 B
        Map<String, Double> q = byBatch(EnergyAttribution.split(at("08:00"), at("12:00"), 400, spans));
        assertThat(q.get("A")).isCloseTo(300.0, within(EPS));
        assertThat(q.get("B")).isCloseTo(100.0, within(EPS));
    }

    @Test
    @DisplayName("Idle time goes to the batch that starts next, or stays unassigned when none has started")
    void idleToNextBatch() {
        List<BatchSpan> spans = List.of(new BatchSpan("B3a", "L3", at("06:00"), at("07:00")), new BatchSpan("B3b", "L3", at("08:30"), null));
        // [06:30, 09:00) 150 over 150 min: 30 min B3a = 30; [07:00, 08:30) 90 min idle = 90 -> B3b (idle); 30 min B3b = 30
        Map<String, Double> q = byBatch(EnergyAttribution.split(at("06:30"), at("09:00"), 150, spans));
        assertThat(q.get("B3a")).isCloseTo(30.0, within(EPS));
        assertThat(q.get("B3b(idle)")).isCloseTo(90.0, within(EPS));
        assertThat(q.get("B3b")).isCloseTo(30.0, within(EPS));

        List<Share> none = EnergyAttribution.split(at("07:00"), at("08:00"), 60, List.of(new BatchSpan("B3a", "L3", at("06:00"), at("07:00"))));
        assertThat(none).singleElement().satisfies(s -> {
            assertThat(s.batchId()).isNull();
            assertThat(s.idle()).isTrue();
            assertThat(s.quantity()).isCloseTo(60.0, within(EPS));
        });
    }

    @Test
    @DisplayName("Idle energy is shared equally by batches that start at the same next instant")
    void idleSharedByTies() {
        List<BatchSpan> spans = List.of(new BatchSpan("X", "L1", at("09:00"), null), new BatchSpan("Y", "L2", at("09:00"), null));
        Map<String, Double> q = byBatch(EnergyAttribution.split(at("08:00"), at("09:00"), 50, spans));
        assertThat(q.get("X(idle)")).isCloseTo(25.0, within(EPS));
        assertThat(q.get("Y(idle)")).isCloseTo(25.0, within(EPS));
    }
}

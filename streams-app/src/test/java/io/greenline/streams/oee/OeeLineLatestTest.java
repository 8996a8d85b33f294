package io.greenline.streams.oee;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.Granularity;
import io.greenline.events.MachineState;
import io.greenline.events.OeeWindow;
import io.greenline.events.Shift;
import io.greenline.schemas.WindowKey;
import io.greenline.streams.StoreNames;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The latest-per-line OEE view that {@code GET /api/v1/lines} reads, fed by the topology's output to mfg.oee. */
class OeeLineLatestTest {

    private static final Instant V1 = Instant.parse("2026-01-01T00:00:00Z");

    private static Instant at(String hhmm) {
        return Instant.parse("2026-01-05T" + hhmm + ":00Z");
    }

    @Test
    @DisplayName("Each line's latest final hourly OEE window, the very record sent to mfg.oee, is in line-latest-oee; live windows are not")
    void latestFinalHourPerLine() {
        try (OeeDriver d = new OeeDriver("line-latest", OeeSettings.defaults())) {
            List<Shift> allDay = List.of();
            d.config(OeeDriver.config("L1", "UTC", allDay, Map.of("A", 30_000.0), V1));
            d.config(OeeDriver.config("L2", "UTC", allDay, Map.of("A", 30_000.0), V1));
            KeyValueStore<String, OeeWindow> view = d.driver.getKeyValueStore(StoreNames.LINE_LATEST_OEE);

            d.state("L1", at("06:00"), MachineState.RUNNING, null);
            d.count("L1", at("06:30"), "A", 60, 0, 0);
            d.state("L2", at("06:00"), MachineState.RUNNING, null);
            assertThat(view.get("L1")).as("06:00-07:00 is still live").isNull();

            // L1's clock passes 07:05 (end + grace): its 06:00 hour is final
            d.state("L1", at("07:06"), MachineState.FAULT, "jam");
            Map<String, OeeWindow> finals = d.finalsByKey();
            OeeWindow l1Hour6 = finals.get(WindowKey.of("L1", Granularity.HOUR, at("06:00")).format());
            assertThat(l1Hour6).isNotNull();
            assertThat(view.get("L1")).isEqualTo(l1Hour6);
            assertThat(view.get("L1").getProducedQuantity()).isEqualTo(60.0);
            assertThat(view.get("L2")).as("L2's clock is still at 06:00").isNull();

            // then 07:00 is final: it replaces 06:00
            d.state("L1", at("08:06"), MachineState.RUNNING, null);
            assertThat(view.get("L1").getWindowStart()).isEqualTo(at("07:00"));
            assertThat(view.get("L1").getFinal$()).isTrue();
            assertThat(view.get("L1")).isEqualTo(d.finalsByKey().get(WindowKey.of("L1", Granularity.HOUR, at("07:00")).format()));

            // idle L2 closes its hour by the wall-clock advance: it appears too
            d.advanceWallClock(Duration.ofMinutes(70));
            assertThat(view.get("L2")).isNotNull();
            assertThat(view.get("L2").getGranularity()).isEqualTo(Granularity.HOUR);
            assertThat(view.get("L2").getWindowStart()).isEqualTo(at("06:00"));
        }
    }
}

package io.greenline.streams.oee;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenline.events.Granularity;
import io.greenline.events.MachineState;
import io.greenline.events.OeeLedgerEntry;
import io.greenline.schemas.state.StateEncodingException;
import io.greenline.schemas.state.StateSerde;
import io.greenline.streams.windows.Window;
import io.greenline.streams.windows.WindowCalendar;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The oee-line-ledger store's encoding: the versioned state encoding, and what it does with Greenline 0.1's JSON. */
class LineLedgerStateTest {

    private static final StateSerde<OeeLedgerEntry> SERDE = StateSerde.of(OeeLedgerEntry.class);

    /** A ledger as Greenline 0.1's JSON serde wrote it (Java field names, key lineId). */
    private static final String JSON_LEDGER = """
            {"clock":{"started":true,"earliestMs":1767596400000,"clockMs":1767600000000,"drainedEarliestMs":1767596400000,\
            "drainedClockMs":1767600000000,"lastRecordWallMs":1780272000000,"lastAdvanceWallMs":1780272000000},\
            "timeline":[{"atMs":1767596400000,"state":"RUNNING","reasonCode":null}],\
            "counts":{"L1/HOUR/2026-01-05T07:00:00Z":{"producedQuantity":10.0,"scrapQuantity":0.0,"reworkQuantity":0.0,\
            "idealTimeMs":300000.0,"goodIdealTimeMs":300000.0,"unratedQuantity":0.0}}}""";

    @Test
    @DisplayName("A Greenline 0.1 JSON ledger is refused with a StateEncodingException naming JSON and the reset to do")
    void jsonLedgerIsRefused() {
        byte[] json = JSON_LEDGER.getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SERDE.deserializer().deserialize("oee-line-ledger-changelog", json))
                .isInstanceOf(StateEncodingException.class)
                .hasMessageContaining("OeeLedgerEntry")
                .hasMessageContaining("JSON")
                .hasMessageContaining("Reset the application's state");
    }

    @Test
    @DisplayName("A ledger with running totals survives its state encoding: clock, state, totals, counts, timeline order")
    void ledgerRoundTrips() {
        Instant seven = Instant.parse("2026-01-05T07:00:00Z");
        Window hour = new Window(Granularity.HOUR, null, seven, seven.plusSeconds(3600));
        Window day = new Window(Granularity.DAY, null, Instant.parse("2026-01-05T00:00:00Z"), Instant.parse("2026-01-06T00:00:00Z"));
        WindowCalendar calendar = WindowCalendar.utc24x7();
        LineLedgerPropertyTest.MemoryTimeline timeline = new LineLedgerPropertyTest.MemoryTimeline();
        LineLedger ledger = new LineLedger();
        long t0 = seven.toEpochMilli();
        ledger.clock().observe(t0, 1_000L);
        ledger.track(List.of(hour, day), calendar, 120_000L, 300_000L, timeline);
        ledger.applyState(t0, MachineState.RUNNING, null, calendar, 120_000L, timeline);
        ledger.clock().observe(t0 + 600_000L, 2_000L);
        ledger.track(List.of(hour, day), calendar, 120_000L, 300_000L, timeline);
        ledger.applyState(t0 + 600_000L, MachineState.FAULT, "motor", calendar, 120_000L, timeline);
        ledger.applyCount(List.of(hour, day), 20, 1, 0, 30_000.0);
        ledger.clock().observe(t0 + 900_000L, 3_000L);
        ledger.track(List.of(hour, day), calendar, 120_000L, 300_000L, timeline);
        // RUNNING at 07:12, behind the clock (07:15): the fault 07:10-07:15 becomes 2 min of FAULT (a failure) and 3 of RUNNING
        ledger.applyState(t0 + 720_000L, MachineState.RUNNING, null, calendar, 120_000L, timeline);
        // IDLE at 07:05, out of order: only 07:05-07:10 moves from RUNNING to IDLE
        ledger.applyState(t0 + 300_000L, MachineState.IDLE, "no-material", calendar, 120_000L, timeline);

        LineLedger read = LineLedger.fromState(SERDE.decode(SERDE.encode(new OeeLedgerEntry(ledger.toState(), null))).getLedger());
        assertThat(read.toState()).isEqualTo(ledger.toState());
        assertThat(read.clock().clockMs()).isEqualTo(t0 + 900_000L);
        assertThat(read.lastChange().getState()).isEqualTo(MachineState.RUNNING);
        LineLedger.OpenWindow h = read.window(hour);
        // RUNNING 07:00-07:05 and 07:12-07:15 = 480,000; IDLE 07:05-07:10 = 300,000; FAULT 07:10-07:12 = 120,000
        // (>= 120,000: one failure, ending at 07:12)
        assertThat(h.time.aptMs()).isEqualTo(480_000L);
        assertThat(h.time.adotMs()).isEqualTo(300_000L);
        assertThat(h.time.adetMs()).isEqualTo(120_000L);
        assertThat(h.time.potMs()).isEqualTo(900_000L);
        assertThat(h.time.failures()).isEqualTo(1);
        assertThat(h.time.failureDurationMs()).isEqualTo(120_000L);
        assertThat(h.time.stopReasons()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("motor", 120_000L, "no-material", 300_000L));
        assertThat(read.window(day).time.aptMs()).isEqualTo(480_000L);
        assertThat(h.counts.producedQuantity()).isEqualTo(20.0);
        assertThat(h.counts.idealTimeMs()).isEqualTo(600_000.0);
        assertThat(timeline.inForceAt(t0 + 400_000L).getState()).isEqualTo(MachineState.IDLE);
        assertThat(timeline.firstAfter(t0 + 400_000L).getState()).isEqualTo(MachineState.FAULT);
    }
}

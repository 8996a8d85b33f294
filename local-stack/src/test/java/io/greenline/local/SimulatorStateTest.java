package io.greenline.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatorStateTest {

    private static final Instant NOW = Instant.parse("2026-11-29T05:00:00Z");
    private static final Duration HISTORY = Duration.ofHours(8);

    @Test
    @DisplayName("a fresh data directory starts the simulators the history length before now")
    void freshStart() {
        assertThat(SimulatorState.startFrom(Optional.empty(), NOW, HISTORY)).isEqualTo(Instant.parse("2026-11-28T21:00:00Z"));
    }

    @Test
    @DisplayName("a second start continues 1 ms after where the last run stopped, even ahead of the wall clock")
    void resumes() {
        Instant stoppedAt = Instant.parse("2026-11-29T09:26:29.909Z");
        assertThat(SimulatorState.startFrom(Optional.of(stoppedAt), NOW, HISTORY)).isEqualTo(stoppedAt.plusMillis(1));
    }

    @Test
    @DisplayName("a run that stopped longer ago than the history restarts the history length before now (the gap stays empty)")
    void tooOld() {
        Instant longAgo = Instant.parse("2026-11-20T00:00:00Z");
        assertThat(SimulatorState.startFrom(Optional.of(longAgo), NOW, HISTORY)).isEqualTo(Instant.parse("2026-11-28T21:00:00Z"));
    }

    @Test
    @DisplayName("the saved position survives a restart of the command")
    void savedAndRead(@TempDir Path dir) {
        Instant position = Instant.parse("2026-11-29T09:26:29.909Z");
        new SimulatorState(dir).save(position);
        assertThat(new SimulatorState(dir).lastSimulatedTime()).contains(position);
    }
}

package io.greenline.streams.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.streams.quality.FirstInspections.Decision;
import io.greenline.streams.quality.FirstInspections.UnitMemory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FirstInspectionsTest {

    private static final long T10 = 10_000;
    private static final long T20 = 20_000;
    private static final long T30 = 30_000;

    @Test
    @DisplayName("A unit never seen is counted as first inspected and remembered")
    void newUnit() {
        Decision d = FirstInspections.decide(null, T10, false, 1, "DRUM-A");
        assertThat(d.countAsFirst()).isTrue();
        assertThat(d.retract()).isNull();
        assertThat(d.remember()).isEqualTo(new UnitMemory(T10, false, 1, "DRUM-A", T10));
    }

    @Test
    @DisplayName("A re-inspection after rework is not counted again; the memory keeps the first result and moves lastSeen")
    void reinspection() {
        UnitMemory first = new UnitMemory(T10, false, 1, "DRUM-A", T10);
        Decision d = FirstInspections.decide(first, T20, true, 1, "DRUM-A");
        assertThat(d.countAsFirst()).isFalse();
        assertThat(d.remember()).isEqualTo(new UnitMemory(T10, false, 1, "DRUM-A", T20));
    }

    @Test
    @DisplayName("An out-of-order inspection earlier than the remembered first becomes the first; the old one is retracted")
    void earlierArrivesLate() {
        UnitMemory pass = new UnitMemory(T20, true, 1, "DRUM-A", T30);
        Decision d = FirstInspections.decide(pass, T10, false, 1, "DRUM-A");
        assertThat(d.countAsFirst()).isTrue();
        assertThat(d.retract()).isEqualTo(pass);
        assertThat(d.remember()).isEqualTo(new UnitMemory(T10, false, 1, "DRUM-A", T30));
    }

    @Test
    @DisplayName("A memory expires TTL after the unit's last inspection")
    void expiry() {
        UnitMemory m = new UnitMemory(T10, true, 1, "DRUM-A", T20);
        assertThat(m.expired(T20 + 5_000, 5_000)).isFalse();
        assertThat(m.expired(T20 + 5_001, 5_000)).isTrue();
    }
}

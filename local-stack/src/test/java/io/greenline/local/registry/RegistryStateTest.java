package io.greenline.local.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.MachineStateChanged;
import io.greenline.events.ProductionCounted;
import io.greenline.local.registry.RegistryState.Version;
import io.greenline.schemas.registry.CompatibilityLevel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rebuilding the registry from its log: the records are Confluent's {@code _schemas} layout, a later
 * record for a key replaces an earlier one (so compaction keeps the same state), unknown key types
 * are skipped.
 */
class RegistryStateTest {

    private static final String SUBJECT = "mfg.machine-state-value";

    @Test
    @DisplayName("schema records rebuild subjects, versions and global ids, and the next id is above every id seen")
    void schemaRecords() {
        RegistryState state = new RegistryState();
        state.apply(RegistryState.schemaKey(SUBJECT, 1),
                RegistryState.schemaValue(new Version(SUBJECT, 1, 3, MachineStateChanged.getClassSchema(), false)));
        state.apply(RegistryState.schemaKey("mfg.production-count-value", 1),
                RegistryState.schemaValue(new Version("mfg.production-count-value", 1, 7, ProductionCounted.getClassSchema(), false)));

        assertThat(state.subjects(false)).containsExactly(SUBJECT, "mfg.production-count-value");
        assertThat(state.schemaById(3)).contains(MachineStateChanged.getClassSchema());
        assertThat(state.idOf(ProductionCounted.getClassSchema())).contains(7);
        assertThat(state.maxId()).isEqualTo(7);
        assertThat(state.maxVersion(SUBJECT)).isEqualTo(1);
    }

    @Test
    @DisplayName("a later record for the same key wins: a soft delete hides the version but keeps its id resolvable")
    void laterRecordWins() {
        RegistryState state = new RegistryState();
        Version live = new Version(SUBJECT, 1, 3, MachineStateChanged.getClassSchema(), false);
        state.apply(RegistryState.schemaKey(SUBJECT, 1), RegistryState.schemaValue(live));
        state.apply(RegistryState.schemaKey(SUBJECT, 1),
                RegistryState.schemaValue(new Version(SUBJECT, 1, 3, MachineStateChanged.getClassSchema(), true)));

        assertThat(state.versions(SUBJECT, false)).isEmpty();
        assertThat(state.versions(SUBJECT, true)).hasSize(1);
        assertThat(state.subjects(false)).isEmpty();
        assertThat(state.schemaById(3)).isPresent();
        assertThat(state.maxVersion(SUBJECT)).as("versions are never reused").isEqualTo(1);
    }

    @Test
    @DisplayName("config records set the global and subject levels; a tombstone clears a subject's level; BACKWARD by default")
    void configRecords() {
        RegistryState state = new RegistryState();
        assertThat(state.effectiveLevel(SUBJECT)).isEqualTo(CompatibilityLevel.BACKWARD);

        state.apply(RegistryState.configKey(null), RegistryState.configValue(CompatibilityLevel.FULL));
        state.apply(RegistryState.configKey(SUBJECT), RegistryState.configValue(CompatibilityLevel.NONE));
        assertThat(state.effectiveLevel(SUBJECT)).isEqualTo(CompatibilityLevel.NONE);
        assertThat(state.effectiveLevel("other-value")).isEqualTo(CompatibilityLevel.FULL);

        state.apply(RegistryState.configKey(SUBJECT), null);
        assertThat(state.effectiveLevel(SUBJECT)).isEqualTo(CompatibilityLevel.FULL);
    }

    @Test
    @DisplayName("record kinds written by Confluent's registry that this one does not use (NOOP, DELETE_SUBJECT) are skipped")
    void unknownKeyTypes() {
        RegistryState state = new RegistryState();
        state.apply("{\"keytype\":\"NOOP\",\"magic\":0}", null);
        state.apply("{\"keytype\":\"DELETE_SUBJECT\",\"subject\":\"x\",\"magic\":0}", "{\"subject\":\"x\",\"version\":1}");

        assertThat(state.subjects(true)).isEmpty();
        assertThat(state.maxId()).isZero();
    }
}

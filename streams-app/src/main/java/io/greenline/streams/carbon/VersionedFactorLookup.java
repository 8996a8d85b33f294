package io.greenline.streams.carbon;

import io.greenline.events.EmissionFactor;
import io.greenline.streams.StoreNames;
import io.greenline.streams.VersionCache;
import java.time.Instant;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;

/** {@link FactorLookup} over the versioned emission-factor store (KIP-889 {@code get(key, asOf)}), through a {@link VersionCache}. */
final class VersionedFactorLookup implements FactorLookup {
    private final VersionCache<EmissionFactor> store;

    VersionedFactorLookup(VersionedKeyValueStore<String, EmissionFactor> store) {
        this.store = new VersionCache<>(store, StoreNames.EMISSION_FACTOR_VERSIONS);
    }

    @Override
    public EmissionFactor asOf(String key, Instant asOf) {
        VersionedRecord<EmissionFactor> r = store.get(key, asOf.toEpochMilli());
        return r == null ? null : r.value();
    }

    @Override
    public EmissionFactor latest(String key) {
        VersionedRecord<EmissionFactor> r = store.get(key);
        return r == null ? null : r.value();
    }
}

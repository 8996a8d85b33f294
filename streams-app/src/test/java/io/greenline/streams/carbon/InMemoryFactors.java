package io.greenline.streams.carbon;

import io.greenline.events.EmissionFactor;
import io.greenline.schemas.Topics;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** A {@link FactorLookup} over plain maps, for testing the ledger without Kafka. */
final class InMemoryFactors implements FactorLookup {
    private final Map<String, TreeMap<Instant, EmissionFactor>> versions = new HashMap<>();

    InMemoryFactors add(Iterable<EmissionFactor> factors) {
        factors.forEach(f -> versions.computeIfAbsent(Topics.emissionFactorKey(f), k -> new TreeMap<>()).put(f.getValidFrom(), f));
        return this;
    }

    @Override
    public EmissionFactor asOf(String key, Instant asOf) {
        TreeMap<Instant, EmissionFactor> v = versions.get(key);
        Map.Entry<Instant, EmissionFactor> e = v == null ? null : v.floorEntry(asOf);
        return e == null ? null : e.getValue();
    }

    @Override
    public EmissionFactor latest(String key) {
        TreeMap<Instant, EmissionFactor> v = versions.get(key);
        return v == null || v.isEmpty() ? null : v.lastEntry().getValue();
    }
}

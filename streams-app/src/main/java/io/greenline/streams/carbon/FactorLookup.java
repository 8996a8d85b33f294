package io.greenline.streams.carbon;

import io.greenline.events.EmissionFactor;
import java.time.Instant;

/** Emission factors by key {@code carrier/region/basis}, versioned by {@code validFrom}. */
public interface FactorLookup {

    /** The version valid at {@code asOf} (the latest with {@code validFrom <= asOf}), or null. */
    EmissionFactor asOf(String key, Instant asOf);

    /** The most recent version whatever its validity, or null when the key never had a factor. */
    EmissionFactor latest(String key);
}

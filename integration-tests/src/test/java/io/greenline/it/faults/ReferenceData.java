package io.greenline.it.faults;

import io.greenline.events.EmissionFactor;
import io.greenline.events.LineConfig;
import io.greenline.schemas.TopicNames;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Line configs and emission factors of a log, as versions by {@code validFrom}: the version "as of" t is the one
 * with the greatest validFrom at or before t (a later record with the same validFrom replaces it).
 */
final class ReferenceData {

    private final Map<String, TreeMap<Long, LineConfig>> configs = new HashMap<>();
    private final Map<String, TreeMap<Long, EmissionFactor>> factors = new HashMap<>();

    ReferenceData(EventLog log) {
        for (EventLog.Entry e : log.entries()) {
            if (e.topic().equals(TopicNames.LINE_CONFIG) && e.value() instanceof LineConfig c) {
                configs.computeIfAbsent(c.getLineId(), k -> new TreeMap<>()).put(c.getValidFrom().toEpochMilli(), c);
            } else if (e.topic().equals(TopicNames.EMISSION_FACTORS) && e.value() instanceof EmissionFactor f) {
                String key = f.getCarrier() + "/" + f.getRegion() + "/" + f.getBasis();
                factors.computeIfAbsent(key, k -> new TreeMap<>()).put(f.getValidFrom().toEpochMilli(), f);
            }
        }
    }

    /** The config version valid at t, or null. */
    LineConfig configAsOf(String lineId, long t) {
        TreeMap<Long, LineConfig> versions = configs.get(lineId);
        if (versions == null) {
            return null;
        }
        Map.Entry<Long, LineConfig> e = versions.floorEntry(t);
        return e == null ? null : e.getValue();
    }

    /** The config valid at t, else the newest one, else null. */
    LineConfig configAsOfOrLatest(String lineId, long t) {
        LineConfig asOf = configAsOf(lineId, t);
        if (asOf != null) {
            return asOf;
        }
        TreeMap<Long, LineConfig> versions = configs.get(lineId);
        return versions == null || versions.isEmpty() ? null : versions.lastEntry().getValue();
    }

    /** The factor {@code carrier/region/basis} valid at t, or null. */
    EmissionFactor factorAsOf(String key, long t) {
        TreeMap<Long, EmissionFactor> versions = factors.get(key);
        if (versions == null) {
            return null;
        }
        Map.Entry<Long, EmissionFactor> e = versions.floorEntry(t);
        return e == null ? null : e.getValue();
    }

    /** The newest version of a factor key, whatever its validity, or null. */
    EmissionFactor latestFactor(String key) {
        TreeMap<Long, EmissionFactor> versions = factors.get(key);
        return versions == null || versions.isEmpty() ? null : versions.lastEntry().getValue();
    }
}

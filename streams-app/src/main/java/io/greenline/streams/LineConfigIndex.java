package io.greenline.streams;

import io.greenline.events.LineConfig;
import io.greenline.streams.rollup.RollupIds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;

/**
 * Which lines {@code mfg.line-config} has placed in each area and site, so an area or site roll-up can name a
 * configured line that never sent a window (docs/rollup.md, "Completeness and finality").
 *
 * <p>Where it lives: in the global versioned store {@link StoreNames#LINE_CONFIG_VERSIONS} itself, under reserved
 * keys that start with {@link #PREFIX} (a NUL character, which no lineId contains), written by the store's own
 * update processor ({@link ReferenceStores}) as each config version arrives. Why there: the versioned store
 * cannot be iterated, and {@code mfg.line-config} can be the source of only one store per application; a second
 * global store would need a source topic of its own that nothing writes. In the same store the index shares the
 * store's whole life: Kafka Streams 4.x runs a global store's processor again when it restores the store
 * ({@code StreamsBuilder#addGlobalStore}: reprocess on restore), so the index is rebuilt, checkpointed and wiped
 * together with the configs it was derived from.
 *
 * <p>Layout per roll-up id ({@code area:<areaId>}, {@code site:<siteId>}):
 * <ul>
 *   <li>{@code PREFIX + rollupId + "|#" + n}: the n-th line ever placed there (n = 0, 1, ...; the value is the
 *       config version that first placed it), so a reader probes slots 0, 1, ... until the first empty one: work
 *       bounded by the lines of that area or site, never by other areas, sites or history;</li>
 *   <li>{@code PREFIX + rollupId + "|@" + lineId}: the same value, so a config version that places an already
 *       indexed line costs one lookup.</li>
 * </ul>
 * The index only names candidates. Whether a line belongs to the roll-up at a given time is always read from its
 * config version valid then ({@code get(lineId, asOf)}), so a line that moved away, was removed (tombstone) or is
 * configured only from a later time is not expected there. Entries are put at the config version's
 * {@code validFrom}, so a version older than the store's history is dropped by the store together with its index
 * entries; a slot holds one line for good (one slot per line and area or site it was ever in, the same bound as
 * the store's own latest versions).
 */
public final class LineConfigIndex {

    /** Start of every index key; a config whose lineId starts with it is refused by the store's update processor. */
    public static final String PREFIX = "\u0000lines|";

    private LineConfigIndex() {
    }

    /**
     * Writes the index from the store's update processor (one per processor: it remembers each roll-up's next free
     * slot, found by one probe of the roll-up's slots the first time, so a new line costs a lookup and two puts).
     */
    static final class Writer {
        private final Map<String, Integer> nextSlot = new HashMap<>();

        /** Notes the line of {@code config} as a line of its area and of its site. */
        void record(VersionedKeyValueStore<String, LineConfig> store, LineConfig config) {
            long at = config.getValidFrom().toEpochMilli();
            for (String rollupId : new String[] {RollupIds.area(config.getAreaId()), RollupIds.site(config.getSiteId())}) {
                String member = memberKey(rollupId, config.getLineId());
                if (store.get(member) != null) {
                    continue;
                }
                int slot = nextSlot.computeIfAbsent(rollupId, id -> lines(store, id).size());
                store.put(slotKey(rollupId, slot), config, at);
                store.put(member, config, at);
                // a put older than the store's history is dropped by the store: the slot is then still free
                if (store.get(slotKey(rollupId, slot)) != null) {
                    nextSlot.put(rollupId, slot + 1);
                }
            }
        }
    }

    /**
     * Every line a config version has placed in {@code rollupId} ({@code area:<id>} or {@code site:<id>}) at any time
     * within the store's history, in the order they were first placed there. Work: one lookup per such line.
     */
    public static List<String> lines(VersionedKeyValueStore<String, LineConfig> store, String rollupId) {
        List<String> out = new ArrayList<>();
        for (int slot = 0; ; slot++) {
            VersionedRecord<LineConfig> found = store.get(slotKey(rollupId, slot));
            if (found == null) {
                return out;
            }
            out.add(found.value().getLineId());
        }
    }

    static boolean reserved(String key) {
        return key != null && key.startsWith(PREFIX);
    }

    private static String slotKey(String rollupId, int slot) {
        return PREFIX + rollupId + "|#" + slot;
    }

    private static String memberKey(String rollupId, String lineId) {
        return PREFIX + rollupId + "|@" + lineId;
    }
}

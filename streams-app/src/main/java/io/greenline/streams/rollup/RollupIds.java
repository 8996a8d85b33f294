package io.greenline.streams.rollup;

import io.greenline.events.LineConfig;

/** Roll-up ids, the keys (and partition keys) of the roll-ups: {@code area:<areaId>} and {@code site:<siteId>}. */
public final class RollupIds {

    public static final String AREA = "area:";
    public static final String SITE = "site:";

    private RollupIds() {
    }

    public static String area(String areaId) {
        return AREA + areaId;
    }

    public static String site(String siteId) {
        return SITE + siteId;
    }

    /** The roll-up of the same level as {@code rollupId} that a line with {@code config} belongs to. */
    static String sameLevel(String rollupId, LineConfig config) {
        return rollupId.startsWith(AREA) ? area(config.getAreaId()) : site(config.getSiteId());
    }
}

package io.greenline.streams.oee;

import io.greenline.events.OeeWindow;
import io.greenline.streams.windows.Window;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the {@link OeeWindow} record (store value and mfg.oee value) of one window from its ledger parts. */
public final class OeeWindowRecords {

    private OeeWindowRecords() {
    }

    public static OeeWindow render(String lineId, String siteId, String areaId, Window window, TimeElements t, WindowCounts c,
            boolean isFinal, int revision) {
        OeeKpis k = OeeKpis.of(t, c);
        Map<String, Long> reasons = new LinkedHashMap<>(t.stopReasons());
        return OeeWindow.newBuilder()
                .setLineId(lineId)
                .setSiteId(siteId)
                .setAreaId(areaId)
                .setGranularity(window.granularity())
                .setShiftName(window.shiftName())
                .setWindowStart(window.start())
                .setWindowEnd(window.end())
                .setPotMs(t.potMs())
                .setPdotMs(t.pdotMs())
                .setPbtMs(t.pbtMs())
                .setAptMs(t.aptMs())
                .setAsutMs(t.asutMs())
                .setAdetMs(t.adetMs())
                .setAdotMs(t.adotMs())
                .setUnknownMs(t.unknownMs())
                .setAuptMs(t.auptMs())
                .setAubtMs(t.aubtMs())
                .setProducedQuantity(c.producedQuantity())
                .setGoodQuantity(c.goodQuantity())
                .setScrapQuantity(c.scrapQuantity())
                .setReworkQuantity(c.reworkQuantity())
                .setIdealTimeMs(c.idealTimeMs())
                .setAvailability(k.availability())
                .setEffectiveness(k.effectiveness())
                .setQuality(k.quality())
                .setOee(k.oee())
                .setNee(k.nee())
                .setFailures(t.failures())
                .setMtbfMs(k.mtbfMs())
                .setMttrMs(k.mttrMs())
                .setStopReasons(reasons)
                .setFinal$(isFinal)
                .setRevision(revision)
                .build();
    }

    /** True when two records say the same thing, ignoring revision (used to bump revision only on change). */
    public static boolean sameContent(OeeWindow a, OeeWindow b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.getRevision() == b.getRevision()) {
            return a.equals(b); // the common case (a live window rendered with the stored revision): no copies
        }
        OeeWindow x = OeeWindow.newBuilder(a).setRevision(0).build();
        OeeWindow y = OeeWindow.newBuilder(b).setRevision(0).build();
        return x.equals(y);
    }
}

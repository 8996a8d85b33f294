package io.greenline.streams.query;

import io.greenline.events.Granularity;
import io.greenline.events.OeeWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Test data: OEE windows with every field set. */
final class Windows {

    private Windows() {
    }

    /** An hourly window of a line: 50 min running of 60 planned, 100 produced, 95 good. */
    static OeeWindow oee(String lineId, Instant start, boolean isFinal) {
        return OeeWindow.newBuilder()
                .setLineId(lineId).setGranularity(Granularity.HOUR)
                .setWindowStart(start).setWindowEnd(start.plus(Duration.ofHours(1)))
                .setPotMs(3_600_000L).setPdotMs(0L).setPbtMs(3_600_000L).setAptMs(3_000_000L).setAsutMs(0L)
                .setAdetMs(600_000L).setAdotMs(0L).setUnknownMs(0L).setAuptMs(3_000_000L).setAubtMs(3_600_000L)
                .setProducedQuantity(100).setGoodQuantity(95).setScrapQuantity(5).setReworkQuantity(0)
                .setIdealTimeMs(2_700_000)
                .setAvailability(3_000_000.0 / 3_600_000).setEffectiveness(2_700_000.0 / 3_000_000).setQuality(0.95)
                .setOee(null).setNee(null)
                .setFailures(0).setMtbfMs(null).setMttrMs(null)
                .setStopReasons(Map.of("JAM", 600_000L))
                .setFinal$(isFinal).setRevision(1)
                .build();
    }
}

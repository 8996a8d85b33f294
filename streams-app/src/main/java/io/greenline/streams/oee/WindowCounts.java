package io.greenline.streams.oee;

/**
 * Production counts of one line in one window, by count event time: PQ, SQ, RQ and the ideal time (PRU x PQ)
 * and ideal good time (PRU x GQ), with PRU the product's ideal cycle time valid at each count's timestamp.
 * Quantity whose product had no PRU at that time adds to {@link #unratedQuantity()} instead of ideal time.
 */
public final class WindowCounts {
    double producedQuantity;
    double scrapQuantity;
    double reworkQuantity;
    double idealTimeMs;
    double goodIdealTimeMs;
    double unratedQuantity;

    /**
     * Adds one count.
     *
     * @param pruMs the ideal cycle time of the count's product valid at its timestamp, null when unknown
     */
    public void add(double quantity, double scrap, double rework, Double pruMs) {
        producedQuantity += quantity;
        scrapQuantity += scrap;
        reworkQuantity += rework;
        if (pruMs == null) {
            unratedQuantity += quantity;
        } else {
            idealTimeMs += pruMs * quantity;
            goodIdealTimeMs += pruMs * (quantity - scrap - rework);
        }
    }

    /** PQ. */
    public double producedQuantity() {
        return producedQuantity;
    }

    /** SQ. */
    public double scrapQuantity() {
        return scrapQuantity;
    }

    /** RQ. */
    public double reworkQuantity() {
        return reworkQuantity;
    }

    /** GQ = PQ - SQ - RQ. */
    public double goodQuantity() {
        return producedQuantity - scrapQuantity - reworkQuantity;
    }

    /** Sum of PRU x PQ. */
    public double idealTimeMs() {
        return idealTimeMs;
    }

    /** Sum of PRU x GQ: the numerator of OEE. */
    public double goodIdealTimeMs() {
        return goodIdealTimeMs;
    }

    /** Produced quantity of products without a PRU at their count's time (no ideal time). */
    public double unratedQuantity() {
        return unratedQuantity;
    }
}

package io.greenline.streams.quality;

/**
 * Which inspection is a unit's first, for first pass yield (plain Java, no Kafka).
 *
 * <p>A unit is followed by its {@code unitId}. Its first inspection is the one with the earliest event
 * time; ties go to the one seen first. The first inspection counts the unit's quantity in the window of
 * its timestamp (good at first pass only when its result is PASS); later inspections do not count again.
 * When an inspection arrives out of order with a time before the remembered first one, it becomes the
 * first: the caller takes the unit back out of the windows of the old first inspection and counts it in
 * its own. (Both windows are still open: the old first is later than the new one, which is not late.)
 * An inspection without a {@code unitId} is always a first inspection.
 */
public final class FirstInspections {

    /** What is remembered of a unit: its first inspection and when it was last inspected. */
    public record UnitMemory(long firstAtMs, boolean firstPassed, double quantity, String productId, long lastSeenMs) {

        /** The same first inspection, seen again at {@code seenMs}. */
        public UnitMemory seenAt(long seenMs) {
            return new UnitMemory(firstAtMs, firstPassed, quantity, productId, Math.max(lastSeenMs, seenMs));
        }

        /** Whether this memory is older than {@code ttlMs} at {@code nowMs} (measured from the last inspection). */
        public boolean expired(long nowMs, long ttlMs) {
            return FirstInspections.expired(lastSeenMs, nowMs, ttlMs);
        }
    }

    /** The outcome for one inspection of a unit: what to count, and what to remember afterwards. */
    public record Decision(boolean countAsFirst, UnitMemory retract, UnitMemory remember) {
    }

    private FirstInspections() {
    }

    /** Whether a unit last inspected at {@code lastSeenMs} is forgotten at {@code nowMs} with a TTL of {@code ttlMs}. */
    public static boolean expired(long lastSeenMs, long nowMs, long ttlMs) {
        return lastSeenMs < nowMs - ttlMs;
    }

    /**
     * Decides for an inspection at {@code atMs} of a unit whose memory is {@code known} (null when the unit
     * has not been seen, or its memory expired).
     */
    public static Decision decide(UnitMemory known, long atMs, boolean passed, double quantity, String productId) {
        UnitMemory mine = new UnitMemory(atMs, passed, quantity, productId, atMs);
        if (known == null) {
            return new Decision(true, null, mine);
        }
        if (atMs < known.firstAtMs()) {
            return new Decision(true, known, mine.seenAt(known.lastSeenMs()));
        }
        return new Decision(false, null, known.seenAt(atMs));
    }
}

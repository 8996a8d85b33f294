package io.greenline.schemas;

/**
 * Why a record went to {@code mfg.dlq}; the value of its {@code reason} header.
 *
 * <p>Every reason here is about the record itself (bad data). Outages of the registry or the broker are
 * never a reason: they are retried.
 */
public enum DeadLetterReason {
    /** Too short to be Confluent-framed, or the Avro body does not decode with its writer schema. */
    MALFORMED,
    /** The first byte is not the Confluent magic byte 0. */
    UNKNOWN_MAGIC_BYTE,
    /** The registry answered that the schema id does not exist. */
    UNKNOWN_SCHEMA_ID,
    /** The writer schema cannot be read with this application's schema (for example an enum symbol it does not know). */
    INCOMPATIBLE_SCHEMA,
    /** A null (tombstone) value on a topic where null means nothing. */
    NULL_VALUE,
    /** A missing key, or a key that disagrees with the value (for example lineId). */
    MISSING_KEY,
    /** A value outside its domain: a negative or absurd quantity, an end before a start. */
    INVALID_VALUE,
    /**
     * Later than the window's grace period: the window is already final. Also a reference version (line config,
     * emission factor) older than its store's history before the newest version: it could never be read.
     */
    LATE,
    /**
     * The event's line had no {@code mfg.line-config} version valid at the event's time, and none appeared within
     * the wait ({@code reference.missing.wait} of stream time): it is not computed with defaults.
     */
    MISSING_REFERENCE,
    /** Unexpected failure while processing this record. */
    PROCESSING_ERROR,
    /**
     * The event's own time is implausible: before {@code greenline.event-time.min}, too far ahead of the time it
     * was produced or of the application's clock, or too far behind its line's clock (docs/app.md, "Event time").
     * For a reference version: its validFrom before the floor or more than {@code reference.max-ahead} ahead.
     */
    TIMESTAMP_OUT_OF_RANGE,
    /**
     * Processing this record killed its stream thread (or failed without a dead-letter answer) again and again at
     * the same partition and offset; quarantined so it cannot loop the thread forever.
     */
    POISON
}

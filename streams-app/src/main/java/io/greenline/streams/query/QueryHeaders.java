package io.greenline.streams.query;

/** Response headers that qualify an answer. */
public final class QueryHeaders {
    /** {@code true} when the answer came from a standby or restoring store. */
    public static final String STALE = "X-Greenline-Stale";
    /** Offset lag of a stale answer's store (records behind; -1 unknown). */
    public static final String LAG = "X-Greenline-Lag";
    /** {@code host:port} of the instance whose store answered. */
    public static final String SERVED_BY = "X-Greenline-Served-By";

    private QueryHeaders() {
    }
}

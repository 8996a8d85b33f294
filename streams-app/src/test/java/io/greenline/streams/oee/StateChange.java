package io.greenline.streams.oee;

import io.greenline.events.MachineState;
import java.util.Objects;

/**
 * A line entered {@code state} at {@code atMs} (event time) for {@code reasonCode} (null = unspecified). The
 * line stays in that state until its next change.
 */
public record StateChange(long atMs, MachineState state, String reasonCode) {

    /** The stop-reason key of time spent in a state without a reason code. */
    public static final String UNSPECIFIED = "UNSPECIFIED";

    public StateChange {
        Objects.requireNonNull(state, "state");
    }

    /** The key this change's non-running time is booked under in stopReasons. */
    public String reasonKey() {
        return reasonCode == null || reasonCode.isBlank() ? UNSPECIFIED : reasonCode;
    }
}

package io.greenline.streams.errors;

import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.DeadLetterable;

/**
 * Thrown by a processor for a record that decodes but is bad data: late beyond grace, a negative
 * quantity, a missing key. Thrown before any state is touched, so the record changes nothing; the
 * {@link DeadLetterHandler} writes its original bytes to {@code mfg.dlq} and processing goes on.
 */
public class BadRecordException extends RuntimeException implements DeadLetterable {
    private final DeadLetterReason reason;

    public BadRecordException(DeadLetterReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public static BadRecordException late(String message) {
        return new BadRecordException(DeadLetterReason.LATE, message);
    }

    public static BadRecordException invalid(String message) {
        return new BadRecordException(DeadLetterReason.INVALID_VALUE, message);
    }

    @Override
    public DeadLetterReason reason() {
        return reason;
    }
}

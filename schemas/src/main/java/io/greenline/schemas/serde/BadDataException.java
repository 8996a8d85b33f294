package io.greenline.schemas.serde;

import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.DeadLetterable;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The bytes of a record cannot be turned into an event: wrong framing, unknown schema id, a body that
 * does not decode. The record is bad data and goes to the dead-letter topic; retrying cannot help.
 */
public class BadDataException extends SerializationException implements DeadLetterable {
    private final DeadLetterReason reason;

    public BadDataException(DeadLetterReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public BadDataException(DeadLetterReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    @Override
    public DeadLetterReason reason() {
        return reason;
    }
}

package io.greenline.schemas.registry;

import org.apache.kafka.common.errors.RetriableException;

/**
 * The registry could not be asked: connection refused, timeout, TLS failure, HTTP 5xx or 429. The
 * record is fine; the request must be retried later. It extends Kafka's {@link RetriableException}
 * so that Kafka's own error handling treats it as transient, never as bad data.
 */
public class RegistryUnavailableException extends RetriableException {
    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public RegistryUnavailableException(String message) {
        super(message);
    }
}

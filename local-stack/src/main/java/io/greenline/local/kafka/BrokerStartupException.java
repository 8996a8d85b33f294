package io.greenline.local.kafka;

/** A Kafka broker child process could not be formatted, launched or reached in time. */
public final class BrokerStartupException extends RuntimeException {

    public BrokerStartupException(String message) {
        super(message);
    }

    public BrokerStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}

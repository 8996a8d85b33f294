package io.greenline.streams.query;

/**
 * A store cannot answer now (Kafka Streams starting or rebalancing, the owner unreachable, no standby
 * here): answered 503 with {@code Retry-After}, never retried in a loop on the server.
 */
public class StoreUnavailableException extends ApiException {
    public StoreUnavailableException(String message) {
        super(503, message);
    }
}

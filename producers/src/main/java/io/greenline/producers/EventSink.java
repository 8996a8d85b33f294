package io.greenline.producers;

import io.greenline.schemas.Topic;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;

/**
 * Where producers put events: a Kafka topic in production, a list in tests. Simulators, replay and the
 * load generator all write through this, so a test can capture exactly what would have been sent.
 */
public interface EventSink extends AutoCloseable {

    /** Sends one event; {@code timestampMs} becomes the Kafka record timestamp (event time). */
    <V extends SpecificRecord> void send(Topic<String, V> topic, String key, V value, long timestampMs);

    /**
     * Sends one event and tells {@code refused} about a failure of this very record (at once, or later on another
     * thread); when it returns true the caller has taken the failure as its own (reported it), so the sink does not
     * count it among its own failures. Sinks that cannot fail per record just send.
     */
    default <V extends SpecificRecord> void send(Topic<String, V> topic, String key, V value, long timestampMs,
                                                 Predicate<Exception> refused) {
        send(topic, key, value, timestampMs);
    }

    /** Blocks until everything sent so far is acknowledged (or failed). */
    default void flush() {
    }

    @Override
    default void close() {
    }
}

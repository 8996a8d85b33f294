package io.greenline.streams;

import io.greenline.streams.errors.DeadLetterHandler;
import java.time.Duration;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deserializer of the reference data read by Kafka Streams' global thread. A stream thread that meets a registry
 * outage fails and is replaced, and reads the record again; the global thread cannot be replaced, so the same
 * failure would end the whole client (an instance started while the registry is down would exit). Here a retriable
 * failure (the registry or broker unreachable) is waited out with a backoff doubling from {@code initialBackoff} to
 * {@code maxBackoff}, as long as the thread is not interrupted; bad data still fails at once.
 */
final class OutageTolerantDeserializer<V> implements Deserializer<V> {

    private static final Logger log = LoggerFactory.getLogger(OutageTolerantDeserializer.class);

    private final Deserializer<V> inner;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    OutageTolerantDeserializer(Deserializer<V> inner, Duration initialBackoff, Duration maxBackoff) {
        this.inner = inner;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    @Override
    public V deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
    }

    @Override
    public V deserialize(String topic, Headers headers, byte[] data) {
        long backoffMs = initialBackoff.toMillis();
        long waitedMs = 0;
        while (true) {
            try {
                return inner.deserialize(topic, headers, data);
            } catch (RuntimeException e) {
                if (!DeadLetterHandler.isRetriable(e)) {
                    throw e;
                }
                log.warn("Reference data of {} cannot be read yet ({}); retrying in {} ms (waited {} ms so far)", topic,
                        e.getMessage(), backoffMs, waitedMs);
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                waitedMs += backoffMs;
                backoffMs = Math.min(backoffMs * 2, maxBackoff.toMillis());
            }
        }
    }

    @Override
    public void close() {
        inner.close();
    }
}

package io.greenline.streams.errors;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the dead letters of the global thread, which reads the reference topics into the global stores.
 *
 * <p>Kafka Streams 4.4 cannot send the dead-letter records a handler returns for a global record. For a processing
 * error it logs them and drops them. For a deserialization error it fails the global thread: the application ends, and
 * it ends again at every restart, since the record is read again each time. So the handler returns none for a
 * global record. Instead, this writer sends the dead letter with a producer of its own: made on the first global dead
 * letter from the application's producer settings (the unprefixed client settings such as {@code bootstrap.servers},
 * {@code security.protocol} and {@code ssl.*}, then the {@code producer.}-prefixed ones). Each send waits for the
 * broker's acknowledgement (at most {@link #SEND_TIMEOUT_SECONDS} s). If it fails, the record is logged as an
 * error with its coordinates, never retried: the global thread cannot stop for it.
 *
 * <p>Delivery is at least once. A global store restored from its topic runs its processor again, so a full restore
 * (a new instance, a wiped state directory) writes the dead letters of its bad versions once more. The producer
 * lives as long as the handler, that is, as long as the global thread of the client.
 */
final class GlobalDeadLetters {

    static final long SEND_TIMEOUT_SECONDS = 30;
    private static final Logger log = LoggerFactory.getLogger(GlobalDeadLetters.class);

    private final Map<String, Object> producerConfigs;
    private KafkaProducer<byte[], byte[]> producer;

    GlobalDeadLetters(Map<String, ?> configs) {
        this.producerConfigs = producerConfigs(configs);
    }

    /** True when the record being handled was read by the global thread (Kafka Streams gives it task -1_-1). */
    static boolean isGlobal(ErrorHandlerContext context) {
        TaskId task = context.taskId();
        return task == null || task.subtopology() < 0;
    }

    /** The producer settings of the dead-letter writer, from the application's settings. */
    static Map<String, Object> producerConfigs(Map<String, ?> configs) {
        Map<String, Object> out = new HashMap<>();
        for (Map.Entry<String, ?> e : configs.entrySet()) {
            if (e.getValue() != null && ProducerConfig.configNames().contains(e.getKey())) {
                out.put(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, ?> e : configs.entrySet()) {
            if (e.getValue() != null && e.getKey().startsWith(StreamsConfig.PRODUCER_PREFIX)) {
                String key = e.getKey().substring(StreamsConfig.PRODUCER_PREFIX.length());
                if (ProducerConfig.configNames().contains(key)) {
                    out.put(key, e.getValue());
                }
            }
        }
        out.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        out.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        out.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        out.put(ProducerConfig.ACKS_CONFIG, "all");
        out.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(TimeUnit.SECONDS.toMillis(SEND_TIMEOUT_SECONDS)));
        Object app = configs.get(StreamsConfig.APPLICATION_ID_CONFIG);
        out.put(ProducerConfig.CLIENT_ID_CONFIG, (app == null ? "greenline" : app) + "-global-dead-letters");
        return out;
    }

    /** Sends {@code deadLetter} and waits for the broker; a failure is logged, never thrown. */
    synchronized void write(ProducerRecord<byte[], byte[]> deadLetter) {
        try {
            if (producer == null) {
                producer = new KafkaProducer<>(producerConfigs, new ByteArraySerializer(), new ByteArraySerializer());
            }
            producer.send(deadLetter).get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.error("Interrupted writing the dead letter of a reference record to {} ({}); it is not written", deadLetter.topic(), describe(deadLetter));
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            log.error("Could not write the dead letter of a reference record to {} ({}); it is not written: {}", deadLetter.topic(),
                    describe(deadLetter), e.toString());
        }
    }

    private static String describe(ProducerRecord<byte[], byte[]> deadLetter) {
        StringBuilder out = new StringBuilder();
        for (Header h : deadLetter.headers()) {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(h.key()).append('=').append(h.value() == null ? "null" : new String(h.value(), StandardCharsets.UTF_8));
        }
        return out.toString();
    }
}

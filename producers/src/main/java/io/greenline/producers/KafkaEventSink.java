package io.greenline.producers;

import io.greenline.schemas.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * An {@link EventSink} over one Kafka producer. Each event is serialized with its topic's serdes (so the
 * schema is registered under {@code <topic>-value}, Confluent's subject naming) and sent asynchronously;
 * the record timestamp is the event time. Counts of acknowledged records per topic and the first send
 * failure are kept for the caller's summary.
 */
public final class KafkaEventSink implements EventSink {

    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<String, LongAdder> acknowledged = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

    public KafkaEventSink(Map<String, Object> producerConfig) {
        Properties props = new Properties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // one produce request in flight per broker: with several, a batch refused NOT_LEADER_OR_FOLLOWER by a broker
        // still settling its new partitions had its successor refused OUT_OF_ORDER_SEQUENCE_NUMBER on every retry
        // (Kafka 4.4 idempotent producer), and the records were lost to the sink; the application's Streams producer
        // has the same setting (docs/app.md)
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        props.putAll(producerConfig);
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A sink for a cluster reachable at {@code bootstrapServers}, with a client id for its logs. */
    public static KafkaEventSink connect(String bootstrapServers, String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return connect(config);
    }

    /** A sink with these producer settings (bootstrap servers, client id, security); the sink's own defaults fill the rest. */
    public static KafkaEventSink connect(Map<String, Object> config) {
        return new KafkaEventSink(config);
    }

    @Override
    public <V extends SpecificRecord> void send(Topic<String, V> topic, String key, V value, long timestampMs) {
        send(topic, key, value, timestampMs, error -> false);
    }

    @Override
    public <V extends SpecificRecord> void send(Topic<String, V> topic, String key, V value, long timestampMs,
                                                Predicate<Exception> refused) {
        byte[] keyBytes = topic.keySerde().serializer().serialize(topic.name(), key);
        byte[] valueBytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        producer.send(new ProducerRecord<>(topic.name(), null, timestampMs, keyBytes, valueBytes), (metadata, error) -> {
            if (error == null) {
                acknowledged.computeIfAbsent(topic.name(), t -> new LongAdder()).increment();
            } else if (!refused.test(error)) {
                failures.incrementAndGet();
                firstFailure.compareAndSet(null, error);
            }
        });
    }

    @Override
    public void flush() {
        producer.flush();
    }

    /** Records acknowledged by the broker, per topic, sorted by topic name. */
    public Map<String, Long> acknowledgedByTopic() {
        Map<String, Long> counts = new TreeMap<>();
        acknowledged.forEach((topic, count) -> counts.put(topic, count.sum()));
        return counts;
    }

    public long failures() {
        return failures.get();
    }

    /** The first send failure, or null. */
    public Exception firstFailure() {
        return firstFailure.get();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }
}

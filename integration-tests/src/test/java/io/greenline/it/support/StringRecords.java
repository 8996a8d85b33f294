package io.greenline.it.support;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Plain string records in and out of a topic, for tests of the broker itself. */
public final class StringRecords {

    /** One record's key and value. */
    public record KeyValue(String key, String value) {
    }

    private StringRecords() {
    }

    /** Sends every record with acks=all and idempotence, waiting for each acknowledgement. */
    public static void send(Map<String, Object> clientConfig, String topic, List<KeyValue> records)
            throws ExecutionException, InterruptedException {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (KeyValue record : records) {
                producer.send(new ProducerRecord<>(topic, record.key(), record.value())).get();
            }
        }
    }

    /** Reads every partition of the topic from the beginning (no consumer group) until {@code expected} records arrived (or the timeout). */
    public static List<KeyValue> read(Map<String, Object> clientConfig, String topic, int expected, Duration timeout) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        // no consumer group: reading must not depend on the group coordinator (fault tests kill brokers)
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<KeyValue> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(timeout).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    received.add(new KeyValue(record.key(), record.value()));
                }
                return received.size() >= expected;
            });
        }
        return received;
    }
}

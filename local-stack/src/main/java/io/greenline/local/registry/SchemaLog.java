package io.greenline.local.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's durable log: one compacted, single-partition Kafka topic ({@code _schemas}).
 *
 * <p>A reader thread applies every record of the topic, from the beginning, to the registry's state.
 * A write is produced synchronously and returns only once the reader has applied it, so what a client
 * was told is both durable and visible, and a restarted registry rebuilds exactly the same state
 * (same ids) by reading the topic again.
 */
final class SchemaLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SchemaLog.class);
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final TopicPartition partition;
    private final BiConsumer<String, String> apply;
    private final KafkaProducer<String, String> producer;
    private final KafkaConsumer<String, String> consumer;
    private final Thread reader;
    private final Object progress = new Object();
    private long appliedUpTo; // offset of the next record to apply
    private volatile boolean closed;
    private volatile Throwable readerFailure;

    private SchemaLog(String bootstrapServers, String topic, BiConsumer<String, String> apply) {
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
        this.apply = apply;
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "greenline-schema-registry-writer");
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer());
        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "greenline-schema-registry-reader");
        this.consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer());
        this.reader = new Thread(this::readForever, "schema-registry-log-reader");
        this.reader.setDaemon(true);
    }

    /**
     * Creates the topic if it is missing (compacted, one partition), starts the reader and returns once
     * every record already in the topic has been applied.
     */
    static SchemaLog open(String bootstrapServers, String topic, BiConsumer<String, String> apply, Duration timeout) {
        ensureTopic(bootstrapServers, topic, timeout);
        SchemaLog schemaLog = new SchemaLog(bootstrapServers, topic, apply);
        try {
            schemaLog.consumer.assign(List.of(schemaLog.partition));
            schemaLog.consumer.seekToBeginning(List.of(schemaLog.partition));
            long end = schemaLog.consumer.endOffsets(List.of(schemaLog.partition), timeout).get(schemaLog.partition);
            schemaLog.reader.start();
            schemaLog.awaitApplied(end, timeout);
            log.info("Schema registry state read from {} ({} records)", topic, end);
            return schemaLog;
        } catch (RuntimeException e) {
            schemaLog.close();
            throw e;
        }
    }

    /** Writes a record and returns once it is durable and applied. A null value is a tombstone. */
    void append(String key, String value) {
        RecordMetadata written;
        try {
            written = producer.send(new ProducerRecord<>(topic, 0, key, value)).get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryError(500, RegistryError.STORE_ERROR, "Interrupted while writing to " + topic, e);
        } catch (ExecutionException e) {
            throw new RegistryError(500, RegistryError.STORE_ERROR, "Error while writing to the Kafka store " + topic + ": " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new RegistryError(500, RegistryError.STORE_TIMEOUT, "Write to the Kafka store " + topic + " timed out", e);
        }
        awaitApplied(written.offset() + 1, WRITE_TIMEOUT);
    }

    private void awaitApplied(long offset, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (appliedUpTo < offset) {
                if (readerFailure != null) {
                    throw new RegistryError(500, RegistryError.STORE_ERROR, "The reader of " + topic + " failed: " + readerFailure, readerFailure);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new RegistryError(500, RegistryError.STORE_TIMEOUT,
                            "Timed out reading " + topic + " up to offset " + offset + " (at " + appliedUpTo + ")");
                }
                try {
                    progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryError(500, RegistryError.STORE_ERROR, "Interrupted while reading " + topic, e);
                }
            }
        }
    }

    private void readForever() {
        try {
            while (!closed) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        apply.accept(record.key(), record.value());
                    } catch (RuntimeException e) {
                        log.warn("Skipping unreadable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
                    }
                }
                long position = consumer.position(partition);
                synchronized (progress) {
                    appliedUpTo = position;
                    progress.notifyAll();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (!closed) {
                log.error("Schema registry log reader stopped", e);
                readerFailure = e;
                synchronized (progress) {
                    progress.notifyAll();
                }
            }
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private static void ensureTopic(String bootstrapServers, String topic, Duration timeout) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis()))) {
            if (admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS).contains(topic)) {
                return;
            }
            int brokers = admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
            NewTopic newTopic = new NewTopic(topic, 1, (short) Math.min(3, brokers))
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(newTopic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the schema registry topic " + topic + ": " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + topic, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within " + timeout, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        if (reader.getState() == Thread.State.NEW) {
            consumer.close(Duration.ofSeconds(2)); // the reader never ran, so it cannot close it
        } else {
            consumer.wakeup();
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producer.close(Duration.ofSeconds(5));
    }
}

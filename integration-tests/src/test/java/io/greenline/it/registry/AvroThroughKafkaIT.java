package io.greenline.it.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.EmissionFactor;
import io.greenline.local.registry.EmbeddedSchemaRegistry;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.AvroDeserializer;
import io.greenline.schemas.serde.AvroSerializer;
import io.greenline.schemas.serde.GreenlineSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on real infrastructure: every input event type is produced with Greenline's Avro
 * serializer through the embedded schema registry to a real child-JVM Kafka broker, consumed back
 * with Greenline's deserializer, and compared field by field.
 */
class AvroThroughKafkaIT {

    @TempDir
    static Path dataDir;
    private static TestKafka kafka;
    private static EmbeddedSchemaRegistry registry;

    /** topic -> events produced to it, in order. */
    private static final Map<String, List<SpecificRecord>> EVENTS = new LinkedHashMap<>();

    static {
        EVENTS.put(TopicNames.MACHINE_STATE, List.of(SampleEvents.FAULT, SampleEvents.RUNNING));
        EVENTS.put(TopicNames.PRODUCTION_COUNT, List.of(SampleEvents.COUNT));
        EVENTS.put(TopicNames.INSPECTION, List.of(SampleEvents.INSPECTION));
        EVENTS.put(TopicNames.ENERGY, List.of(SampleEvents.ENERGY));
        EVENTS.put(TopicNames.BATCH, List.of(SampleEvents.BATCH));
        EVENTS.put(TopicNames.LINE_CONFIG, List.of(SampleEvents.LINE));
        EVENTS.put(TopicNames.EMISSION_FACTORS, List.of(SampleEvents.FACTOR));
    }

    @BeforeAll
    static void startInfrastructure() throws Exception {
        kafka = TestKafka.start(dataDir);
        registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0, "_schemas-" + UUID.randomUUID(), "127.0.0.1");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            List<NewTopic> topics = EVENTS.keySet().stream().map(name -> new NewTopic(name, 1, (short) 1)).toList();
            admin.createTopics(topics).all().get();
        }
    }

    @AfterAll
    static void stopInfrastructure() {
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @DisplayName("every input event type goes through the registry and a real broker and comes back equal, field by field")
    void everyInputEventRoundTrips() throws Exception {
        Map<String, Object> serdeConfig = GreenlineSerdes.forRegistry(registry.url()).configs();
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        AvroSerializer<SpecificRecord> valueSerializer = new AvroSerializer<>();
        valueSerializer.configure(serdeConfig, false);
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(producerProps, new StringSerializer(), valueSerializer)) {
            for (Map.Entry<String, List<SpecificRecord>> topic : EVENTS.entrySet()) {
                for (SpecificRecord event : topic.getValue()) {
                    producer.send(new ProducerRecord<>(topic.getKey(), keyOf(event), event)).get();
                }
            }
        }

        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        AvroDeserializer<SpecificRecord> valueDeserializer = new AvroDeserializer<>();
        valueDeserializer.configure(Map.of("schema.registry.url", registry.url(), "specific.avro.reader", "true"), false);
        Map<String, List<SpecificRecord>> received = new LinkedHashMap<>();
        int expected = EVENTS.values().stream().mapToInt(List::size).sum();
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), valueDeserializer)) {
            // assigned, not subscribed: no consumer group to wait for
            List<TopicPartition> partitions = EVENTS.keySet().stream().map(t -> new TopicPartition(t, 0)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, SpecificRecord>> records = new ArrayList<>();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
            for (ConsumerRecord<String, SpecificRecord> record : records) {
                assertThat(record.key()).isEqualTo(keyOf(record.value()));
                received.computeIfAbsent(record.topic(), t -> new ArrayList<>()).add(record.value());
            }
        }

        assertThat(received.keySet()).containsExactlyInAnyOrderElementsOf(EVENTS.keySet());
        for (Map.Entry<String, List<SpecificRecord>> topic : EVENTS.entrySet()) {
            List<SpecificRecord> back = received.get(topic.getKey());
            assertThat(back).as(topic.getKey()).hasSameSizeAs(topic.getValue());
            for (int i = 0; i < back.size(); i++) {
                assertFieldByField(back.get(i), topic.getValue().get(i));
            }
        }
        assertThat(registry.requestCount()).as("registry requests: one register per subject, one id lookup per schema")
                .isLessThanOrEqualTo(2L * EVENTS.size());
    }

    private static void assertFieldByField(SpecificRecord actual, SpecificRecord expected) {
        assertThat(actual).isInstanceOf(expected.getClass());
        for (Schema.Field field : expected.getSchema().getFields()) {
            assertThat(actual.get(field.pos())).as("%s.%s", expected.getSchema().getName(), field.name()).isEqualTo(expected.get(field.pos()));
        }
        assertThat(actual).isEqualTo(expected);
    }

    private static String keyOf(SpecificRecord event) {
        if (event instanceof EmissionFactor factor) {
            return Topics.emissionFactorKey(factor);
        }
        Schema.Field lineId = event.getSchema().getField("lineId");
        if (lineId != null && event.get(lineId.pos()) != null) {
            return event.get(lineId.pos()).toString();
        }
        Schema.Field siteId = event.getSchema().getField("siteId");
        if (siteId != null) {
            return event.get(siteId.pos()).toString(); // a shared site meter is keyed by its site
        }
        throw new IllegalArgumentException("no key for " + event.getSchema().getName());
    }
}

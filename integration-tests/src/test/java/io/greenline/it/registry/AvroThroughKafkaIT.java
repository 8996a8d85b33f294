package io.greenline.it.registry;

import io.greenline.schemas.serde.SampleEvents;
import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.EmissionFactor;
import io.greenline.it.support.KafkaExtension;
import io.greenline.it.support.KafkaFixture;
import io.greenline.local.registry.EmbeddedSchemaRegistry;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.AvroDeserializer;
import io.greenline.schemas.serde.AvroSerializer;
import io.greenline.schemas.serde.GreenlineSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
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
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * End to end on real infrastructure: every input event type is produced with Greenline's Avro
 * serializer through the embedded schema registry to the test Kafka cluster (a real child-JVM broker
 * by default), consumed back
 * with Greenline's deserializer, and compared field by field.
 */
@ExtendWith(KafkaExtension.class)
class AvroThroughKafkaIT {

    private static KafkaFixture kafka;
    private static EmbeddedSchemaRegistry registry;

    /**
     * Topic -> events produced to it, in order. The test cluster is shared by every IT, so the topics
     * are the contract's names with a unique suffix (subjects follow: {@code <topic>-value}).
     */
    private static final Map<String, List<SpecificRecord>> EVENTS = new LinkedHashMap<>();

    static {
        EVENTS.put(KafkaFixture.uniqueTopic(TopicNames.MACHINE_STATE), List.of(SampleEvents.FAULT, SampleEvents.RUNNING));
        EVENTS.put(KafkaFixture.uniqueTopic(TopicNames.PRODUCTION_COUNT), List.of(SampleEvents.COUNT));
        EVENTS.put(KafkaFixture.uniqueTopic(TopicNames.INSPECTION), List.of(SampleEvents.INSPECTION));
        EVENTS.put(KafkaFixture.uniqueTopic(TopicNames.ENERGY), List.of(SampleEvents.ENERGY));
        EVENTS.put(KafkaFixture.uniqueTopic(TopicNames.BATCH), List.of(SampleEvents.BATCH));
        EVENTS.put(KafkaFixture.uniqueTopic(TopicNames.LINE_CONFIG), List.of(SampleEvents.LINE));
        EVENTS.put(KafkaFixture.uniqueTopic(TopicNames.EMISSION_FACTORS), List.of(SampleEvents.FACTOR));
    }

    @BeforeAll
    static void startRegistry(KafkaFixture shared) {
        kafka = shared;
        registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0, KafkaFixture.uniqueTopic("_schemas"), "127.0.0.1");
        EVENTS.keySet().forEach(topic -> kafka.createTopic(topic, 1));
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    @DisplayName("every input event type goes through the registry and a real broker and comes back equal, field by field")
    void everyInputEventRoundTrips() throws Exception {
        Map<String, Object> serdeConfig = GreenlineSerdes.forRegistry(registry.url()).configs();
        Properties producerProps = new Properties();
        producerProps.putAll(kafka.clientConfig());
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
        consumerProps.putAll(kafka.clientConfig());
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

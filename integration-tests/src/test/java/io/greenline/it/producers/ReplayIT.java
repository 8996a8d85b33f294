package io.greenline.it.producers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.greenline.it.support.KafkaExtension;
import io.greenline.it.support.KafkaFixture;
import io.greenline.local.topics.TopicProvisioner;
import io.greenline.producers.KafkaEventSink;
import io.greenline.producers.replay.JsonEventParser;
import io.greenline.producers.replay.JsonLinesReplay;
import io.greenline.schemas.Topic;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import java.io.BufferedReader;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code greenline replay} against a real broker: good lines land on their topics, bad ones are reported. */
@ExtendWith(KafkaExtension.class)
class ReplayIT {

    private static final Topics TOPICS = new Topics(GreenlineSerdes.inMemory("replay-it"));

    /** A file with good and bad lines; LINE is replaced by a line id unique to the run. */
    private static final String FILE = String.join("\n",
            "{\"type\":\"machine_state\",\"eventId\":\"ms-1\",\"lineId\":\"LINE\",\"workcellId\":\"press\",\"timestamp\":\"2026-11-23T06:00:00Z\",\"state\":\"RUNNING\"}",
            "{\"type\":\"machine_state\",\"eventId\":\"ms-2\",\"lineId\":\"LINE\",\"workcellId\":\"press\",\"timestamp\":\"2026-11-23T06:10:00Z\",\"state\":\"ON_FIRE\"}",
            "{\"type\":\"production_count\",\"eventId\":\"pc-1\",\"lineId\":\"LINE\",\"workcellId\":\"press\",\"productId\":\"P\",\"timestamp\":1795413900000,\"quantity\":9,\"scrapQuantity\":1}",
            "{\"type\":\"inspection\",\"eventId\":\"in-1\",\"lineId\":\"LINE\",\"stationId\":\"cmm\",\"productId\":\"P\",\"timestamp\":\"2026-11-23T06:06:00Z\",\"result\":\"SCRAP\",\"defectCodes\":[\"CRACK\"]}",
            "{\"type\":\"energy\",\"eventId\":\"en-1\",\"meterId\":\"m\"",
            "{\"type\":\"energy\",\"eventId\":\"en-2\",\"meterId\":\"m\",\"siteId\":\"s\",\"lineId\":\"LINE\",\"carrier\":\"ELECTRICITY\",\"periodStart\":\"2026-11-23T06:00:00Z\",\"timestamp\":\"2026-11-23T06:15:00Z\",\"quantity\":412.5,\"unit\":\"KWH\"}",
            "{\"type\":\"production_count\",\"eventId\":\"pc-2\",\"lineId\":\"LINE\"}");

    @Test
    @DisplayName("a JSON Lines file with good and malformed lines: the good events are on their topics keyed by lineId, the bad lines are reported by number")
    void replaysGoodLinesAndReportsBadOnes(KafkaFixture kafka) throws Exception {
        String lineId = "replay-it-" + UUID.randomUUID();
        new TopicProvisioner(kafka.admin()).provision(TopicProvisioner.Settings.defaults().withPartitions(1));

        JsonLinesReplay.Summary summary;
        Map<String, Object> producerConfig = new HashMap<>(kafka.clientConfig());
        try (KafkaEventSink sink = new KafkaEventSink(producerConfig)) {
            summary = new JsonLinesReplay(new JsonEventParser(TOPICS), false)
                    .replay(new BufferedReader(new StringReader(FILE.replace("LINE", lineId))), sink, bad -> { });
            sink.flush();
            assertThat(sink.failures()).isZero();
            assertThat(sink.acknowledgedByTopic()).containsAllEntriesOf(summary.sentByTopic());
        }

        assertThat(summary.rejected()).extracting(JsonLinesReplay.Rejected::lineNumber).containsExactly(2L, 5L, 7L);
        assertThat(summary.sentByTopic()).containsExactlyInAnyOrderEntriesOf(Map.of(TopicNames.MACHINE_STATE, 1L,
                TopicNames.PRODUCTION_COUNT, 1L, TopicNames.INSPECTION, 1L, TopicNames.ENERGY, 1L));

        assertThat(readByKey(kafka, TOPICS.machineState, lineId, 1)).singleElement()
                .satisfies(v -> assertThat(v.getEventId()).isEqualTo("ms-1"));
        assertThat(readByKey(kafka, TOPICS.productionCount, lineId, 1)).singleElement()
                .satisfies(v -> assertThat(v.getQuantity()).isEqualTo(9.0));
        assertThat(readByKey(kafka, TOPICS.inspection, lineId, 1)).singleElement()
                .satisfies(v -> assertThat(v.getDefectCodes()).containsExactly("CRACK"));
        assertThat(readByKey(kafka, TOPICS.energy, lineId, 1)).singleElement()
                .satisfies(v -> assertThat(v.getQuantity()).isEqualTo(412.5));
    }

    @Test
    @DisplayName("a line before 1970 and a 5 MB line are each reported with their line number; the lines around them are sent, no send failure")
    void poisonLinesAreReportedByNumber(KafkaFixture kafka) throws Exception {
        String lineId = "replay-it-poison-" + UUID.randomUUID();
        new TopicProvisioner(kafka.admin()).provision(TopicProvisioner.Settings.defaults().withPartitions(1));
        String state = "{\"type\":\"machine_state\",\"eventId\":\"ID\",\"lineId\":\"" + lineId
                + "\",\"workcellId\":\"press\",\"timestamp\":TIME,\"state\":\"FAULT\",\"reasonCode\":\"REASON\"}";
        String file = String.join("\n",
                state.replace("ID", "ok-1").replace("TIME", "\"2026-11-23T06:00:00Z\"").replace("REASON", "JAM"),
                state.replace("ID", "old").replace("TIME", "\"1969-07-20T20:17:00Z\"").replace("REASON", "JAM"),
                state.replace("ID", "huge").replace("TIME", "\"2026-11-23T06:01:00Z\"").replace("REASON", "x".repeat(5 * 1024 * 1024)),
                state.replace("ID", "ok-2").replace("TIME", "\"2026-11-23T06:02:00Z\"").replace("REASON", "JAM"));

        JsonLinesReplay.Summary summary;
        try (KafkaEventSink sink = new KafkaEventSink(new HashMap<>(kafka.clientConfig()))) {
            summary = new JsonLinesReplay(new JsonEventParser(TOPICS), false)
                    .replay(new BufferedReader(new StringReader(file)), sink, bad -> { });
            sink.flush();
            assertThat(sink.failures()).as("refused lines are the replay's, not send failures").isZero();
        }

        assertThat(summary.rejected()).extracting(JsonLinesReplay.Rejected::lineNumber).containsExactly(2L, 3L);
        assertThat(summary.rejected().get(0).message()).contains("before 1970");
        assertThat(summary.rejected().get(1).message()).contains("RecordTooLargeException");
        assertThat(summary.sentByTopic()).containsExactly(Map.entry(TopicNames.MACHINE_STATE, 2L));
        assertThat(readByKey(kafka, TOPICS.machineState, lineId, 2)).extracting(v -> v.getEventId())
                .containsExactly("ok-1", "ok-2");
    }

    /** Reads a topic from the beginning until {@code expected} records with {@code key} were seen. */
    private static <V extends SpecificRecord> List<V> readByKey(KafkaFixture kafka, Topic<String, V> topic, String key, int expected) {
        Map<String, Object> config = new HashMap<>(kafka.clientConfig());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<V> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(topic.keySerde().deserializer().deserialize(topic.name(), record.key()))) {
                        found.add(topic.valueSerde().deserializer().deserialize(topic.name(), record.value()));
                    }
                }
                return found.size() >= expected;
            });
        }
        return found;
    }

}

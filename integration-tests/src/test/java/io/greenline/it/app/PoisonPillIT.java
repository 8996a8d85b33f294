package io.greenline.it.app;

import static io.greenline.it.app.AppItSupport.TOPICS;
import static io.greenline.it.support.DeadLetters.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.greenline.events.MachineState;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.TopicNames;
import io.greenline.streams.InputStreams;
import io.greenline.streams.app.GreenlineApp;
import io.greenline.streams.config.AppSettings;
import io.greenline.streams.errors.DeadLetterHandler;
import io.greenline.streams.guard.EventTimeRule;
import io.greenline.streams.guard.PoisonPills;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Named;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, item 2 on the real broker: a record whose processing kills the stream thread (here a
 * StackOverflowError, like the OutOfMemoryError of year 3000) is read again by each replacement thread; after
 * {@code greenline.poison.max.attempts} (2) deaths it goes to mfg.dlq as POISON, the thread survives and the
 * records after it are processed. The instance stays live.
 */
class PoisonPillIT {

    @TempDir
    Path dirs;


    @Test
    @DisplayName("A record that kills its thread twice is quarantined as POISON; two replacements, then the records after it are processed")
    void poisonPillIsQuarantined() {
        String line = "POISON-" + UUID.randomUUID();
        String poisonId = "poison-" + UUID.randomUUID();
        String afterId = "after-" + UUID.randomUUID();
        Instant at = Instant.parse("2026-02-05T06:00:00Z");
        RecordMetadata poison;
        try (KafkaProducer<String, byte[]> p = AppItSupport.producer()) {
            poison = AppItSupport.sendState(p, AppItSupport.state(line, poisonId, at, MachineState.RUNNING, null));
            AppItSupport.sendState(p, AppItSupport.state(line, afterId, at.plusSeconds(60), MachineState.FAULT, "JAM"));
        }

        AppSettings settings = AppItSupport.settings("it-poison-pill", AppItSupport.freePort(), dirs.resolve("state"));
        AtomicInteger afterSeen = new AtomicInteger();
        StreamsBuilder builder = new StreamsBuilder();
        InputStreams.guard(builder, EventTimeRule.defaults(), new PoisonPills(settings.poisonMaxAttempts()));
        InputStreams.of(builder, TOPICS.machineState).foreach((k, v) -> {
            if (v != null && poisonId.equals(v.getEventId())) {
                throw new StackOverflowError("a bug this record triggers");
            }
            if (v != null && afterId.equals(v.getEventId())) {
                afterSeen.incrementAndGet();
            }
        }, Named.as("poison-it-process"));

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, AppItSupport.broker().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "poison-pill-it-reader");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (GreenlineApp app = new GreenlineApp(settings, builder.build(settings.streamsProperties())).start();
             KafkaConsumer<byte[], byte[]> dlq = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            dlq.subscribe(List.of(TopicNames.DLQ));
            List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
            await().dontCatchUncaughtExceptions().atMost(Duration.ofMinutes(2)).until(() -> {
                dlq.poll(Duration.ofMillis(500)).forEach(seen::add);
                return seen.stream().anyMatch(r -> DeadLetterReason.POISON.name().equals(header(r, DeadLetterHandler.HEADER_REASON))
                        && String.valueOf(poison.offset()).equals(header(r, DeadLetterHandler.HEADER_SOURCE_OFFSET))
                        && String.valueOf(poison.partition()).equals(header(r, DeadLetterHandler.HEADER_SOURCE_PARTITION)));
            });
            await().dontCatchUncaughtExceptions().atMost(Duration.ofMinutes(1)).until(() -> afterSeen.get() > 0);
            System.out.println("PoisonPillIT: threads replaced " + app.threadsReplaced() + ", state " + app.streams().state());
            assertThat(app.threadsReplaced()).isEqualTo(2);
            assertThat(app.health().live()).isTrue();
            await().dontCatchUncaughtExceptions().atMost(Duration.ofMinutes(1)).until(() -> app.health().ready());
        }
    }
}

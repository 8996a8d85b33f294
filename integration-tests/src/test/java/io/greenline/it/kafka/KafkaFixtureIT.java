package io.greenline.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import io.greenline.it.support.KafkaExtension;
import io.greenline.it.support.KafkaFixture;
import io.greenline.it.support.StringRecords;
import io.greenline.it.support.StringRecords.KeyValue;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class KafkaFixtureIT {

    private static final List<KeyValue> RECORDS = List.of(
            new KeyValue("line-1", "first"),
            new KeyValue("line-2", "second"),
            new KeyValue("line-1", "third"));

    @Test
    @DisplayName("the test cluster accepts a new topic and returns what was produced to it, in order per key")
    void createsProducesAndConsumes(KafkaFixture kafka) throws Exception {
        String topic = KafkaFixture.uniqueTopic("fixture-roundtrip");
        kafka.createTopic(topic, 1);

        StringRecords.send(kafka.clientConfig(), topic, RECORDS);

        assertThat(StringRecords.read(kafka.clientConfig(), topic, RECORDS.size(), Duration.ofSeconds(30)))
                .containsExactlyElementsOf(RECORDS);
    }

    @Test
    @DisplayName("every test in a JVM gets the same cluster, so tests stay fast and use unique topic names")
    void sharedPerJvm(KafkaFixture kafka) {
        assertThat(KafkaFixture.shared()).isSameAs(kafka);
        assertThat(kafka.mode()).isEqualTo(KafkaFixture.selectedMode());
        assertThat(KafkaFixture.uniqueTopic("t")).isNotEqualTo(KafkaFixture.uniqueTopic("t"));
        if (kafka.mode() == KafkaFixture.Mode.CHILD_JVM) {
            assertThat(kafka.childBroker()).hasValueSatisfying(broker -> {
                assertThat(broker.isRunning()).isTrue();
                assertThat(broker.bootstrapServers()).isEqualTo(kafka.bootstrapServers());
            });
        }
    }
}

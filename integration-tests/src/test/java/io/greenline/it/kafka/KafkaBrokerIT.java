package io.greenline.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.greenline.it.support.KafkaFixture;
import io.greenline.it.support.StringRecords;
import io.greenline.it.support.StringRecords.KeyValue;
import io.greenline.local.kafka.BrokerStartupException;
import io.greenline.local.kafka.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The child-JVM broker launcher itself: restart, reuse of a data directory, crash, failed start. */
class KafkaBrokerIT {

    private static final List<KeyValue> BEFORE_RESTART = List.of(
            new KeyValue("line-1", "kept-1"),
            new KeyValue("line-2", "kept-2"));
    private static final List<KeyValue> AFTER_CRASH = List.of(new KeyValue("line-3", "after-crash"));
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    @DisplayName("restart() and a new launcher on the same data directory keep topics, records, ports and cluster id")
    void restartKeepsData() throws Exception {
        String topic = KafkaFixture.uniqueTopic("restart");
        try (KafkaBroker broker = KafkaBroker.builder(dir).jvmOptions(KafkaBroker.QUICK_START_JVM_OPTIONS).build().start()) {
            createTopic(broker, topic);
            StringRecords.send(config(broker), topic, BEFORE_RESTART);
            String clusterId = broker.clusterId();
            String bootstrap = broker.bootstrapServers();
            long firstPid = broker.pid();

            broker.restart();

            assertThat(broker.pid()).isNotEqualTo(firstPid);
            assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
            assertThat(broker.clusterId()).isEqualTo(clusterId);
            assertThat(StringRecords.read(config(broker), topic, 2, READ_TIMEOUT))
                    .containsExactlyElementsOf(BEFORE_RESTART);
            broker.stop();
            assertThat(broker.isRunning()).isFalse();

            // what `greenline local` does on its second run: a new launcher, an existing directory
            try (KafkaBroker again = KafkaBroker.builder(dir).jvmOptions(KafkaBroker.QUICK_START_JVM_OPTIONS).build().start()) {
                assertThat(again.clusterId()).as("not reformatted").isEqualTo(clusterId);
                assertThat(StringRecords.read(config(again), topic, 2, READ_TIMEOUT))
                        .containsExactlyElementsOf(BEFORE_RESTART);
            }
        }
    }

    @Test
    @DisplayName("kill() ends the broker at once like a crash; start() recovers every acknowledged record")
    void killAndRecover() throws Exception {
        String topic = KafkaFixture.uniqueTopic("crash");
        try (KafkaBroker broker = KafkaBroker.builder(dir).jvmOptions(KafkaBroker.QUICK_START_JVM_OPTIONS).build().start()) {
            createTopic(broker, topic);
            StringRecords.send(config(broker), topic, BEFORE_RESTART);
            ProcessHandle process = broker.processHandle().orElseThrow();

            broker.kill();

            assertThat(process.isAlive()).isFalse();
            assertThat(broker.isRunning()).isFalse();
            broker.start();
            StringRecords.send(config(broker), topic, AFTER_CRASH);
            assertThat(StringRecords.read(config(broker), topic, 3, READ_TIMEOUT))
                    .containsExactly(BEFORE_RESTART.get(0), BEFORE_RESTART.get(1), AFTER_CRASH.get(0));
        }
    }

    @Test
    @DisplayName("a broker that cannot start fails fast with the tail of its own log")
    void failedStartShowsLog() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            KafkaBroker broker = KafkaBroker.builder(dir).jvmOptions(KafkaBroker.QUICK_START_JVM_OPTIONS).port(taken.getLocalPort())
                    .build();

            assertThatThrownBy(broker::start)
                    .isInstanceOf(BrokerStartupException.class)
                    .hasMessageContaining("exited during startup")
                    .hasMessageContaining("server.log")
                    .hasMessageContaining(Integer.toString(taken.getLocalPort()));
            assertThat(broker.isRunning()).isFalse();
            assertThat(Files.exists(dir.resolve("kraft").resolve("meta.properties"))).isTrue();
            broker.kill();
        }
    }

    private static Map<String, Object> config(KafkaBroker broker) {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    }

    private static void createTopic(KafkaBroker broker, String topic) throws Exception {
        try (Admin admin = Admin.create(config(broker))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
    }
}

package io.greenline.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.greenline.it.support.KafkaFixture;
import io.greenline.it.support.StringRecords;
import io.greenline.it.support.StringRecords.KeyValue;
import io.greenline.local.kafka.KafkaBroker;
import io.greenline.local.kafka.KafkaCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three-node cluster used by fault tests. */
class KafkaClusterIT {

    private static final KeyValue BEFORE_KILL = new KeyValue("line-1", "before");
    private static final KeyValue AFTER_KILL = new KeyValue("line-1", "after");

    @TempDir
    Path dir;

    @Test
    @DisplayName("with one of three brokers killed, an acks=all produce to an RF=3, min.insync.replicas=2 topic still succeeds")
    void survivesOneBrokerKilled() throws Exception {
        try (KafkaCluster cluster = KafkaCluster.builder(dir).size(3).build().start()) {
            Map<String, Object> config = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
            String topic = KafkaFixture.uniqueTopic("cluster");
            int leader;
            try (Admin admin = Admin.create(config)) {
                assertThat(admin.describeCluster().nodes().get()).hasSize(3);
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3)
                        .configs(Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2")))).all().get();
                StringRecords.send(config, topic, List.of(BEFORE_KILL));
                leader = admin.describeTopics(List.of(topic)).allTopicNames().get()
                        .get(topic).partitions().get(0).leader().id();
            }

            KafkaBroker victim = cluster.node(leader); // the partition leader: forces a leader election
            victim.kill();
            assertThat(victim.isRunning()).isFalse();

            StringRecords.send(config, topic, List.of(AFTER_KILL));
            assertThat(StringRecords.read(config, topic, 2, Duration.ofSeconds(60)))
                    .containsExactly(BEFORE_KILL, AFTER_KILL);
            try (Admin admin = Admin.create(config)) {
                int newLeader = admin.describeTopics(List.of(topic)).allTopicNames().get()
                        .get(topic).partitions().get(0).leader().id();
                assertThat(newLeader).isNotEqualTo(leader);
            }
        }
    }
}

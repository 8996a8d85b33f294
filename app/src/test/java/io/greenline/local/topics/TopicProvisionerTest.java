package io.greenline.local.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.greenline.local.topics.TopicProvisioner.Settings;
import io.greenline.local.topics.TopicProvisioner.TopicPlan;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.TopicNames.Retention;
import io.greenline.schemas.TopicNames.TopicSpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TopicProvisionerTest {

    private static final TopicSpec ENERGY = new TopicSpec(TopicNames.ENERGY, Retention.DELETE, false);
    private static final TopicSpec OEE = new TopicSpec(TopicNames.OEE, Retention.DELETE, false);
    private static final TopicSpec DLQ = new TopicSpec(TopicNames.DLQ, Retention.DELETE, false);
    private static final TopicSpec LINE_CONFIG = new TopicSpec(TopicNames.LINE_CONFIG, Retention.COMPACT, false);
    private static final TopicSpec SCHEMAS = new TopicSpec(TopicNames.SCHEMAS, Retention.COMPACT, true);

    /** 7 days = 7 * 24 * 3600 * 1000 ms. */
    private static final String SEVEN_DAYS_MS = "604800000";
    /** 30 days = 30 * 24 * 3600 * 1000 ms. */
    private static final String THIRTY_DAYS_MS = "2592000000";

    @Test
    @DisplayName("input event topics are deleted after 7 days by default")
    void inputRetention() {
        TopicPlan plan = TopicProvisioner.plan(ENERGY, Settings.defaults(), (short) 1);

        assertThat(plan.partitions()).isEqualTo(6);
        assertThat(plan.replicationFactor()).isEqualTo((short) 1);
        assertThat(plan.configs()).isEqualTo(Map.of("cleanup.policy", "delete", "retention.ms", SEVEN_DAYS_MS));
    }

    @Test
    @DisplayName("output topics and the dead-letter topic keep 30 days by default")
    void outputRetention() {
        assertThat(TopicProvisioner.plan(OEE, Settings.defaults(), (short) 1).configs())
                .containsEntry("retention.ms", THIRTY_DAYS_MS);
        assertThat(TopicProvisioner.plan(DLQ, Settings.defaults(), (short) 1).configs())
                .containsEntry("retention.ms", THIRTY_DAYS_MS);
    }

    @Test
    @DisplayName("reference data and footprints are compacted, with no time limit")
    void compacted() {
        assertThat(TopicProvisioner.plan(LINE_CONFIG, Settings.defaults(), (short) 1).configs())
                .isEqualTo(Map.of("cleanup.policy", "compact"));
    }

    @Test
    @DisplayName("_schemas has one partition whatever partition count is asked for")
    void schemasSinglePartition() {
        assertThat(TopicProvisioner.plan(SCHEMAS, Settings.defaults().withPartitions(12), (short) 1).partitions())
                .isEqualTo(1);
        assertThat(TopicProvisioner.plan(ENERGY, Settings.defaults().withPartitions(12), (short) 1).partitions())
                .isEqualTo(12);
    }

    @Test
    @DisplayName("with three replicas, acks=all needs two in sync (min.insync.replicas=2)")
    void minInSyncReplicas() {
        assertThat(TopicProvisioner.plan(ENERGY, Settings.defaults(), (short) 3).configs())
                .containsEntry("min.insync.replicas", "2");
        assertThat(TopicProvisioner.plan(ENERGY, Settings.defaults(), (short) 2).configs())
                .doesNotContainKey("min.insync.replicas");
    }

    @Test
    @DisplayName("retention options are hours: 48 h input = 172800000 ms, 24 h output = 86400000 ms")
    void retentionOverride() {
        Settings settings = Settings.defaults().withRetention(Duration.ofHours(48), Duration.ofHours(24));

        assertThat(TopicProvisioner.plan(ENERGY, settings, (short) 1).configs()).containsEntry("retention.ms", "172800000");
        assertThat(TopicProvisioner.plan(OEE, settings, (short) 1).configs()).containsEntry("retention.ms", "86400000");
    }

    @Test
    @DisplayName("zero partitions, zero replicas or no retention are refused")
    void invalidSettings() {
        assertThatThrownBy(() -> Settings.defaults().withPartitions(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Settings.defaults().withReplicationFactor((short) 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Settings.defaults().withRetention(Duration.ZERO, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("the command's options map onto the provisioner's settings")
    void commandOptions() {
        TopicsCommand command = new TopicsCommand();
        new CommandLine(command).parseArgs("--partitions", "3", "--replication-factor", "2",
                "--retention-hours", "48", "--output-retention-hours", "24", "-b", "broker-a:9092");

        assertThat(command.settings()).isEqualTo(new Settings(3, Optional.of((short) 2),
                Duration.ofHours(48), Duration.ofHours(24)));
        assertThat(command.bootstrapServers).isEqualTo("broker-a:9092");
    }

    @Test
    @DisplayName("without options: 6 partitions, automatic replication, 7 and 30 days, KAFKA_BOOTSTRAP_SERVERS or localhost:9092")
    void commandDefaults() {
        TopicsCommand command = new TopicsCommand();
        new CommandLine(command).parseArgs();

        assertThat(command.settings()).isEqualTo(Settings.defaults());
        String env = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        assertThat(command.bootstrapServers).isEqualTo(env == null ? "localhost:9092" : env);
    }
}

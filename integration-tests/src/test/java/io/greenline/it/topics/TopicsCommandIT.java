package io.greenline.it.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.greenline.it.support.KafkaFixture;
import io.greenline.local.kafka.KafkaBroker;
import io.greenline.local.topics.TopicProvisioner;
import io.greenline.local.topics.TopicProvisioner.Settings;
import io.greenline.local.topics.TopicProvisioner.Status;
import io.greenline.local.topics.TopicsCommand;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.TopicNames.Retention;
import io.greenline.schemas.TopicNames.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code greenline topics} against a real broker of its own (the catalogue's topic names are fixed,
 * so this test does not share a broker with tests that create the same topics).
 */
class TopicsCommandIT {

    /** 7 days = 7 * 24 * 3600 * 1000 ms. */
    private static final String SEVEN_DAYS_MS = "604800000";
    /** 30 days = 30 * 24 * 3600 * 1000 ms. */
    private static final String THIRTY_DAYS_MS = "2592000000";
    private static final int TOPIC_COUNT = TopicNames.ALL.size();

    @TempDir
    static Path dir;
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.builder(dir).jvmOptions(KafkaBroker.QUICK_START_JVM_OPTIONS).build().start();
    }

    @AfterAll
    static void stopBroker() {
        broker.stop();
    }

    @Test
    @DisplayName("creates every topic with its partitions, compaction and retention; a second run changes nothing")
    void createsThenIsIdempotent() throws Exception {
        Run first = run("--bootstrap-servers", broker.bootstrapServers());

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains(TOPIC_COUNT + " topics: " + TOPIC_COUNT + " created, 0 already existed, 0 warning(s)");
        try (Admin admin = admin()) {
            Map<String, TopicDescription> topics = admin.describeTopics(
                    TopicNames.ALL.stream().map(TopicSpec::name).toList()).allTopicNames().get();
            Map<String, Config> configs = configs(admin);
            for (TopicSpec spec : TopicNames.ALL) {
                TopicDescription topic = topics.get(spec.name());
                Config config = configs.get(spec.name());
                assertThat(topic.partitions()).as(spec.name()).hasSize(spec.singlePartition() ? 1 : 6);
                assertThat(topic.partitions().get(0).replicas()).as("min(3, 1 broker)").hasSize(1);
                assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).as(spec.name())
                        .isEqualTo(spec.retention() == Retention.COMPACT ? "compact" : "delete");
            }
            assertThat(configs.get(TopicNames.SCHEMAS).get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
            assertThat(topics.get(TopicNames.SCHEMAS).partitions()).hasSize(1);
            for (String input : List.of(TopicNames.MACHINE_STATE, TopicNames.PRODUCTION_COUNT,
                    TopicNames.INSPECTION, TopicNames.ENERGY, TopicNames.BATCH)) {
                assertThat(configs.get(input).get(TopicConfig.RETENTION_MS_CONFIG).value()).as(input).isEqualTo(SEVEN_DAYS_MS);
            }
            for (String output : List.of(TopicNames.OEE, TopicNames.QUALITY, TopicNames.LINE_ENERGY,
                    TopicNames.ALERTS, TopicNames.DLQ)) {
                assertThat(configs.get(output).get(TopicConfig.RETENTION_MS_CONFIG).value()).as(output).isEqualTo(THIRTY_DAYS_MS);
            }
        }

        Run second = run("--bootstrap-servers", broker.bootstrapServers());

        assertThat(second.exitCode()).isZero();
        assertThat(second.out()).contains(TOPIC_COUNT + " topics: 0 created, " + TOPIC_COUNT + " already existed, 0 warning(s)");
        assertThat(second.err()).isEmpty();
    }

    @Test
    @DisplayName("an existing topic with another partition count or cleanup policy is reported as a warning and left unchanged")
    void reportsDifferencesWithoutChanging() throws Exception {
        String name = KafkaFixture.uniqueTopic("reference-data");
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, 2, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, "delete")))).all().get();

            TopicProvisioner.Report report = new TopicProvisioner(admin)
                    .provision(List.of(new TopicSpec(name, Retention.COMPACT, false)), Settings.defaults());

            assertThat(report.outcomes()).singleElement()
                    .satisfies(outcome -> assertThat(outcome.status()).isEqualTo(Status.EXISTS_WITH_DIFFERENCES));
            assertThat(report.warnings()).containsExactly(
                    name + " has 2 partitions, expected 6",
                    name + " has cleanup.policy=delete, expected compact");
            assertThat(admin.describeTopics(List.of(name)).allTopicNames().get().get(name).partitions()).hasSize(2);
        }
    }

    @Test
    @DisplayName("asking for more replicas than there are brokers fails with exit code 1 and says why")
    void replicationFactorAboveBrokerCount() throws Exception {
        Run run = run("--bootstrap-servers", broker.bootstrapServers(), "--replication-factor", "3");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("replication factor 3 is more than the 1 broker(s)");
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new TopicsCommand())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        int exitCode = command.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static Map<String, Config> configs(Admin admin) throws Exception {
        List<ConfigResource> resources = TopicNames.ALL.stream()
                .map(spec -> new ConfigResource(ConfigResource.Type.TOPIC, spec.name())).toList();
        return admin.describeConfigs(resources).all().get().entrySet().stream()
                .collect(Collectors.toMap(entry -> entry.getKey().name(), Map.Entry::getValue));
    }
}

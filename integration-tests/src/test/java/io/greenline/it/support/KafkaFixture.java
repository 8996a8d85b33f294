package io.greenline.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import io.greenline.local.kafka.KafkaBroker;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The Kafka cluster integration tests run against, one per test JVM (started on first use, stopped
 * when the JVM exits). Tests share it, so each test makes its own topics with {@link #uniqueTopic}.
 *
 * <p>Which cluster, in order:
 * <ol>
 *   <li>{@code -Dgreenline.test.kafka=child-jvm|testcontainers|external} when given;</li>
 *   <li>otherwise {@code external} when the environment variable {@code KAFKA_BOOTSTRAP_SERVERS} is set;</li>
 *   <li>otherwise {@code child-jvm}: a real single-node KRaft broker started by
 *       {@link KafkaBroker} in a child JVM, data under {@code target/it-kafka/} (override with
 *       {@code -Dgreenline.test.kafka.dir=DIR}).</li>
 * </ol>
 * {@code testcontainers} runs Testcontainers' {@code KafkaContainer} (needs Docker; image
 * {@code apache/kafka:<kafka-clients version>}, override with {@code -Dgreenline.test.kafka.image}).
 * Testcontainers classes are loaded only in that mode. {@code external} uses
 * {@code KAFKA_BOOTSTRAP_SERVERS}; extra client settings for it (SASL, TLS) can be given as a
 * properties file with {@code -Dgreenline.test.kafka.client-config=FILE}.
 */
public final class KafkaFixture {

    public static final String MODE_PROPERTY = "greenline.test.kafka";
    public static final String DIR_PROPERTY = "greenline.test.kafka.dir";
    public static final String IMAGE_PROPERTY = "greenline.test.kafka.image";
    public static final String CLIENT_CONFIG_PROPERTY = "greenline.test.kafka.client-config";
    public static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";

    /** Where the cluster comes from. */
    public enum Mode {
        CHILD_JVM, TESTCONTAINERS, EXTERNAL;

        static Mode parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "child-jvm", "child", "local", "embedded" -> CHILD_JVM;
                case "testcontainers", "docker" -> TESTCONTAINERS;
                case "external" -> EXTERNAL;
                default -> throw new IllegalArgumentException("-D" + MODE_PROPERTY + "=" + text
                        + ": expected child-jvm, testcontainers or external");
            };
        }
    }

    private static KafkaFixture shared;

    private final Mode mode;
    private final String bootstrapServers;
    private final Map<String, Object> clientConfig;
    private final KafkaBroker broker;

    private KafkaFixture(Mode mode, String bootstrapServers, Map<String, Object> extraClientConfig,
                         KafkaBroker broker) {
        this.mode = mode;
        this.bootstrapServers = bootstrapServers;
        Map<String, Object> config = new HashMap<>(extraClientConfig);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        this.clientConfig = Map.copyOf(config);
        this.broker = broker;
    }

    /** The cluster of this test JVM, started on first call. */
    public static synchronized KafkaFixture shared() {
        if (shared == null) {
            shared = start(selectedMode());
        }
        return shared;
    }

    /** The mode chosen by system property and environment (see the class comment). */
    public static Mode selectedMode() {
        String requested = System.getProperty(MODE_PROPERTY);
        if (requested != null && !requested.isBlank()) {
            return Mode.parse(requested);
        }
        String external = System.getenv(BOOTSTRAP_ENV);
        return external != null && !external.isBlank() ? Mode.EXTERNAL : Mode.CHILD_JVM;
    }

    private static KafkaFixture start(Mode mode) {
        return switch (mode) {
            case CHILD_JVM -> {
                Path dir = Path.of(System.getProperty(DIR_PROPERTY, "target/it-kafka"))
                        .resolve("shared-" + ProcessHandle.current().pid());
                KafkaBroker broker = KafkaBroker.builder(dir).jvmOptions(KafkaBroker.QUICK_START_JVM_OPTIONS).build().start();
                yield new KafkaFixture(mode, broker.bootstrapServers(), Map.of(), broker);
            }
            case TESTCONTAINERS -> new KafkaFixture(mode,
                    TestcontainersKafka.start(System.getProperty(IMAGE_PROPERTY)), Map.of(), null);
            case EXTERNAL -> {
                String servers = System.getenv(BOOTSTRAP_ENV);
                if (servers == null || servers.isBlank()) {
                    throw new IllegalStateException("-D" + MODE_PROPERTY + "=external needs " + BOOTSTRAP_ENV);
                }
                yield new KafkaFixture(mode, servers, externalClientConfig(), null);
            }
        };
    }

    public Mode mode() {
        return mode;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Bootstrap servers plus any security settings; a fresh mutable copy for a client's config. */
    public Map<String, Object> clientConfig() {
        return new HashMap<>(clientConfig);
    }

    /** A new admin client (the caller closes it). */
    public Admin admin() {
        return Admin.create(clientConfig());
    }

    /** {@code prefix-<random>}: a topic name no other test uses. */
    public static String uniqueTopic(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates a topic with replication factor min(3, brokers) and waits for it. */
    public void createTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            int brokers = admin.describeCluster().nodes().get().size();
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) Math.min(3, brokers))))
                    .all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topic " + name + " on " + bootstrapServers, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The child-JVM broker, in {@link Mode#CHILD_JVM} mode. */
    public Optional<KafkaBroker> childBroker() {
        return Optional.ofNullable(broker);
    }

    private static Map<String, Object> externalClientConfig() {
        String file = System.getProperty(CLIENT_CONFIG_PROPERTY);
        if (file == null || file.isBlank()) {
            return Map.of();
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, Object> config = new HashMap<>();
        props.forEach((key, value) -> config.put(key.toString(), value));
        return config;
    }

    @Override
    public String toString() {
        return "KafkaFixture[" + mode + ", " + bootstrapServers + "]";
    }
}

package io.greenline.local.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import io.greenline.schemas.TopicNames;
import io.greenline.schemas.TopicNames.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates Greenline's topics ({@link TopicNames#ALL}) with the right partitions, replication,
 * compaction and retention, and checks the layout of topics that already exist.
 *
 * <p>Idempotent: an existing topic is left as it is and reported; a partition count or cleanup
 * policy that differs from the plan is reported as a warning, never changed (changing either on a
 * live topic breaks key ordering or deletes data, which is the operator's call).
 *
 * <p>Layout ({@link #plan}):
 * <ul>
 *   <li>compacted topics ({@code mfg.line-config}, {@code mfg.emission-factors},
 *       {@code mfg.batch-footprint}, {@code _schemas}): {@code cleanup.policy=compact}, no time limit;</li>
 *   <li>input event topics: {@code cleanup.policy=delete}, {@code retention.ms} = input retention
 *       (default 7 days: long enough to reprocess a week after a fix);</li>
 *   <li>output topics and {@code mfg.dlq}: {@code cleanup.policy=delete}, {@code retention.ms} = output
 *       retention (default 30 days: consumers and whoever inspects dead letters get a month);</li>
 *   <li>partitions: the requested count (default 6), except single-partition topics
 *       ({@code _schemas}: the registry needs one total order);</li>
 *   <li>replication factor: as requested, default min(3, number of brokers); with 3 or more replicas
 *       {@code min.insync.replicas=2}, so acks=all survives one broker down and never acknowledges a
 *       record held by one broker only.</li>
 * </ul>
 */
public final class TopicProvisioner {

    public static final int DEFAULT_PARTITIONS = 6;
    public static final Duration DEFAULT_INPUT_RETENTION = Duration.ofDays(7);
    public static final Duration DEFAULT_OUTPUT_RETENTION = Duration.ofDays(30);

    /** Topics written by factory systems (simulators, replay, connectors) and read by the streams app. */
    public static final Set<String> INPUT_TOPICS = Set.of(
            TopicNames.MACHINE_STATE, TopicNames.PRODUCTION_COUNT, TopicNames.INSPECTION,
            TopicNames.ENERGY, TopicNames.BATCH);

    /** What to create. {@code replicationFactor} empty means min(3, brokers). */
    public record Settings(int partitions, Optional<Short> replicationFactor,
                           Duration inputRetention, Duration outputRetention) {

        public Settings {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
            }
            replicationFactor.ifPresent(rf -> {
                if (rf < 1) {
                    throw new IllegalArgumentException("replication factor must be at least 1, was " + rf);
                }
            });
            if (inputRetention.isNegative() || inputRetention.isZero()
                    || outputRetention.isNegative() || outputRetention.isZero()) {
                throw new IllegalArgumentException("retention must be positive");
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_PARTITIONS, Optional.empty(), DEFAULT_INPUT_RETENTION,
                    DEFAULT_OUTPUT_RETENTION);
        }

        public Settings withPartitions(int count) {
            return new Settings(count, replicationFactor, inputRetention, outputRetention);
        }

        public Settings withReplicationFactor(short factor) {
            return new Settings(partitions, Optional.of(factor), inputRetention, outputRetention);
        }

        public Settings withRetention(Duration input, Duration output) {
            return new Settings(partitions, replicationFactor, input, output);
        }
    }

    /** The intended layout of one topic. */
    public record TopicPlan(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        public TopicPlan {
            configs = Map.copyOf(configs);
        }

        NewTopic toNewTopic() {
            return new NewTopic(name, partitions, replicationFactor).configs(configs);
        }
    }

    public enum Status {
        /** Created by this run. */
        CREATED,
        /** Existed already with the planned partitions and cleanup policy. */
        EXISTS,
        /** Existed already, but differs from the plan; see the warnings. */
        EXISTS_WITH_DIFFERENCES
    }

    /** What happened to one topic. */
    public record Outcome(TopicPlan plan, Status status, List<String> warnings) {
        public Outcome {
            warnings = List.copyOf(warnings);
        }
    }

    /** What happened to every topic, in catalogue order. */
    public record Report(List<Outcome> outcomes) {
        public Report {
            outcomes = List.copyOf(outcomes);
        }

        public long count(Status status) {
            return outcomes.stream().filter(outcome -> outcome.status() == status).count();
        }

        public List<String> warnings() {
            return outcomes.stream().flatMap(outcome -> outcome.warnings().stream()).toList();
        }
    }

    private final Admin admin;

    /** Uses {@code admin} (not closed by this class). */
    public TopicProvisioner(Admin admin) {
        this.admin = admin;
    }

    /** Creates or checks every topic of {@link TopicNames#ALL}. */
    public Report provision(Settings settings) throws ExecutionException, InterruptedException {
        return provision(TopicNames.ALL, settings);
    }

    /** Creates the missing topics among {@code specs} and checks the existing ones. */
    public Report provision(List<TopicSpec> specs, Settings settings)
            throws ExecutionException, InterruptedException {
        int brokers = admin.describeCluster().nodes().get().size();
        short replicationFactor = settings.replicationFactor().orElse((short) Math.min(3, brokers));
        if (replicationFactor > brokers) {
            throw new IllegalArgumentException("replication factor " + replicationFactor
                    + " is more than the " + brokers + " broker(s) of the cluster");
        }
        List<TopicPlan> plans = specs.stream().map(spec -> plan(spec, settings, replicationFactor)).toList();
        Set<String> existing = admin.listTopics().names().get();

        List<TopicPlan> missing = plans.stream().filter(plan -> !existing.contains(plan.name())).toList();
        Set<String> raced = create(missing);

        List<String> toCheck = plans.stream().map(TopicPlan::name)
                .filter(name -> existing.contains(name) || raced.contains(name)).toList();
        Map<String, List<String>> differences = check(plans, toCheck);

        List<Outcome> outcomes = new ArrayList<>();
        for (TopicPlan plan : plans) {
            if (!toCheck.contains(plan.name())) {
                outcomes.add(new Outcome(plan, Status.CREATED, List.of()));
            } else {
                List<String> warnings = differences.getOrDefault(plan.name(), List.of());
                outcomes.add(new Outcome(plan, warnings.isEmpty() ? Status.EXISTS : Status.EXISTS_WITH_DIFFERENCES,
                        warnings));
            }
        }
        return new Report(outcomes);
    }

    /** The layout Greenline wants for {@code spec}; pure, see the class comment. */
    public static TopicPlan plan(TopicSpec spec, Settings settings, short replicationFactor) {
        Map<String, String> configs = new LinkedHashMap<>();
        if (spec.compacted()) {
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        } else {
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
            Duration retention = INPUT_TOPICS.contains(spec.name())
                    ? settings.inputRetention() : settings.outputRetention();
            configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
        }
        if (replicationFactor >= 3) {
            configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
        }
        int partitions = spec.singlePartition() ? 1 : settings.partitions();
        return new TopicPlan(spec.name(), partitions, replicationFactor, configs);
    }

    /** Creates the topics; returns those that another client created in the meantime. */
    private Set<String> create(List<TopicPlan> missing) throws InterruptedException, ExecutionException {
        if (missing.isEmpty()) {
            return Set.of();
        }
        Map<String, KafkaFuture<Void>> results = admin.createTopics(
                missing.stream().map(TopicPlan::toNewTopic).toList()).values();
        Set<String> raced = new HashSet<>();
        for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
            try {
                result.getValue().get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    raced.add(result.getKey());
                } else {
                    throw e;
                }
            }
        }
        return raced;
    }

    /** Compares existing topics' partition counts and cleanup policies with the plan. */
    private Map<String, List<String>> check(List<TopicPlan> plans, Collection<String> names)
            throws InterruptedException, ExecutionException {
        if (names.isEmpty()) {
            return Map.of();
        }
        Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames().get();
        List<ConfigResource> resources = names.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
        Map<String, TopicPlan> byName = plans.stream().collect(Collectors.toMap(TopicPlan::name, plan -> plan));

        Map<String, List<String>> warnings = new LinkedHashMap<>();
        for (String name : names) {
            TopicPlan plan = byName.get(name);
            List<String> found = new ArrayList<>();
            int partitions = descriptions.get(name).partitions().size();
            if (partitions != plan.partitions()) {
                found.add(name + " has " + partitions + " partitions, expected " + plan.partitions());
            }
            String expectedPolicy = plan.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG);
            var entry = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name))
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG);
            String policy = entry == null ? "" : entry.value();
            if (!expectedPolicy.equals(policy)) {
                found.add(name + " has cleanup.policy=" + policy + ", expected " + expectedPolicy);
            }
            warnings.put(name, found);
        }
        return warnings;
    }
}

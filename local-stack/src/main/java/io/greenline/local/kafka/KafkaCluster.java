package io.greenline.local.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.common.Uuid;

/**
 * Several real Kafka brokers on the loopback address, each a combined broker + controller in its own
 * child JVM, forming one KRaft quorum (static {@code controller.quorum.voters}). Made for fault tests:
 * kill a node with {@link KafkaBroker#kill()} and bring it back with {@link KafkaBroker#start()}.
 *
 * <p>Defaults for a three-node cluster: {@code default.replication.factor=3}, internal topics
 * (offsets, transactions, share state) with replication factor 3 and min ISR 2,
 * {@code replica.lag.time.max.ms=10000}, node JVMs with {@link KafkaBroker#QUICK_START_JVM_OPTIONS}
 * and 384 MB of heap. Node {@code i} keeps its data in {@code baseDir/node-i}
 * (layout as in {@link KafkaBroker}); an existing cluster directory is reused, not reformatted.
 */
public final class KafkaCluster implements AutoCloseable {

    /** Default maximum heap of each node's JVM (three of them share the machine). */
    public static final String DEFAULT_MAX_HEAP = "384m";

    /** Default time allowed for each node to accept requests (three JVMs start at once). */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(3);

    private final List<KafkaBroker> nodes;

    private KafkaCluster(List<KafkaBroker> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /** A builder for a cluster keeping node {@code i}'s data in {@code baseDir/node-i}. */
    public static Builder builder(Path baseDir) {
        return new Builder(baseDir);
    }

    /** Starts a cluster of {@code size} nodes on free ports in {@code baseDir}. */
    public static KafkaCluster start(Path baseDir, int size) {
        return builder(baseDir).size(size).start();
    }

    /** Every node's client address, comma-separated. */
    public String bootstrapServers() {
        return nodes.stream().map(KafkaBroker::bootstrapServers).collect(Collectors.joining(","));
    }

    /** The nodes, in node-id order (node ids start at 1). */
    public List<KafkaBroker> nodes() {
        return nodes;
    }

    /** The node with this KRaft node id (1-based). */
    public KafkaBroker node(int nodeId) {
        return nodes.stream().filter(node -> node.nodeId() == nodeId).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + nodeId + " in " + this));
    }

    public String clusterId() {
        return nodes.get(0).clusterId();
    }

    /** Starts every node that is not running and waits until all accept requests. */
    public synchronized KafkaCluster start() {
        List<KafkaBroker> stopped = nodes.stream().filter(node -> !node.isRunning()).toList();
        for (KafkaBroker node : stopped) {
            node.prepare();
        }
        // a KRaft quorum needs a majority of its voters up before any node finishes starting
        for (KafkaBroker node : stopped) {
            node.launch();
        }
        for (KafkaBroker node : stopped) {
            node.awaitReady();
        }
        return this;
    }

    /** Stops every node cleanly, in parallel (SIGTERM to all, then waits). */
    public synchronized void stop() {
        for (KafkaBroker node : nodes) {
            node.signalStop();
        }
        for (KafkaBroker node : nodes) {
            node.awaitStopped();
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "KafkaCluster[" + bootstrapServers() + "]";
    }

    /** Settings of a cluster. */
    public static final class Builder {
        private final Path baseDir;
        private int size = 3;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private String maxHeap = DEFAULT_MAX_HEAP;
        private final List<String> jvmOptions = new ArrayList<>(KafkaBroker.QUICK_START_JVM_OPTIONS);

        private Builder(Path baseDir) {
            this.baseDir = baseDir;
        }

        /** Number of nodes (default 3); every node is a voter of the quorum. */
        public Builder size(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("a cluster needs at least one node");
            }
            this.size = size;
            return this;
        }

        /** Adds or overrides one broker property on every node. */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = startupTimeout;
            return this;
        }

        /** Maximum heap of each node's JVM, in {@code -Xmx} syntax (default 384m). */
        public Builder maxHeap(String maxHeap) {
            this.maxHeap = maxHeap;
            return this;
        }

        /** Adds JVM options for every node's JVM (default {@link KafkaBroker#QUICK_START_JVM_OPTIONS}). */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /** The cluster, not started; ports are fixed here and kept across node restarts. */
        public KafkaCluster build() {
            List<Integer> ports = distinctFreePorts(2 * size);
            String voters = IntStream.rangeClosed(1, size)
                    .mapToObj(id -> id + "@" + FreePorts.LOOPBACK + ":" + ports.get(size + id - 1))
                    .collect(Collectors.joining(","));
            String clusterId = existingClusterId().orElse(Uuid.randomUuid().toString());
            Map<String, String> config = new LinkedHashMap<>(KafkaBroker.clusterDefaults(size));
            config.putAll(properties);
            List<KafkaBroker> nodes = new ArrayList<>();
            for (int id = 1; id <= size; id++) {
                nodes.add(KafkaBroker.clusterNode(baseDir.resolve("node-" + id), id, ports.get(id - 1),
                        ports.get(size + id - 1), voters, clusterId, config, startupTimeout, maxHeap, jvmOptions));
            }
            return new KafkaCluster(nodes);
        }

        /** {@code build().start()}. */
        public KafkaCluster start() {
            return build().start();
        }

        private Optional<String> existingClusterId() {
            Path meta = baseDir.resolve("node-1").resolve("kraft").resolve("meta.properties");
            if (!Files.exists(meta)) {
                return Optional.empty();
            }
            Properties props = new Properties();
            try (InputStream in = Files.newInputStream(meta)) {
                props.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + meta, e);
            }
            return Optional.ofNullable(props.getProperty("cluster.id"));
        }

        private static List<Integer> distinctFreePorts(int count) {
            List<Integer> ports = new ArrayList<>();
            while (ports.size() < count) {
                int port = FreePorts.pick();
                if (!ports.contains(port)) {
                    ports.add(port);
                }
            }
            return ports;
        }
    }
}

package io.greenline.it.registry;

import io.greenline.local.kafka.KafkaBroker;
import java.nio.file.Path;

/**
 * The Kafka the registry tests run against: the cluster named by {@code KAFKA_BOOTSTRAP_SERVERS}
 * when set, otherwise a real single-node KRaft broker in a child JVM.
 */
final class TestKafka implements AutoCloseable {

    private final KafkaBroker broker;
    private final String bootstrapServers;

    private TestKafka(KafkaBroker broker, String bootstrapServers) {
        this.broker = broker;
        this.bootstrapServers = bootstrapServers;
    }

    static TestKafka start(Path dataDir) {
        String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (external != null && !external.isBlank()) {
            return new TestKafka(null, external);
        }
        KafkaBroker broker = KafkaBroker.startSingleNode(dataDir);
        return new TestKafka(broker, broker.bootstrapServers());
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        if (broker != null) {
            broker.close();
        }
    }
}

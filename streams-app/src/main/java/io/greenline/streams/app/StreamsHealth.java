package io.greenline.streams.app;

import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Liveness and readiness of one instance, fed by Kafka Streams' state listener and the thread-replacement
 * policy.
 *
 * <ul>
 *   <li><b>live</b> while the client can still run (not ERROR, not shutting down) and its stream threads are not
 *       dying in a loop ({@link ThreadReplacementPolicy#crashLooping()}): a failing probe makes the orchestrator
 *       restart the process;</li>
 *   <li><b>ready</b> only while RUNNING, not crash-looping, and every queried store answers a query here (each
 *       local partition is opened and counted, as a query would): RUNNING alone is not enough, a store whose task
 *       is corrupted, restoring or migrating answers 503.</li>
 * </ul>
 */
public final class StreamsHealth implements KafkaStreams.StateListener {

    private static final Logger log = LoggerFactory.getLogger(StreamsHealth.class);

    private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);
    private volatile KafkaStreams streams;
    private volatile Set<String> stores = Set.of();
    private volatile HostInfo self;
    private volatile BooleanSupplier crashLooping = () -> false;
    private final java.util.List<Runnable> onStopped = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Attaches the client whose key-value {@code stores} (the ones the query API reads) readiness queries. */
    public void watch(KafkaStreams streams, Set<String> stores) {
        watch(streams, stores, null);
    }

    /**
     * As {@link #watch(KafkaStreams, Set)}; {@code self} (this instance's {@code application.server}) lets readiness
     * skip a store of which this instance hosts no active partition (more instances than partitions): it answers
     * such queries by forwarding them.
     */
    public void watch(KafkaStreams streams, Set<String> stores, HostInfo self) {
        this.streams = streams;
        this.stores = Set.copyOf(stores);
        this.self = self;
        streams.setStateListener(this);
    }

    /** Attaches the thread-replacement policy whose crash-loop verdict liveness and readiness follow. */
    public void watch(ThreadReplacementPolicy policy) {
        this.crashLooping = policy::crashLooping;
    }

    @Override
    public void onChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        state.set(newState);
        log.info("Kafka Streams {} -> {}", oldState, newState);
        if (newState == KafkaStreams.State.ERROR || newState == KafkaStreams.State.NOT_RUNNING) {
            onStopped.forEach(Runnable::run);
        }
    }

    /** Runs {@code action} when the client stops for good (ERROR, or NOT_RUNNING after a shutdown). */
    public void onStopped(Runnable action) {
        onStopped.add(action);
    }

    public KafkaStreams.State state() {
        return state.get();
    }

    /** True when stream threads keep dying (see {@link ThreadReplacementPolicy}). */
    public boolean crashLooping() {
        return crashLooping.getAsBoolean();
    }

    public boolean live() {
        return switch (state.get()) {
            case ERROR, PENDING_ERROR, PENDING_SHUTDOWN, NOT_RUNNING -> false;
            default -> !crashLooping();
        };
    }

    public boolean ready() {
        KafkaStreams client = streams;
        if (state.get() != KafkaStreams.State.RUNNING || client == null || crashLooping()) {
            return false;
        }
        try {
            for (String store : stores) {
                if (!hostsActive(client, store)) {
                    continue;
                }
                ReadOnlyKeyValueStore<Object, Object> view =
                        client.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.keyValueStore()));
                view.approximateNumEntries();
            }
            return true;
        } catch (InvalidStateStoreException | IllegalStateException e) {
            log.debug("Not ready: {}", e.getMessage());
            return false;
        }
    }

    private boolean hostsActive(KafkaStreams client, String store) {
        if (self == null) {
            return true;
        }
        for (StreamsMetadata metadata : client.streamsMetadataForStore(store)) {
            if (self.equals(metadata.hostInfo())) {
                return !metadata.topicPartitions().isEmpty();
            }
        }
        return false;
    }
}

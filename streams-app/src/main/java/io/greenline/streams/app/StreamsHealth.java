package io.greenline.streams.app;

import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Liveness and readiness of one instance, fed by Kafka Streams' state listener. Live while the client
 * can still run (not ERROR, not shut down); ready only while RUNNING and every store is queryable here.
 */
public final class StreamsHealth implements KafkaStreams.StateListener {

    private static final Logger log = LoggerFactory.getLogger(StreamsHealth.class);

    private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);
    private volatile KafkaStreams streams;
    private volatile Set<String> stores = Set.of();
    private final java.util.List<Runnable> onStopped = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Attaches the client whose stores readiness checks. */
    public void watch(KafkaStreams streams, Set<String> stores) {
        this.streams = streams;
        this.stores = Set.copyOf(stores);
        streams.setStateListener(this);
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

    public boolean live() {
        return switch (state.get()) {
            case ERROR, PENDING_ERROR, PENDING_SHUTDOWN, NOT_RUNNING -> false;
            default -> true;
        };
    }

    public boolean ready() {
        if (state.get() != KafkaStreams.State.RUNNING || streams == null) {
            return false;
        }
        try {
            for (String store : stores) {
                streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.keyValueStore()));
            }
            return true;
        } catch (InvalidStateStoreException | IllegalStateException e) {
            return false;
        }
    }
}

package io.greenline.streams.query;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The thin layer between HTTP and Kafka Streams' interactive queries: which instance owns a key
 * ({@code queryMetadataForKey}), which instances exist ({@code metadataForAllStreamsClients}), and reads of
 * this instance's own stores. A read prefers the active store; while it migrates, a standby or restoring
 * copy answers (marked stale with its offset lag) when stale stores are allowed; otherwise the read fails
 * with {@link StoreUnavailableException} at once, never waiting or retrying.
 */
public final class StoreRouter {

    private static final Serializer<String> KEY_SERIALIZER = Serdes.String().serializer();
    private static final Duration LAG_TIMEOUT = Duration.ofSeconds(2);

    private final KafkaStreams streams;
    private final HostInfo self;
    private final boolean staleAllowed;
    private final Set<String> servedStores;

    public StoreRouter(KafkaStreams streams, HostInfo self, boolean staleAllowed, Set<String> servedStores) {
        this.streams = streams;
        this.self = self;
        this.staleAllowed = staleAllowed;
        this.servedStores = Set.copyOf(servedStores);
    }

    /** Where the partition holding a key lives, seen from this instance. */
    public record Location(int partition, HostInfo active, boolean activeHere, boolean standbyHere) {
    }

    /** A value read from a local store; {@code stale} when read from a standby or restoring copy. */
    public record Read<T>(T value, boolean stale, long lagRecords) {
    }

    public HostInfo self() {
        return self;
    }

    public boolean serves(String store) {
        return servedStores.contains(store);
    }

    public Set<String> servedStores() {
        return servedStores;
    }

    /** The owner of the partition of {@code partitionKey} in {@code store}. */
    public Location locate(String store, String partitionKey) {
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(store, partitionKey, KEY_SERIALIZER);
        } catch (InvalidStateStoreException | IllegalStateException e) {
            throw new StoreUnavailableException("Kafka Streams is " + streams.state() + "; store " + store + " is not available");
        }
        if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata) || metadata.activeHost().port() < 0) {
            throw new StoreUnavailableException("The owner of " + partitionKey + " in " + store + " is not known yet (state " + streams.state() + ")");
        }
        return new Location(metadata.partition(), metadata.activeHost(), self.equals(metadata.activeHost()),
                metadata.standbyHosts().contains(self));
    }

    /** Every instance of the application this one knows of, itself included. */
    public List<HostInfo> instances() {
        Collection<StreamsMetadata> all;
        try {
            all = streams.metadataForAllStreamsClients();
        } catch (InvalidStateStoreException | IllegalStateException e) {
            throw new StoreUnavailableException("Kafka Streams is " + streams.state() + "; the instances are not known yet");
        }
        List<HostInfo> hosts = all.stream().map(StreamsMetadata::hostInfo).distinct().toList();
        if (hosts.isEmpty()) {
            throw new StoreUnavailableException("No instance of the application is known yet (state " + streams.state() + ")");
        }
        return hosts;
    }

    /**
     * Runs {@code query} against one partition of a local store. {@code activeHere}: this instance owns the
     * partition, so the active store is tried first. The query must read everything it needs before it
     * returns (iterators closed), since a migrating store fails on access.
     */
    public <V, R> Read<R> readPartition(String store, int partition, boolean activeHere,
                                        Function<ReadOnlyKeyValueStore<String, V>, R> query) {
        StoreQueryParameters<ReadOnlyKeyValueStore<String, V>> params =
                StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, V>keyValueStore()).withPartition(partition);
        return read(store, params, activeHere, query, Set.of(partition));
    }

    /** Runs {@code query} against every local partition of a store (list endpoints). */
    /** True while Kafka Streams is RUNNING (no task is moving between instances). */
    public boolean running() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    public <V, R> Read<R> readLocal(String store, Function<ReadOnlyKeyValueStore<String, V>, R> query) {
        StoreQueryParameters<ReadOnlyKeyValueStore<String, V>> params =
                StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, V>keyValueStore());
        return read(store, params, true, query, null);
    }

    private <V, R> Read<R> read(String store, StoreQueryParameters<ReadOnlyKeyValueStore<String, V>> params, boolean tryActive,
                                Function<ReadOnlyKeyValueStore<String, V>, R> query, Set<Integer> partitions) {
        if (!servedStores.contains(store)) {
            throw ApiException.notFound("Store " + store + " is not part of this deployment");
        }
        if (tryActive) {
            try {
                return new Read<>(query.apply(streams.store(params)), false, 0);
            } catch (InvalidStateStoreException | IllegalStateException e) {
                if (!staleAllowed) {
                    throw new StoreUnavailableException("Store " + store + " is migrating (" + streams.state() + ")");
                }
            }
        }
        if (!staleAllowed) {
            throw new StoreUnavailableException("Store " + store + " is not active on this instance");
        }
        try {
            R value = query.apply(streams.store(params.enableStaleStores()));
            return new Read<>(value, true, lag(store, partitions));
        } catch (InvalidStateStoreException | IllegalStateException e) {
            throw new StoreUnavailableException("Store " + store + " has no queryable copy on this instance (" + streams.state() + ")");
        }
    }

    /**
     * Whether this instance's copy of a store partition is complete: the client RUNNING and the copy's
     * offset lag 0. An empty answer from an incomplete copy (restoring, standby behind) proves nothing.
     */
    public boolean caughtUp(String store, int partition) {
        return streams.state() == KafkaStreams.State.RUNNING && lag(store, Set.of(partition)) == 0;
    }

    /** The largest offset lag of the local copies of a store's partitions; -1 when unknown within 2 s. */
    private long lag(String store, Set<Integer> partitions) {
        try {
            Map<String, Map<Integer, LagInfo>> lags = CompletableFuture.supplyAsync(streams::allLocalStorePartitionLags)
                    .get(LAG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<Integer, LagInfo> byPartition = lags.getOrDefault(store, Map.of());
            return byPartition.entrySet().stream()
                    .filter(e -> partitions == null || partitions.contains(e.getKey()))
                    .mapToLong(e -> e.getValue().offsetLag())
                    .max().orElse(-1);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return -1;
        }
    }
}

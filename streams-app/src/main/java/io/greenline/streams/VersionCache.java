package io.greenline.streams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;

/**
 * Reads of a global versioned reference store ({@link ReferenceStores}) through a cache of the versions already
 * read, for one processor (one stream thread): the config of a line is looked up by almost every event, and each
 * store lookup is a RocksDB read and an Avro decode (at N = 1,000,000 the line-config lookups were 16 % of the
 * stream threads' time).
 *
 * <p>A version read answers again every {@code asOf} it is known to be valid at: within {@code [validFrom, validTo)}
 * when the store's answer carries its validTo (Kafka 4.4's versioned store often does not), from its validFrom on
 * when it is the latest version ({@code get(key)}), else between its validFrom and the latest instant it was read
 * for. Any
 * write to the store (a new version, a tombstone, a restoration) bumps the store's {@link #changed generation}, and the
 * next read drops everything cached, so an answer is never older than the store's. Not thread-safe: one instance per
 * processor.
 */
public final class VersionCache<V> {

    private static final Map<String, AtomicLong> GENERATIONS = new ConcurrentHashMap<>();
    /** Keys remembered at most; beyond, the cache starts afresh (reference data has few keys: lines, factors). */
    private static final int MAX_KEYS = 100_000;

    private final VersionedKeyValueStore<String, V> store;
    private final AtomicLong generation;
    private long seenGeneration;
    private final Map<String, List<Known<V>>> versions = new HashMap<>();

    public VersionCache(VersionedKeyValueStore<String, V> store, String storeName) {
        this.store = store;
        this.generation = generation(storeName);
        this.seenGeneration = generation.get();
    }

    private static AtomicLong generation(String storeName) {
        return GENERATIONS.computeIfAbsent(storeName, name -> new AtomicLong());
    }

    /** Called by the store's only writer after every write, so that every cache of it is dropped. */
    static void changed(String storeName) {
        generation(storeName).incrementAndGet();
    }

    /** The version of {@code key} valid at {@code asOfMs}, or null (as {@link VersionedKeyValueStore#get(Object, long)}). */
    public VersionedRecord<V> get(String key, long asOfMs) {
        List<Known<V>> known = known(key);
        for (Known<V> k : known) {
            if (k.covers(asOfMs)) {
                return k.record;
            }
        }
        VersionedRecord<V> read = store.get(key, asOfMs);
        if (read == null) {
            return null;
        }
        for (Known<V> k : known) {
            if (k.record.timestamp() == read.timestamp()) {
                k.coveredToMs = Math.max(k.coveredToMs, asOfMs);
                return k.record;
            }
        }
        // the store's answer need not carry its validTo: it is the latest version when the latest has its validFrom
        VersionedRecord<V> latest = read.validTo().isEmpty() ? get(key) : null;
        known.add(new Known<>(read, asOfMs, latest != null && latest.timestamp() == read.timestamp()));
        return read;
    }

    /** The latest version of {@code key}, or null (as {@link VersionedKeyValueStore#get(Object)}). */
    public VersionedRecord<V> get(String key) {
        List<Known<V>> known = known(key);
        for (Known<V> k : known) {
            if (k.latest) {
                return k.record;
            }
        }
        VersionedRecord<V> read = store.get(key);
        if (read != null) {
            known.removeIf(k -> k.record.timestamp() == read.timestamp());
            known.add(new Known<>(read, read.timestamp(), true));
        }
        return read;
    }

    /**
     * A version read, and the instants it is known to answer: from its validFrom to its validTo when the store said
     * it, on without end when it is the latest, else up to the latest instant it was read for.
     */
    private static final class Known<V> {
        final VersionedRecord<V> record;
        final boolean latest;
        long coveredToMs;

        Known(VersionedRecord<V> record, long coveredToMs, boolean latest) {
            this.record = record;
            this.coveredToMs = coveredToMs;
            this.latest = latest;
        }

        boolean covers(long asOfMs) {
            if (asOfMs < record.timestamp()) {
                return false;
            }
            if (latest || asOfMs <= coveredToMs) {
                return true;
            }
            return record.validTo().isPresent() && asOfMs < record.validTo().get();
        }
    }

    private List<Known<V>> known(String key) {
        long now = generation.get();
        if (now != seenGeneration || versions.size() >= MAX_KEYS) {
            versions.clear();
            seenGeneration = now;
        }
        return versions.computeIfAbsent(key, k -> new ArrayList<>(2));
    }
}

package io.greenline.streams;

import io.greenline.events.EmissionFactor;
import io.greenline.events.LineConfig;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.Topic;
import io.greenline.schemas.Topics;
import io.greenline.streams.errors.BadRecordException;
import io.greenline.streams.guard.EventTimeGuard;
import io.greenline.streams.guard.EventTimeRule;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.VersionedKeyValueStore;

/**
 * The application's reference data as GLOBAL versioned stores (KIP-889): every version of a line config or an
 * emission factor, put at its own {@code validFrom}, so any processor can read the version valid at a record's
 * time ({@code get(key, asOf)}) whatever its own partitioning.
 *
 * <p>Like {@link InputStreams}, one store per {@link StreamsBuilder}: a topic can be a source only once per
 * application, so every topology asks here and the first call adds the store (with its history); later calls
 * for the same builder add nothing. A global store restores from its compacted source topic, so it has no
 * changelog. Its values are read through an {@link OutageTolerantDeserializer}: the global thread cannot be
 * replaced, so it waits a registry outage out rather than ending the client.
 *
 * <p>The line-config store also holds the {@link LineConfigIndex} (which lines the configs place in each area and
 * site), written by the same update processor; every write marks the store changed for the processors' {@link
 * VersionCache}s; {@code StreamsBuilder#addGlobalStore} runs that processor again when
 * the store is restored (Kafka Streams 4.x), so the index is rebuilt with the versions.
 */
public final class ReferenceStores {

    private static final Map<StreamsBuilder, Set<String>> ADDED = Collections.synchronizedMap(new WeakHashMap<>());

    private ReferenceStores() {
    }

    /**
     * {@link StoreNames#LINE_CONFIG_VERSIONS}: lineId to every {@code LineConfig} version, from {@code mfg.line-config},
     * with the default limits on a version's time (2000-01-01, {@link ReferenceSettings#DEFAULT_MAX_AHEAD}).
     */
    public static void lineConfigVersions(StreamsBuilder builder, Topics topics, Duration history) {
        lineConfigVersions(builder, topics, history, EventTimeRule.defaults().min(), ReferenceSettings.DEFAULT_MAX_AHEAD);
    }

    /**
     * {@link StoreNames#LINE_CONFIG_VERSIONS}, whose versions' times must pass {@link ReferenceSettings#versionRule}
     * for {@code min} ({@code greenline.event-time.min}), {@code maxAhead} ({@code reference.max-ahead}) and the history.
     */
    public static void lineConfigVersions(StreamsBuilder builder, Topics topics, Duration history, Instant min, Duration maxAhead) {
        add(builder, StoreNames.LINE_CONFIG_VERSIONS, topics.lineConfig, history, ReferenceSettings.versionRule(min, maxAhead, history),
                LineConfig::getLineId, LineConfig::getValidFrom, () -> new LineConfigIndex.Writer()::record);
    }

    /** {@link StoreNames#EMISSION_FACTOR_VERSIONS}: {@code carrier/region/basis} to every factor version, from {@code mfg.emission-factors}. */
    public static void emissionFactorVersions(StreamsBuilder builder, Topics topics, Duration history) {
        emissionFactorVersions(builder, topics, history, EventTimeRule.defaults().min(), ReferenceSettings.DEFAULT_MAX_AHEAD);
    }

    /** {@link StoreNames#EMISSION_FACTOR_VERSIONS}, with the limits of {@link #lineConfigVersions(StreamsBuilder, Topics, Duration, Instant, Duration)}. */
    public static void emissionFactorVersions(StreamsBuilder builder, Topics topics, Duration history, Instant min, Duration maxAhead) {
        add(builder, StoreNames.EMISSION_FACTOR_VERSIONS, topics.emissionFactors, history, ReferenceSettings.versionRule(min, maxAhead, history),
                Topics::emissionFactorKey, EmissionFactor::getValidFrom, () -> (store, value) -> { });
    }

    private static <V> void add(StreamsBuilder builder, String store, Topic<String, V> topic, Duration history,
                                EventTimeRule versionRule, Function<V, String> keyOf, Function<V, Instant> validFrom,
                                Supplier<BiConsumer<VersionedKeyValueStore<String, V>, V>> afterPut) {
        synchronized (ADDED) {
            if (!ADDED.computeIfAbsent(builder, b -> new HashSet<>()).add(store)) {
                return;
            }
        }
        builder.addGlobalStore(
                Stores.versionedKeyValueStoreBuilder(Stores.persistentVersionedKeyValueStore(store, history),
                        Serdes.String(), topic.valueSerde()).withLoggingDisabled(),
                topic.name(), Consumed.with(topic.keySerde(), Serdes.serdeFrom(topic.valueSerde().serializer(),
                        new OutageTolerantDeserializer<>(topic.valueSerde().deserializer(), Duration.ofSeconds(1), Duration.ofSeconds(30))))
                        .withName(topic.name() + "-source"),
                () -> new VersionUpdater<>(store, topic.name(), history, versionRule, keyOf, validFrom, afterPut.get()));
    }

    /**
     * Puts each version at its own {@code validFrom}, under the key derived from the value (so a producer's key typo
     * cannot misfile a version); a tombstone ends the key's latest version at the record's timestamp. Then
     * {@code afterPut} derives what else the store keeps from the version (for line configs: {@link LineConfigIndex}).
     * Keys in the index's reserved range are never written from the topic.
     *
     * <p>The store answers nothing older than its history before the newest time it was given, for every key. So a
     * time is checked before it reaches the store ({@link EventTimeRule#earlyOrAhead} against the later of the wall
     * clock and the newest time this processor accepted): a version stamped year 3000 would make every later version
     * unreadable. A refused time, and a version the store drops as older than its history, are thrown as
     * {@link BadRecordException}s (TIMESTAMP_OUT_OF_RANGE, LATE): the global thread's processing exception handler
     * dead-letters them ({@code processing.exception.handler.global.enabled}). The newest time is rebuilt as the
     * global store is restored through this processor.
     */
    private static final class VersionUpdater<V> implements Processor<String, V, Void, Void> {
        private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(VersionUpdater.class);
        private final String storeName;
        private final String topic;
        private final Duration history;
        private final EventTimeRule versionRule;
        private final Function<V, String> keyOf;
        private final Function<V, Instant> validFrom;
        private final BiConsumer<VersionedKeyValueStore<String, V>, V> afterPut;
        private ProcessorContext<Void, Void> context;
        private VersionedKeyValueStore<String, V> store;
        private Long newestMs;

        VersionUpdater(String storeName, String topic, Duration history, EventTimeRule versionRule, Function<V, String> keyOf,
                       Function<V, Instant> validFrom, BiConsumer<VersionedKeyValueStore<String, V>, V> afterPut) {
            this.storeName = storeName;
            this.topic = topic;
            this.history = history;
            this.versionRule = versionRule;
            this.keyOf = keyOf;
            this.validFrom = validFrom;
            this.afterPut = afterPut;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, V> record) {
            V value = record.value();
            if (value == null) {
                if (record.key() != null && !LineConfigIndex.reserved(record.key())) {
                    check(record.key(), "tombstone timestamp", record.timestamp(), record.timestamp());
                    store.delete(record.key(), record.timestamp());
                    accepted(record.timestamp());
                    VersionCache.changed(storeName);
                }
                return;
            }
            String key = keyOf.apply(value);
            if (LineConfigIndex.reserved(key)) {
                log.warn("{}: a version keyed {} is ignored: keys starting with NUL are reserved", storeName, key.substring(1));
                return;
            }
            long from = validFrom.apply(value).toEpochMilli();
            check(key, "validFrom", from, record.timestamp());
            if (store.put(key, value, from) == VersionedKeyValueStore.PUT_RETURN_CODE_NOT_PUT) {
                throw BadRecordException.late(topic + " key " + key + ": validFrom " + Instant.ofEpochMilli(from) + " is more than "
                        + history + " (the store's history) before the newest version " + Instant.ofEpochMilli(newestMs == null ? from : newestMs)
                        + ", so it could never be read");
            }
            accepted(from);
            afterPut.accept(store, value);
            VersionCache.changed(storeName);
        }

        private void check(String key, String what, long atMs, long recordMs) {
            Optional<String> violation = versionRule.earlyOrAhead(what, atMs, recordMs, context.currentSystemTimeMs(), newestMs);
            if (violation.isPresent()) {
                Metrics.counter(EventTimeGuard.METRIC, "topic", topic).increment();
                throw new BadRecordException(DeadLetterReason.TIMESTAMP_OUT_OF_RANGE, topic + " key " + key + ": " + violation.get());
            }
        }

        private void accepted(long atMs) {
            newestMs = newestMs == null ? atMs : Math.max(newestMs, atMs);
        }
    }
}

package io.greenline.streams;

import io.greenline.events.BatchEvent;
import io.greenline.events.EnergyMetered;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.ProductionCounted;
import io.greenline.schemas.Topic;
import io.greenline.schemas.Topics;
import io.greenline.streams.guard.EventTimeGuard;
import io.greenline.streams.guard.EventTimeRule;
import io.greenline.streams.guard.PoisonPills;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One {@link KStream} per input topic and {@link StreamsBuilder}. Kafka Streams refuses a topic registered by two
 * sources, yet several topologies of the application read the same inputs (mfg.line-config and
 * mfg.production-count feed OEE and the carbon ledger): each topology asks here instead of calling
 * {@code builder.stream(...)}, and they share the one source node.
 *
 * <p>The whole application ({@link GreenlineTopology}) first {@link #guard guards} the builder: each source is then
 * followed by an {@link EventTimeGuard} with its own store {@code event-time-guard-<topic>}, so events with an
 * implausible time and poison pills go to {@code mfg.dlq} before any topology sees them. Then it puts the
 * {@link ReferenceGate} behind the guards of the inputs that need a line config ({@link #gate}). A topology built
 * alone (tests, a single-topology deployment) reads its inputs unguarded and ungated.
 */
public final class InputStreams {

    /** Prefix of each guard's store and processor name; the topic name without {@code mfg.} follows. */
    public static final String GUARD_PREFIX = "event-time-guard-";

    private static final Map<StreamsBuilder, Map<String, KStream<?, ?>>> STREAMS = Collections.synchronizedMap(new WeakHashMap<>());
    private static final Map<StreamsBuilder, Guard> GUARDS = Collections.synchronizedMap(new WeakHashMap<>());
    private static final Set<StreamsBuilder> ALIGNED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private record Guard(EventTimeRule rule, PoisonPills poisonPills) {
    }

    private InputStreams() {
    }

    /** Puts the event-time guard and poison-pill quarantine in front of every stream this builder hands out next. */
    public static void guard(StreamsBuilder builder, EventTimeRule rule, PoisonPills poisonPills) {
        GUARDS.put(builder, new Guard(rule, poisonPills));
    }

    /**
     * Has the windowed topologies added to this builder from now on finalize against each line's aligned frontier
     * over its inputs ({@link io.greenline.streams.windows.InputAlignment}) rather than against the fastest input:
     * the application reads every input topic in one task, whose fetches land in any order. A topology built alone
     * (tests that feed their inputs in event-time order) is not aligned.
     */
    public static void align(StreamsBuilder builder) {
        ALIGNED.add(builder);
    }

    /** True when {@link #align} was called for {@code builder}. */
    public static boolean aligned(StreamsBuilder builder) {
        return ALIGNED.contains(builder);
    }

    /** The name of the guard store of {@code topic}. */
    public static String guardStoreName(String topic) {
        return GUARD_PREFIX + (topic.startsWith("mfg.") ? topic.substring(4) : topic);
    }

    /** The stream of {@code topic} in {@code builder}, created (with the topic's serdes and source name) on first use. */
    @SuppressWarnings("unchecked")
    public static <K, V> KStream<K, V> of(StreamsBuilder builder, Topic<K, V> topic) {
        synchronized (STREAMS) {
            Map<String, KStream<?, ?>> streams = STREAMS.computeIfAbsent(builder, b -> new HashMap<>());
            return (KStream<K, V>) streams.computeIfAbsent(topic.name(), name -> source(builder, topic));
        }
    }

    /**
     * The table of {@code topic} in {@code builder}, materialized as {@code materialized}; from here on {@link #of} hands
     * out the table's updates ({@code toStream}, processor {@code updatesName}) as the topic's stream, so another
     * topology can follow the topic although the table holds its one source (the roll-up follows mfg.batch-footprint,
     * the carbon ledger's table). Call it before any topology asks {@link #of} for the topic.
     */
    public static <K, V> KTable<K, V> table(StreamsBuilder builder, Topic<K, V> topic, Consumed<K, V> consumed,
                                            Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized, String updatesName) {
        synchronized (STREAMS) {
            Map<String, KStream<?, ?>> streams = STREAMS.computeIfAbsent(builder, b -> new HashMap<>());
            if (streams.containsKey(topic.name())) {
                throw new IllegalStateException("The table of " + topic.name() + " must be built before any topology reads it as a stream");
            }
            KTable<K, V> table = builder.table(topic.name(), consumed, materialized);
            streams.put(topic.name(), table.toStream(Named.as(updatesName)));
            return table;
        }
    }

    /** The topic's source node, followed by its event-time guard when the builder is guarded. */
    private static <K, V> KStream<K, V> source(StreamsBuilder builder, Topic<K, V> topic) {
        KStream<K, V> source = builder.stream(topic.name(), topic.consumed());
        Guard guard = GUARDS.get(builder);
        if (guard == null) {
            return source;
        }
        String store = guardStoreName(topic.name());
        builder.addStateStore(EventTimeGuard.storeBuilder(store));
        return source.processValues(() -> new EventTimeGuard<K, V>(store, guard.rule(), guard.poisonPills()),
                Named.as(store + "-node"), store);
    }

    /**
     * Puts the {@link ReferenceGate} in front of every input topic whose events belong to a line (machine state,
     * production count, inspection, batch, energy): from here on {@link #of} gives, for those topics, the gate's
     * output. Call it once per builder, before any topology takes its inputs. Events the gate gives up on go to
     * {@code mfg.dlq}.
     */
    public static void gate(StreamsBuilder builder, Topics topics, ReferenceSettings settings) {
        List<Gated<?>> gated = List.of(new Gated<>(topics.machineState, MachineStateChanged.class),
                new Gated<>(topics.productionCount, ProductionCounted.class),
                new Gated<>(topics.inspection, InspectionRecorded.class), new Gated<>(topics.batch, BatchEvent.class),
                new Gated<>(topics.energy, EnergyMetered.class));
        synchronized (STREAMS) {
            Map<String, KStream<?, ?>> streams = STREAMS.computeIfAbsent(builder, b -> new HashMap<>());
            for (Gated<?> g : gated) {
                if (streams.containsKey(g.topic().name())) {
                    throw new IllegalStateException("The reference gate must be added before any topology reads " + g.topic().name());
                }
            }
            ReferenceStores.lineConfigVersions(builder, topics, settings.lineConfigHistory());
            builder.addStateStore(ReferenceGate.linesStore());
            builder.addStateStore(ReferenceGate.eventsStore());

            KStream<String, SpecificRecord> in = null;
            for (Gated<?> g : gated) {
                KStream<String, SpecificRecord> source = source(builder, g.topic())
                        .mapValues(v -> (SpecificRecord) v, Named.as("reference-gate-in-" + g.shortName()));
                in = in == null ? source : in.merge(source, Named.as("reference-gate-merge-" + g.shortName()));
            }
            KStream<String, Object> out = in.process(() -> new ReferenceGate(topics, settings), Named.as("reference-gate"),
                    StoreNames.REFERENCE_PARKED_LINES, StoreNames.REFERENCE_PARKED_EVENTS);
            for (Gated<?> g : gated) {
                streams.put(g.topic().name(), g.branch(out));
            }
            out.filter((key, value) -> value instanceof ReferenceGate.DeadLetter, Named.as("reference-gate-dead-letters"))
                    .map((key, value) -> KeyValue.pair(key, ((ReferenceGate.DeadLetter) value).value()),
                            Named.as("reference-gate-dead-letter-bytes"))
                    .to(topics.dlq.name(), Produced.with(Serdes.String(), Serdes.ByteArray())
                            .withName("reference-gate-dead-letter-sink"));
        }
    }

    /** An input topic behind the gate and the class of its values, by which the gate's output is split again. */
    private record Gated<V extends SpecificRecord>(Topic<String, V> topic, Class<V> type) {

        KStream<String, V> branch(KStream<String, Object> out) {
            return out.filter((key, value) -> type.isInstance(value), Named.as("reference-gate-out-" + shortName()))
                    .mapValues(type::cast, Named.as("reference-gate-" + shortName()));
        }

        String shortName() {
            return topic.name().startsWith("mfg.") ? topic.name().substring(4) : topic.name();
        }
    }
}

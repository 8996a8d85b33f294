package io.greenline.streams;

import io.greenline.schemas.Topic;
import io.greenline.streams.guard.EventTimeGuard;
import io.greenline.streams.guard.EventTimeRule;
import io.greenline.streams.guard.PoisonPills;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * One {@link KStream} per input topic and {@link StreamsBuilder}. Kafka Streams refuses a topic registered by two
 * sources, yet several topologies of the application read the same inputs (mfg.line-config and
 * mfg.production-count feed OEE and the carbon ledger): each topology asks here instead of calling
 * {@code builder.stream(...)}, and they share the one source node.
 *
 * <p>When the builder is {@link #guard guarded} (the whole application, {@link GreenlineTopology}), each stream
 * is the source followed by an {@link EventTimeGuard} with its own store {@code event-time-guard-<topic>}: events
 * with an implausible time and poison pills go to {@code mfg.dlq} before any topology sees them.
 */
public final class InputStreams {

    /** Prefix of each guard's store and processor name; the topic name without {@code mfg.} follows. */
    public static final String GUARD_PREFIX = "event-time-guard-";

    private static final Map<StreamsBuilder, Map<String, KStream<?, ?>>> STREAMS = Collections.synchronizedMap(new WeakHashMap<>());
    private static final Map<StreamsBuilder, Guard> GUARDS = Collections.synchronizedMap(new WeakHashMap<>());

    private record Guard(EventTimeRule rule, PoisonPills poisonPills) {
    }

    private InputStreams() {
    }

    /** Puts the event-time guard and poison-pill quarantine in front of every stream this builder hands out next. */
    public static void guard(StreamsBuilder builder, EventTimeRule rule, PoisonPills poisonPills) {
        GUARDS.put(builder, new Guard(rule, poisonPills));
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
            return (KStream<K, V>) streams.computeIfAbsent(topic.name(), name -> {
                KStream<K, V> source = builder.stream(name, topic.consumed());
                Guard guard = GUARDS.get(builder);
                if (guard == null) {
                    return source;
                }
                String store = guardStoreName(name);
                builder.addStateStore(EventTimeGuard.storeBuilder(store));
                return source.processValues(() -> new EventTimeGuard<K, V>(store, guard.rule(), guard.poisonPills()),
                        Named.as(store + "-node"), store);
            });
        }
    }
}

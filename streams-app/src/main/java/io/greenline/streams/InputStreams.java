package io.greenline.streams;

import io.greenline.schemas.Topic;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;

/**
 * One {@link KStream} per input topic and {@link StreamsBuilder}. Kafka Streams refuses a topic registered by two
 * sources, yet several topologies of the application read the same inputs (mfg.line-config and
 * mfg.production-count feed OEE and the carbon ledger): each topology asks here instead of calling
 * {@code builder.stream(...)}, and they share the one source node.
 */
public final class InputStreams {

    private static final Map<StreamsBuilder, Map<String, KStream<?, ?>>> STREAMS = Collections.synchronizedMap(new WeakHashMap<>());

    private InputStreams() {
    }

    /** The stream of {@code topic} in {@code builder}, created (with the topic's serdes and source name) on first use. */
    @SuppressWarnings("unchecked")
    public static <K, V> KStream<K, V> of(StreamsBuilder builder, Topic<K, V> topic) {
        synchronized (STREAMS) {
            Map<String, KStream<?, ?>> streams = STREAMS.computeIfAbsent(builder, b -> new HashMap<>());
            return (KStream<K, V>) streams.computeIfAbsent(topic.name(), name -> builder.stream(name, topic.consumed()));
        }
    }
}

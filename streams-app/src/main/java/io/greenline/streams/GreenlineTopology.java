package io.greenline.streams;

import io.greenline.schemas.Topics;
import io.greenline.streams.config.AppSettings;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;

/**
 * The whole application as one Kafka Streams topology: every analysis adds its part to one builder.
 * Each line below is one topology of its own package, built by the same method its tests call.
 */
public final class GreenlineTopology {

    private GreenlineTopology() {
    }

    public static Topology build(Topics topics, AppSettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, topics, settings);
        return builder.build(settings.streamsProperties());
    }

    /** Adds every topology to {@code builder}. */
    public static void addTo(StreamsBuilder builder, Topics topics, AppSettings settings) {
        // Wired as the topology branches land: OeeTopology, QualityTopology, CarbonLedgerTopology.
    }
}

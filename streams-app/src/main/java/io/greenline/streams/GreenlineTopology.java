package io.greenline.streams;

import io.greenline.schemas.Topics;
import io.greenline.events.LineConfig;
import io.greenline.streams.oee.OeeSettings;
import io.greenline.streams.oee.OeeTopology;
import io.greenline.streams.config.AppSettings;
import io.greenline.streams.quality.QualitySettings;
import io.greenline.streams.quality.QualityTopology;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;

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
        // mfg.line-config can be a source only once per builder: read it once, hand it to each topology.
        KStream<String, LineConfig> lineConfigs = builder.stream(topics.lineConfig.name(), topics.lineConfig.consumed());
        QualitySettings quality = QualitySettings.fromConfig(settings.all());

        OeeTopology.addTo(builder, topics, OeeSettings.defaults(), lineConfigs);
        QualityTopology.addTo(builder, topics, quality, lineConfigs.toTable(Named.as("quality-line-config-table"),
                Materialized.<String, LineConfig>as(Stores.persistentVersionedKeyValueStore(
                                StoreNames.QUALITY_LINE_CONFIGS, quality.lineConfigHistory()))
                        .withKeySerde(topics.lineConfig.keySerde())
                        .withValueSerde(topics.lineConfig.valueSerde())));
    }
}

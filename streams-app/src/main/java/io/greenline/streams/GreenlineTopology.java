package io.greenline.streams;

import io.greenline.schemas.Topics;
import io.greenline.streams.carbon.CarbonLedgerTopology;
import io.greenline.streams.carbon.CarbonSettings;
import io.greenline.streams.oee.OeeSettings;
import io.greenline.streams.oee.OeeTopology;
import io.greenline.streams.config.AppSettings;
import io.greenline.streams.guard.EventTimeRule;
import io.greenline.streams.guard.PoisonPills;
import io.greenline.streams.quality.QualitySettings;
import io.greenline.streams.quality.QualityTopology;
import io.greenline.streams.rollup.RollupSettings;
import io.greenline.streams.rollup.RollupTopology;
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
        StreamsBuilder builder = new CachedStoresBuilder(settings.stateCacheEntries());
        addTo(builder, topics, settings);
        return builder.build(settings.streamsProperties());
    }

    /**
     * Adds every topology to {@code builder}, each input behind the event-time guard and poison-pill quarantine
     * ({@link InputStreams#guard}). They share their input sources ({@link InputStreams}) and the
     * global versioned reference stores ({@link ReferenceStores}), since a topic can be a source only once per
     * application. The reference stores are added here first, with the {@code reference.*} settings, and the
     * {@link ReferenceGate} holds back the events of lines whose config is not known yet.
     */
    public static void addTo(StreamsBuilder builder, Topics topics, AppSettings settings) {
        // first the event-time guard on every input, then reference data (its settings from one key each) and the
        // gate, which must stand before every input that needs a line config
        InputStreams.guard(builder, new EventTimeRule(settings.eventTimeMin(), settings.eventTimeMaxAhead(), settings.eventTimeMaxBehind()),
                new PoisonPills(settings.poisonMaxAttempts()));
        ReferenceSettings reference = ReferenceSettings.from(settings.all());
        ReferenceStores.lineConfigVersions(builder, topics, reference.lineConfigHistory(), settings.eventTimeMin(), reference.maxAhead());
        ReferenceStores.emissionFactorVersions(builder, topics, reference.emissionFactorHistory(), settings.eventTimeMin(), reference.maxAhead());
        InputStreams.gate(builder, topics, reference);
        // windows final against each line's aligned input frontier, not its fastest input (docs/design.md)
        InputStreams.align(builder);
        CarbonLedgerTopology.addTo(builder, topics, CarbonSettings.from(settings.all()));
        OeeTopology.addTo(builder, topics, OeeSettings.from(settings.all()));
        QualityTopology.addTo(builder, topics, QualitySettings.fromConfig(settings.all()));
        RollupTopology.addTo(builder, topics, RollupSettings.from(settings.all()));
    }
}

package io.greenline.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.Alert;
import io.greenline.events.AlertType;
import io.greenline.events.BatchFootprint;
import io.greenline.events.LineEnergyWindow;
import io.greenline.events.OeeWindow;
import io.greenline.events.QualityWindow;
import io.greenline.producers.sim.FactorySimulation;
import io.greenline.producers.sim.SimulatorConfig;
import io.greenline.schemas.Topic;
import io.greenline.schemas.Topics;
import io.greenline.streams.GreenlineTopology;
import io.greenline.streams.config.AppSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The oracle against the production topology (the whole {@code GreenlineTopology}, as {@code greenline streams}
 * builds it) under TopologyTestDriver, on four simulated days of the default factory across the spring DST change:
 * every final OEE, quality and line-energy window, every footprint and every alert must agree.
 */
class OracleAgainstTopologyTest {

    static final Instant START = Instant.parse("2026-03-27T00:00:00Z");

    /** The application settings a checked run uses: no idle advance by wall clock (see {@link Oracle}). */
    static Map<String, String> checkedSettings() {
        Map<String, String> props = new HashMap<>();
        props.put("oee.idle-advance-interval", "P1D");
        props.put("quality.idle-after", "P1D");
        return props;
    }

    static EventLog simulate(Instant start, Duration length, Topics topics) {
        EventLog log = new EventLog();
        FactorySimulation simulation = new FactorySimulation(SimulatorConfig.defaults(), start, log, topics);
        simulation.advanceTo(start.plus(length).toEpochMilli());
        return log;
    }

    @Test
    @DisplayName("On four simulated days across the spring DST change, the topology's final windows and footprints equal the oracle's")
    void topologyAgreesWithOracle() throws Exception {
        Map<String, String> props = checkedSettings();
        props.put("schema.registry.url", "mock://oracle-vs-topology");
        AppSettings settings = AppSettings.of(props);
        Topics topics = new Topics(settings.serdes());
        EventLog log = simulate(START, Duration.ofDays(4), topics);

        Properties streams = settings.streamsProperties();
        Path state = Files.createTempDirectory("oracle-vs-topology");
        streams.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(GreenlineTopology.build(topics, settings), streams, START)) {
            Map<String, TestInputTopic<String, SpecificRecord>> inputs = new HashMap<>();
            for (Topic<String, ?> t : List.of(topics.machineState, topics.productionCount, topics.inspection, topics.energy, topics.batch,
                    topics.lineConfig, topics.emissionFactors)) {
                @SuppressWarnings("unchecked")
                Serializer<SpecificRecord> values = (Serializer<SpecificRecord>) t.valueSerde().serializer();
                inputs.put(t.name(), driver.createInputTopic(t.name(), new StringSerializer(), values));
            }
            for (EventLog.Entry e : log.entries()) {
                inputs.get(e.topic()).pipeInput(e.key(), e.value(), e.timestampMs());
            }
            // one wall-clock punctuation: the carbon ledger finalizes what its clock allows
            driver.advanceWallClockTime(Duration.ofSeconds(31));

            List<OutputCheck.Published<OeeWindow>> oee = driver.createOutputTopic(topics.oee.name(),
                    topics.oee.keySerde().deserializer(), topics.oee.valueSerde().deserializer()).readKeyValuesToList().stream()
                    .map(kv -> new OutputCheck.Published<>(kv.key, kv.value)).toList();
            List<OutputCheck.Published<QualityWindow>> quality = driver.createOutputTopic(topics.quality.name(),
                    topics.quality.keySerde().deserializer(), topics.quality.valueSerde().deserializer()).readKeyValuesToList().stream()
                    .map(kv -> new OutputCheck.Published<>(kv.key, kv.value)).toList();
            List<OutputCheck.Published<BatchFootprint>> footprints = driver.createOutputTopic(topics.batchFootprint.name(),
                    topics.batchFootprint.keySerde().deserializer(), topics.batchFootprint.valueSerde().deserializer()).readKeyValuesToList()
                    .stream().map(kv -> new OutputCheck.Published<>(kv.key, kv.value)).toList();

            List<OutputCheck.Published<LineEnergyWindow>> lineEnergy = driver.createOutputTopic(topics.lineEnergy.name(),
                    topics.lineEnergy.keySerde().deserializer(), topics.lineEnergy.valueSerde().deserializer()).readKeyValuesToList().stream()
                    .map(kv -> new OutputCheck.Published<>(kv.key, kv.value)).toList();
            List<OutputCheck.Published<Alert>> alerts = driver.createOutputTopic(topics.alerts.name(),
                    topics.alerts.keySerde().deserializer(), topics.alerts.valueSerde().deserializer()).readKeyValuesToList().stream()
                    .map(kv -> new OutputCheck.Published<>(kv.key, kv.value)).toList();

            Oracle oracle = Oracle.of(log, Oracle.Settings.defaults());
            OutputCheck check = OutputCheck.of(oracle, oee, quality, footprints, lineEnergy, alerts);
            System.out.println("oracle vs topology on " + log.size() + " events: " + check);
            assertThat(oracle.oee()).hasSizeGreaterThan(100);
            assertThat(oracle.quality()).hasSizeGreaterThan(100);
            assertThat(oracle.footprints()).hasSizeGreaterThan(5);
            assertThat(oracle.lineEnergy()).hasSizeGreaterThan(100);
            assertThat(oracle.alerts()).as("alerts of both kinds")
                    .anySatisfy((id, a) -> assertThat(a.getType()).isEqualTo(AlertType.SPC_DEFECT_RATE))
                    .anySatisfy((id, a) -> assertThat(a.getType()).isEqualTo(AlertType.OEE_BELOW_TARGET));
            assertThat(check.clean()).as(check.toString()).isTrue();
        }
    }
}

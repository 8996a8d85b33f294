package io.greenline.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.schemas.Topics;
import io.greenline.streams.config.AppSettings;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GreenlineTopologyTest {

    private static final AppSettings SETTINGS = AppSettings.of(Map.of("schema.registry.url", "mock://greenline-topology-test"));

    @Test
    @DisplayName("All topologies build into one application with explicit names and every queried store")
    void buildsOneApplication() {
        Topology topology = GreenlineTopology.build(new Topics(SETTINGS.serdes()), SETTINGS);
        TopologyDescription description = topology.describe();
        String text = description.toString();
        assertThat(text).contains(StoreNames.OEE_WINDOWS, StoreNames.QUALITY_WINDOWS, StoreNames.BATCH_FOOTPRINTS);
        Properties props = SETTINGS.streamsProperties();
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/greenline-topology-test");
        // the driver starts every processor: explicit naming and store wiring are checked for real
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
            assertThat(driver.getAllStateStores()).containsKeys(StoreNames.OEE_WINDOWS, StoreNames.QUALITY_WINDOWS, StoreNames.BATCH_FOOTPRINTS);
        }
    }
}

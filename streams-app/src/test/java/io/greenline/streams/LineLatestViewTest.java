package io.greenline.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.Granularity;
import io.greenline.events.OeeWindow;
import io.greenline.schemas.Topics;
import io.greenline.schemas.WindowKey;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.config.AppSettings;
import io.greenline.streams.app.GreenlineApp;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LineLatestView}: which window records of an output stream become a line's latest. */
class LineLatestViewTest {

    private static final Topics TOPICS = new Topics(GreenlineSerdes.inMemory("line-latest-view-test"));
    private static final Instant H06 = Instant.parse("2026-03-02T06:00:00Z");
    private static final Instant H07 = Instant.parse("2026-03-02T07:00:00Z");

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private static OeeWindow window(String line, Granularity granularity, Instant start, int revision) {
        return OeeWindow.newBuilder().setLineId(line).setGranularity(granularity).setWindowStart(start)
                .setWindowEnd(start.plus(Duration.ofHours(1))).setPotMs(0L).setPdotMs(0L).setPbtMs(0L).setAptMs(0L)
                .setAsutMs(0L).setAdetMs(0L).setAdotMs(0L).setUnknownMs(0L).setAuptMs(0L).setAubtMs(0L)
                .setProducedQuantity(0).setGoodQuantity(0).setScrapQuantity(0).setReworkQuantity(0).setIdealTimeMs(0)
                .setFailures(0).setStopReasons(Map.of()).setFinal$(true).setRevision(revision).build();
    }

    @Test
    @DisplayName("Per line the line-level hourly window with the latest start is kept: older hours, other granularities, product windows and non-window keys leave it alone")
    void keepsLatestHourly() {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, OeeWindow> windows = builder.stream("windows", Consumed.with(Serdes.String(), TOPICS.oee.valueSerde()));
        LineLatestView.attach(builder, windows, "latest", TOPICS.oee.valueSerde(), OeeWindow::getWindowStart);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "line-latest-view-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(builder.build(), props);
        TestInputTopic<String, OeeWindow> in = driver.createInputTopic("windows", new StringSerializer(), TOPICS.oee.valueSerde().serializer());
        KeyValueStore<String, OeeWindow> latest = driver.getKeyValueStore("latest");

        in.pipeInput(WindowKey.of("L1", Granularity.HOUR, H07).format(), window("L1", Granularity.HOUR, H07, 1));
        in.pipeInput(WindowKey.of("L1", Granularity.HOUR, H06).format(), window("L1", Granularity.HOUR, H06, 9));
        in.pipeInput(WindowKey.of("L1", Granularity.DAY, H07).format(), window("L1", Granularity.DAY, H07, 1));
        in.pipeInput(new WindowKey("L1", Granularity.HOUR, H07.plus(Duration.ofHours(5)), "P7").format(),
                window("L1", Granularity.HOUR, H07.plus(Duration.ofHours(5)), 1));
        in.pipeInput("not-a-window-key", window("L1", Granularity.HOUR, H07.plus(Duration.ofHours(9)), 1));
        assertThat(latest.get("L1")).isEqualTo(window("L1", Granularity.HOUR, H07, 1));

        // a new revision of the same hour replaces it; another line has its own record
        in.pipeInput(WindowKey.of("L1", Granularity.HOUR, H07).format(), window("L1", Granularity.HOUR, H07, 2));
        in.pipeInput(WindowKey.of("L2", Granularity.HOUR, H06).format(), window("L2", Granularity.HOUR, H06, 1));
        assertThat(latest.get("L1").getRevision()).isEqualTo(2);
        assertThat(latest.get("L2").getWindowStart()).isEqualTo(H06);
        // one record per line (counted: RocksDB's approximateNumEntries is only an estimate)
        java.util.List<String> keys = new java.util.ArrayList<>();
        try (var all = latest.all()) {
            all.forEachRemaining(kv -> keys.add(kv.key));
        }
        assertThat(keys).containsExactly("L1", "L2");
    }

    @Test
    @DisplayName("The whole application has the three views, served by the query router beside the window stores")
    void wiredInTheApplication() {
        AppSettings settings = AppSettings.of(Map.of("schema.registry.url", "mock://line-latest-view-app"));
        Topology topology = GreenlineTopology.build(new Topics(settings.serdes()), settings);
        assertThat(GreenlineApp.storesOf(topology)).contains(StoreNames.LINE_LATEST_OEE, StoreNames.LINE_LATEST_QUALITY,
                StoreNames.LINE_LATEST_ENERGY);
        String description = topology.describe().toString();
        assertThat(description).contains("line-latest-oee-writer", "line-latest-quality-writer", "line-latest-energy-writer");
    }
}

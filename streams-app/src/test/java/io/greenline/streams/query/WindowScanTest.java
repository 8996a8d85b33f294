package io.greenline.streams.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.Granularity;
import io.greenline.events.OeeWindow;
import io.greenline.schemas.WindowKey;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.StoreNames;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Range reads of a real (RocksDB) window store, as the query API does them. */
class WindowScanTest {

    private static final Instant H00 = Instant.parse("2026-03-01T00:00:00Z");
    private static final Instant H01 = Instant.parse("2026-03-01T01:00:00Z");
    private static final Instant H02 = Instant.parse("2026-03-01T02:00:00Z");
    private static final Instant H10 = Instant.parse("2026-03-01T10:00:00Z");

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path stateDir;

    private TopologyTestDriver driver;
    private KeyValueStore<String, OeeWindow> store;

    @BeforeEach
    void setUp() {
        Topology topology = new Topology();
        topology.addSource("in", new ByteArrayDeserializer(), new ByteArrayDeserializer(), "unused");
        topology.addProcessor("noop", () -> new Processor<Object, Object, Object, Object>() {
            @Override
            public void process(Record<Object, Object> record) {
                // the test writes the store directly
            }
        }, "in");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.OEE_WINDOWS),
                Serdes.String(), GreenlineSerdes.inMemory("window-scan-test").value(OeeWindow.class)), "noop");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "window-scan-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(topology, props);
        store = driver.getKeyValueStore(StoreNames.OEE_WINDOWS);
        for (Instant start : List.of(H10, H01, H00, H02)) {
            store.put(WindowKey.of("L1", Granularity.HOUR, start).format(), Windows.oee("L1", start, start != H10));
        }
        // a neighbour whose id starts like L1, a day window of L1, and a per-product window
        store.put(WindowKey.of("L10", Granularity.HOUR, H01).format(), Windows.oee("L10", H01, true));
        store.put(WindowKey.of("L1", Granularity.DAY, H00).format(), Windows.oee("L1", H00, false));
        store.put(new WindowKey("L1", Granularity.HOUR, H01, "P7").format(), Windows.oee("L1", H01, true));
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private static List<Instant> starts(List<OeeWindow> windows) {
        return windows.stream().map(OeeWindow::getWindowStart).toList();
    }

    @Test
    @DisplayName("A line's windows come oldest first, only of the asked granularity and line, without per-product windows")
    void unboundedRange() {
        List<OeeWindow> windows = WindowScan.range(store, "L1", Granularity.HOUR, null, null, WindowScan.ProductFilter.LINE);
        assertThat(starts(windows)).containsExactly(H00, H01, H02, H10);
        assertThat(windows).allMatch(w -> w.getLineId().equals("L1"));
    }

    @Test
    @DisplayName("from is inclusive and to exclusive on the window start, even between whole seconds")
    void boundedRange() {
        assertThat(starts(WindowScan.range(store, "L1", Granularity.HOUR, H01, H10, WindowScan.ProductFilter.LINE)))
                .containsExactly(H01, H02);
        assertThat(starts(WindowScan.range(store, "L1", Granularity.HOUR, H00.plusMillis(1), H02.plusMillis(1), WindowScan.ProductFilter.LINE)))
                .containsExactly(H01, H02);
        assertThat(WindowScan.range(store, "L1", Granularity.HOUR, H02.plusSeconds(1), H10, WindowScan.ProductFilter.LINE)).isEmpty();
    }

    @Test
    @DisplayName("A product filter returns that product's windows; * returns line and product windows")
    void products() {
        assertThat(WindowScan.range(store, "L1", Granularity.HOUR, null, null, WindowScan.ProductFilter.of("P7"))).hasSize(1);
        assertThat(WindowScan.range(store, "L1", Granularity.HOUR, null, null, WindowScan.ProductFilter.of("*"))).hasSize(5);
    }

    @Test
    @DisplayName("A line is known when it has any window; an id that only prefixes another line's id is not")
    void knownLines() {
        assertThat(WindowScan.hasLine(store, "L1")).isTrue();
        assertThat(WindowScan.hasLine(store, "L10")).isTrue();
        assertThat(WindowScan.hasLine(store, "L")).isFalse();
        assertThat(WindowScan.hasLine(store, "L2")).isFalse();
    }

    @Test
    @DisplayName("The latest hourly line window of every line is the one with the latest start")
    void latestPerLine() {
        Map<String, OeeWindow> latest = WindowScan.latestPerLine(store, Granularity.HOUR);
        assertThat(latest).containsOnlyKeys("L1", "L10");
        assertThat(latest.get("L1").getWindowStart()).isEqualTo(H10);
        assertThat(latest.get("L10").getWindowStart()).isEqualTo(H01);
    }

    @Test
    @DisplayName("Bounds beyond year 9999 or before year 0 compare as instants, not as strings: to=+10000 keeps every window, from=+10000 none")
    void boundsBeyondFourDigitYears() {
        Instant year10000 = Instant.parse("+10000-01-01T00:00:00Z");
        Instant yearMinus1 = Instant.parse("-0001-01-01T00:00:00Z");
        assertThat(starts(WindowScan.range(store, "L1", Granularity.HOUR, H01, year10000, WindowScan.ProductFilter.LINE)))
                .containsExactly(H01, H02, H10);
        assertThat(starts(WindowScan.range(store, "L1", Granularity.HOUR, yearMinus1, H02, WindowScan.ProductFilter.LINE)))
                .containsExactly(H00, H01);
        assertThat(starts(WindowScan.range(store, "L1", Granularity.HOUR, yearMinus1, year10000, WindowScan.ProductFilter.LINE)))
                .containsExactly(H00, H01, H02, H10);
        assertThat(WindowScan.range(store, "L1", Granularity.HOUR, year10000, null, WindowScan.ProductFilter.LINE)).isEmpty();
        assertThat(WindowScan.range(store, "L1", Granularity.HOUR, null, yearMinus1, WindowScan.ProductFilter.LINE)).isEmpty();
        assertThat(starts(WindowScan.range(store, "L1", Granularity.HOUR, null, Instant.parse("9999-12-31T23:59:59.999Z"),
                WindowScan.ProductFilter.LINE))).containsExactly(H00, H01, H02, H10);
    }
}

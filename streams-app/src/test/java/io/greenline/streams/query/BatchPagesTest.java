package io.greenline.streams.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenline.events.BatchFootprint;
import io.greenline.events.FootprintStatus;
import io.greenline.schemas.serde.GreenlineSerdes;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.function.Predicate;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * Pages of {@code GET /api/v1/batches} over real RocksDB stores: three stores stand for three instances' footprint
 * stores, each paged by {@link BatchPages#read} and the pages cut by {@link BatchPages#cut} as the API does; the
 * oracle is a plain filter over the full list of footprints.
 */
class BatchPagesTest {

    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    private static final List<String> STORES = List.of("instance-a", "instance-b", "instance-c");

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private final List<KeyValueStore<String, BatchFootprint>> stores = new ArrayList<>();
    private final List<BatchFootprint> all = new ArrayList<>();

    private static BatchFootprint footprint(String batchId, String lineId, String siteId, FootprintStatus status,
                                            Instant startedAt, Instant completedAt) {
        return BatchFootprint.newBuilder().setBatchId(batchId).setLineId(lineId).setSiteId(siteId).setProductId("P")
                .setStatus(status).setVersion(1).setStartedAt(startedAt).setCompletedAt(completedAt)
                .setScope1KgCo2e(0).setScope2LocationKgCo2e(0).setScope2MarketKgCo2e(0).setScope3UpstreamKgCo2e(0)
                .setTotalLocationKgCo2e(0).setTotalMarketKgCo2e(0).build();
    }

    @BeforeEach
    void setUp() {
        Topology topology = new Topology();
        topology.addSource("in", new ByteArrayDeserializer(), new ByteArrayDeserializer(), "unused");
        topology.addProcessor("noop", () -> new Processor<Object, Object, Object, Object>() {
            @Override
            public void process(Record<Object, Object> record) {
                // the test writes the stores directly
            }
        }, "in");
        for (String name : STORES) {
            topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(),
                    GreenlineSerdes.inMemory("batch-pages-test").value(BatchFootprint.class)), "noop");
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "batch-pages-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(topology, props);
        STORES.forEach(name -> stores.add(driver.getKeyValueStore(name)));

        // 120 batches over three lines and two sites, every status, spread over the instances at random
        Random random = new Random(7);
        FootprintStatus[] statuses = FootprintStatus.values();
        for (int i = 0; i < 120; i++) {
            String line = "L" + (i % 3);
            Instant started = T0.plusSeconds(3600L * i);
            Instant completed = i % 10 == 9 ? null : started.plusSeconds(1800);
            BatchFootprint f = footprint(String.format("B-%03d", i), line, line.equals("L2") ? "site-2" : "site-1",
                    statuses[i % statuses.length], started, completed);
            all.add(f);
            stores.get(random.nextInt(stores.size())).put(f.getBatchId(), f);
        }
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    /** Pages through every instance as the API does and returns what the client sees, page by page. */
    private List<List<String>> pageThrough(int limit, BatchPages.Filter filter, int maxScanned) {
        List<List<String>> pages = new ArrayList<>();
        String after = null;
        for (int guard = 0; guard < 1000; guard++) {
            List<BatchFootprint> merged = new ArrayList<>();
            String scannedTo = null;
            for (KeyValueStore<String, BatchFootprint> store : stores) {
                BatchPages.Page page = BatchPages.read(store, after, limit, filter, maxScanned);
                merged.addAll(page.items());
                if (page.scannedTo() != null && (scannedTo == null || BatchPages.KEY_ORDER.compare(page.scannedTo(), scannedTo) < 0)) {
                    scannedTo = page.scannedTo();
                }
            }
            BatchPages.Cut<BatchFootprint> cut = BatchPages.cut(merged, BatchFootprint::getBatchId, scannedTo, limit);
            assertThat(cut.items()).hasSizeLessThanOrEqualTo(limit);
            pages.add(cut.items().stream().map(BatchFootprint::getBatchId).toList());
            if (cut.nextAfter() == null) {
                return pages;
            }
            // the cursor goes through its opaque form, as a client hands it back
            after = BatchPages.batchIdOf(BatchPages.cursorAfter(cut.nextAfter()));
        }
        throw new AssertionError("paging did not end");
    }

    private List<String> expected(Predicate<BatchFootprint> filter) {
        return all.stream().filter(filter).map(BatchFootprint::getBatchId).sorted().toList();
    }

    @Test
    @DisplayName("Paging with limit 25 over three instances returns every batch once, in batchId order, in full pages but the last")
    void pagesCoverEverythingOnce() {
        List<List<String>> pages = pageThrough(25, BatchPages.Filter.ALL, BatchPages.MAX_SCANNED);
        assertThat(pages.stream().flatMap(List::stream).toList()).isEqualTo(expected(f -> true));
        assertThat(pages).hasSize(5);
        assertThat(pages.subList(0, 4)).allSatisfy(page -> assertThat(page).hasSize(25));
        assertThat(pages.get(4)).hasSize(20);
    }

    @Test
    @DisplayName("Filters by line, site, status and completion time select exactly the matching batches")
    void filters() {
        // from is inclusive, to exclusive: B-031 completes exactly at from, B-058 exactly at to
        Instant from = T0.plusSeconds(3600L * 31 + 1800);
        Instant to = T0.plusSeconds(3600L * 58 + 1800);
        BatchPages.Filter filter = new BatchPages.Filter("L1", "site-1", FootprintStatus.FINAL, from, to);
        // batch i completes at T0 + i h + 30 min (every tenth has no completedAt: its startedAt counts, so B-049 at
        // 49 h is in); line L1 is i % 3 == 1, and so is FINAL
        assertThat(pageThrough(4, filter, BatchPages.MAX_SCANNED).stream().flatMap(List::stream).toList())
                .isEqualTo(expected(f -> f.getLineId().equals("L1") && f.getStatus() == FootprintStatus.FINAL
                        && !(f.getCompletedAt() != null ? f.getCompletedAt() : f.getStartedAt()).isBefore(from)
                        && (f.getCompletedAt() != null ? f.getCompletedAt() : f.getStartedAt()).isBefore(to)))
                .containsExactly("B-031", "B-034", "B-037", "B-040", "B-043", "B-046", "B-049", "B-052", "B-055");
        assertThat(pageThrough(100, new BatchPages.Filter(null, "site-2", null, null, null), BatchPages.MAX_SCANNED)
                .stream().flatMap(List::stream).toList()).isEqualTo(expected(f -> "site-2".equals(f.getSiteId())));
    }

    @Test
    @DisplayName("With a scan bound far below the store size, a selective filter gets short pages that resume where the scan stopped, and still every match once")
    void scanBoundResumes() {
        BatchPages.Filter onlyL2 = new BatchPages.Filter("L2", null, null, null, null);
        List<List<String>> pages = pageThrough(10, onlyL2, 7);
        assertThat(pages.stream().flatMap(List::stream).toList()).isEqualTo(expected(f -> f.getLineId().equals("L2")));
        assertThat(pages.size()).as("each page read at most 7 keys per instance").isGreaterThan(4);

        BatchPages.Page first = BatchPages.read(stores.get(0), null, 10, onlyL2, 7);
        assertThat(first.scannedTo()).isNotNull();
        assertThat(first.items()).hasSizeLessThanOrEqualTo(7);
    }

    @Test
    @DisplayName("A cursor this API did not hand out is a 400")
    void badCursor() {
        assertThat(BatchPages.batchIdOf(BatchPages.cursorAfter("B-042"))).isEqualTo("B-042");
        assertThat(BatchPages.batchIdOf(null)).isNull();
        for (String bad : new String[] {"***", "QiAtMDQy=", "QiAtMDQy!"}) {
            assertThatThrownBy(() -> BatchPages.batchIdOf(bad)).isInstanceOf(ApiException.class)
                    .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400));
        }
    }
}

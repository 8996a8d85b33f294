package io.greenline.streams.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.greenline.events.BatchFootprint;
import io.greenline.events.CarrierEnergy;
import io.greenline.events.DayOfWeek;
import io.greenline.events.DefectCount;
import io.greenline.events.EnergyRollupWindow;
import io.greenline.events.EnergyUnit;
import io.greenline.events.FootprintStatus;
import io.greenline.events.Granularity;
import io.greenline.events.LineConfig;
import io.greenline.events.LineEnergyWindow;
import io.greenline.events.OeeRollupWindow;
import io.greenline.events.OeeWindow;
import io.greenline.events.ProductRate;
import io.greenline.events.QualityRollupWindow;
import io.greenline.events.QualityWindow;
import io.greenline.events.Shift;
import io.greenline.schemas.Topics;
import io.greenline.schemas.WindowKey;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.StoreNames;
import io.greenline.events.RollupMembers;
import io.greenline.streams.errors.DeadLetterHandler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Area and site roll-ups from final line HOUR windows, with values worked out by hand (docs/rollup.md). The line
 * windows are piped as the OEE, quality and carbon topologies publish them; each line's own KPIs are computed here
 * the way docs/design.md section 4 defines them, so the tests can show a roll-up's ratio of sums next to the mean of
 * the lines' ratios.
 */
class RollupTopologyTest {

    private static final double EPS = 1e-9;
    private static final Topics TOPICS = new Topics(GreenlineSerdes.inMemory("rollup-topology-test"));
    private static final Instant CONFIG_FROM = Instant.parse("2026-01-01T00:00:00Z");
    /** Monday 2 March 2026, UTC. */
    private static final Instant DAY = Instant.parse("2026-03-02T00:00:00Z");
    private static final long HOUR = 3_600_000L;
    private static final List<DayOfWeek> ALL_DAYS = List.of(DayOfWeek.values());

    private TopologyTestDriver driver;
    private TestInputTopic<String, LineConfig> configs;
    private TestInputTopic<String, OeeWindow> oee;
    private TestInputTopic<String, QualityWindow> quality;
    private TestInputTopic<String, LineEnergyWindow> energy;
    private TestInputTopic<String, BatchFootprint> footprints;
    private TestOutputTopic<String, OeeRollupWindow> oeeRollups;
    private TestOutputTopic<String, QualityRollupWindow> qualityRollups;
    private TestOutputTopic<String, EnergyRollupWindow> energyRollups;

    private void start(RollupSettings settings) {
        start(settings, false);
    }

    /** With {@code withCarbonLedger}, the carbon ledger is in the same builder first, as in the whole application. */
    private void start(RollupSettings settings, boolean withCarbonLedger) {
        start(settings, withCarbonLedger, false);
    }

    /** With {@code aligned}, the builder is aligned as the application's ({@code InputStreams.align}). */
    private void start(RollupSettings settings, boolean withCarbonLedger, boolean aligned) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "rollup-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(props)));
        if (aligned) {
            io.greenline.streams.InputStreams.align(builder);
        }
        if (withCarbonLedger) {
            io.greenline.streams.carbon.CarbonLedgerTopology.addTo(builder, TOPICS, io.greenline.streams.carbon.CarbonSettings.defaults());
        }
        RollupTopology.addTo(builder, TOPICS, settings);
        driver = new TopologyTestDriver(builder.build(props), props, DAY);
        configs = driver.createInputTopic(TOPICS.lineConfig.name(), new StringSerializer(), TOPICS.lineConfig.valueSerde().serializer());
        oee = driver.createInputTopic(TOPICS.oee.name(), new StringSerializer(), TOPICS.oee.valueSerde().serializer());
        quality = driver.createInputTopic(TOPICS.quality.name(), new StringSerializer(), TOPICS.quality.valueSerde().serializer());
        energy = driver.createInputTopic(TOPICS.lineEnergy.name(), new StringSerializer(), TOPICS.lineEnergy.valueSerde().serializer());
        footprints = driver.createInputTopic(TOPICS.batchFootprint.name(), new StringSerializer(), TOPICS.batchFootprint.valueSerde().serializer());
        oeeRollups = driver.createOutputTopic(TOPICS.oeeRollup.name(), new StringDeserializer(), TOPICS.oeeRollup.valueSerde().deserializer());
        qualityRollups = driver.createOutputTopic(TOPICS.qualityRollup.name(), new StringDeserializer(), TOPICS.qualityRollup.valueSerde().deserializer());
        energyRollups = driver.createOutputTopic(TOPICS.energyRollup.name(), new StringDeserializer(), TOPICS.energyRollup.valueSerde().deserializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    // ---- fixtures -----------------------------------------------------------------------------------

    private static LineConfig line(String lineId, String siteId, String areaId, List<Shift> shifts, String product, long pruMs,
                                   Instant validFrom) {
        return new LineConfig(lineId, siteId, areaId, lineId, "UTC", shifts, List.of(new ProductRate(product, (double) pruMs)),
                120_000L, null, "DE", validFrom);
    }

    private void config(LineConfig config) {
        configs.pipeInput(config.getLineId(), config, config.getValidFrom());
    }

    /**
     * A final line HOUR window as mfg.oee carries it, its KPIs computed by the line rules (docs/design.md section 4)
     * for one product with cycle time {@code pruMs}. ADET is all failures ({@code failures} of {@code mttrMs} each).
     */
    private static OeeWindow oeeHour(String line, int hour, long potMs, long pdotMs, long aptMs, long adotMs, long adetMs,
                                     double produced, double scrap, long pruMs, int failures) {
        long pbt = potMs - pdotMs;
        double good = produced - scrap;
        double ideal = produced * pruMs;
        Double availability = pbt > 0 ? (double) aptMs / pbt : null;
        Double effectiveness = aptMs > 0 ? ideal / aptMs : null;
        Double quality = produced > 0 ? good / produced : null;
        Double oee = pbt > 0 ? good * pruMs / pbt : null;
        Double nee = availability == null || effectiveness == null || quality == null ? null : availability * effectiveness * quality;
        Map<String, Long> stops = new LinkedHashMap<>();
        if (adetMs > 0) {
            stops.put("JAM", adetMs);
        }
        if (adotMs > 0) {
            stops.put("NO_MATERIAL", adotMs);
        }
        Instant start = DAY.plusMillis(hour * HOUR);
        return new OeeWindow(line, null, null, Granularity.HOUR, null, start, start.plusMillis(HOUR), potMs, pdotMs, pbt,
                aptMs, 0L, adetMs, adotMs, HOUR - potMs, aptMs, aptMs + adetMs, produced, good, scrap, 0.0, ideal,
                availability, effectiveness, quality, oee, nee, failures,
                failures > 0 ? (double) aptMs / failures : null, failures > 0 ? (double) adetMs / failures : null,
                stops, true, 0);
    }

    private void pipe(OeeWindow w) {
        oee.pipeInput(WindowKey.of(w.getLineId(), w.getGranularity(), w.getWindowStart()).format(), w, w.getWindowEnd());
    }

    private static String key(String rollupId, Granularity g, Instant start) {
        return WindowKey.of(rollupId, g, start).format();
    }

    private static Instant hour(int h) {
        return DAY.plusMillis(h * HOUR);
    }

    /** Every record published, in order, and the last one per key. */
    private static <V> Map<String, V> latest(List<KeyValue<String, V>> records) {
        Map<String, V> out = new LinkedHashMap<>();
        records.forEach(kv -> out.put(kv.key, kv.value));
        return out;
    }

    // ---- an area of two lines -----------------------------------------------------------------------

    /** Foundry: line A1 (product DISC, 30 s, one 06:00-18:00 shift) and line A2 (product RING, 60 s, Early and Late shifts). */
    private void foundry() {
        config(line("A1", "plant", "foundry", List.of(new Shift("Day", "06:00", "18:00", ALL_DAYS)), "DISC", 30_000L, CONFIG_FROM));
        config(line("A2", "plant", "foundry", List.of(new Shift("Early", "06:00", "14:00", ALL_DAYS),
                new Shift("Late", "14:00", "22:00", ALL_DAYS)), "RING", 60_000L, CONFIG_FROM));
    }

    @Test
    @DisplayName("area OEE is the ratio of the summed time elements, not the mean of the lines' OEE")
    void areaOfTwoLines() {
        start(RollupSettings.defaults());
        foundry();
        // A1 10:00-11:00: PBT 60 min, APT 50 min, one 10-minute failure, 90 DISC all good: OEE 90 x 30 s / 60 min = 0.75
        OeeWindow a1 = oeeHour("A1", 10, HOUR, 0, 3_000_000, 0, 600_000, 90, 0, 30_000, 1);
        // A2 10:00-11:00: 30 min planned stop, PBT 30 min, APT 20 min, idle 10 min; 20 RING, 5 scrap: OEE 15 x 60 s / 30 min = 0.5
        OeeWindow a2 = oeeHour("A2", 10, HOUR, 1_800_000, 1_200_000, 600_000, 0, 20, 5, 60_000, 0);
        assertThat(a1.getOee()).isCloseTo(0.75, within(EPS));
        assertThat(a2.getOee()).isCloseTo(0.5, within(EPS));
        // 09:00: both lines become known to the area (a line is known from its first final window)
        pipe(oeeHour("A1", 9, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        pipe(oeeHour("A2", 9, HOUR, 0, HOUR, 0, 0, 60, 0, 60_000, 0));
        pipe(a1);
        assertThat(latest(oeeRollups.readKeyValuesToList())).as("10:00 waits for A2")
                .doesNotContainKey(key("area:foundry", Granularity.HOUR, hour(10)));
        pipe(a2);

        Map<String, OeeRollupWindow> out = latest(oeeRollups.readKeyValuesToList());
        OeeRollupWindow area = out.get(key("area:foundry", Granularity.HOUR, hour(10)));
        assertThat(area).isNotNull();
        double meanOfLines = (a1.getOee() + a2.getOee()) / 2;
        // sum, then divide: (90 x 30 s + 15 x 60 s) / (60 min + 30 min) = 3600 s / 5400 s = 2/3
        assertThat(area.getOee()).isCloseTo(2.0 / 3.0, within(EPS));
        assertThat(meanOfLines).isCloseTo(0.625, within(EPS));
        assertThat(area.getOee()).isNotCloseTo(meanOfLines, within(0.01));
        assertThat(area.getPbtMs()).isEqualTo(5_400_000);
        assertThat(area.getPdotMs()).isEqualTo(1_800_000);
        assertThat(area.getAptMs()).isEqualTo(4_200_000);
        assertThat(area.getAvailability()).isCloseTo(4_200_000.0 / 5_400_000, within(EPS));
        // ideal time 90 x 30 s + 20 x 60 s = 3 900 s over APT 4 200 s
        assertThat(area.getIdealTimeMs()).isCloseTo(3_900_000, within(EPS));
        assertThat(area.getEffectiveness()).isCloseTo(3_900_000.0 / 4_200_000, within(EPS));
        assertThat(area.getQuality()).isCloseTo(105.0 / 110, within(EPS));
        assertThat(area.getNee()).isCloseTo(4_200_000.0 / 5_400_000 * 3_900_000.0 / 4_200_000 * 105.0 / 110, within(EPS));
        assertThat(area.getFailures()).isCloseTo(1.0, within(EPS));
        assertThat(area.getMttrMs()).isCloseTo(600_000, within(EPS));
        assertThat(area.getMtbfMs()).isCloseTo(4_200_000, within(EPS));
        assertThat(area.getStopReasons()).containsEntry("JAM", 600_000L).containsEntry("NO_MATERIAL", 600_000L);
        assertThat(area.getLines()).isEqualTo(2);
        assertThat(area.getContributingLines()).containsExactly("A1", "A2");
        assertThat(area.getLinesMissing()).isEmpty();
        assertThat(area.getLevel()).isEqualTo("AREA");
        assertThat(area.getSiteId()).isEqualTo("plant");
        assertThat(area.getRevision()).isZero();
        assertThat(area.getFinal$()).isTrue();

        KeyValueStore<String, OeeRollupWindow> store = driver.getKeyValueStore(StoreNames.OEE_ROLLUP_WINDOWS);
        assertThat(store.get(key("area:foundry", Granularity.HOUR, hour(10)))).isEqualTo(area);
        assertThat(out.get(key("site:plant", Granularity.HOUR, hour(10))).getOee()).isCloseTo(2.0 / 3.0, within(EPS));
    }

    @Test
    @DisplayName("a line window republished after the roll-up was final replaces its earlier value, revision + 1")
    void republishedLineWindow() {
        start(RollupSettings.defaults());
        foundry();
        pipe(oeeHour("A1", 9, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        pipe(oeeHour("A2", 9, HOUR, 0, HOUR, 0, 0, 60, 0, 60_000, 0));
        pipe(oeeHour("A1", 10, HOUR, 0, 3_000_000, 0, 600_000, 90, 0, 30_000, 1));
        pipe(oeeHour("A2", 10, HOUR, 1_800_000, 1_200_000, 600_000, 0, 20, 5, 60_000, 0));
        oeeRollups.readKeyValuesToList();
        // A2 10:00 corrected: 10 more scrap (GQ 5): area OEE (2 700 s + 5 x 60 s) / 5 400 s = 5/9
        pipe(oeeHour("A2", 10, HOUR, 1_800_000, 1_200_000, 600_000, 0, 20, 15, 60_000, 0));
        OeeRollupWindow area = latest(oeeRollups.readKeyValuesToList()).get(key("area:foundry", Granularity.HOUR, hour(10)));
        assertThat(area.getRevision()).isEqualTo(1);
        assertThat(area.getOee()).isCloseTo(3_000_000.0 / 5_400_000, within(EPS));
        assertThat(area.getProducedQuantity()).as("replaced, not added twice").isCloseTo(110, within(EPS));
        assertThat(area.getScrapQuantity()).isCloseTo(15, within(EPS));
    }

    // ---- a site of two areas --------------------------------------------------------------------------

    @Test
    @DisplayName("a site sums the lines of all its areas; each area only its own")
    void siteOfTwoAreas() {
        start(RollupSettings.defaults());
        foundry();
        config(line("B1", "plant", "assembly", List.of(), "KIT", 36_000L, CONFIG_FROM));
        for (String line : List.of("A1", "A2", "B1")) {
            pipe(oeeHour(line, 9, HOUR, 0, HOUR, 0, 0, 0, 0, 30_000, 0));
        }
        pipe(oeeHour("A1", 10, HOUR, 0, 3_000_000, 0, 600_000, 90, 0, 30_000, 1));
        pipe(oeeHour("A2", 10, HOUR, 1_800_000, 1_200_000, 600_000, 0, 20, 5, 60_000, 0));
        // B1: 24/7, running all hour, 100 KITs of 36 s all good: OEE 1
        pipe(oeeHour("B1", 10, HOUR, 0, HOUR, 0, 0, 100, 0, 36_000, 0));

        Map<String, OeeRollupWindow> out = latest(oeeRollups.readKeyValuesToList());
        OeeRollupWindow site = out.get(key("site:plant", Granularity.HOUR, hour(10)));
        OeeRollupWindow foundry = out.get(key("area:foundry", Granularity.HOUR, hour(10)));
        OeeRollupWindow assembly = out.get(key("area:assembly", Granularity.HOUR, hour(10)));
        // site: (2 700 s + 900 s + 3 600 s) / (3 600 s + 1 800 s + 3 600 s) = 0.8; mean of the areas (2/3 + 1) / 2 = 0.833
        assertThat(site.getOee()).isCloseTo(0.8, within(EPS));
        assertThat((foundry.getOee() + assembly.getOee()) / 2).isCloseTo(5.0 / 6.0, within(EPS));
        assertThat(site.getPbtMs()).isEqualTo(foundry.getPbtMs() + assembly.getPbtMs());
        assertThat(site.getLevel()).isEqualTo("SITE");
        assertThat(site.getSiteId()).isEqualTo("plant");
        assertThat(site.getAreaId()).isNull();
        assertThat(site.getLines()).isEqualTo(3);
        assertThat(site.getContributingLines()).containsExactly("A1", "A2", "B1");
        assertThat(assembly.getContributingLines()).containsExactly("B1");
        assertThat(assembly.getOee()).isCloseTo(1.0, within(EPS));
    }

    // ---- a missing line -----------------------------------------------------------------------------

    @Test
    @DisplayName("a known line without a final window is listed in linesMissing once the roll-up stops waiting")
    void missingLine() {
        start(RollupSettings.defaults());
        foundry();
        pipe(oeeHour("A1", 10, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        pipe(oeeHour("A2", 10, HOUR, 0, HOUR, 0, 0, 60, 0, 60_000, 0));
        oeeRollups.readKeyValuesToList();
        // 11:00: A2 is silent; A1 alone does not finish the hour
        pipe(oeeHour("A1", 11, HOUR, 0, 1_800_000, 1_800_000, 0, 60, 0, 30_000, 0));
        assertThat(latest(oeeRollups.readKeyValuesToList())).doesNotContainKey(key("area:foundry", Granularity.HOUR, hour(11)));
        // A1's 12:00 hour moves the roll-up's clock to 13:00, past 11:00's end + 10 minutes: published without A2
        pipe(oeeHour("A1", 12, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        Map<String, OeeRollupWindow> out = latest(oeeRollups.readKeyValuesToList());
        OeeRollupWindow area = out.get(key("area:foundry", Granularity.HOUR, hour(11)));
        assertThat(area.getLines()).isEqualTo(1);
        assertThat(area.getContributingLines()).containsExactly("A1");
        assertThat(area.getLinesMissing()).containsExactly("A2");
        assertThat(area.getOee()).isCloseTo(0.5, within(EPS));
        assertThat(out.get(key("site:plant", Granularity.HOUR, hour(11))).getLinesMissing()).containsExactly("A2");
        assertThat(out).as("12:00 still waits for A2").doesNotContainKey(key("area:foundry", Granularity.HOUR, hour(12)));

        // A2's 11:00 window arrives late: the roll-up is republished complete, revision 1
        pipe(oeeHour("A2", 11, HOUR, 0, HOUR, 0, 0, 60, 0, 60_000, 0));
        OeeRollupWindow republished = latest(oeeRollups.readKeyValuesToList()).get(key("area:foundry", Granularity.HOUR, hour(11)));
        assertThat(republished.getRevision()).isEqualTo(1);
        assertThat(republished.getLinesMissing()).isEmpty();
        assertThat(republished.getContributingLines()).containsExactly("A1", "A2");
        // (60 x 30 s + 60 x 60 s) / 7 200 s = 0.75
        assertThat(republished.getOee()).isCloseTo(0.75, within(EPS));
    }

    @Test
    @DisplayName("published windows leave with their retention and line hours with the correction window, purge after purge as the clock moves")
    void retentionEnforcedAsTheClockMoves() {
        // HOUR windows kept 3 h, line hours 1 h (on the roll-up's clock)
        start(new RollupSettings(java.time.Duration.ofMinutes(10), java.time.Duration.ofHours(1), java.time.Duration.ofDays(7),
                java.time.Duration.ofDays(365), java.time.Duration.ofHours(3), java.time.Duration.ofDays(35), java.time.Duration.ofDays(400), Map.of()));
        foundry();
        org.apache.kafka.streams.state.KeyValueStore<String, OeeRollupWindow> windows =
                driver.getKeyValueStore(io.greenline.streams.StoreNames.OEE_ROLLUP_WINDOWS);
        org.apache.kafka.streams.state.KeyValueStore<String, io.greenline.events.RollupContribution> contributions =
                driver.getKeyValueStore(io.greenline.streams.StoreNames.ROLLUP_CONTRIBUTIONS);
        for (int h = 6; h <= 13; h++) {
            pipe(oeeHour("A1", h, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
            pipe(oeeHour("A2", h, HOUR, 0, HOUR, 0, 0, 60, 0, 60_000, 0));
            // clock (h + 1):00: HOUR windows starting before (h - 2):00 are gone; those of (h - 2):00 and (h - 1):00,
            // published (at the latest when the clock passed their end + 10 min), are kept
            for (int w = 6; w < h; w++) {
                OeeRollupWindow kept = windows.get(key("area:foundry", Granularity.HOUR, hour(w)));
                if (w < h - 2) {
                    assertThat(kept).as("at clock %d:00, the %d:00 window is purged", h + 1, w).isNull();
                } else {
                    assertThat(kept).as("at clock %d:00, the %d:00 window is kept", h + 1, w).isNotNull();
                }
            }
        }
        List<String> left = new java.util.ArrayList<>();
        try (org.apache.kafka.streams.state.KeyValueIterator<String, io.greenline.events.RollupContribution> it = contributions.all()) {
            it.forEachRemaining(kv -> left.add(kv.value.getRollupId() + " " + kv.value.getLineId() + "@" + Instant.ofEpochMilli(kv.value.getWindowStart())));
        }
        // clock 14:00: line hours starting before 13:00 are gone, in the area and in the site
        assertThat(left).containsExactlyInAnyOrder("area:foundry A1@" + hour(13), "area:foundry A2@" + hour(13),
                "site:plant A1@" + hour(13), "site:plant A2@" + hour(13));
    }

    @Test
    @DisplayName("members kept by the earlier layout (every line in one map under the roll-up) are read, and moved to one key per line")
    void membersOfTheEarlierLayout() {
        start(RollupSettings.defaults());
        foundry();
        // as the earlier code left the store after both lines' 10:00 hours: clock 11:00, both lines in one map
        org.apache.kafka.streams.state.KeyValueStore<String, io.greenline.events.RollupMembers> members =
                driver.getKeyValueStore(io.greenline.streams.StoreNames.ROLLUP_MEMBERS);
        members.put("OEE|area:foundry", new io.greenline.events.RollupMembers(hour(11).toEpochMilli(), hour(11).toEpochMilli(),
                Map.of("A1", hour(11).toEpochMilli(), "A2", hour(11).toEpochMilli())));
        pipe(oeeHour("A1", 11, HOUR, 0, 1_800_000, 1_800_000, 0, 60, 0, 30_000, 0));
        assertThat(latest(oeeRollups.readKeyValuesToList())).as("A2, known from the old map, holds 11:00")
                .doesNotContainKey(key("area:foundry", Granularity.HOUR, hour(11)));
        pipe(oeeHour("A1", 12, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        OeeRollupWindow area = latest(oeeRollups.readKeyValuesToList()).get(key("area:foundry", Granularity.HOUR, hour(11)));
        assertThat(area.getLinesMissing()).containsExactly("A2");
        assertThat(members.get("OEE|area:foundry").getLastSeenMs()).as("the map is emptied").isEmpty();
        assertThat(members.get("OEE|area:foundry").getClockMs()).isEqualTo(hour(13).toEpochMilli());
        assertThat(members.get("OEE|area:foundry|L|A2").getClockMs()).isEqualTo(hour(11).toEpochMilli());
        assertThat(members.get("OEE|area:foundry|L|A1").getClockMs()).isEqualTo(hour(13).toEpochMilli());
    }

    // ---- lines known from their configs ---------------------------------------------------------------

    @Test
    @DisplayName("a configured line that never sends a window is in linesMissing: the area waits for it, then is published without it")
    void configuredLineThatNeverSends() {
        start(RollupSettings.defaults());
        // press: P1 and P2, both configured from 1 January; only P1 ever sends a window
        config(line("P1", "plant", "press", List.of(), "DISC", 30_000L, CONFIG_FROM));
        config(line("P2", "plant", "press", List.of(), "DISC", 30_000L, CONFIG_FROM));
        // 10:00: P1 runs 45 of 60 minutes and makes 90 good parts at 30 s: OEE 90 x 30 s / 3 600 s = 0.75
        pipe(oeeHour("P1", 10, HOUR, 0, 2_700_000, 900_000, 0, 90, 0, 30_000, 0));
        assertThat(latest(oeeRollups.readKeyValuesToList()))
                .as("P2 is a line of the press from its config, so P1 alone does not finish 10:00")
                .doesNotContainKey(key("area:press", Granularity.HOUR, hour(10)));
        // P1's 11:00 hour moves the clock to 12:00, past 10:00's end + 10 minutes: 10:00 is published without P2
        pipe(oeeHour("P1", 11, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        Map<String, OeeRollupWindow> out = latest(oeeRollups.readKeyValuesToList());
        OeeRollupWindow press = out.get(key("area:press", Granularity.HOUR, hour(10)));
        assertThat(press.getLines()).isEqualTo(1);
        assertThat(press.getContributingLines()).containsExactly("P1");
        assertThat(press.getLinesMissing()).containsExactly("P2");
        assertThat(press.getFinal$()).isTrue();
        assertThat(press.getRevision()).isZero();
        // KPIs unchanged by the missing line: sums of P1 alone, PBT 60 min, APT 45 min
        assertThat(press.getPbtMs()).isEqualTo(HOUR);
        assertThat(press.getAptMs()).isEqualTo(2_700_000L);
        assertThat(press.getAvailability()).isCloseTo(0.75, within(EPS));
        assertThat(press.getOee()).isCloseTo(0.75, within(EPS));
        OeeRollupWindow site = out.get(key("site:plant", Granularity.HOUR, hour(10)));
        assertThat(site.getLines()).isEqualTo(1);
        assertThat(site.getLinesMissing()).containsExactly("P2");
        assertThat(out).as("11:00 still waits for P2").doesNotContainKey(key("area:press", Granularity.HOUR, hour(11)));
    }

    @Test
    @DisplayName("a silent configured line is missing only where its config puts it at each window, and not before it is configured")
    void silentLinesByTheirConfigsAtEachWindow() {
        start(RollupSettings.defaults());
        // F1 (foundry) and S1 (assembly) send every hour; M2 is in the foundry until noon, then in assembly, and never
        // sends; N1 is configured into the foundry only from 14:00 and never sends
        config(line("F1", "plant", "foundry", List.of(), "DISC", 30_000L, CONFIG_FROM));
        config(line("S1", "plant", "assembly", List.of(), "KIT", 30_000L, CONFIG_FROM));
        config(line("M2", "plant", "foundry", List.of(), "DISC", 30_000L, CONFIG_FROM));
        config(line("M2", "plant", "assembly", List.of(), "DISC", 30_000L, hour(12)));
        config(line("N1", "plant", "foundry", List.of(), "DISC", 30_000L, hour(14)));
        // 00:00 to 24:00 of 2 March and the first hour of 3 March, so the clock (01:00) passes the day's end + 10 minutes
        for (int h = 0; h < 25; h++) {
            pipe(oeeHour("F1", h, HOUR, 0, 1_800_000, 1_800_000, 0, 60, 0, 30_000, 0));
            pipe(oeeHour("S1", h, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        }
        Map<String, OeeRollupWindow> out = latest(oeeRollups.readKeyValuesToList());

        // 11:00: M2 belongs to the foundry, N1 is not configured yet
        OeeRollupWindow foundry11 = out.get(key("area:foundry", Granularity.HOUR, hour(11)));
        assertThat(foundry11.getLines()).isEqualTo(1);
        assertThat(foundry11.getContributingLines()).containsExactly("F1");
        assertThat(foundry11.getLinesMissing()).containsExactly("M2");
        assertThat(out.get(key("area:assembly", Granularity.HOUR, hour(11))).getLinesMissing()).isEmpty();
        // 12:00 and 13:00: M2 left the foundry at 12:00 and belongs to assembly
        for (int h : new int[] {12, 13}) {
            OeeRollupWindow foundry = out.get(key("area:foundry", Granularity.HOUR, hour(h)));
            assertThat(foundry.getLinesMissing()).as("foundry %d:00", h).isEmpty();
            assertThat(foundry.getRevision()).isZero();
            OeeRollupWindow assembly = out.get(key("area:assembly", Granularity.HOUR, hour(h)));
            assertThat(assembly.getContributingLines()).containsExactly("S1");
            assertThat(assembly.getLinesMissing()).as("assembly %d:00", h).containsExactly("M2");
        }
        // 14:00: N1's config is valid from now on
        assertThat(out.get(key("area:foundry", Granularity.HOUR, hour(14))).getLinesMissing()).containsExactly("N1");
        assertThat(out.get(key("area:assembly", Granularity.HOUR, hour(14))).getLinesMissing()).containsExactly("M2");

        // the days: each area misses the silent lines it holds during part of the day; KPIs are the senders' sums
        OeeRollupWindow foundryDay = out.get(key("area:foundry", Granularity.DAY, DAY));
        assertThat(foundryDay.getLines()).isEqualTo(1);
        assertThat(foundryDay.getLinesMissing()).containsExactly("M2", "N1");
        // F1: 24 h of PBT, 12 h of APT, 24 x 60 parts at 30 s = 12 h of good x PRU: OEE 0.5
        assertThat(foundryDay.getPbtMs()).isEqualTo(24 * HOUR);
        assertThat(foundryDay.getOee()).isCloseTo(0.5, within(EPS));
        OeeRollupWindow assemblyDay = out.get(key("area:assembly", Granularity.DAY, DAY));
        assertThat(assemblyDay.getLinesMissing()).containsExactly("M2");
        assertThat(assemblyDay.getOee()).isCloseTo(1.0, within(EPS));
        OeeRollupWindow siteDay = out.get(key("site:plant", Granularity.DAY, DAY));
        assertThat(siteDay.getContributingLines()).containsExactly("F1", "S1");
        assertThat(siteDay.getLinesMissing()).containsExactly("M2", "N1");
        // (12 h + 24 h) of good x PRU over 48 h of PBT
        assertThat(siteDay.getOee()).isCloseTo(0.75, within(EPS));
    }

    @Test
    @DisplayName("aligned (the application): a window due by the clock waits for a line still delivering behind it, and is published once, complete; a line silent for rollup.align-idle no longer holds")
    void alignedRollupWaitsForALineOnItsWay() {
        start(RollupSettings.defaults(), false, true);
        foundry();
        pipe(oeeHour("A1", 10, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        pipe(oeeHour("A2", 10, HOUR, 0, HOUR, 0, 0, 60, 0, 60_000, 0));
        oeeRollups.readKeyValuesToList();
        // A1's task runs ahead: 11:00 to 13:00; A2 (delivered a moment ago) is still at 11:00
        for (int h = 11; h <= 13; h++) {
            pipe(oeeHour("A1", h, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        }
        assertThat(latest(oeeRollups.readKeyValuesToList())).as("11:00 is due by the clock (14:00) but A2 is on its way")
                .doesNotContainKey(key("area:foundry", Granularity.HOUR, hour(11)));
        // A2's 11:00 and 12:00 arrive: each hour published once, complete, no revision
        pipe(oeeHour("A2", 11, HOUR, 0, HOUR, 0, 0, 60, 0, 60_000, 0));
        pipe(oeeHour("A2", 12, HOUR, 0, HOUR, 0, 0, 60, 0, 60_000, 0));
        List<KeyValue<String, OeeRollupWindow>> published = oeeRollups.readKeyValuesToList();
        for (int h = 11; h <= 12; h++) {
            String k = key("area:foundry", Granularity.HOUR, hour(h));
            List<OeeRollupWindow> versions = published.stream().filter(kv -> kv.key.equals(k)).map(kv -> kv.value).toList();
            assertThat(versions).as("%d:00", h).hasSize(1);
            assertThat(versions.get(0).getRevision()).isZero();
            assertThat(versions.get(0).getLinesMissing()).isEmpty();
            // (120 x 30 s + 60 x 60 s) / 7 200 s = 1.0
            assertThat(versions.get(0).getOee()).isCloseTo(1.0, within(EPS));
        }
        // A1 goes on to 14:00 (clock 15:00, so 13:00 is due by the clock) and A2 goes silent: 13:00 stays held until
        // A2 has delivered nothing for 30 s of wall clock
        pipe(oeeHour("A1", 14, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        assertThat(latest(oeeRollups.readKeyValuesToList())).doesNotContainKey(key("area:foundry", Granularity.HOUR, hour(13)));
        // (second by second, as a live task punctuates: a jump of the wall clock would be a stalled task, whose
        // lines' silence counts only from its resume)
        for (int second = 1; second <= 29; second++) {
            driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
        }
        assertThat(latest(oeeRollups.readKeyValuesToList())).doesNotContainKey(key("area:foundry", Granularity.HOUR, hour(13)));
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
        OeeRollupWindow thirteen = latest(oeeRollups.readKeyValuesToList()).get(key("area:foundry", Granularity.HOUR, hour(13)));
        assertThat(thirteen.getLinesMissing()).containsExactly("A2");
        assertThat(thirteen.getContributingLines()).containsExactly("A1");
    }

    @Test
    @DisplayName("aligned (the application): in a catch-up a line hour days behind the clock is taken while its line still delivers; once the line is silent for rollup.align-idle the clock's correction window applies again")
    void alignedCatchUpTakesTheHoursOfASlowerTask() {
        // A1's task runs three days ahead (clock 5 March 11:00); A2, delivered a moment ago, is at 2 March 12:00
        TestOutputTopic<byte[], byte[]> dlq = a1RunsAheadOfA2(RollupSettings.defaults(), 10 + 72);
        oeeRollups.readKeyValuesToList();
        // A2's 12:00 and 13:00 start 71 and 70 hours behind the clock, past the clock's 2-day correction window, but
        // not behind what was published without them: taken, and each hour published once, complete
        for (int h = 12; h <= 13; h++) {
            pipe(oeeHour("A2", h, HOUR, 0, HOUR, 0, 0, 60, 0, 60_000, 0));
        }
        assertThat(dlq.readRecordsToList()).as("nothing dead-lettered").isEmpty();
        List<KeyValue<String, OeeRollupWindow>> published = oeeRollups.readKeyValuesToList();
        for (int h = 12; h <= 13; h++) {
            String k = key("area:foundry", Granularity.HOUR, hour(h));
            List<OeeRollupWindow> versions = published.stream().filter(kv -> kv.key.equals(k)).map(kv -> kv.value).toList();
            assertThat(versions).as("%d:00", h).hasSize(1);
            assertThat(versions.get(0).getRevision()).isZero();
            assertThat(versions.get(0).getContributingLines()).containsExactly("A1", "A2");
            // (120 x 30 s + 60 x 60 s) / 7 200 s = 1.0
            assertThat(versions.get(0).getOee()).isCloseTo(1.0, within(EPS));
        }
        // A2 goes silent for 30 s of wall clock: it no longer holds, and its next hour, 14:00, starts 69 hours behind
        // the clock: LATE, once for its area and once for its site
        silence(31);
        pipe(oeeHour("A2", 14, HOUR, 0, HOUR, 0, 0, 60, 0, 60_000, 0));
        List<org.apache.kafka.streams.test.TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(2);
        assertThat(dead).allSatisfy(r -> assertThat(new String(r.headers().lastHeader("reason").value(),
                java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("LATE"));
    }

    @Test
    @DisplayName("aligned (the application): a line still delivering holds the correction window at most rollup.max-hold behind the clock, and where it ends is stored")
    void alignedHoldIsBoundedByTheMaxHold() {
        // A1 runs ten days ahead (clock 12 March 11:00) while A2, at 2 March 12:00, keeps delivering: with a
        // rollup.max-hold of 7 days the correction window ends at most 7 days behind the clock (5 March 11:00), so line
        // hours from 3 March 11:00 on are taken. A2 is 10 days behind the clock, past rollup.member-ttl (7 days), but
        // still delivering: it stays a member
        TestOutputTopic<byte[], byte[]> dlq = a1RunsAheadOfA2(RollupSettings.defaults().withMaxHold(java.time.Duration.ofDays(7)), 10 + 240);
        assertThat(driver.<String, RollupMembers>getKeyValueStore(StoreNames.ROLLUP_MEMBERS).get("OEE|area:foundry|L|A2"))
                .as("A2 still a member").isNotNull();
        pipe(oeeHour("A2", 35, HOUR, 0, HOUR, 0, 0, 60, 0, 60_000, 0));
        assertThat(dlq.readRecordsToList()).as("3 March 11:00 is taken").isEmpty();
        pipe(oeeHour("A2", 34, HOUR, 0, HOUR, 0, 0, 60, 0, 60_000, 0));
        assertThat(dlq.readRecordsToList()).as("3 March 10:00 is LATE, for its area and its site").hasSize(2);
        KeyValueStore<String, RollupMembers> members = driver.getKeyValueStore(StoreNames.ROLLUP_MEMBERS);
        assertThat(members.get("OEE|area:foundry|H").getClockMs()).isEqualTo(Instant.parse("2026-03-05T11:00:00Z").toEpochMilli());
    }

    @Test
    @DisplayName("aligned (the application): a line's hours come through several relay tasks at their own pace; an hour days behind the line's latest is taken while its relay still delivers")
    void alignedRelaysOfOneLine() {
        // X1, alone in its site: its hours are keyed by hour on mfg.oee, so they reach the roll-up through every relay
        // task, each reading its partitions at its own pace. Relay 0 brings the even hours, up to 5 March 10:00; relay
        // 1 is at 2 March 11:00 and still delivering.
        TestOutputTopic<byte[], byte[]> dlq = soloLine();
        TestInputTopic<String, io.greenline.events.RollupContribution> relayed = relayed();
        relay(relayed, 0, 10);
        relay(relayed, 1, 11);
        silence(31);
        relay(relayed, 0, 12);
        relay(relayed, 1, 13);
        for (int h = 14; h <= 10 + 72; h += 2) {
            relay(relayed, 0, h);
            if (h % 8 == 0) {
                // a second of wall clock every four hours: the task runs, and what holds is looked at again
                driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
            }
        }
        // relay 1's 15:00 and 17:00 start 68 and 66 hours behind the line's latest window end (5 March 11:00), past the
        // clock's 2-day correction window, but their relay is on its way: taken, each hour published once, complete
        relay(relayed, 1, 15);
        relay(relayed, 1, 17);
        assertThat(dlq.readRecordsToList()).as("nothing dead-lettered").isEmpty();
        List<KeyValue<String, OeeRollupWindow>> published = oeeRollups.readKeyValuesToList();
        for (int h : new int[] {15, 17}) {
            String k = key("site:solo-site", Granularity.HOUR, hour(h));
            List<OeeRollupWindow> versions = published.stream().filter(kv -> kv.key.equals(k)).map(kv -> kv.value).toList();
            assertThat(versions).as("%d:00", h).hasSize(1);
            assertThat(versions.get(0).getRevision()).isZero();
            assertThat(versions.get(0).getContributingLines()).containsExactly("X1");
            // 120 x 30 s / 3 600 s = 1.0
            assertThat(versions.get(0).getOee()).isCloseTo(1.0, within(EPS));
        }
        // relay 1 delivers nothing for 30 s of wall clock while relay 0 does: it no longer holds, and its next hour,
        // 19:00, starts 64 hours behind the clock: LATE
        for (int second = 1; second <= 31; second++) {
            driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
            relay(relayed, 0, 10 + 72 + 2 * second);
        }
        relay(relayed, 1, 19);
        List<org.apache.kafka.streams.test.TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).headers().lastHeader("reason").value(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("LATE");
    }

    @Test
    @DisplayName("aligned (the application): a site's footprints come through several relay tasks; one days behind the latest is taken while its relay still delivers")
    void alignedRelaysOfFootprints() {
        // mfg.batch-footprint is keyed by batch, so a site's footprints reach the roll-up through every relay task. The
        // driver's own tasks are relay 0: X1's energy hours and a footprint a day come through it, up to 5 March 11:00.
        // Relay 1 brought B1 (completed 2 March 12:00) and still delivers.
        TestOutputTopic<byte[], byte[]> dlq = soloLine();
        TestInputTopic<String, io.greenline.events.RollupContribution> relayed = relayed();
        silence(31);
        relayFootprint(relayed, 1, "B1", 8, 12, 1_000);
        for (int h = 10; h <= 10 + 72; h++) {
            energyHour("X1", h, 100, 40);
            if (h % 24 == 10) {
                footprint("F" + h, "X1", 1, FootprintStatus.FINAL, hour(h - 2), hour(h), 100.0, 10);
            }
            if (h % 8 == 0) {
                driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
            }
        }
        // B2, completed 2 March 14:00, is 3 days behind the latest footprint through relay 0 (5 March 10:00) and 69 hours
        // behind the clock, but relay 1 is on its way: taken, and 2 March is republished with it
        relayFootprint(relayed, 1, "B2", 13, 14, 500);
        assertThat(dlq.readRecordsToList()).as("nothing dead-lettered").isEmpty();
        EnergyRollupWindow day = latest(energyRollups.readKeyValuesToList()).get(key("site:solo-site", Granularity.DAY, DAY));
        // B1, B2 and F10 (completed 2 March 10:00): 1 000 + 500 + 100 kg
        assertThat(day.getFootprints()).isEqualTo(3);
        assertThat(day.getGoodOutputMassKg()).isCloseTo(1_600, within(EPS));
        // relay 1 delivers nothing for 30 s while relay 0 does: its next footprint, completed 2 March 16:00, is LATE
        for (int second = 1; second <= 31; second++) {
            driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
            energyHour("X1", 10 + 72 + second, 100, 40);
        }
        relayFootprint(relayed, 1, "B3", 15, 16, 500);
        List<org.apache.kafka.streams.test.TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).headers().lastHeader("reason").value(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("LATE");
    }

    /** The aligned application with line X1 alone in its area and site (DISC, 30 s, 06:00-18:00, UTC). Returns the dead letters. */
    private TestOutputTopic<byte[], byte[]> soloLine() {
        start(RollupSettings.defaults(), false, true);
        config(line("X1", "solo-site", "solo-area", List.of(new Shift("Day", "06:00", "18:00", ALL_DAYS)), "DISC", 30_000L, CONFIG_FROM));
        return dlq();
    }

    /** The roll-ups' repartition topic, to send records as a given relay task does (the driver's own tasks are all relay 0). */
    private TestInputTopic<String, io.greenline.events.RollupContribution> relayed() {
        return driver.createInputTopic("rollup-test-" + RollupTopology.REPARTITION + "-repartition", new StringSerializer(),
                io.greenline.schemas.state.StateSerde.of(io.greenline.events.RollupContribution.class).serializer());
    }

    /** A FINAL footprint of X1 for its site, as relay task {@code relay} sends it. */
    private void relayFootprint(TestInputTopic<String, io.greenline.events.RollupContribution> relayed, int relay, String batchId,
                                int startedHour, int completedHour, double goodKg) {
        long completed = hour(completedHour).toEpochMilli();
        relayed.pipeInput(new org.apache.kafka.streams.test.TestRecord<>("site:solo-site",
                new io.greenline.events.RollupContribution(RollupFootprints.KIND, "site:solo-site", "X1", hour(startedHour).toEpochMilli(),
                        completed, Map.of(RollupMeasures.FP_KG_MARKET, 50.0, RollupMeasures.FP_MASS, goodKg), batchId),
                stamped(relay, completed), hour(completedHour)));
    }

    private static org.apache.kafka.common.header.Headers stamped(int relay, long streamTimeMs) {
        return io.greenline.streams.windows.SourceStamp.stamp(new org.apache.kafka.common.header.internals.RecordHeaders(), relay, streamTimeMs);
    }

    /** X1's OEE hour {@code h} for its site (120 pieces of 30 s in a full hour: OEE 1.0), as relay task {@code relay} sends it. */
    private void relay(TestInputTopic<String, io.greenline.events.RollupContribution> relayed, int relay, int h) {
        OeeWindow w = oeeHour("X1", h, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0);
        relayed.pipeInput(new org.apache.kafka.streams.test.TestRecord<>("site:solo-site",
                new io.greenline.events.RollupContribution(RollupKind.OEE.name(), "site:solo-site", "X1",
                        w.getWindowStart().toEpochMilli(), w.getWindowEnd().toEpochMilli(), RollupMeasures.of(w), null),
                stamped(relay, w.getWindowEnd().toEpochMilli()), w.getWindowEnd()));
    }

    /**
     * The aligned foundry: both lines deliver 10:00, the task runs past the first {@code rollup.align-idle} after its
     * start (when nothing is known to be behind and the correction window is held as far as it may be), both deliver
     * 11:00, then A1 alone runs on to {@code lastHour}. Returns the dead letters.
     */
    private TestOutputTopic<byte[], byte[]> a1RunsAheadOfA2(RollupSettings settings, int lastHour) {
        start(settings, false, true);
        foundry();
        TestOutputTopic<byte[], byte[]> dlq = dlq();
        pipe(oeeHour("A1", 10, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        pipe(oeeHour("A2", 10, HOUR, 0, HOUR, 0, 0, 60, 0, 60_000, 0));
        silence(31);
        pipe(oeeHour("A1", 11, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        pipe(oeeHour("A2", 11, HOUR, 0, HOUR, 0, 0, 60, 0, 60_000, 0));
        for (int h = 12; h <= lastHour; h++) {
            pipe(oeeHour("A1", h, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        }
        return dlq;
    }

    /** Wall clock on by {@code seconds}, second by second as a live task punctuates (a jump would be a stalled task). */
    private void silence(int seconds) {
        for (int second = 1; second <= seconds; second++) {
            driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
        }
    }

    private TestOutputTopic<byte[], byte[]> dlq() {
        return driver.createOutputTopic(TOPICS.dlq.name(), new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    }

    // ---- a line moving areas ------------------------------------------------------------------------

    @Test
    @DisplayName("a line that moves areas at noon counts in its old area before and in its new area after")
    void lineMovingAreas() {
        start(RollupSettings.defaults());
        config(line("F1", "plant", "foundry", List.of(), "DISC", 30_000L, CONFIG_FROM));
        config(line("S1", "plant", "assembly", List.of(), "KIT", 30_000L, CONFIG_FROM));
        config(line("M1", "plant", "foundry", List.of(), "DISC", 30_000L, CONFIG_FROM));
        config(line("M1", "plant", "assembly", List.of(), "DISC", 30_000L, hour(12)));
        for (int h = 0; h < 24; h++) {
            // F1 and S1 run half of every hour (60 parts: OEE 0.5), M1 all of it (120 parts: OEE 1)
            pipe(oeeHour("F1", h, HOUR, 0, 1_800_000, 1_800_000, 0, 60, 0, 30_000, 0));
            pipe(oeeHour("S1", h, HOUR, 0, 1_800_000, 1_800_000, 0, 60, 0, 30_000, 0));
            pipe(oeeHour("M1", h, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        }
        Map<String, OeeRollupWindow> out = latest(oeeRollups.readKeyValuesToList());
        assertThat(out.get(key("area:foundry", Granularity.HOUR, hour(11))).getContributingLines()).containsExactly("F1", "M1");
        assertThat(out.get(key("area:foundry", Granularity.HOUR, hour(12))).getContributingLines()).containsExactly("F1");
        assertThat(out.get(key("area:foundry", Granularity.HOUR, hour(12))).getLinesMissing()).isEmpty();
        assertThat(out.get(key("area:assembly", Granularity.HOUR, hour(12))).getContributingLines()).containsExactly("M1", "S1");

        OeeRollupWindow foundryDay = out.get(key("area:foundry", Granularity.DAY, DAY));
        OeeRollupWindow assemblyDay = out.get(key("area:assembly", Granularity.DAY, DAY));
        // foundry: F1 24 h + M1 00:00-12:00; PBT 36 h, APT 12 h + 12 h, good x PRU = 24 x 1 800 s + 12 x 3 600 s
        assertThat(foundryDay.getPbtMs()).isEqualTo(36 * HOUR);
        assertThat(foundryDay.getAptMs()).isEqualTo(24 * HOUR);
        assertThat(foundryDay.getProducedQuantity()).isCloseTo(24 * 60 + 12 * 120, within(EPS));
        assertThat(foundryDay.getOee()).isCloseTo(24.0 / 36.0, within(EPS));
        assertThat(foundryDay.getContributingLines()).containsExactly("F1", "M1");
        assertThat(foundryDay.getLinesMissing()).isEmpty();
        assertThat(foundryDay.getWindowEnd()).isEqualTo(DAY.plusMillis(24 * HOUR));
        assertThat(assemblyDay.getPbtMs()).isEqualTo(36 * HOUR);
        assertThat(assemblyDay.getProducedQuantity()).isCloseTo(24 * 60 + 12 * 120, within(EPS));
        assertThat(assemblyDay.getContributingLines()).containsExactly("M1", "S1");
        OeeRollupWindow siteDay = out.get(key("site:plant", Granularity.DAY, DAY));
        assertThat(siteDay.getPbtMs()).isEqualTo(72 * HOUR);
        assertThat(siteDay.getOee()).isCloseTo((48 * 1_800_000.0 + 24 * 3_600_000.0) / (72 * HOUR), within(EPS));
    }

    // ---- shift windows of the roll-up's own calendar --------------------------------------------------

    @Test
    @DisplayName("a shift of the area's calendar starting at :30 takes half of the line hours at its edges")
    void shiftSplitProRata() {
        start(RollupSettings.defaults());
        List<Shift> early = List.of(new Shift("Early", "06:30", "14:30", ALL_DAYS));
        config(line("P1", "plant", "paint", early, "LID", 30_000L, CONFIG_FROM));
        config(line("P2", "plant", "paint", List.of(), "LID", 30_000L, CONFIG_FROM));
        config(line("P3", "plant", "paint", early, "LID", 30_000L, CONFIG_FROM));
        for (String line : List.of("P1", "P2", "P3")) {
            for (int h = 6; h <= 14; h++) {
                // 10 parts at 06:00, 30 at 14:00, 20 each hour between
                double produced = h == 6 ? 10 : h == 14 ? 30 : 20;
                pipe(oeeHour(line, h, HOUR, 0, HOUR, 0, 0, produced, 0, 30_000, 0));
            }
        }
        Map<String, OeeRollupWindow> out = latest(oeeRollups.readKeyValuesToList());
        Instant shiftStart = Instant.parse("2026-03-02T06:30:00Z");
        OeeRollupWindow shift = out.get(key("area:paint", Granularity.SHIFT, shiftStart));
        assertThat(shift).as("the calendar two of three lines share (the third is 24/7)").isNotNull();
        assertThat(shift.getShiftName()).isEqualTo("Early");
        assertThat(shift.getWindowEnd()).isEqualTo(Instant.parse("2026-03-02T14:30:00Z"));
        // per line: 0.5 x 10 + 7 x 20 + 0.5 x 30 = 160 parts, 8 h of PBT
        assertThat(shift.getProducedQuantity()).isCloseTo(3 * 160, within(EPS));
        assertThat(shift.getPbtMs()).isEqualTo(3 * 8 * HOUR);
        assertThat(shift.getLinesMissing()).isEmpty();
        assertThat(shift.getOee()).isCloseTo(3 * 160 * 30_000.0 / (3 * 8 * HOUR), within(EPS));
        assertThat(out).as("the 24/7 line's calendar has no shifts, and the area does not use it")
                .doesNotContainKey(key("area:paint", Granularity.SHIFT, hour(0)));
    }

    @Test
    @DisplayName("rollup.calendar.area.<id> chooses the line whose calendar the area uses")
    void calendarSetting() {
        start(RollupSettings.defaults().withCalendarLine("area:foundry", "A2"));
        foundry();
        for (int h = 6; h < 14; h++) {
            pipe(oeeHour("A1", h, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
            pipe(oeeHour("A2", h, HOUR, 0, HOUR, 0, 0, 60, 0, 60_000, 0));
        }
        Map<String, OeeRollupWindow> out = latest(oeeRollups.readKeyValuesToList());
        OeeRollupWindow early = out.get(key("area:foundry", Granularity.SHIFT, hour(6)));
        assertThat(early.getShiftName()).isEqualTo("Early");
        assertThat(early.getProducedQuantity()).isCloseTo(8 * 180, within(EPS));
        assertThat(early.getWindowEnd()).isEqualTo(hour(14));
        assertThat(early.getOee()).isCloseTo(1.0, within(EPS));
    }

    // ---- quality and energy ---------------------------------------------------------------------------

    @Test
    @DisplayName("area quality and energy: counts and energy summed, rates and intensities from the sums")
    void qualityAndEnergy() {
        start(RollupSettings.defaults());
        foundry();
        Instant s = hour(10);
        Instant e = hour(11);
        for (String line : List.of("A1", "A2")) {
            // 09:00: both lines become known to the area's quality and energy roll-ups
            quality.pipeInput(line + "/HOUR/" + hour(9), new QualityWindow(line, null, Granularity.HOUR, null, hour(9), s, 0.0, 0.0,
                    0.0, 0.0, null, null, null, List.of(), 0.0, 0.0, null, true, 0), s);
            energy.pipeInput(line + "/HOUR/" + hour(9), new LineEnergyWindow(line, Granularity.HOUR, null, hour(9), s, Map.of(),
                    0.0, 0.0, 0.0, 0.0, null, null, true, 0), s);
        }
        quality.pipeInput("A1/HOUR/" + s, new QualityWindow("A1", null, Granularity.HOUR, null, s, e, 100.0, 90.0, 4.0, 6.0,
                0.1, 0.06, 0.04, List.of(new DefectCount("POROSITY", 6.0), new DefectCount("CRACK", 4.0)), 100.0, 90.0, 0.9, true, 0), e);
        // a per-product window is not summed (its line window already holds it)
        quality.pipeInput("A1/HOUR/" + s + "/DISC", new QualityWindow("A1", "DISC", Granularity.HOUR, null, s, e, 100.0, 90.0, 4.0, 6.0,
                0.1, 0.06, 0.04, List.of(), 100.0, 90.0, 0.9, true, 0), e);
        quality.pipeInput("A2/HOUR/" + s, new QualityWindow("A2", null, Granularity.HOUR, null, s, e, 10.0, 5.0, 0.0, 5.0,
                0.5, 0.5, 0.0, List.of(new DefectCount("CRACK", 5.0)), 10.0, 5.0, 0.5, true, 0), e);
        QualityRollupWindow q = latest(qualityRollups.readKeyValuesToList()).get(key("area:foundry", Granularity.HOUR, s));
        assertThat(q.getInspected()).isCloseTo(110, within(EPS));
        // (4 + 6 + 5) / 110, not the mean (0.1 + 0.5) / 2 = 0.3
        assertThat(q.getDefectRate()).isCloseTo(15.0 / 110, within(EPS));
        assertThat(q.getFirstPassYield()).isCloseTo(95.0 / 110, within(EPS));
        assertThat(q.getDefects()).extracting(DefectCount::getCode, DefectCount::getCount)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("CRACK", 9.0), org.assertj.core.groups.Tuple.tuple("POROSITY", 6.0));
        assertThat(q.getLines()).isEqualTo(2);

        energy.pipeInput("A1/HOUR/" + s, new LineEnergyWindow("A1", Granularity.HOUR, null, s, e,
                Map.of("ELECTRICITY", new CarrierEnergy(400.0, EnergyUnit.KWH)), 400.0, 160.0, 200.0, 90.0, 200.0 / 90, 400.0 / 90, true, 0), e);
        energy.pipeInput("A2/HOUR/" + s, new LineEnergyWindow("A2", Granularity.HOUR, null, s, e,
                Map.of("ELECTRICITY", new CarrierEnergy(100.0, EnergyUnit.KWH), "NATURAL_GAS", new CarrierEnergy(50.0, EnergyUnit.NM3)),
                100.0, 140.0, 150.0, 10.0, 15.0, 10.0, true, 0), e);
        EnergyRollupWindow en = latest(energyRollups.readKeyValuesToList()).get(key("area:foundry", Granularity.HOUR, s));
        assertThat(en.getElectricityKwh()).isCloseTo(500, within(EPS));
        assertThat(en.getEnergy().get("ELECTRICITY").getQuantity()).isCloseTo(500, within(EPS));
        assertThat(en.getEnergy().get("NATURAL_GAS").getQuantity()).isCloseTo(50, within(EPS));
        assertThat(en.getKgCo2eMarket()).isCloseTo(350, within(EPS));
        assertThat(en.getGoodQuantity()).isCloseTo(100, within(EPS));
        // 350 kg / 100 good units = 3.5, not the mean of 2.22 and 15
        assertThat(en.getKgCo2ePerGoodUnit()).isCloseTo(3.5, within(EPS));
        assertThat(en.getKwhPerGoodUnit()).isCloseTo(5.0, within(EPS));
    }

    // ---- intensity per tonne of good output (final footprints) -------------------------------------------

    /** A final line-energy HOUR window with electricity only (location = market emissions). */
    private void energyHour(String line, int h, double kwh, double kgCo2e) {
        Instant s = hour(h);
        Instant e = hour(h + 1);
        energy.pipeInput(line + "/HOUR/" + s, new LineEnergyWindow(line, Granularity.HOUR, null, s, e,
                Map.of("ELECTRICITY", new CarrierEnergy(kwh, EnergyUnit.KWH)), kwh, kgCo2e, kgCo2e, 10.0, kgCo2e / 10, kwh / 10, true, 0), e);
    }

    private void footprint(String batchId, String line, int version, FootprintStatus status, Instant started, Instant completed,
                           Double goodKg, double marketKg) {
        BatchFootprint f = BatchFootprint.newBuilder().setBatchId(batchId).setLineId(line).setSiteId("plant").setProductId("P")
                .setStatus(status).setVersion(version).setReplacesVersion(version > 1 ? version - 1 : null)
                .setStartedAt(started).setCompletedAt(completed).setOutputGoodMassKg(goodKg)
                .setScope1KgCo2e(0).setScope2LocationKgCo2e(marketKg).setScope2MarketKgCo2e(marketKg).setScope3UpstreamKgCo2e(0)
                .setTotalLocationKgCo2e(marketKg).setTotalMarketKgCo2e(marketKg).build();
        footprints.pipeInput(batchId, f, completed.plusSeconds(300));
    }

    @Test
    @DisplayName("site DAY intensity per tonne: final footprints' good mass split over the days of their run by time, a new version replacing the old, over the lines' energy of the day")
    void intensityPerTonneOfGoodOutput() {
        start(RollupSettings.defaults());
        foundry(); // A1 and A2, site "plant", UTC: the site's days are UTC days
        String siteDay = key("site:plant", Granularity.DAY, DAY);
        // every hour of 2 March: A1 100 kWh and 40 kg CO2e, A2 50 kWh and 20 kg: the day 24 x 150 = 3 600 kWh, 24 x 60 = 1 440 kg
        for (int h = 0; h < 12; h++) {
            energyHour("A1", h, 100, 40);
            energyHour("A2", h, 50, 20);
        }
        // B1 on A1 ran 02:00-06:00: all 2 000 kg of good output and its 900 kg CO2e go to 2 March
        footprint("B1", "A1", 1, FootprintStatus.FINAL, hour(2), hour(6), 2_000.0, 900);
        for (int h = 12; h < 24; h++) {
            energyHour("A1", h, 100, 40);
            energyHour("A2", h, 50, 20);
        }
        Map<String, EnergyRollupWindow> out = latest(energyRollups.readKeyValuesToList());
        EnergyRollupWindow day = out.get(siteDay);
        assertThat(day.getRevision()).isZero();
        assertThat(day.getElectricityKwh()).isCloseTo(3_600, within(EPS));
        assertThat(day.getKgCo2eMarket()).isCloseTo(1_440, within(EPS));
        assertThat(day.getFootprints()).isEqualTo(1);
        assertThat(day.getGoodOutputMassKg()).isCloseTo(2_000, within(EPS));
        // 1 440 kg / 2 t = 720 kg CO2e/t; 3 600 kWh / 2 t = 1 800 kWh/t; the batch's own 900 kg / 2 t = 450 kg/t
        assertThat(day.getKgCo2ePerTonneGoodOutput()).isCloseTo(720, within(EPS));
        assertThat(day.getKwhPerTonneGoodOutput()).isCloseTo(1_800, within(EPS));
        assertThat(day.getFootprintKgCo2ePerTonneGoodOutput()).isCloseTo(450, within(EPS));
        // only a site's DAY has it: the area's day and the site's hours have no footprint figures
        EnergyRollupWindow areaDay = out.get(key("area:foundry", Granularity.DAY, DAY));
        EnergyRollupWindow siteHour = out.get(key("site:plant", Granularity.HOUR, hour(23)));
        for (EnergyRollupWindow w : List.of(areaDay, siteHour)) {
            assertThat(w.getFootprints()).isZero();
            assertThat(w.getGoodOutputMassKg()).isNull();
            assertThat(w.getKgCo2ePerTonneGoodOutput()).isNull();
        }
        // GET /api/v1/sites and /areas read the latest HOUR roll-up per id from a small view, not the window stores
        KeyValueStore<String, EnergyRollupWindow> view = driver.getKeyValueStore(StoreNames.ROLLUP_LATEST_ENERGY);
        assertThat(view.get("site:plant").getWindowStart()).isEqualTo(hour(23));
        assertThat(view.get("area:foundry")).isEqualTo(out.get(key("area:foundry", Granularity.HOUR, hour(23))));

        // B2 on A2 ran 2 March 20:00 - 3 March 04:00: 4 of its 8 hours in 2 March, so half of 4 000 kg and of 1 600 kg
        footprint("B2", "A2", 1, FootprintStatus.FINAL, hour(20), hour(28), 4_000.0, 1_600);
        day = latest(energyRollups.readKeyValuesToList()).get(siteDay);
        assertThat(day.getRevision()).isEqualTo(1);
        assertThat(day.getFootprints()).isEqualTo(2);
        assertThat(day.getGoodOutputMassKg()).isCloseTo(2_000 + 2_000, within(EPS));
        assertThat(day.getFootprintKgCo2eMarket()).isCloseTo(900 + 800, within(EPS));
        // 1 440 kg / 4 t = 360 kg/t (by end day, B2 would all go to 3 March and 2 March would stay at 720 kg/t)
        assertThat(day.getKgCo2ePerTonneGoodOutput()).isCloseTo(360, within(EPS));
        assertThat(day.getKwhPerTonneGoodOutput()).isCloseTo(900, within(EPS));
        assertThat(day.getFootprintKgCo2ePerTonneGoodOutput()).isCloseTo(1_700.0 / 4, within(EPS));

        // a PROVISIONAL footprint adds nothing: no republication
        footprint("B3", "A1", 1, FootprintStatus.PROVISIONAL, hour(10), hour(12), 500.0, 100);
        assertThat(energyRollups.readKeyValuesToList()).isEmpty();

        // B1 version 2 (a late reading: 900 -> 1 100 kg) replaces version 1's part instead of adding a second one
        footprint("B1", "A1", 2, FootprintStatus.FINAL, hour(2), hour(6), 2_000.0, 1_100);
        day = latest(energyRollups.readKeyValuesToList()).get(siteDay);
        assertThat(day.getRevision()).isEqualTo(2);
        assertThat(day.getFootprints()).isEqualTo(2);
        assertThat(day.getGoodOutputMassKg()).isCloseTo(4_000, within(EPS));
        assertThat(day.getFootprintKgCo2eMarket()).isCloseTo(1_100 + 800, within(EPS));
        assertThat(day.getFootprintKgCo2ePerTonneGoodOutput()).isCloseTo(1_900.0 / 4, within(EPS));
        assertThat(day.getKgCo2ePerTonneGoodOutput()).isCloseTo(360, within(EPS));

        // 3 March: B2's other half (2 000 kg, 800 kg) waits in the day's running totals; it is published with the day
        for (int h = 24; h < 48; h++) {
            energyHour("A1", h, 100, 40);
            energyHour("A2", h, 50, 20);
        }
        EnergyRollupWindow next = latest(energyRollups.readKeyValuesToList()).get(key("site:plant", Granularity.DAY, DAY.plusMillis(24 * HOUR)));
        assertThat(next.getRevision()).isZero();
        assertThat(next.getFootprints()).isEqualTo(1);
        assertThat(next.getGoodOutputMassKg()).isCloseTo(2_000, within(EPS));
        assertThat(next.getKgCo2ePerTonneGoodOutput()).isCloseTo(720, within(EPS));

        // a CANCELLED version takes B1's part out of 2 March again
        footprint("B1", "A1", 3, FootprintStatus.CANCELLED, hour(2), hour(6), null, 0);
        day = latest(energyRollups.readKeyValuesToList()).get(siteDay);
        assertThat(day.getRevision()).isEqualTo(3);
        assertThat(day.getFootprints()).isEqualTo(1);
        assertThat(day.getGoodOutputMassKg()).isCloseTo(2_000, within(EPS));
        assertThat(day.getFootprintKgCo2eMarket()).isCloseTo(800, within(EPS));
    }

    @Test
    @DisplayName("a footprint whose batch completed before the site's correction window is dead-lettered LATE, not summed")
    void lateFootprint() {
        start(RollupSettings.defaults());
        foundry();
        TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(TOPICS.dlq.name(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        // the site's energy clock at 5 March 01:00 (hour 72 ends then); 2 March 06:00 is 2 days 19 hours before: past the 2-day window
        energyHour("A1", 48, 100, 40);
        energyHour("A1", 72, 100, 40);
        energyRollups.readKeyValuesToList();
        footprint("B1", "A1", 1, FootprintStatus.FINAL, hour(2), hour(6), 2_000.0, 900);
        List<org.apache.kafka.streams.test.TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).headers().lastHeader("reason").value(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("LATE");
        assertThat(energyRollups.readKeyValuesToList()).isEmpty();
    }

    @Test
    @DisplayName("in the whole application the roll-up follows mfg.batch-footprint through the carbon ledger's footprint table")
    void footprintsThroughTheCarbonLedgersTable() {
        start(RollupSettings.defaults(), true);
        foundry();
        // B1 on A1, 22:00 (1 March) - 02:00: half of its 3 000 kg in 1 March, half (1 500 kg) in 2 March
        footprint("B1", "A1", 1, FootprintStatus.FINAL, hour(-2), hour(2), 3_000.0, 600);
        KeyValueStore<String, BatchFootprint> table = driver.getKeyValueStore(StoreNames.BATCH_FOOTPRINTS);
        assertThat(table.get("B1").getVersion()).isEqualTo(1);
        for (int h = 0; h < 24; h++) {
            energyHour("A1", h, 100, 40);
            energyHour("A2", h, 50, 20);
        }
        EnergyRollupWindow day = latest(energyRollups.readKeyValuesToList()).get(key("site:plant", Granularity.DAY, DAY));
        assertThat(day.getFootprints()).isEqualTo(1);
        assertThat(day.getGoodOutputMassKg()).isCloseTo(1_500, within(EPS));
        assertThat(day.getFootprintKgCo2eMarket()).isCloseTo(300, within(EPS));
        // 1 440 kg / 1.5 t = 960 kg CO2e/t
        assertThat(day.getKgCo2ePerTonneGoodOutput()).isCloseTo(960, within(EPS));
    }

    @Test
    @DisplayName("a KPI whose summed denominator is zero is null, never 0 or 1")
    void nullKpis() {
        start(RollupSettings.defaults());
        foundry();
        pipe(oeeHour("A1", 1, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        pipe(oeeHour("A2", 1, HOUR, 0, HOUR, 0, 0, 60, 0, 60_000, 0));
        // 02:00: both lines outside planned time and idle: POT 0, nothing produced
        pipe(oeeHour("A1", 2, 0, 0, 0, 0, 0, 0, 0, 30_000, 0));
        pipe(oeeHour("A2", 2, 0, 0, 0, 0, 0, 0, 0, 60_000, 0));
        OeeRollupWindow area = latest(oeeRollups.readKeyValuesToList()).get(key("area:foundry", Granularity.HOUR, hour(2)));
        assertThat(area.getPbtMs()).isZero();
        assertThat(area.getUnknownMs()).isEqualTo(2 * HOUR);
        assertThat(List.of(new ArrayList<>(java.util.Arrays.asList(area.getAvailability(), area.getEffectiveness(),
                area.getQuality(), area.getOee(), area.getNee(), area.getMtbfMs(), area.getMttrMs())))).allSatisfy(
                kpis -> assertThat(kpis).containsOnlyNulls());
    }

    @Test
    @DisplayName("a line hour older than the correction window is dead-lettered LATE; a line without config is in no roll-up")
    void lateAndUnassigned() {
        start(RollupSettings.defaults());
        foundry();
        TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(TOPICS.dlq.name(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.micrometer.core.instrument.Metrics.addRegistry(meters);
        try {
            lateAndUnassigned(dlq, meters);
        } finally {
            io.micrometer.core.instrument.Metrics.removeRegistry(meters);
        }
    }

    private void lateAndUnassigned(TestOutputTopic<byte[], byte[]> dlq, io.micrometer.core.instrument.MeterRegistry meters) {
        double unassignedBefore = meters.counter(RollupTopology.UNASSIGNED_METRIC, "kind", "OEE").count();
        pipe(oeeHour("A1", 60, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        // 2 days + 1 hour before the roll-up's clock (03 March 13:00): past rollup.correction-window
        pipe(oeeHour("A1", 11, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        List<org.apache.kafka.streams.test.TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).as("once for each roll-up the line hour feeds: its area and its site").hasSize(2);
        assertThat(dead).allSatisfy(r -> assertThat(new String(r.headers().lastHeader("reason").value(),
                java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("LATE"));
        assertThat(latest(oeeRollups.readKeyValuesToList())).noneSatisfy((k, w) -> assertThat(w.getWindowStart()).isEqualTo(hour(11)));

        pipe(oeeHour("NO-CONFIG", 60, HOUR, 0, HOUR, 0, 0, 120, 0, 30_000, 0));
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(meters.counter(RollupTopology.UNASSIGNED_METRIC, "kind", "OEE").count())
                .isEqualTo(unassignedBefore + 1);
    }
}

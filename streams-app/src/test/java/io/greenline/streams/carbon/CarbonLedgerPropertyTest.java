package io.greenline.streams.carbon;

import static io.greenline.streams.carbon.CarbonFixtures.DAY;
import static io.greenline.streams.carbon.CarbonFixtures.FACTORS_FROM;
import static io.greenline.streams.carbon.CarbonFixtures.factor;
import static io.greenline.streams.carbon.CarbonFixtures.line;
import static io.greenline.streams.carbon.CarbonFixtures.material;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchEventType;
import io.greenline.events.BatchFootprint;
import io.greenline.events.CarrierEnergy;
import io.greenline.events.EmissionBasis;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyMetered;
import io.greenline.events.EnergyUnit;
import io.greenline.events.FootprintGap;
import io.greenline.events.FootprintStatus;
import io.greenline.events.LineConfig;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.errors.DeadLetterHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The incremental ledger (span index, running totals re-priced on factor changes, due index) against
 * {@link BruteForceCarbonLedger}, which recomputes every footprint from all input: random batches on two lines and a
 * shared site meter, readings of three carriers (one with no factor at first), delivered out of order within hours,
 * with duplicates, late batch edges (COMPLETED hours after the readings that cover it) and emission-factor versions
 * added or corrected mid-stream. After the stream the wall clock runs past the finalization delay and the factor
 * re-check; then every published footprint must equal the brute-force one, and its versions must be consistent.
 */
class CarbonLedgerPropertyTest {

    private static final Topics TOPICS = new Topics(GreenlineSerdes.inMemory("carbon-ledger-property-test"));
    private static final String SITE = "S1";
    private static final List<String> LINES = List.of("L1", "L2");

    /** One input in stream order: a batch event, a reading or an emission factor. */
    private record Input(long orderMs, Object value) {
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    @DisplayName("Published footprints equal a brute-force recomputation over random out-of-order, duplicated input with late edges and factor changes")
    void incrementalLedgerEqualsBruteForce(long seed) {
        Random random = new Random(seed);
        List<EmissionFactor> factors = new ArrayList<>(CarbonFixtures.germanFactors());
        List<Input> inputs = new ArrayList<>();
        Set<String> cancelled = new HashSet<>();
        Set<String> completed = new HashSet<>();
        long endOfDay = DAY.plus(Duration.ofHours(16)).toEpochMilli();

        for (String lineId : LINES) {
            long t = DAY.toEpochMilli() + minutes(random.nextInt(60));
            int count = 3 + random.nextInt(4);
            for (int k = 0; k < count && t < endOfDay; k++) {
                String batchId = lineId + "-B" + k;
                long end = t + minutes(30 + random.nextInt(150));
                inputs.add(new Input(t, CarbonFixtures.batch(batchId + "-start", batchId, lineId, BatchEventType.STARTED, Instant.ofEpochMilli(t))
                        .setMaterials(List.of(material("M-" + batchId, 100 + random.nextInt(900), 0.2 + random.nextDouble(), 0.0))).build()));
                if (random.nextInt(3) == 0) {
                    long mid = (t + end) / 2;
                    inputs.add(new Input(mid, CarbonFixtures.batch(batchId + "-charge", batchId, lineId, BatchEventType.MATERIAL_CHARGED,
                            Instant.ofEpochMilli(mid)).setMaterials(List.of(material("X-" + batchId, 50, 0.5, 0.0)))
                            .setProcessCo2Kg(5.0).build()));
                }
                boolean last = k == count - 1;
                int kind = random.nextInt(10);
                if (!(last && kind < 4)) {
                    boolean cancel = kind == 9;
                    BatchEvent.Builder edge = CarbonFixtures.batch(batchId + (cancel ? "-cancel" : "-done"), batchId, lineId,
                            cancel ? BatchEventType.CANCELLED : BatchEventType.COMPLETED, Instant.ofEpochMilli(end));
                    if (!cancel) {
                        edge.setOutputGoodMassKg(500.0 + random.nextInt(500)).setOutputTotalMassKg(1200.0);
                        completed.add(batchId);
                    } else {
                        cancelled.add(batchId);
                    }
                    // a late edge: seen hours after the readings that cover it
                    long seenAt = random.nextInt(4) == 0 ? end + minutes(120 + random.nextInt(180)) : end;
                    inputs.add(new Input(seenAt, edge.build()));
                }
                t = end + minutes(random.nextInt(90));
            }
            addReadings(inputs, random, lineId, lineId, EnergyCarrier.ELECTRICITY, EnergyUnit.KWH, 10, 120, 500);
            addReadings(inputs, random, lineId + "-gas", lineId, EnergyCarrier.NATURAL_GAS, EnergyUnit.NM3, 60, 240, 80);
        }
        addReadings(inputs, random, "L2-diesel", "L2", EnergyCarrier.DIESEL, EnergyUnit.LITRE, 120, 300, 40);
        addReadings(inputs, random, "site", null, EnergyCarrier.ELECTRICITY, EnergyUnit.KWH, 30, 180, 300);

        // factor changes mid-stream: a new LOCATION version mid-day, a corrected MARKET value, a first DIESEL factor
        List<EmissionFactor> changes = new ArrayList<>(List.of(
                factor(EnergyCarrier.ELECTRICITY, "DE", EmissionBasis.LOCATION, 0.30 + random.nextInt(10) / 100.0, EnergyUnit.KWH,
                        DAY.plus(Duration.ofMinutes(240 + random.nextInt(480)))),
                factor(EnergyCarrier.ELECTRICITY, "DE", EmissionBasis.MARKET, 0.04 + random.nextInt(5) / 100.0, EnergyUnit.KWH, FACTORS_FROM)));
        if (random.nextBoolean()) {
            changes.add(factor(EnergyCarrier.DIESEL, "DE", EmissionBasis.DIRECT, 2.68, EnergyUnit.LITRE, FACTORS_FROM));
        }
        for (EmissionFactor f : changes) {
            inputs.add(new Input(DAY.toEpochMilli() + minutes(random.nextInt(16 * 60)), f));
        }

        // out of order within 90 minutes, 10 % sent twice
        List<Input> stream = new ArrayList<>();
        for (Input in : inputs) {
            stream.add(new Input(in.orderMs() + minutes(random.nextInt(90)), in.value()));
            if (!(in.value() instanceof EmissionFactor) && random.nextInt(10) == 0) {
                stream.add(new Input(in.orderMs() + minutes(random.nextInt(240)), in.value()));
            }
        }
        stream.sort(Comparator.comparingLong(Input::orderMs));

        BruteForceCarbonLedger oracle = new BruteForceCarbonLedger(Map.of("L1", "DE", "L2", "DE"));
        Set<String> applied = new HashSet<>();
        List<BatchFootprint> published = new ArrayList<>();
        try (Driver driver = new Driver()) {
            for (Input in : stream) {
                if (in.value() instanceof BatchEvent e) {
                    driver.batches.pipeInput(e.getLineId(), e, e.getTimestamp());
                    if (applied.add(e.getEventId())) {
                        oracle.batch(SITE, e);
                    }
                } else if (in.value() instanceof EnergyMetered e) {
                    driver.energy.pipeInput(e.getLineId() != null ? e.getLineId() : e.getSiteId(), e, e.getTimestamp());
                    oracle.reading(e);
                } else if (in.value() instanceof EmissionFactor f) {
                    driver.factors.pipeInput(Topics.emissionFactorKey(f), f, f.getValidFrom());
                    factors.add(f);
                }
                published.addAll(driver.footprints.readValuesToList());
            }
            for (int i = 0; i < 3; i++) {
                driver.driver.advanceWallClockTime(Duration.ofMinutes(6));
            }
            published.addAll(driver.footprints.readValuesToList());
            // the line-energy windows (same inputs, 5 minutes of grace) refuse readings this far out of order; the ledger none
            List<org.apache.kafka.streams.test.TestRecord<byte[], byte[]>> dead = driver.dlq.readRecordsToList();
            assertThat(dead).extracting(r -> new String(r.headers().lastHeader("exception.message").value(),
                    StandardCharsets.UTF_8)).as("dead-lettered by the ledger").allMatch(m -> m.contains("line-energy window"));
        }

        Map<String, BatchFootprint> latest = new LinkedHashMap<>();
        Map<String, BatchFootprint> previous = new LinkedHashMap<>();
        for (BatchFootprint f : published) {
            BatchFootprint before = previous.put(f.getBatchId(), f);
            if (before == null) {
                assertThat(f.getVersion()).as("first version of " + f.getBatchId()).isEqualTo(1);
            } else if (f.getVersion() == before.getVersion()) {
                assertThat(f.getStatus()).as("same version of " + f.getBatchId() + " only for a new status").isNotEqualTo(before.getStatus());
            } else {
                assertThat(f.getVersion()).isEqualTo(before.getVersion() + 1);
                assertThat(f.getReplacesVersion()).isEqualTo(before.getVersion());
            }
            latest.put(f.getBatchId(), f);
        }

        Map<String, BatchFootprint> expected = oracle.footprints(new InMemoryFactors().add(factors), "GLOBAL");
        assertThat(latest.keySet()).as("published batches").containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, BatchFootprint> e : expected.entrySet()) {
            BatchFootprint want = e.getValue();
            BatchFootprint got = latest.get(e.getKey());
            String id = e.getKey();
            assertThat(got.getStatus()).as(id + " status")
                    .isEqualTo(cancelled.contains(id) ? FootprintStatus.CANCELLED : FootprintStatus.FINAL);
            assertThat(completed.contains(id) || cancelled.contains(id)).isTrue();
            assertThat(got.getEnergy().keySet()).as(id + " carriers").isEqualTo(want.getEnergy().keySet());
            for (Map.Entry<String, CarrierEnergy> c : want.getEnergy().entrySet()) {
                assertThat(got.getEnergy().get(c.getKey()).getQuantity()).as(id + " " + c.getKey())
                        .isCloseTo(c.getValue().getQuantity(), tolerance(c.getValue().getQuantity()));
            }
            close(id + " scope1", got.getScope1KgCo2e(), want.getScope1KgCo2e());
            close(id + " scope2 location", got.getScope2LocationKgCo2e(), want.getScope2LocationKgCo2e());
            close(id + " scope2 market", got.getScope2MarketKgCo2e(), want.getScope2MarketKgCo2e());
            close(id + " scope3", got.getScope3UpstreamKgCo2e(), want.getScope3UpstreamKgCo2e());
            close(id + " total location", got.getTotalLocationKgCo2e(), want.getTotalLocationKgCo2e());
            close(id + " total market", got.getTotalMarketKgCo2e(), want.getTotalMarketKgCo2e());
            close(id + " primary data share", got.getPrimaryDataShare(), want.getPrimaryDataShare());
            if (want.getIntensityKgCo2ePerTonne() != null) {
                close(id + " intensity", got.getIntensityKgCo2ePerTonne(), want.getIntensityKgCo2ePerTonne());
            }
            assertThat(got.getFactorVersions()).as(id + " factor versions").containsExactlyInAnyOrderElementsOf(want.getFactorVersions());
            assertThat(got.getNotes()).as(id + " notes").containsExactlyInAnyOrderElementsOf(want.getNotes());
            Map<String, Double> gotGaps = gapQuantities(got.getGaps());
            Map<String, Double> wantGaps = gapQuantities(want.getGaps());
            assertThat(gotGaps.keySet()).as(id + " gaps").isEqualTo(wantGaps.keySet());
            wantGaps.forEach((k, q) -> close(id + " gap " + k, gotGaps.get(k), q));
        }
    }

    /** Consecutive readings of one meter over the day, each 'minMinutes' to 'maxMinutes' long. */
    private static void addReadings(List<Input> inputs, Random random, String meter, String lineId, EnergyCarrier carrier,
                                    EnergyUnit unit, int minMinutes, int maxMinutes, int maxQuantity) {
        long t = DAY.toEpochMilli();
        long end = DAY.plus(Duration.ofHours(17)).toEpochMilli();
        int n = 0;
        while (t < end) {
            long next = t + minutes(minMinutes + random.nextInt(maxMinutes - minMinutes + 1));
            EnergyMetered r = new EnergyMetered(meter + "-r" + (n++), "meter-" + meter, SITE, lineId, carrier,
                    Instant.ofEpochMilli(t), Instant.ofEpochMilli(next), 1.0 + random.nextInt(maxQuantity), unit);
            inputs.add(new Input(next, r));
            t = next;
        }
    }

    /** Gap quantity per carrier and basis (the incremental ledger may cut a reading into more parts than one split). */
    private static Map<String, Double> gapQuantities(List<FootprintGap> gaps) {
        Map<String, Double> sums = new TreeMap<>();
        gaps.forEach(g -> sums.merge(g.getCarrier() + "/" + g.getBasis(), g.getQuantity(), Double::sum));
        return sums;
    }

    private static void close(String what, double actual, double expected) {
        assertThat(actual).as(what).isCloseTo(expected, tolerance(expected));
    }

    private static org.assertj.core.data.Offset<Double> tolerance(double expected) {
        return within(1e-9 * Math.max(1.0, Math.abs(expected)));
    }

    private static long minutes(long m) {
        return m * 60_000L;
    }

    /** The carbon ledger topology under TopologyTestDriver with the lines of site S1 configured. */
    private static final class Driver implements AutoCloseable {
        final TopologyTestDriver driver;
        final TestInputTopic<String, BatchEvent> batches;
        final TestInputTopic<String, EnergyMetered> energy;
        final TestInputTopic<String, EmissionFactor> factors;
        final TestOutputTopic<String, BatchFootprint> footprints;
        final TestOutputTopic<byte[], byte[]> dlq;

        Driver() {
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "carbon-ledger-property-test");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
            props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
            props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/carbon-ledger-property-test-" + System.nanoTime());
            driver = new TopologyTestDriver(CarbonLedgerTopology.build(TOPICS, CarbonSettings.defaults()), props, DAY.plus(Duration.ofHours(20)));
            StringSerializer keys = new StringSerializer();
            batches = driver.createInputTopic(TOPICS.batch.name(), keys, TOPICS.batch.valueSerde().serializer());
            energy = driver.createInputTopic(TOPICS.energy.name(), keys, TOPICS.energy.valueSerde().serializer());
            factors = driver.createInputTopic(TOPICS.emissionFactors.name(), keys, TOPICS.emissionFactors.valueSerde().serializer());
            TestInputTopic<String, LineConfig> lines = driver.createInputTopic(TOPICS.lineConfig.name(), keys,
                    TOPICS.lineConfig.valueSerde().serializer());
            footprints = driver.createOutputTopic(TOPICS.batchFootprint.name(), new StringDeserializer(),
                    TOPICS.batchFootprint.valueSerde().deserializer());
            dlq = driver.createOutputTopic(TOPICS.dlq.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            for (String lineId : LINES) {
                LineConfig l = line(lineId, SITE, "DE");
                lines.pipeInput(lineId, l, l.getValidFrom());
            }
            CarbonFixtures.germanFactors().forEach(f -> factors.pipeInput(Topics.emissionFactorKey(f), f, f.getValidFrom()));
        }

        @Override
        public void close() {
            driver.close();
        }
    }
}

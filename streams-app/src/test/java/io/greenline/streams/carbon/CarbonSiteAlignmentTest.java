package io.greenline.streams.carbon;

import static io.greenline.streams.carbon.CarbonFixtures.DAY;
import static io.greenline.streams.carbon.CarbonFixtures.completed;
import static io.greenline.streams.carbon.CarbonFixtures.kwh;
import static io.greenline.streams.carbon.CarbonFixtures.line;
import static io.greenline.streams.carbon.CarbonFixtures.started;
import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchFootprint;
import io.greenline.events.CarbonHeldInput;
import io.greenline.events.CarbonLedgerInput;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyMetered;
import io.greenline.events.EnergyUnit;
import io.greenline.events.LineConfig;
import io.greenline.schemas.Topics;
import io.greenline.schemas.state.StateSerde;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.schemas.serde.TrustedEventClasses;
import io.greenline.streams.InputStreams;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.DeadLetterHandler;
import io.greenline.streams.windows.SourceStamp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The site alignment in front of the carbon ledger ({@link CarbonSiteAlignment}) under the skew of a catch-up: two
 * upstream tasks feed the ledger's repartition topic, the fast one (task 0, the site's shared meter) a day ahead of
 * the slow one (task 1, the batch edges and line meter of line L1). The records are piped straight into the
 * repartition topic with the stamps {@link SourceStamp} would put on them (a TopologyTestDriver runs one task, so the
 * two upstream tasks are simulated by their stamps). The reference is the same records in event-time order through
 * the unaligned ledger of today.
 */
class CarbonSiteAlignmentTest {

    private static final String SITE = "S1";
    private static final String LINE = "L1";
    private static final int FAST = 0;
    private static final int SLOW = 1;
    private static final Instant WALL_START = Instant.parse("2026-03-05T12:00:00Z");
    /** More than the alignment's idle time (5 s by default), less than the ledger's idle advance (30 s). */
    private static final Duration PAST_IDLE = Duration.ofSeconds(6);

    /** A record of the repartition topic as an upstream task sends it: its input and the sender's stream time. */
    private record Sent(int task, long streamMs, CarbonLedgerInput input) {
        long eventMs() {
            return CarbonSiteAlignment.eventTime(input);
        }
    }

    private final List<Driver> drivers = new ArrayList<>();

    @BeforeAll
    static void trustEventClasses() {
        TrustedEventClasses.install();
    }

    @AfterEach
    void close() {
        drivers.forEach(Driver::close);
    }

    // ---- the inputs ----

    private static Instant at(int minutes) {
        return DAY.plus(Duration.ofMinutes(minutes));
    }

    /** The fast task: the site's shared meter, 15-minute readings from {@code fromMin} to {@code toMin}, each stamped with its end. */
    private static List<Sent> sharedMeter(int fromMin, int toMin) {
        List<Sent> out = new ArrayList<>();
        for (int m = fromMin; m < toMin; m += 15) {
            EnergyMetered r = new EnergyMetered("s" + m, "site-meter", SITE, null, EnergyCarrier.ELECTRICITY, at(m), at(m + 15),
                    40 + (m % 60) / 15.0, EnergyUnit.KWH);
            out.add(new Sent(FAST, at(m + 15).toEpochMilli(), new CarbonLedgerInput(null, r, null)));
        }
        return out;
    }

    /** The slow task: the line meter's hourly readings and the batch edges, each stamped with its own time. */
    private static List<Sent> lineTask(int toMin, List<BatchEvent> edges) {
        List<Sent> out = new ArrayList<>();
        for (int m = 0; m < toMin; m += 60) {
            EnergyMetered r = kwh("l" + m, SITE, LINE, at(m), at(m + 60), 100 + m / 60.0);
            out.add(new Sent(SLOW, at(m + 60).toEpochMilli(), new CarbonLedgerInput(null, r, null)));
        }
        for (BatchEvent e : edges) {
            out.add(new Sent(SLOW, e.getTimestamp().toEpochMilli(), new CarbonLedgerInput(e, null, "DE")));
        }
        out.sort(Comparator.comparingLong(Sent::eventMs));
        return out;
    }

    private static List<BatchEvent> twoBatches() {
        return List.of(started("B1", LINE, at(125)), completed("B1", LINE, at(365), 900, 1000),
                started("B2", LINE, at(485)), completed("B2", LINE, at(1205), 1800, 2000));
    }

    private static List<Sent> inEventTimeOrder(List<Sent> sent) {
        List<Sent> sorted = new ArrayList<>(sent);
        sorted.sort(Comparator.comparingLong(Sent::eventMs));
        return sorted;
    }

    private static List<Sent> concat(List<Sent> first, List<Sent> second) {
        List<Sent> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    // ---- the tests ----

    @Test
    void readingsADayAheadOfTheirBatchesGiveTheFootprintsOfEventTimeOrderAligned() {
        // the slow task has sent its first hour; the fast task runs a day ahead; then the slow task catches up
        List<Sent> slow = lineTask(24 * 60, twoBatches());
        List<Sent> arrival = concat(concat(slow.subList(0, 1), sharedMeter(0, 24 * 60)), slow.subList(1, slow.size()));

        Driver reference = new Driver(false, CarbonSettings.defaults());
        reference.send(inEventTimeOrder(arrival));
        reference.advance(PAST_IDLE);

        Driver aligned = new Driver(true, CarbonSettings.defaults());
        aligned.send(concat(slow.subList(0, 1), sharedMeter(0, 24 * 60)));
        // the fast task's day waits for the slow task: only its readings up to the slow task's stamp (01:00) went on
        assertThat(aligned.held()).hasSize(24 * 4 - 4);
        aligned.send(slow.subList(1, slow.size()));
        // the slow task has caught up: nothing held, nothing waited for the idle time
        assertThat(aligned.held()).isEmpty();
        List<KeyValue<String, BatchFootprint>> alignedOut = aligned.footprints();
        aligned.advance(PAST_IDLE);
        alignedOut.addAll(aligned.footprints());

        List<KeyValue<String, BatchFootprint>> expected = reference.footprints();
        assertThat(expected).extracting(kv -> kv.key + " " + kv.value.getStatus())
                .contains("B1 PROVISIONAL", "B1 FINAL", "B2 PROVISIONAL", "B2 FINAL");
        assertThat(alignedOut).as("aligned: the footprint versions of event-time order").isEqualTo(expected);
        assertThat(aligned.deadLetters()).isZero();

        // unaligned, the same arrival: the day of readings is charged before the edges come, every edge re-splits
        // what was charged after it, and the batches publish as if already long finished
        Driver unaligned = new Driver(false, CarbonSettings.defaults());
        unaligned.send(arrival);
        List<KeyValue<String, BatchFootprint>> unalignedOut = unaligned.footprints();
        // unaligned: each batch is FINAL as soon as it completes (the ledger's clock is already a day ahead), on the
        // readings charged before its edges came, and then corrected after FINAL
        assertThat(unalignedOut).extracting(kv -> kv.key + " v" + kv.value.getVersion() + " " + kv.value.getStatus())
                .containsExactly("B1 v1 PROVISIONAL", "B1 v1 FINAL", "B1 v2 FINAL", "B2 v1 PROVISIONAL", "B2 v1 FINAL", "B2 v2 FINAL");
        assertThat(unalignedOut).isNotEqualTo(expected);
        assertThat(lastContent(unalignedOut)).as("the ledger corrects itself in the end").isEqualTo(lastContent(expected));
    }

    @Test
    void aSilentSourceNoLongerHoldsAfterTheIdleTime() {
        // the slow task sends B1 and stops at 06:05; the fast task's readings after that wait for it
        List<Sent> slow = lineTask(0, List.of(started("B1", LINE, at(125)), completed("B1", LINE, at(365), 900, 1000)));
        List<Sent> lead = List.of(new Sent(SLOW, at(15).toEpochMilli(),
                new CarbonLedgerInput(null, kwh("l0", SITE, LINE, at(0), at(15), 25), null)));
        List<Sent> arrival = concat(concat(lead, sharedMeter(0, 24 * 60)), slow);

        Driver reference = new Driver(false, CarbonSettings.defaults());
        reference.send(inEventTimeOrder(arrival));
        reference.advance(PAST_IDLE);
        List<KeyValue<String, BatchFootprint>> expected = reference.footprints();

        Driver aligned = new Driver(true, CarbonSettings.defaults());
        aligned.send(arrival);
        // readings ending after 06:05 (from 06:15 on) wait for the slow task
        assertThat(aligned.held()).hasSize(24 * 4 - 24);
        List<KeyValue<String, BatchFootprint>> alignedOut = aligned.footprints();
        assertThat(alignedOut).extracting(kv -> kv.key + " v" + kv.value.getVersion() + " " + kv.value.getStatus())
                .containsExactly("B1 v1 PROVISIONAL");
        aligned.advance(Duration.ofSeconds(4));
        assertThat(aligned.held()).as("within the idle time the silent task still holds").hasSize(24 * 4 - 24);
        aligned.advance(Duration.ofSeconds(2));
        assertThat(aligned.held()).as("after the idle time it no longer holds").isEmpty();
        alignedOut.addAll(aligned.footprints());
        assertThat(alignedOut).as("the footprint versions of event-time order").isEqualTo(expected);
        assertThat(aligned.deadLetters()).isZero();
    }

    @Test
    void heldRecordsSurviveARestartAndAreReleased() {
        List<Sent> slow = lineTask(0, List.of(started("B1", LINE, at(125)), completed("B1", LINE, at(365), 900, 1000)));
        List<Sent> lead = List.of(new Sent(SLOW, at(15).toEpochMilli(),
                new CarbonLedgerInput(null, kwh("l0", SITE, LINE, at(0), at(15), 25), null)));
        List<Sent> beforeRestart = concat(concat(lead, sharedMeter(0, 24 * 60)), slow.subList(0, 1));

        Driver reference = new Driver(false, CarbonSettings.defaults());
        reference.send(inEventTimeOrder(concat(beforeRestart, slow.subList(1, 2))));
        reference.advance(PAST_IDLE);
        List<KeyValue<String, BatchFootprint>> expected = reference.footprints();
        // the reading of 06:00-06:15 comes after B1's end in event-time order (a reading's time is its period end)
        assertThat(expected).extracting(kv -> kv.key + " v" + kv.value.getVersion() + " " + kv.value.getStatus())
                .containsExactly("B1 v1 PROVISIONAL", "B1 v2 PROVISIONAL", "B1 v2 FINAL");

        // the slow task has sent its 00:15 reading and B1's start (02:05); the fast task's day waits behind them.
        // A TopologyTestDriver deletes its state directory when closed: the task's directory is a link to one that
        // outlives it, so the restarted driver opens the stores the first one closed (on a broker under
        // exactly_once_v2 the changelogs restore the same, with the input offsets committed with them)
        Path taskDir = tempDir("carbon-site-alignment-task");
        Driver first = new Driver(true, CarbonSettings.defaults(), taskDir);
        first.send(beforeRestart);
        assertThat(first.held()).hasSize(24 * 4 - 8);
        assertThat(first.heldChangelog()).as("every held record is in the store's changelog").hasSize(24 * 4 - 8);
        assertThat(first.footprints()).isEmpty();
        first.close();
        drivers.remove(first);

        Driver second = new Driver(true, CarbonSettings.defaults(), taskDir);
        assertThat(second.held()).as("held records survive the restart").hasSize(24 * 4 - 8);
        // the frontier is not stored: after a restart with records held, nothing is released until every upstream task
        // has had the idle time to be heard from (B1's end is held too), then everything goes in event-time order
        second.send(slow.subList(1, 2));
        assertThat(second.held()).hasSize(24 * 4 - 8 + 1);
        assertThat(second.footprints()).isEmpty();
        second.advance(PAST_IDLE);
        assertThat(second.held()).isEmpty();
        assertThat(second.footprints()).as("the footprints of event-time order").isEqualTo(expected);
        assertThat(second.deadLetters()).isZero();
    }

    @Test
    void theCapReleasesWhatIsTooFarBehindAndKeepsBatchEdgesInsideTheCorrectionWindow() {
        // correction window 12 h: a slow task 18 h behind makes its batch edges LATE unaligned; aligned, readings more
        // than the cap (the correction window) behind the newest are released anyway, and the edges are still in time
        CarbonSettings settings = CarbonSettings.from(Map.of(CarbonSettings.CORRECTION_WINDOW, "PT12H"));
        List<Sent> slow = lineTask(0, List.of(started("B1", LINE, at(125)), completed("B1", LINE, at(365), 900, 1000)));
        List<Sent> lead = List.of(new Sent(SLOW, at(15).toEpochMilli(),
                new CarbonLedgerInput(null, kwh("l0", SITE, LINE, at(0), at(15), 25), null)));
        List<Sent> arrival = concat(concat(lead, sharedMeter(0, 20 * 60)), slow);

        Driver unaligned = new Driver(false, settings);
        unaligned.send(arrival);
        assertThat(unaligned.deadLetters()).as("unaligned: both edges of B1 are LATE").isEqualTo(2);
        assertThat(unaligned.footprints()).extracting(kv -> kv.key).doesNotContain("B1");

        Driver reference = new Driver(false, settings);
        reference.send(inEventTimeOrder(arrival));
        reference.advance(PAST_IDLE);
        List<KeyValue<String, BatchFootprint>> expected = reference.footprints();

        Driver aligned = new Driver(true, settings);
        aligned.send(concat(lead, sharedMeter(0, 20 * 60)));
        // newest 20:00, cap 12 h: everything up to 08:00 has gone to the ledger, the rest is held
        long capLine = at(20 * 60 - 12 * 60).toEpochMilli();
        List<KeyValue<String, CarbonHeldInput>> held = aligned.held();
        assertThat(held).hasSize(12 * 4);
        assertThat(held).allSatisfy(kv -> assertThat(CarbonSiteAlignment.eventTime(new CarbonLedgerInput(kv.value.getBatch(),
                kv.value.getEnergy(), kv.value.getGridRegion()))).isGreaterThan(capLine));
        aligned.send(slow);
        aligned.advance(PAST_IDLE);
        assertThat(aligned.held()).isEmpty();
        assertThat(aligned.deadLetters()).as("aligned: nothing LATE").isZero();
        assertThat(lastContent(aligned.footprints())).as("the ledger's correction gives the footprint of event-time order")
                .isEqualTo(lastContent(expected));
    }

    @Test
    void aHeldRecordTheLedgerWouldRefuseAsLateIsDeadLetteredWithItsOwnCoordinates() {
        // the ledger's clock jumps past held readings by more than the correction window: an unstamped record (written
        // before the alignment was on) passes at once
        CarbonSettings settings = CarbonSettings.from(Map.of(CarbonSettings.CORRECTION_WINDOW, "PT12H"));
        List<Sent> lead = List.of(new Sent(SLOW, at(15).toEpochMilli(),
                new CarbonLedgerInput(null, kwh("l0", SITE, LINE, at(0), at(15), 25), null)));
        Driver aligned = new Driver(true, settings);
        aligned.send(concat(lead, sharedMeter(0, 6 * 60)));
        assertThat(aligned.held()).hasSize(6 * 4 - 1);
        aligned.sendUnstamped(lineTask(21 * 60, List.of()).subList(20, 21));
        aligned.advance(PAST_IDLE);
        assertThat(aligned.held()).isEmpty();
        List<TestRecord<byte[], byte[]>> dead = aligned.dlq.readRecordsToList();
        assertThat(dead).hasSize(6 * 4 - 1);
        TestRecord<byte[], byte[]> first = dead.get(0);
        assertThat(new String(first.headers().lastHeader(DeadLetterHandler.HEADER_REASON).value())).isEqualTo("LATE");
        assertThat(new String(first.headers().lastHeader(DeadLetterHandler.HEADER_SOURCE_TOPIC).value()))
                .isEqualTo("carbon-site-alignment-" + CarbonLedgerTopology.REPARTITION + "-repartition");
        // the offset of the held reading on the repartition topic (the lead is offset 0, the first reading 1)
        assertThat(new String(first.headers().lastHeader(DeadLetterHandler.HEADER_SOURCE_OFFSET).value())).isEqualTo("2");
        CarbonLedgerInput value = aligned.topics.serdes().value(CarbonLedgerInput.class).deserializer()
                .deserialize("carbon-site-alignment-" + CarbonLedgerTopology.REPARTITION + "-repartition", first.value());
        assertThat(value.getEnergy().getEventId()).isEqualTo("s15");
    }

    // ---- helpers ----

    private static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The content of each batch's last footprint version (how many versions led there depends on arrival order). */
    private static Map<String, BatchFootprint> lastContent(List<KeyValue<String, BatchFootprint>> footprints) {
        Map<String, BatchFootprint> last = new LinkedHashMap<>();
        for (KeyValue<String, BatchFootprint> kv : footprints) {
            last.put(kv.key, BatchFootprint.newBuilder(kv.value).setVersion(0).setReplacesVersion(null).build());
        }
        return last;
    }

    /** The carbon ledger topology in a TopologyTestDriver, aligned as in the application or built alone. */
    private final class Driver {
        final Path stateDir;
        final TopologyTestDriver driver;
        final Topics topics;
        final TestInputTopic<String, CarbonLedgerInput> repartition;
        final TestOutputTopic<String, BatchFootprint> footprints;
        final TestOutputTopic<byte[], byte[]> dlq;

        Driver(boolean aligned, CarbonSettings settings) {
            this(aligned, settings, null);
        }

        /** @param taskDir where the task's state lives (linked from the driver's state directory), null: in it */
        Driver(boolean aligned, CarbonSettings settings, Path taskDir) {
            this.stateDir = tempDir("carbon-site-alignment");
            if (taskDir != null) {
                try {
                    Path appDir = Files.createDirectories(stateDir.resolve("carbon-site-alignment"));
                    Files.createSymbolicLink(appDir.resolve("0_0"), taskDir);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            topics = new Topics(GreenlineSerdes.inMemory("carbon-site-alignment-test"));
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "carbon-site-alignment");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
            props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
            props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
            props.put(StreamsConfig.STATE_DIR_CONFIG, this.stateDir.toString());
            StreamsBuilder builder = new StreamsBuilder();
            if (aligned) {
                InputStreams.align(builder);
            }
            CarbonLedgerTopology.addTo(builder, topics, settings);
            driver = new TopologyTestDriver(builder.build(), props, WALL_START);
            drivers.add(this);
            StringSerializer keys = new StringSerializer();
            TestInputTopic<String, LineConfig> lines = driver.createInputTopic(topics.lineConfig.name(), keys,
                    topics.lineConfig.valueSerde().serializer());
            TestInputTopic<String, EmissionFactor> factors = driver.createInputTopic(topics.emissionFactors.name(), keys,
                    topics.emissionFactors.valueSerde().serializer());
            LineConfig config = line(LINE, SITE, "DE");
            lines.pipeInput(LINE, config, config.getValidFrom());
            CarbonFixtures.germanFactors().forEach(f -> factors.pipeInput(Topics.emissionFactorKey(f), f, f.getValidFrom()));
            repartition = driver.createInputTopic("carbon-site-alignment-" + CarbonLedgerTopology.REPARTITION + "-repartition", keys,
                    topics.serdes().value(CarbonLedgerInput.class).serializer());
            footprints = driver.createOutputTopic(topics.batchFootprint.name(), new StringDeserializer(),
                    topics.batchFootprint.valueSerde().deserializer());
            dlq = driver.createOutputTopic(topics.dlq.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        void send(List<Sent> records) {
            for (Sent s : records) {
                RecordHeaders headers = (RecordHeaders) SourceStamp.stamp(new RecordHeaders(), s.task(), s.streamMs());
                repartition.pipeInput(new TestRecord<>(SITE, s.input(), headers, Instant.ofEpochMilli(s.eventMs())));
            }
        }

        /** Records without a stamp (written before the alignment was on): they pass it at once. */
        void sendUnstamped(List<Sent> records) {
            for (Sent s : records) {
                repartition.pipeInput(new TestRecord<>(SITE, s.input(), new RecordHeaders(), Instant.ofEpochMilli(s.eventMs())));
            }
        }

        void advance(Duration wall) {
            driver.advanceWallClockTime(wall);
        }

        List<KeyValue<String, BatchFootprint>> footprints() {
            List<KeyValue<String, BatchFootprint>> out = new ArrayList<>();
            footprints.readRecordsToList().forEach(r -> out.add(KeyValue.pair(r.key(), r.value())));
            return out;
        }

        int deadLetters() {
            return dlq.readRecordsToList().size();
        }

        List<KeyValue<String, CarbonHeldInput>> held() {
            KeyValueStore<String, CarbonHeldInput> store = driver.getKeyValueStore(StoreNames.CARBON_SITE_HELD);
            List<KeyValue<String, CarbonHeldInput>> out = new ArrayList<>();
            try (KeyValueIterator<String, CarbonHeldInput> it = store.all()) {
                it.forEachRemaining(out::add);
            }
            return out;
        }

        /** The live entries of the held store's changelog topic, as the task wrote them (later writes replace earlier). */
        Map<String, CarbonHeldInput> heldChangelog() {
            Map<String, CarbonHeldInput> live = new LinkedHashMap<>();
            StateSerde<CarbonHeldInput> serde = StateSerde.of(CarbonHeldInput.class);
            driver.createOutputTopic("carbon-site-alignment-" + StoreNames.CARBON_SITE_HELD + "-changelog", new StringDeserializer(),
                    new ByteArrayDeserializer()).readRecordsToList().forEach(r -> {
                        if (r.value() == null) {
                            live.remove(r.key());
                        } else {
                            live.put(r.key(), serde.decode(r.value()));
                        }
                    });
            return live;
        }

        void close() {
            try {
                driver.close();
            } catch (RuntimeException e) {
                // already closed
            }
        }
    }
}

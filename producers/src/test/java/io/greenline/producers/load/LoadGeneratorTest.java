package io.greenline.producers.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.LineConfig;
import io.greenline.producers.RecordingSink;
import io.greenline.producers.sim.SimulatorConfig;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {

    private static final Topics TOPICS = new Topics(GreenlineSerdes.inMemory("load-generator-test"));

    @Test
    @DisplayName("even suffixes put every line and site id of copy i in partition i mod partitions, each suffix once")
    void evenSuffixes() {
        SimulatorConfig factory = SimulatorConfig.defaults();
        // Kafka's default partitioner for a String key (murmur2 of its UTF-8 bytes), as the input topics use it
        java.util.function.ToIntFunction<String> partition = key -> org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % 4;

        java.util.List<String> suffixes = factory.evenSuffixes(8, 4, partition);
        SimulatorConfig eight = factory.replicated(suffixes);

        assertThat(suffixes).hasSize(8).doesNotHaveDuplicates();
        for (int copy = 0; copy < 8; copy++) {
            String suffix = suffixes.get(copy);
            int expected = copy % 4;
            assertThat(java.util.List.of("drum-line-1" + suffix, "queshan" + suffix, "bio-po-1" + suffix, "puyang" + suffix))
                    .as("copy %d (%s)", copy, suffix).allSatisfy(id -> assertThat(partition.applyAsInt(id)).isEqualTo(expected));
        }
        assertThat(eight.brakeDrumLines()).extracting(l -> l.line().lineId())
                .containsExactlyElementsOf(suffixes.stream().map(x -> "drum-line-1" + x).toList());
        // per partition: two drum lines, two polyolefin lines, two of each site
        assertThat(eight.brakeDrumLines().stream().collect(Collectors.groupingBy(l -> partition.applyAsInt(l.line().lineId()), Collectors.counting())))
                .containsOnlyKeys(0, 1, 2, 3).allSatisfy((p, n) -> assertThat(n).isEqualTo(2L));
        // the plain suffixes -1..-10 are what the default replication gives: uneven on 4 partitions
        assertThat(factory.replicated(10).brakeDrumLines().stream()
                .collect(Collectors.groupingBy(l -> partition.applyAsInt(l.line().lineId()), Collectors.counting())).values())
                .contains(5L);
    }

    @Test
    @DisplayName("replicating the factory gives each copy its own line, site and meter ids and keeps the factors shared")
    void replicatedIds() {
        SimulatorConfig three = SimulatorConfig.defaults().replicated(3);

        assertThat(three.brakeDrumLines()).extracting(l -> l.line().lineId())
                .containsExactly("drum-line-1-1", "drum-line-1-2", "drum-line-1-3");
        assertThat(three.polyolefinPlants()).extracting(p -> p.line().siteId())
                .containsExactly("puyang-1", "puyang-2", "puyang-3");
        assertThat(three.brakeDrumLines().get(1).meters()).extracting(SimulatorConfig.PowerModel::meterId)
                .containsExactly("drum-line-1-main-2");
        assertThat(three.siteMeters()).hasSize(6);
        assertThat(three.emissionFactors()).isEqualTo(SimulatorConfig.defaults().emissionFactors());
    }

    @Test
    @DisplayName("the load generator sends the simulators' full event mix, for every copy, and reports what it sent")
    void sendsTheEventMix() {
        RecordingSink sink = new RecordingSink();
        LoadGenerator generator = new LoadGenerator(SimulatorConfig.defaults(), 2, TOPICS, 5_000, Duration.ofSeconds(3));

        LoadGenerator.Result result = generator.run(sink, Instant.parse("2026-11-23T00:00:00Z"), sent -> { });

        assertThat(result.sent()).isEqualTo(sink.events().size()).isPositive();
        assertThat(sink.events().stream().map(RecordingSink.Sent::topic).collect(Collectors.toSet()))
                .contains(TopicNames.MACHINE_STATE, TopicNames.PRODUCTION_COUNT, TopicNames.INSPECTION, TopicNames.ENERGY,
                        TopicNames.BATCH, TopicNames.LINE_CONFIG, TopicNames.EMISSION_FACTORS);
        assertThat(sink.values(TOPICS.lineConfig, LineConfig.class)).extracting(LineConfig::getLineId)
                .containsExactlyInAnyOrder("drum-line-1-1", "drum-line-1-2", "bio-po-1-1", "bio-po-1-2");
    }

    @Test
    @DisplayName("the plan ends the run's event time before about now and spans at most six days, adding copies as needed")
    void planKeepsEventTimeNearNow() {
        Instant now = Instant.parse("2026-11-29T06:00:00Z");
        LoadGenerator.Plan plan = LoadGenerator.plan(SimulatorConfig.defaults(), TOPICS, 10_000, Duration.ofMinutes(5), 0, now);

        // 10,000/s x 300 s = 3,000,000 events; one copy makes ~2,100 a simulated day, so >= 3e6 / (2,100 x 6) = 239 copies
        double total = 3_000_000;
        assertThat(plan.copies()).isEqualTo((int) Math.ceil(total / (plan.eventsPerCopyPerDay() * 6)));
        assertThat(plan.eventsPerCopyPerDay()).isBetween(1_500.0, 3_000.0);
        double spanDays = total / (plan.eventsPerCopyPerDay() * plan.copies());
        assertThat(spanDays).isLessThanOrEqualTo(6.0);
        // the start leaves a 20 % margin so the last events stay before now
        assertThat(Duration.between(plan.start(), now).toMillis()).isEqualTo(Math.round(spanDays * 1.2 * 86_400_000L));
    }
}

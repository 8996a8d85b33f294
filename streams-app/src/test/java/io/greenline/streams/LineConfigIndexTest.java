package io.greenline.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.LineConfig;
import io.greenline.events.ProductRate;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The index of configured lines per area and site, kept in the global line-config store by its update processor. */
class LineConfigIndexTest {

    private static final Topics TOPICS = new Topics(GreenlineSerdes.inMemory("line-config-index-test"));
    private static final Instant JAN = Instant.parse("2026-01-01T00:00:00Z");

    private TopologyTestDriver driver;
    private TestInputTopic<String, LineConfig> configs;
    private VersionedKeyValueStore<String, LineConfig> store;

    @BeforeEach
    void start() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "line-config-index-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        StreamsBuilder builder = new StreamsBuilder();
        ReferenceStores.lineConfigVersions(builder, TOPICS, Duration.ofDays(365));
        driver = new TopologyTestDriver(builder.build(), props, JAN);
        configs = driver.createInputTopic(TOPICS.lineConfig.name(), new StringSerializer(), TOPICS.lineConfig.valueSerde().serializer());
        store = driver.getVersionedKeyValueStore(StoreNames.LINE_CONFIG_VERSIONS);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void config(String lineId, String siteId, String areaId, Instant validFrom) {
        configs.pipeInput(lineId, new LineConfig(lineId, siteId, areaId, lineId, "UTC", List.of(),
                List.of(new ProductRate("DISC", 30_000.0)), 120_000L, null, "DE", validFrom), validFrom);
    }

    @Test
    @DisplayName("every line a config ever placed in an area or site, once each, in the order first placed")
    void linesPerAreaAndSite() {
        config("L2", "plant", "foundry", JAN);
        config("L1", "plant", "foundry", JAN);
        config("L1", "plant", "assembly", JAN.plus(Duration.ofDays(10)));
        config("L1", "plant", "foundry", JAN.plus(Duration.ofDays(20)));
        config("L3", "other", "assembly", JAN.plus(Duration.ofDays(30)));
        config("L2", "plant", "foundry", JAN.plus(Duration.ofDays(40)));

        assertThat(LineConfigIndex.lines(store, "area:foundry")).containsExactly("L2", "L1");
        assertThat(LineConfigIndex.lines(store, "area:assembly")).containsExactly("L1", "L3");
        assertThat(LineConfigIndex.lines(store, "site:plant")).containsExactly("L2", "L1");
        assertThat(LineConfigIndex.lines(store, "site:other")).containsExactly("L3");
        assertThat(LineConfigIndex.lines(store, "area:paint")).isEmpty();
        // the configs themselves are where they were: the index keys do not disturb a line's versions
        assertThat(store.get("L1", JAN.plus(Duration.ofDays(15)).toEpochMilli()).value().getAreaId()).isEqualTo("assembly");
        assertThat(store.get("L1").value().getAreaId()).isEqualTo("foundry");
    }

    @Test
    @DisplayName("a removed line stays a candidate (its config says it is gone); reserved keys cannot be written from the topic")
    void tombstonesAndReservedKeys() {
        config("L1", "plant", "foundry", JAN);
        config("L2", "plant", "foundry", JAN);
        configs.pipeInput("L2", null, JAN.plus(Duration.ofDays(5)));
        assertThat(store.get("L2")).isNull();
        assertThat(LineConfigIndex.lines(store, "area:foundry")).containsExactly("L1", "L2");

        // neither a tombstone nor a config keyed in the index's reserved range touches the index
        String slot0 = LineConfigIndex.PREFIX + "area:foundry|#0";
        configs.pipeInput(slot0, null, JAN.plus(Duration.ofDays(6)));
        config(LineConfigIndex.PREFIX + "area:foundry|#1", "plant", "foundry", JAN.plus(Duration.ofDays(7)));
        assertThat(LineConfigIndex.lines(store, "area:foundry")).containsExactly("L1", "L2");
    }
}

package io.greenline.it.app;

import static io.greenline.it.app.AppItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenline.events.LineConfig;
import io.greenline.streams.app.GreenlineApp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Area and site roll-ups (docs/rollup.md) end to end on the real child-JVM broker: raw machine, count and inspection
 * events of three lines of one area go through OEE and quality to the final line windows, through the roll-up's
 * repartition to the area and site roll-ups, and two instances of one application answer the area endpoint the
 * same, whichever owns the area's partition. A fourth line of the area has a config but never sends: the roll-ups
 * name it in {@code linesMissing}.
 */
class RollupClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> LINES = List.of("RA1", "RA2", "RA3");
    private static final String SILENT = "RA4";
    private static final List<Integer> PER_COUNT = List.of(10, 14, 20);
    private static final Instant START = Instant.parse("2026-03-02T06:00:00Z");
    private static final String AREA = "press-shop";
    private static final String SITE = "site-rollup";

    @TempDir
    static Path dirs;

    private static io.greenline.local.kafka.KafkaBroker broker;
    private static GreenlineApp a;
    private static GreenlineApp b;
    private static int portA;
    private static int portB;

    @BeforeAll
    static void startInstances() {
        // a broker of its own: its days of data must not be replayed first by the other tests' apps (nor theirs by it)
        broker = AppItSupport.ownBroker();
        try (KafkaProducer<String, byte[]> producer = AppItSupport.producer(broker.bootstrapServers())) {
            AppItSupport.sendFactors(producer);
            for (int i = 0; i < LINES.size(); i++) {
                AppItSupport.produceLine(producer, LINES.get(i), START, PER_COUNT.get(i));
                // a later version of the line's config puts it into this test's own area and site
                LineConfig config = AppItSupport.lineConfig(LINES.get(i), Instant.parse("2026-01-02T00:00:00Z"));
                config.setAreaId(AREA);
                config.setSiteId(SITE);
                AppItSupport.sendConfig(producer, config);
            }
            // a fourth line of the area, known only from its config: it never sends an event
            LineConfig silent = AppItSupport.lineConfig(SILENT, Instant.parse("2026-01-02T00:00:00Z"));
            silent.setAreaId(AREA);
            silent.setSiteId(SITE);
            AppItSupport.sendConfig(producer, silent);
        }
        portA = AppItSupport.freePort();
        portB = AppItSupport.freePort();
        a = AppItSupport.startApp(AppItSupport.settings("it-rollup", portA, dirs.resolve("a"), broker.bootstrapServers(),
                AppItSupport.REGISTRY, java.util.Map.of()));
        b = AppItSupport.startApp(AppItSupport.settings("it-rollup", portB, dirs.resolve("b"), broker.bootstrapServers(),
                AppItSupport.REGISTRY, java.util.Map.of()));
    }

    @AfterAll
    static void stopInstances() {
        for (GreenlineApp app : new GreenlineApp[] {a, b}) {
            if (app != null) {
                app.close();
            }
        }
        if (broker != null) {
            broker.stop();
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode items(int port, String path) {
        HttpResponse<String> response = get(port, path);
        assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
        return json(response).get("items");
    }

    private static JsonNode firstHour(int port, String path) {
        for (JsonNode w : items(port, path)) {
            if (w.get("windowStart").asText().equals(START.toString())) {
                return w;
            }
        }
        return null;
    }

    @Test
    @DisplayName("the area's OEE roll-up is the same from either instance, and sums its three lines; the silent fourth is missing")
    void areaFromEitherInstance() {
        String path = "/api/v1/areas/" + AREA + "/oee?granularity=hour";
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode fromA = firstHour(portA, path);
            assertThat(fromA).as(path + " from A").isNotNull();
            assertThat(fromA.get("lines").asInt()).isEqualTo(3);
            assertThat(firstHour(portB, path)).as(path + " from B").isEqualTo(fromA);
        });
        JsonNode area = firstHour(portB, path);
        assertThat(area.get("rollupId").asText()).isEqualTo("area:" + AREA);
        assertThat(area.get("siteId").asText()).isEqualTo(SITE);
        // RA4 is a line of the area from its config alone (both instances read their line configs at start, by the
        // global store's restore): the hour waited for it, then was published without it
        assertThat(area.get("contributingLines")).extracting(JsonNode::asText).containsExactlyElementsOf(LINES);
        assertThat(area.get("linesMissing")).extracting(JsonNode::asText).containsExactly(SILENT);
        // each line: 60 planned minutes, RUNNING 55 (a 5-minute JAM)
        assertThat(area.get("pbtMs").asLong()).isEqualTo(3 * 3_600_000L);
        assertThat(area.get("aptMs").asLong()).isEqualTo(3 * 3_300_000L);
        // sum, then divide: the lines' own windows (as the line endpoint serves them) added up
        StringBuilder lineWindows = new StringBuilder();
        double produced = 0;
        double good = 0;
        double pbt = 0;
        double goodIdeal = 0;
        for (String line : LINES) {
            JsonNode w = firstHour(portA, "/api/v1/lines/" + line + "/oee?granularity=hour");
            lineWindows.append('\n').append(w);
            produced += w.get("producedQuantity").asDouble();
            good += w.get("goodQuantity").asDouble();
            pbt += w.get("pbtMs").asDouble();
            goodIdeal += w.get("oee").asDouble() * w.get("pbtMs").asDouble();
        }
        String why = area + " vs the lines:" + lineWindows;
        assertThat(area.get("producedQuantity").asDouble()).as(why).isPositive().isCloseTo(produced, within(1e-9));
        assertThat(area.get("goodQuantity").asDouble()).as(why).isCloseTo(good, within(1e-9));
        assertThat(area.get("pbtMs").asDouble()).as(why).isCloseTo(pbt, within(1e-9));
        assertThat(area.get("oee").asDouble()).as(why).isCloseTo(goodIdeal / pbt, within(1e-9));
        // every line makes the same product (30 s): OEE = good x 30 s / summed PBT
        assertThat(area.get("oee").asDouble()).as(why).isCloseTo(good * 30_000.0 / pbt, within(1e-9));

        Set<String> servedBy = new HashSet<>();
        for (int port : new int[] {portA, portB}) {
            servedBy.add(get(port, path).headers().firstValue("X-Greenline-Served-By").orElseThrow());
            JsonNode areas = json(get(port, "/api/v1/areas"));
            assertThat(areas.get("instances")).hasSize(2);
            List<String> ids = new java.util.ArrayList<>();
            areas.get("items").forEach(item -> ids.add(item.get("areaId").asText()));
            assertThat(ids).contains(AREA);
        }
        assertThat(servedBy).as("one instance owns area:" + AREA + ", the other forwards to it").hasSize(1);
        // the list reads the small latest-per-roll-up view: the same latest hour as the area's own windows
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (int port : new int[] {portA, portB}) {
                JsonNode hours = json(get(port, path)).get("items");
                JsonNode listed = null;
                for (JsonNode item : json(get(port, "/api/v1/areas")).get("items")) {
                    if (item.get("areaId").asText().equals(AREA)) {
                        listed = item;
                    }
                }
                assertThat(listed).isNotNull();
                assertThat(listed.get("rollupId").asText()).isEqualTo("area:" + AREA);
                assertThat(listed.get("latestOee")).isEqualTo(hours.get(hours.size() - 1));
            }
        });

        String sitePath = "/api/v1/sites/" + SITE + "/oee?granularity=hour";
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode site = firstHour(portA, sitePath);
            assertThat(site).isNotNull();
            assertThat(site.get("oee").asDouble()).isCloseTo(area.get("oee").asDouble(), within(1e-9));
            assertThat(site.get("linesMissing")).extracting(JsonNode::asText).containsExactly(SILENT);
            assertThat(firstHour(portB, sitePath)).isEqualTo(site);
        });
        String qualityPath = "/api/v1/areas/" + AREA + "/quality?granularity=hour";
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode quality = firstHour(portB, qualityPath);
            assertThat(quality).isNotNull();
            double inspected = 0;
            double defective = 0;
            for (String line : LINES) {
                JsonNode w = firstHour(portB, "/api/v1/lines/" + line + "/quality?granularity=hour");
                inspected += w.get("inspected").asDouble();
                defective += w.get("rework").asDouble() + w.get("scrap").asDouble();
            }
            assertThat(quality.get("inspected").asDouble()).isPositive().isCloseTo(inspected, within(1e-9));
            assertThat(quality.get("defectRate").asDouble()).isCloseTo(defective / inspected, within(1e-9));
            assertThat(firstHour(portA, qualityPath)).isEqualTo(quality);
        });
        assertThat(get(portA, "/api/v1/areas/no-such-area/oee").statusCode()).isEqualTo(404);
    }
}

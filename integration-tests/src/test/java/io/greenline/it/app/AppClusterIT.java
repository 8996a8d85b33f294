package io.greenline.it.app;

import static io.greenline.it.app.AppItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.greenline.streams.app.GreenlineApp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of one application (different HTTP ports, one consumer group) and a third, single
 * instance of its own application over the same topics, on the real child-JVM broker: routing across
 * instances, lists gathered from both, and answers while one instance leaves and comes back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AppClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> LINES = List.of("L1", "L2", "L3", "L4", "L5", "L6");
    private static final Instant START = Instant.parse("2026-03-02T06:00:00Z");
    private static final String CLUSTER_ID = "it-cluster";
    private static final List<String> BATCHES = List.of("B-L1-001", "B-L2-001", "B-L5-001");

    @TempDir
    static Path dirs;

    private static GreenlineApp a;
    private static GreenlineApp b;
    private static GreenlineApp single;
    private static int portA;
    private static int portB;
    private static int portSingle;

    @BeforeAll
    static void startInstances() {
        AppItSupport.broker();
        try (KafkaProducer<String, byte[]> producer = AppItSupport.producer()) {
            AppItSupport.sendFactors(producer);
            for (int i = 0; i < LINES.size(); i++) {
                AppItSupport.produceLine(producer, LINES.get(i), START, 10 + i);
            }
            for (String batch : BATCHES) {
                AppItSupport.produceBatch(producer, batch, batch.substring(2, 4), START);
            }
        }
        portA = AppItSupport.freePort();
        portB = AppItSupport.freePort();
        portSingle = AppItSupport.freePort();
        a = AppItSupport.startApp(AppItSupport.settings(CLUSTER_ID, portA, dirs.resolve("a")));
        b = AppItSupport.startApp(AppItSupport.settings(CLUSTER_ID, portB, dirs.resolve("b")));
        single = AppItSupport.startApp(AppItSupport.settings("it-single", portSingle, dirs.resolve("single")));
    }

    @AfterAll
    static void stopInstances() {
        for (GreenlineApp app : new GreenlineApp[] {a, b, single}) {
            if (app != null) {
                app.close();
            }
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<String> listedLines(int port) {
        HttpResponse<String> response = get(port, "/api/v1/lines");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Set<String> lines = new HashSet<>();
        for (JsonNode line : json(response).get("items")) {
            // the broker is shared with other ITs, whose lines may be listed too
            if (LINES.contains(line.get("lineId").asText()) && !line.get("latestOee").isNull() && !line.get("latestQuality").isNull()) {
                lines.add(line.get("lineId").asText());
            }
        }
        return lines;
    }

    /** The item of {@code lineId} in a list answer (null when not listed). */
    private static JsonNode itemOf(JsonNode list, String lineId) {
        for (JsonNode item : list.get("items")) {
            if (item.get("lineId").asText().equals(lineId)) {
                return item;
            }
        }
        return null;
    }

    /** The final windows of a line's answer (live windows move with the idle-line clock). */
    private static ArrayNode finalItems(int port, String path) {
        HttpResponse<String> response = get(port, path);
        assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
        ArrayNode finals = JSON.createArrayNode();
        json(response).get("items").forEach(w -> {
            if (w.get("final").asBoolean()) {
                finals.add(w);
            }
        });
        return finals;
    }

    @Test
    @Order(1)
    @DisplayName("Either instance lists every line, and every line's OEE and quality are the same from either instance and from a single instance")
    void everyInstanceAnswersTheSame() {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(listedLines(portA)).containsExactlyInAnyOrderElementsOf(LINES);
            assertThat(listedLines(portB)).containsExactlyInAnyOrderElementsOf(LINES);
            assertThat(listedLines(portSingle)).containsExactlyInAnyOrderElementsOf(LINES);
        });
        Set<String> servedBy = new HashSet<>();
        for (String line : LINES) {
            for (String kind : List.of("oee", "quality")) {
                String path = "/api/v1/lines/" + line + "/" + kind + "?granularity=hour";
                await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    ArrayNode fromA = finalItems(portA, path);
                    // [06:00, 07:00) and [07:00, 08:00) are final: the clock is at 09:00, past their grace
                    assertThat(fromA).as(path).hasSize(2);
                    assertThat(finalItems(portB, path)).as(path + " from B").isEqualTo(fromA);
                    assertThat(finalItems(portSingle, path)).as(path + " from a single instance").isEqualTo(fromA);
                });
            }
            servedBy.add(get(portA, "/api/v1/lines/" + line + "/oee").headers().firstValue("X-Greenline-Served-By").orElseThrow());
        }
        // both instances own some lines: A forwarded the others to B
        assertThat(servedBy).containsExactlyInAnyOrder("localhost:" + portA, "localhost:" + portB);

        JsonNode firstHour = finalItems(portA, "/api/v1/lines/L1/oee").get(0);
        assertThat(firstHour.get("windowStart").asText()).isEqualTo("2026-03-02T06:00:00Z");
        // RUNNING 06:00-06:30 and 06:35-07:00 = 55 min of 60 planned; FAULT 06:30-06:35 = 5 min
        assertThat(firstHour.get("aptMs").asLong()).isEqualTo(55 * 60_000L);
        assertThat(firstHour.get("adetMs").asLong()).isEqualTo(5 * 60_000L);
        // L1 counts 10 per 10 minutes, 1 scrapped: 60 produced, 54 good in the hour
        assertThat(firstHour.get("producedQuantity").asDouble()).isEqualTo(60.0);
        assertThat(firstHour.get("goodQuantity").asDouble()).isEqualTo(54.0);

        for (String batch : BATCHES) {
            String path = "/api/v1/batches/" + batch;
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                HttpResponse<String> fromA = get(portA, path);
                assertThat(fromA.statusCode()).as(path + " " + fromA.body()).isEqualTo(200);
                JsonNode footprint = json(fromA);
                assertThat(footprint.get("status").asText()).isEqualTo("FINAL");
                assertThat(json(get(portB, path))).as(path + " from B").isEqualTo(footprint);
                assertThat(json(get(portSingle, path))).as(path + " from a single instance").isEqualTo(footprint);
            });
        }
        JsonNode footprint = json(get(portB, "/api/v1/batches/B-L1-001"));
        // 4 readings x 100 kWh inside the batch: 400 kWh x 0.4 = 160 kg (location), x 0.05 = 20 kg (market)
        assertThat(footprint.get("scope2LocationKgCo2e").asDouble()).isCloseTo(160.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(footprint.get("scope2MarketKgCo2e").asDouble()).isCloseTo(20.0, org.assertj.core.data.Offset.offset(1e-9));
        for (int port : new int[] {portA, portB}) {
            JsonNode batches = json(get(port, "/api/v1/batches"));
            List<String> ids = new ArrayList<>();
            batches.get("items").forEach(f -> ids.add(f.get("batchId").asText()));
            ids.retainAll(BATCHES); // other ITs on the shared broker add their own batches
            assertThat(ids).containsExactlyElementsOf(BATCHES);
            assertThat(batches.get("complete").asBoolean()).isTrue();
        }

        // PACT v3: the same ProductFootprints from either instance, ids the same name-based UUIDs
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode pactA = json(get(portA, "/pact/3/footprints"));
            assertThat(pactA.get("data")).hasSize(BATCHES.size());
            assertThat(json(get(portB, "/pact/3/footprints")).get("data")).isEqualTo(pactA.get("data"));
        });
        JsonNode l1 = json(get(portA, "/api/v1/batches/B-L1-001"));
        String pactId = io.greenline.streams.carbon.pact.PactRenderer.footprintId("B-L1-001", l1.get("version").asInt()).toString();
        HttpResponse<String> one = get(portB, "/pact/3/footprints/" + pactId);
        assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
        assertThat(json(one).at("/data/id").asText()).isEqualTo(pactId);

        JsonNode aLines = json(get(portA, "/api/v1/lines"));
        assertThat(aLines.get("complete").asBoolean()).isTrue();
        assertThat(aLines.get("instances")).hasSize(2);

        // a single instance writes its cached, pre-rendered list in the same envelope: the same items as two
        // instances gathered, and as the same instance answering a forwarded request (local=true)
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode single = json(get(portSingle, "/api/v1/lines"));
            assertThat(single.get("complete").asBoolean()).isTrue();
            assertThat(single.get("stale").asBoolean()).isFalse();
            assertThat(single.get("servedBy").asText()).isEqualTo("localhost:" + portSingle);
            assertThat(single.get("instances")).hasSize(1);
            assertThat(single.at("/instances/0/server").asText()).isEqualTo("localhost:" + portSingle);
            assertThat(single.at("/instances/0/answered").asBoolean()).isTrue();
            JsonNode forwarded = json(get(portSingle, "/api/v1/lines?local=true"));
            assertThat(forwarded.has("instances")).isFalse();
            assertThat(forwarded.get("items")).isEqualTo(single.get("items"));
            JsonNode gathered = json(get(portA, "/api/v1/lines"));
            for (String line : LINES) {
                assertThat(itemOf(single, line)).as(line + " from a single instance").isEqualTo(itemOf(gathered, line));
            }
        });
    }

    @Test
    @Order(2)
    @DisplayName("While one instance stops and starts again, every answer is fresh, stale-marked, or 503 with Retry-After; none hangs, none is a 500")
    void answersDuringRebalance() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread loop = new Thread(() -> {
            while (running.get()) {
                for (String path : List.of("/api/v1/lines/L1/oee", "/api/v1/lines/L2/quality", "/api/v1/lines/L3/oee",
                        "/api/v1/lines/L4/oee", "/api/v1/lines")) {
                    try {
                        HttpResponse<String> r = get(portA, path);
                        String outcome = classify(r);
                        outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                        if (outcome.startsWith("bad")) {
                            violations.add(path + " -> " + r.statusCode() + " " + r.headers().map() + " " + r.body());
                        }
                    } catch (RuntimeException e) {
                        violations.add(path + " -> " + e);
                    }
                }
            }
        }, "query-loop");
        loop.start();
        try {
            b.close();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> a.streams().state() == KafkaStreams.State.RUNNING
                            && a.streams().metadataForAllStreamsClients().size() == 1);
            b = AppItSupport.startApp(AppItSupport.settings(CLUSTER_ID, portB, dirs.resolve("b")));
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> b.health().ready() && a.health().ready()
                            && a.streams().metadataForAllStreamsClients().size() == 2);
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(listedLines(portB)).containsExactlyInAnyOrderElementsOf(LINES));
        } finally {
            running.set(false);
            loop.join(Duration.ofSeconds(30).toMillis());
        }
        assertThat(violations).isEmpty();
        assertThat(outcomes.getOrDefault("fresh", new AtomicInteger()).get()).isPositive();
        System.out.println("Answers during the rebalance: " + outcomes);
    }

    /** fresh, stale, unavailable (503 with Retry-After), or bad (anything else). */
    private static String classify(HttpResponse<String> r) {
        if (r.statusCode() == 200) {
            String stale = r.headers().firstValue("X-Greenline-Stale").orElse("missing");
            return switch (stale) {
                case "false" -> "fresh";
                case "true" -> "stale";
                default -> "bad: no stale marker";
            };
        }
        if (r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()) {
            return "unavailable";
        }
        return "bad: " + r.statusCode();
    }
}

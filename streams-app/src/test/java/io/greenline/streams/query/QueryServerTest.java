package io.greenline.streams.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenline.events.OeeWindow;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.StoreNames;
import io.greenline.streams.app.GreenlineApp;
import io.greenline.streams.config.AppSettings;
import io.greenline.streams.errors.DeadLetterHandler;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP layer of a real, started instance whose broker is unreachable: what a client sees while Kafka
 * Streams cannot serve yet (503 with Retry-After, never a hang or a 500), input validation, auth, health,
 * metrics and the OpenAPI description. Answers with data are covered by the integration tests.
 */
class QueryServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String TOKEN = "t0ken";

    @TempDir
    static Path stateDir;

    private static GreenlineApp app;
    private static GreenlineApp securedApp;

    static Topology topology() {
        Topology topology = new Topology();
        topology.addSource("oee-test-source", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), "query-server-test-in");
        topology.addProcessor("oee-test-store-writer", () -> new Processor<String, byte[], Void, Void>() {
            @Override
            public void process(Record<String, byte[]> record) {
                // never reached: the broker is unreachable
            }
        }, "oee-test-source");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.OEE_WINDOWS),
                Serdes.String(), GreenlineSerdes.inMemory("query-server-test").value(OeeWindow.class)), "oee-test-store-writer");
        return topology;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static AppSettings settings(int port, String dir, String token) {
        Map<String, String> props = new HashMap<>();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1"); // nothing listens there
        props.put("schema.registry.url", "mock://query-server-test");
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "query-server-test");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir);
        props.put(AppSettings.HTTP_PORT, String.valueOf(port));
        props.put(AppSettings.SHUTDOWN_TIMEOUT_MS, "5000");
        props.put(AppSettings.QUERY_RETRY_AFTER_SECONDS, "7");
        if (token != null) {
            props.put(AppSettings.HTTP_AUTH_TOKEN, token);
        }
        return AppSettings.of(props);
    }

    @BeforeAll
    static void start() throws IOException {
        app = new GreenlineApp(settings(freePort(), stateDir.resolve("a").toString(), null), topology()).start();
        securedApp = new GreenlineApp(settings(freePort(), stateDir.resolve("b").toString(), TOKEN), topology()).start();
    }

    @AfterAll
    static void stop() {
        app.close();
        securedApp.close();
    }

    static HttpResponse<String> get(GreenlineApp target, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + target.httpPort() + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return get(app, path, null);
    }

    private static void assertError(HttpResponse<String> response, int status) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error_code").asInt()).isEqualTo(status);
        assertThat(body.get("message").asText()).isNotBlank();
    }

    @Test
    @DisplayName("A bad granularity, a malformed instant or from after to is a 400 with error_code and message")
    void validation() throws Exception {
        assertError(get("/api/v1/lines/L1/oee?granularity=week"), 400);
        assertError(get("/api/v1/lines/L1/oee?from=yesterday"), 400);
        assertError(get("/api/v1/lines/L1/quality?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"), 400);
        assertError(get("/api/v1/batches?status=DONE"), 400);
        assertError(get("/api/v1/batches?limit=0"), 400);
        assertError(get("/api/v1/batches?limit=1001"), 400);
        assertError(get("/api/v1/batches?limit=ten"), 400);
        assertError(get("/api/v1/batches?cursor=***"), 400);
        assertError(get("/api/v1/batches?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z"), 400);
        assertError(get("/api/v1/batches?to=soon"), 400);
    }

    @Test
    @DisplayName("While Kafka Streams cannot serve, keyed and list queries answer 503 with Retry-After at once")
    void unavailableIs503() throws Exception {
        for (String path : new String[] {"/api/v1/lines/L1/oee", "/api/v1/lines/L1/oee?granularity=day", "/api/v1/lines"}) {
            HttpResponse<String> response = get(path);
            assertError(response, 503);
            assertThat(response.headers().firstValue("Retry-After")).contains("7");
        }
    }

    @Test
    @DisplayName("A store the deployment does not compute, an unknown path: 404 with error_code")
    void notFound() throws Exception {
        assertError(get("/api/v1/batches/B1"), 404);
        assertError(get("/api/v1/lines/L1/energy"), 404);
        assertError(get("/no/such/path"), 404);
    }

    @Test
    @DisplayName("Live while the client runs; not ready until RUNNING with queryable stores")
    void health() throws Exception {
        HttpResponse<String> live = get("/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(live.body()).get("status").asText()).isEqualTo("UP");
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(ready.body()).get("status").asText()).isEqualTo("DOWN");
    }

    @Test
    @DisplayName("/openapi.json parses as OpenAPI 3 and describes every path the server serves")
    void openApi() throws Exception {
        HttpResponse<String> response = get("/openapi.json");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode doc = JSON.readTree(response.body());
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        assertThat(doc.get("paths").fieldNames()).toIterable().containsAll(QueryServer.PATHS);
        for (String path : QueryServer.PATHS) {
            assertThat(doc.get("paths").get(path).has("get")).as(path).isTrue();
        }
        assertThat(doc.at("/components/schemas/OeeWindow/properties").has("final")).isTrue();
    }

    @Test
    @DisplayName("/metrics is Prometheus text with Kafka Streams, JVM, DLQ and query-latency metrics")
    void metrics() throws Exception {
        Metrics.counter(DeadLetterHandler.METRIC, "reason", "MALFORMED", "topic", "query-server-test").increment();
        get("/api/v1/lines/L1/oee?granularity=week");
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(response.body())
                .contains("kafka_stream_")
                .contains("jvm_memory_used_bytes")
                .contains("greenline_dlq_records_total{reason=\"MALFORMED\",topic=\"query-server-test\"}")
                .contains("greenline_query_latency_seconds_count");
    }

    @Test
    @DisplayName("With a token set, /api needs 'Authorization: Bearer <token>'; health stays open")
    void bearerToken() throws Exception {
        assertError(get(securedApp, "/api/v1/lines", null), 401);
        assertError(get(securedApp, "/api/v1/lines", "wrong"), 401);
        assertThat(get(securedApp, "/api/v1/lines", TOKEN).statusCode()).isEqualTo(503);
        assertThat(get(securedApp, "/health/live", null).statusCode()).isEqualTo(200);
        assertThat(get(app, "/api/v1/lines/L1/oee?granularity=week", null).statusCode()).as("no token configured").isEqualTo(400);
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + app.httpPort() + path));
    }

    @Test
    @DisplayName("A method other than GET on a served path is a 405 with 'Allow: GET' and the JSON error body, not a 404")
    void wrongMethodIs405() throws Exception {
        for (String path : new String[] {"/api/v1/lines", "/api/v1/lines/L1/oee", "/api/v1/batches/B1", "/health/ready"}) {
            HttpResponse<String> post = send(request(path).POST(HttpRequest.BodyPublishers.ofString("{}")));
            assertError(post, 405);
            assertThat(post.headers().firstValue("Allow")).as(path).contains("GET");
            HttpResponse<String> delete = send(request(path).DELETE());
            assertError(delete, 405);
            assertThat(delete.headers().firstValue("Allow")).as(path).contains("GET");
        }
        assertError(send(request("/no/such/path").POST(HttpRequest.BodyPublishers.noBody())), 404);
    }

    @Test
    @DisplayName("Requests Jetty refuses before routing (%00, malformed UTF-8, an over-long URI) get the JSON error body, not an HTML page")
    void jettyErrorsAreJson() throws Exception {
        for (String path : new String[] {"/api/v1/lines/L%00/oee", "/api/v1/lines/%C0%AF/oee", "/api/v1/lines/%FF%FE/oee",
                "/api/v1/lines/" + "L".repeat(20_000) + "/oee", "/api/v1/lines/a%2F..%2Fb/oee"}) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path.substring(0, Math.min(40, path.length()))).isBetween(400, 499);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).as(response.body()).startsWith("application/json");
            assertError(response, response.statusCode());
        }
    }

    @Test
    @DisplayName("The auth scheme is case-insensitive: 'bearer <token>' and 'BEARER <token>' pass, a wrong token does not")
    void bearerSchemeCaseInsensitive() throws Exception {
        String url = "http://localhost:" + securedApp.httpPort() + "/api/v1/lines";
        for (String header : new String[] {"bearer " + TOKEN, "BEARER " + TOKEN, "Bearer  " + TOKEN}) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", header));
            assertThat(response.statusCode()).as(header).isEqualTo(503);
        }
        assertError(send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "bearer wrong")), 401);
        assertError(send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Basic " + TOKEN)), 401);
        assertThat(QueryServer.bearerToken("bEaReR abc")).isEqualTo("abc");
        assertThat(QueryServer.bearerToken("Bearerabc")).isEmpty();
        assertThat(QueryServer.bearerToken(null)).isEmpty();
    }

    @Test
    @DisplayName("The latency metric is tagged with the matched route template (bounded), not '*' nor the raw path")
    void latencyTaggedByRoute() throws Exception {
        get("/api/v1/lines/L1/oee?granularity=week");
        get("/api/v1/lines/L2/quality?granularity=week");
        get("/no/such/thing");
        String metrics = get("/metrics").body();
        assertThat(metrics)
                .contains("greenline_query_latency_seconds_count{path=\"/api/v1/lines/{lineId}/oee\",status=\"400\"}")
                .contains("greenline_query_latency_seconds_count{path=\"/api/v1/lines/{lineId}/quality\",status=\"400\"}")
                .contains("greenline_query_latency_seconds_count{path=\"unmatched\",status=\"404\"}")
                .doesNotContain("path=\"*\"")
                .doesNotContain("path=\"/api/v1/lines/L1/oee\"");
    }

    @Test
    @DisplayName("Time bounds beyond year 9999 or before year 0 are valid instants (not a 400); unparseable ones are a 400 naming the parameter")
    void extremeTimeBounds() throws Exception {
        // valid: the request goes on to the stores (503 here: Kafka Streams is not running)
        assertError(get("/api/v1/lines/L1/oee?from=2026-01-01T00:00:00Z&to=%2B10000-01-01T00:00:00Z"), 503);
        assertError(get("/api/v1/lines/L1/oee?from=-0001-01-01T00:00:00Z"), 503);
        HttpResponse<String> beyondInstant = get("/api/v1/lines/L1/oee?to=%2B1000000001-01-01T00:00:00Z");
        assertError(beyondInstant, 400);
        assertThat(JSON.readTree(beyondInstant.body()).get("message").asText()).startsWith("to must be an ISO-8601 instant");
        assertError(get("/api/v1/lines/L1/oee?from=2026-13-01T00:00:00Z"), 400);
        assertError(get("/api/v1/lines/L1/oee?from=%2B10000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"), 400);
    }
}

package io.greenline.it.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenline.local.kafka.KafkaBroker;
import io.greenline.local.topics.TopicProvisioner;
import io.greenline.producers.KafkaEventSink;
import io.greenline.producers.sim.FactorySimulation;
import io.greenline.producers.sim.SimulatorConfig;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.StoreNames;
import io.greenline.streams.app.GreenlineApp;
import io.greenline.streams.config.AppSettings;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The analyst dashboard in a real browser (Debian's headless Chromium through its chromedriver) against a
 * running stack: its own child-JVM broker with the topics provisioned as {@code greenline topics} does, 14
 * simulated hours of the default plants (Queshan drums, Puyang bio-PO) replayed at once, and the whole
 * application with a bearer token. The page must ask for the token, show every line with the OEE the API
 * returns, a line's Pareto with the API's numbers, and a batch footprint whose PACT download parses.
 * Screenshots land in {@code target/dashboard/} (kept as CI artifacts).
 *
 * <p>The browser is {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} (or the system properties
 * {@code greenline.chromium} / {@code greenline.chromedriver}); {@code .ci/run} installs them. Without them
 * the test is skipped, except under CI ({@code CI=true}), where it fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {

    private static final String TOKEN = "dashboard-it-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SHOTS = Paths.get("target", "dashboard");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static KafkaBroker broker;
    private static GreenlineApp app;
    private static String base;
    private static ChromeDriver browser;

    @BeforeAll
    static void startStackAndBrowser() throws Exception {
        File chromium = new File(System.getProperty("greenline.chromium", "/usr/bin/chromium"));
        File driver = new File(System.getProperty("greenline.chromedriver", "/usr/bin/chromedriver"));
        boolean browserPresent = chromium.canExecute() && driver.canExecute();
        String missing = "no headless browser: " + chromium + " and " + driver
                + " are needed (Debian: apt-get install -y chromium chromium-driver; .ci/run installs them)";
        if (!browserPresent && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(missing);
        }
        Assumptions.assumeTrue(browserPresent, missing);

        broker = KafkaBroker.builder(Files.createTempDirectory("greenline-dashboard-it-broker")).build().start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            new TopicProvisioner(admin).provision(TopicProvisioner.Settings.defaults().withPartitions(2));
            // produce only once every partition has a leader: a fresh broker answers NOT_LEADER for a moment, and
            // the replay below must not lose records to that
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                var names = admin.listTopics().names().get();
                for (var description : admin.describeTopics(names).allTopicNames().get().values()) {
                    for (var partition : description.partitions()) {
                        assertThat(partition.leader()).as("leader of %s-%d", description.name(), partition.partition()).isNotNull();
                    }
                }
            });
        }
        String registry = "mock://dashboard-it-" + UUID.randomUUID();
        replayPlants(registry);

        int port = AppItSupport.freePort();
        AppSettings settings = AppItSupport.settings("dashboard-it-" + UUID.randomUUID(), port,
                Files.createTempDirectory("greenline-dashboard-it-state"), broker.bootstrapServers(), registry,
                // at-least-once: the page reads stores, and the broker here is shared with a loaded build machine
                Map.of(AppSettings.HTTP_AUTH_TOKEN, TOKEN, StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE));
        app = AppItSupport.startApp(settings);
        base = "http://localhost:" + port;
        awaitSettledData();

        Files.createDirectories(SHOTS);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        Path profile = Files.createTempDirectory("greenline-dashboard-it-chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1440,1000", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().scriptTimeout(WAIT);
    }

    /** The default factory, 14 simulated hours up to a few minutes ago, produced at once (as {@code simulate --speed 0}). */
    private static void replayPlants(String registry) {
        Instant now = Instant.now();
        Instant start = now.minus(Duration.ofHours(14)).truncatedTo(ChronoUnit.HOURS);
        Topics topics = new Topics(new GreenlineSerdes(Map.of("schema.registry.url", registry)));
        Map<String, Object> producer = new HashMap<>();
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (KafkaEventSink sink = new KafkaEventSink(producer)) {
            FactorySimulation simulation = new FactorySimulation(SimulatorConfig.defaults(), start, sink, topics);
            simulation.advanceTo(now.minus(Duration.ofMinutes(2)).toEpochMilli());
            sink.flush();
            assertThat(sink.failures()).isZero();
        }
    }

    /**
     * Until both lines have OEE, a completed bio-PO batch has a PACT footprint, and the line list answers
     * the same twice a second apart (the app has worked through the replay).
     */
    private static void awaitSettledData() {
        String[] previous = {""};
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            HttpResponse<String> lines = get("/api/v1/lines");
            HttpResponse<String> batches = get("/api/v1/batches?lineId=bio-po-1");
            if (lines.statusCode() != 200 || batches.statusCode() != 200) {
                return false;
            }
            JsonNode items = JSON.readTree(lines.body()).path("items");
            boolean bothLines = items.size() == 2 && items.findValues("latestOee").stream().noneMatch(JsonNode::isNull);
            boolean completedBatch = false;
            for (JsonNode b : JSON.readTree(batches.body()).path("items")) {
                completedBatch |= !b.path("intensityKgCo2ePerTonne").isNull() && get("/pact/3/footprints/" + b.path("batchId").asText()).statusCode() == 200;
            }
            String snapshot = lines.body().replaceAll("\"servedBy\":\"[^\"]*\"", "") + batches.body();
            boolean settled = snapshot.equals(previous[0]);
            previous[0] = snapshot;
            // both plants' areas and sites have a final hourly OEE roll-up
            boolean rollups = true;
            for (String level : new String[] {"areas", "sites"}) {
                HttpResponse<String> list = get("/api/v1/" + level);
                JsonNode listed = list.statusCode() == 200 ? JSON.readTree(list.body()).path("items") : JSON.createArrayNode();
                rollups &= listed.size() == 2 && listed.findValues("latestOee").stream().noneMatch(JsonNode::isNull);
            }
            return bothLines && completedBatch && settled && rollups;
        });
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (app != null) {
            app.close();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    @Order(1)
    @DisplayName("the page asks for the bearer token once when the API needs one, then shows every line with the OEE of its current shift (a 24/7 line: its day) as the API returns it")
    void overviewShowsEveryLineWithTheApisOee() throws Exception {
        browser.get(base + "/");
        WebElement dialog = new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("token-dialog")));
        assertThat(dialog.getText()).contains("bearer token");
        browser.findElement(By.id("token-input")).sendKeys(TOKEN);
        browser.findElement(By.id("token-save")).click();

        JsonNode lines = api("/api/v1/lines").path("items");
        new WebDriverWait(browser, WAIT).until(d -> d.findElements(By.cssSelector(".tile[data-line]")).size() == lines.size());
        assertThat(browser.findElement(By.id("token-dialog")).isDisplayed()).isFalse();
        for (JsonNode line : lines) {
            String lineId = line.path("lineId").asText();
            JsonNode config = api("/api/v1/lines/" + lineId + "/config");
            String granularity = config.path("shifts").isEmpty() ? "day" : "shift";
            eventually(() -> {
                JsonNode windows = api("/api/v1/lines/" + lineId + "/oee?granularity=" + granularity + "&from="
                        + Instant.now().minus(Duration.ofHours(48))).path("items");
                assertThat(windows).as(lineId + " " + granularity + " windows").isNotEmpty();
                double expected = windows.get(windows.size() - 1).path("oee").asDouble();

                WebElement tile = browser.findElement(By.cssSelector(".tile[data-line='" + lineId + "']"));
                WebElement oee = tile.findElement(By.cssSelector("[data-kpi='oee']"));
                assertThat(Double.parseDouble(oee.getAttribute("data-value"))).as(lineId + " OEE on the page").isEqualTo(expected);
                assertThat(percent(oee.getText())).isCloseTo(expected * 100, within(0.05));
                assertThat(tile.getText()).contains(config.path("name").asText());
            });
        }
        assertThat(browser.findElement(By.cssSelector(".tile[data-line='drum-line-1']")).getText()).contains("kg CO2e/t", "Shift");
        screenshot("overview");

        browser.manage().window().setSize(new Dimension(820, 1180));
        browser.navigate().refresh();
        new WebDriverWait(browser, WAIT).until(d -> d.findElements(By.cssSelector(".tile[data-line]")).size() == lines.size());
        assertThat(browser.findElement(By.id("token-dialog")).isDisplayed()).as("the token is asked for once").isFalse();
        screenshot("overview-tablet");
        browser.manage().window().setSize(new Dimension(1440, 1000));
    }

    @Test
    @Order(2)
    @DisplayName("the overview's areas-and-sites table shows every area and site with the OEE, quality and energy of its latest final hourly roll-up as /api/v1/areas and /api/v1/sites return them")
    void overviewShowsTheAreaAndSiteRollups() throws Exception {
        openOverview();
        JsonNode areas = api("/api/v1/areas").path("items");
        JsonNode sites = api("/api/v1/sites").path("items");
        assertThat(areas).as("areas: foundry (Queshan) and polymerisation (Puyang)").hasSize(2);
        assertThat(sites).hasSize(2);
        new WebDriverWait(browser, WAIT).until(d -> d.findElements(By.cssSelector("tr[data-rollup]")).size() == areas.size() + sites.size());
        eventually(() -> {
            for (String level : new String[] {"area", "site"}) {
                for (JsonNode item : api("/api/v1/" + level + "s").path("items")) {
                    String rollupId = item.path("rollupId").asText();
                    WebElement row = browser.findElement(By.cssSelector("tr[data-rollup='" + rollupId + "']"));
                    assertThat(row.getText()).contains(item.path(level + "Id").asText());
                    JsonNode oee = item.path("latestOee");
                    assertThat(oee.path("final").asBoolean()).as(rollupId + " latest hour is final").isTrue();
                    assertKpi(row, "oee", oee.path("oee"));
                    assertKpi(row, "availability", oee.path("availability"));
                    assertKpi(row, "quality", oee.path("quality"));
                    assertKpi(row, "defectRate", item.path("latestQuality").path("defectRate"));
                    assertKpi(row, "electricityKwh", item.path("latestEnergy").path("electricityKwh"));
                    if (!oee.path("oee").isNull()) {
                        assertThat(percent(row.findElement(By.cssSelector("[data-kpi='oee']")).getText()))
                                .isCloseTo(oee.path("oee").asDouble() * 100, within(0.05));
                    }
                    if (level.equals("site")) {
                        // the latest site day, when one is final already (the 14 replayed hours may not span a whole local day)
                        JsonNode days = api("/api/v1/sites/" + item.path("siteId").asText() + "/energy?granularity=day&from="
                                + Instant.now().minus(Duration.ofHours(72))).path("items");
                        JsonNode day = days.isEmpty() ? null : days.get(days.size() - 1);
                        assertKpi(row, "intensityPerTonne", day == null ? JSON.nullNode() : day.path("kgCo2ePerTonneGoodOutput"));
                    }
                }
            }
        });
        screenshot("overview-rollups", 1800);
    }

    /** A table cell's {@code data-value} is the API's number (empty for null). */
    private static void assertKpi(WebElement row, String kpi, JsonNode expected) {
        String shown = row.findElement(By.cssSelector("[data-kpi='" + kpi + "']")).getAttribute("data-value");
        if (expected.isNull() || expected.isMissingNode()) {
            assertThat(shown).as(kpi + " of " + row.getAttribute("data-rollup")).isEmpty();
        } else {
            assertThat(Double.parseDouble(shown)).as(kpi + " of " + row.getAttribute("data-rollup")).isEqualTo(expected.asDouble());
        }
    }

    @Test
    @Order(3)
    @DisplayName("a click on a line opens its view with the stop-reason and defect Paretos of the chosen shift, as the API returns them; the URL holds the view")
    void lineViewShowsTheApisPareto() throws Exception {
        openOverview();
        click(By.cssSelector(".tile[data-line='drum-line-1']"));
        new WebDriverWait(browser, WAIT).until(d -> d.findElements(By.cssSelector("[data-pareto='stops'], [data-empty='stops']")).size() == 1);
        assertThat(browser.getCurrentUrl()).contains("#/line/drum-line-1");
        eventually(DashboardIT::assertParetosMatchTheApi);

        // the shift before the latest one is a full 8 hours: it has stops and (at 4.7 % defective) defects
        Select period = new Select(browser.findElement(By.id("period")));
        assertThat(period.getOptions()).hasSizeGreaterThan(1);
        String wanted = period.getOptions().get(1).getAttribute("value");
        period.selectByIndex(1);
        new WebDriverWait(browser, WAIT).until(d -> !d.findElements(By.cssSelector(".kpis[data-period='" + wanted + "']")).isEmpty()
                && !d.findElements(By.cssSelector("[data-pareto='stops']")).isEmpty());
        assertThat(browser.getCurrentUrl()).contains("period=" + URLEncoder.encode(wanted, StandardCharsets.UTF_8));
        eventually(() -> assertThat(assertParetosMatchTheApi()).as("stops of a full shift").isNotEmpty());
        screenshot("line", 2000);
        browser.manage().window().setSize(new Dimension(820, 1180));
        new WebDriverWait(browser, WAIT).until(d -> !d.findElements(By.cssSelector("[data-pareto='stops']")).isEmpty());
        screenshot("line-tablet", 2400);
        browser.manage().window().setSize(new Dimension(1440, 1000));

        // a deep link opens the same view in a fresh page
        String url = browser.getCurrentUrl();
        browser.get("about:blank");
        browser.get(url);
        new WebDriverWait(browser, WAIT).until(d -> !d.findElements(By.cssSelector(".kpis[data-period='" + wanted + "']")).isEmpty());
    }

    @Test
    @Order(4)
    @DisplayName("the batch view lists a line's footprints, shows the selected one's intensity, splits and biogenic share, and its PACT download parses as the API's ProductFootprint")
    void batchViewShowsAFootprintAndItsPactDownloadParses() throws Exception {
        browser.get(base + "/#/batches/bio-po-1?ref=1800");
        new WebDriverWait(browser, WAIT).until(d -> !d.findElements(By.cssSelector("tr[data-batch]")).isEmpty());
        JsonNode batches = api("/api/v1/batches?lineId=bio-po-1").path("items");
        assertThat(browser.findElements(By.cssSelector("tr[data-batch]"))).hasSize(batches.size());

        JsonNode completed = null;
        for (JsonNode b : batches) {
            if (!b.path("intensityKgCo2ePerTonne").isNull()) {
                completed = b;
            }
        }
        assertThat(completed).as("a completed bio-PO batch").isNotNull();
        String batchId = completed.path("batchId").asText();
        click(By.cssSelector("tr[data-batch='" + batchId + "']"));
        WebElement detail = new WebDriverWait(browser, WAIT).until(
                ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-detail='" + batchId + "']")));
        assertThat(browser.getCurrentUrl()).contains("batch=" + batchId);
        String intensity = detail.findElement(By.cssSelector("[data-kpi='intensity']")).getText().replace(",", "");
        assertThat(Double.parseDouble(intensity)).isCloseTo(completed.path("intensityKgCo2ePerTonne").asDouble(), within(0.5));
        assertThat(detail.findElement(By.cssSelector("[data-split='scope']")).getText()).contains("Scope 1", "Scope 2 (market)", "Scope 3 upstream");
        assertThat(detail.findElement(By.cssSelector("[data-split='carrier']")).getText()).contains("ELECTRICITY", "STEAM", "NATURAL_GAS");
        assertThat(detail.findElement(By.cssSelector("[data-split='biogenic']")).getText()).contains("Biogenic CO2 uptake");

        WebElement download = new WebDriverWait(browser, WAIT).until(
                ExpectedConditions.presenceOfElementLocated(By.cssSelector("#pact-download[data-ready='true']")));
        assertThat(download.getAttribute("download")).isEqualTo("pact-" + batchId + ".json");
        Object text = ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch(document.getElementById('pact-download').href).then(r => r.text()).then(done, e => done('ERROR ' + e));");
        ObjectNode downloaded = (ObjectNode) JSON.readTree(String.valueOf(text));
        ObjectNode expected = (ObjectNode) api("/pact/3/footprints/" + batchId).path("data");
        // "created" is the time of rendering, a second apart between the page's request and this one
        assertThat(downloaded.remove("created")).isNotNull();
        expected.remove("created");
        assertThat(downloaded).isEqualTo(expected);
        assertThat(downloaded.path("id").asText()).isNotBlank();
        assertThat(downloaded.path("pcf").isObject()).isTrue();
        screenshot("batches", 1500);
    }

    @Test
    @Order(5)
    @DisplayName("while no instance can answer (Kafka Streams not running), the page says the instances are rebalancing and gives the API's reason")
    void rebalancingState() throws Exception {
        int port = AppItSupport.freePort();
        AppSettings unreachable = AppItSupport.settings("dashboard-it-unreachable-" + UUID.randomUUID(), port,
                Files.createTempDirectory("greenline-dashboard-it-unreachable"), "127.0.0.1:1", "mock://dashboard-it-unreachable",
                Map.of(AppSettings.SHUTDOWN_TIMEOUT_MS, "5000"));
        // one store and no global store: KafkaStreams.start() returns at once although no broker answers
        Topology oneStore = new Topology();
        oneStore.addSource("dashboard-it-source", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), "dashboard-it-nowhere");
        oneStore.addProcessor("dashboard-it-writer", () -> new Processor<String, byte[], Void, Void>() {
            @Override
            public void process(Record<String, byte[]> record) {
                // never reached: no broker
            }
        }, "dashboard-it-source");
        oneStore.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.OEE_WINDOWS),
                Serdes.String(), Serdes.ByteArray()), "dashboard-it-writer");
        try (GreenlineApp waiting = new GreenlineApp(unreachable, oneStore).start()) {
            browser.get("http://localhost:" + port + "/#/");
            WebElement state = new WebDriverWait(browser, WAIT).until(
                    ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-state='unavailable']")));
            assertThat(state.getText()).contains("Instances are rebalancing", "retries");
            assertThat(browser.findElement(By.id("banner")).getText()).contains("Rebalancing");
            screenshot("rebalancing");
        }
    }

    // ---- helpers ----

    private static void openOverview() {
        browser.get(base + "/#/");
        new WebDriverWait(browser, WAIT).until(d -> !d.findElements(By.cssSelector(".tile[data-line='drum-line-1']")).isEmpty());
    }

    /** The page's two Paretos equal the chosen shift's stop reasons (ms) and defect counts from the API. */
    private static Map<String, Double> assertParetosMatchTheApi() throws IOException {
        String period = browser.findElement(By.cssSelector(".kpis[data-period]")).getAttribute("data-period");
        Instant start = Instant.parse(period);
        String range = "&from=" + start + "&to=" + start.plusSeconds(1);
        JsonNode oee = api("/api/v1/lines/drum-line-1/oee?granularity=shift" + range).path("items").get(0);
        JsonNode quality = api("/api/v1/lines/drum-line-1/quality?granularity=shift" + range).path("items");
        Map<String, Double> stops = new LinkedHashMap<>();
        oee.path("stopReasons").fields().forEachRemaining(e -> stops.put(e.getKey(), e.getValue().asDouble()));
        Map<String, Double> defects = new LinkedHashMap<>();
        for (JsonNode q : quality) {
            if (q.path("productId").isNull() && q.path("windowStart").asText().equals(oee.path("windowStart").asText())) {
                q.path("defects").forEach(d -> defects.put(d.path("code").asText(), d.path("count").asDouble()));
            }
        }
        assertThat(pareto("stops")).as("stop-reason Pareto of " + period).isEqualTo(stops);
        assertThat(pareto("defects")).as("defect Pareto of " + period).isEqualTo(defects);
        String shown = browser.findElement(By.cssSelector(".kpis [data-kpi='oee']")).getText();
        if (oee.path("oee").isNull()) {
            assertThat(shown).isEqualTo("–");
        } else {
            assertThat(percent(shown)).as("OEE of " + period).isCloseTo(oee.path("oee").asDouble() * 100, within(0.05));
        }
        return stops;
    }

    /** A check that may need a moment: the open window still moves while the line's clock advances. */
    private interface Check {
        void run() throws Exception;
    }

    /**
     * Runs the check until it passes (30 s at most); between tries the page re-reads its view at once (as
     * its live refresh would) so page and API are compared at nearly the same moment.
     */
    private static void eventually(Check check) {
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                .untilAsserted(() -> {
                    try {
                        check.run();
                    } catch (AssertionError e) {
                        ((JavascriptExecutor) browser).executeScript("window.dispatchEvent(new HashChangeEvent('hashchange'));");
                        throw e;
                    }
                });
    }

    /** Clicks an element, finding it again if a live refresh replaced it in between. */
    private static void click(By locator) {
        new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
            d.findElement(locator).click();
            return true;
        });
    }

    private static Map<String, Double> pareto(String kind) {
        Map<String, Double> rows = new LinkedHashMap<>();
        for (WebElement row : browser.findElements(By.cssSelector("[data-pareto='" + kind + "'] .pareto-row"))) {
            rows.put(row.getAttribute("data-code"), Double.parseDouble(row.getAttribute("data-value")));
        }
        return rows;
    }

    private static double percent(String text) {
        return Double.parseDouble(text.replace("%", "").trim());
    }

    private static void screenshot(String name) throws IOException {
        Path file = SHOTS.resolve(name + ".png");
        Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    /** A screenshot of a taller window, so the whole view is in it; the window size is restored after. */
    private static void screenshot(String name, int height) throws IOException {
        Dimension before = browser.manage().window().getSize();
        browser.manage().window().setSize(new Dimension(before.getWidth(), height));
        try {
            screenshot(name);
        } finally {
            browser.manage().window().setSize(before);
        }
    }

    private static JsonNode api(String path) throws IOException {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as("GET " + path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> get(String path) {
        try {
            return AppItSupport.HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + TOKEN)
                    .timeout(AppItSupport.REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}

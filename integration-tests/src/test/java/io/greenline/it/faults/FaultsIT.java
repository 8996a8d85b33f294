package io.greenline.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.InspectionRecorded;
import io.greenline.events.InspectionResult;
import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.ProductionCounted;
import io.greenline.schemas.TopicNames;
import io.greenline.streams.carbon.CarbonSettings;
import io.greenline.streams.oee.OeeSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Exactly once under faults, checked against the independent {@link Oracle}: the streams app runs as separate JVMs
 * ({@code greenline streams}) on a child-JVM broker while a seeded simulator log flows; faults are injected; at the
 * end every final record of mfg.oee, mfg.quality, mfg.batch-footprint, mfg.line-energy and mfg.alerts
 * (read_committed) must equal the oracle's, with nothing lost or duplicated, no transaction open and exactly the
 * injected bad records dead-lettered.
 *
 * <p>Short forms run in the default build; {@code -Pfaults} runs them longer ({@code faults.hours}). Each scenario
 * prints its figures and adds them to {@code target/faults-results.json}. {@code -Dfaults.scenarios=1,4} runs only
 * the scenarios named.
 */
class FaultsIT {

    static final Instant START = Instant.parse("2026-03-02T00:00:00Z");
    static final Path RESULTS = Path.of("target", "faults-results.json");
    /**
     * How long the application must show no lag before its outputs are compared: longer than the aligned frontier's
     * idle time, after which a line whose inputs all stopped has its last windows made final by a wall-clock
     * punctuation (docs/design.md section 4), with no input record left to commit. Compared earlier, scenario 2 at
     * full size missed 2 OEE windows (and an alert of one) that were final 30 s after the last event. The roll-ups'
     * idle time counts too: their last windows are published that long after their last line window, inside the
     * quiet period (they write topics the application does not read back, so no lag shows them), and their
     * transaction must have committed before the open-transaction check.
     */
    static final Duration SETTLE = Duration.ofMillis(Math.max(Math.max(OeeSettings.defaults().alignIdle().toMillis(),
            CarbonSettings.defaults().lineEnergyAlignIdle().toMillis()),
            io.greenline.streams.rollup.RollupSettings.defaults().alignIdle().toMillis())).plusSeconds(10);
    /** This run's figures by scenario, over those of earlier runs of other scenarios kept in the results file. */
    private static final Map<String, Map<String, Object>> ALL_RESULTS = new TreeMap<>(earlierResults());
    /** Figures a scenario adds to its results. */
    private static final Map<String, Map<String, Object>> EXTRA = new HashMap<>();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static long simulatedHours() {
        return Long.getLong("faults.hours", 12);
    }

    /**
     * In a log longer than a day, the application is kept at most about 12 simulated hours behind the input
     * ({@link FaultHarness#boundBacklog}), as a live feed would keep it; a short log goes in unpaced.
     */
    static void boundBacklog(FaultHarness h, EventLog log) {
        if (simulatedHours() > 24) {
            h.boundBacklog((int) (log.size() * 12 / simulatedHours()));
        }
    }

    /**
     * Runs the scenario only when {@code -Dfaults.scenarios} (comma-separated numbers, e.g. {@code 1,4}) is unset or
     * names it, so a long {@code -Pfaults} run can be split or repeated scenario by scenario.
     */
    static void selected(int scenario) {
        String only = System.getProperty("faults.scenarios", "").trim();
        boolean named = Arrays.stream(only.split(",")).map(String::trim).anyMatch(s -> s.equals(String.valueOf(scenario)));
        Assumptions.assumeTrue(only.isEmpty() || named, "scenario " + scenario + " not in -Dfaults.scenarios=" + only);
    }

    /**
     * The results file as an earlier run left it, so runs of single scenarios ({@code -Dfaults.scenarios}) add up;
     * each entry says when and at which size it ran.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> earlierResults() {
        try {
            return Files.exists(RESULTS)
                    ? new com.fasterxml.jackson.databind.ObjectMapper().readValue(RESULTS.toFile(), Map.class)
                    : Map.of();
        } catch (java.io.IOException e) {
            return Map.of(); // unreadable: this run starts it again
        }
    }

    @Test
    @DisplayName("Scenario 1: two instances with exactly_once_v2, one killed with SIGKILL mid-transaction three times: 0 lost, 0 duplicated, 0 mismatched")
    void killNineThreeTimes() throws Exception {
        selected(1);
        try (FaultHarness h = new FaultHarness("kill9")) {
            EventLog log = OracleAgainstTopologyTest.simulate(START, Duration.ofHours(simulatedHours()), h.topics);
            boundBacklog(h, log);
            FaultHarness.AppProcess a = h.app("a").start();
            FaultHarness.AppProcess b = h.app("b").start();
            int chunks = 10;
            int restarts = 0;
            int midTransaction = 0;
            List<Long> recoveries = new ArrayList<>();
            for (int i = 0; i < chunks; i++) {
                h.produce(log, log.size() * i / chunks, log.size() * (i + 1) / chunks);
                if (i == 2 || i == 5 || i == 8) {
                    // let it work on the chunk until one of its transactions is open (written, not committed)
                    if (h.awaitOpenTransaction(a, Duration.ofSeconds(3))) {
                        midTransaction++;
                    }
                    a.kill9();
                    long killed = System.nanoTime();
                    a.start();
                    restarts++;
                    awaitReady(a, Duration.ofMinutes(3));
                    recoveries.add(Duration.ofNanos(System.nanoTime() - killed).toMillis());
                }
            }
            Duration catchUp = h.awaitCaughtUp(catchUpTimeout(log), SETTLE);
            System.out.printf("faults kill9: %d of %d kills with a transaction of the killed instance open%n", midTransaction, restarts);
            EXTRA.put("kill9", Map.of("kills_with_open_transaction", midTransaction));
            report(h, "kill9", log, Map.of(), 0, restarts, recoveries, catchUp);
        }
    }

    @Test
    @DisplayName("Scenario 3: bad records of every input dead-letter reason (LATE: scenario 6) among good ones: dead-lettered equals injected exactly, results exact")
    void badRecords() throws Exception {
        selected(3);
        int perReason = Integer.getInteger("faults.bad.per.reason", 20);
        try (FaultHarness h = new FaultHarness("bad-records")) {
            EventLog log = OracleAgainstTopologyTest.simulate(START, Duration.ofHours(simulatedHours()), h.topics);
            boundBacklog(h, log);
            h.app("a").start();
            Random random = new Random(13);
            Map<String, Integer> injected = new LinkedHashMap<>();
            int chunks = perReason;
            for (int i = 0; i < chunks; i++) {
                int from = log.size() * i / chunks;
                h.produce(log, from, log.size() * (i + 1) / chunks);
                long at = log.entries().get(from).timestampMs();
                String line = "drum-line-1";
                byte[] key = line.getBytes(StandardCharsets.UTF_8);
                String states = TopicNames.MACHINE_STATE;
                h.produceRaw(states, key, new byte[] {0, 1}, at);
                injected.merge("MALFORMED", 1, Integer::sum);
                h.produceRaw(states, key, ("garbage " + random.nextInt()).getBytes(StandardCharsets.UTF_8), at);
                injected.merge("UNKNOWN_MAGIC_BYTE", 1, Integer::sum);
                h.produceRaw(states, key, new byte[] {0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0, 2, 4}, at);
                injected.merge("UNKNOWN_SCHEMA_ID", 1, Integer::sum);
                h.produceRaw(states, key, null, at);
                injected.merge("NULL_VALUE", 1, Integer::sum);
                MachineStateChanged wrongKey = new MachineStateChanged("bad-key-" + i, line, "cell", Instant.ofEpochMilli(at),
                        MachineState.RUNNING, null);
                h.produceRaw(states, "another-line".getBytes(StandardCharsets.UTF_8),
                        h.topics.machineState.valueSerde().serializer().serialize(states, wrongKey), at);
                injected.merge("MISSING_KEY", 1, Integer::sum);
                ProductionCounted negative = new ProductionCounted("bad-count-" + i, line, "cell", "BD-4200", Instant.ofEpochMilli(at),
                        -5.0, 0.0, 0.0, null);
                String counts = TopicNames.PRODUCTION_COUNT;
                h.produceRaw(counts, key, h.topics.productionCount.valueSerde().serializer().serialize(counts, negative), at);
                injected.merge("INVALID_VALUE", 1, Integer::sum);
                h.produceRaw(states, key, newerSchemaRecord(h, "newer-" + i, line, at), at);
                injected.merge("INCOMPATIBLE_SCHEMA", 1, Integer::sum);
                h.flush();
            }
            Duration catchUp = h.awaitCaughtUp(catchUpTimeout(log), SETTLE);
            report(h, "bad-records", log, injected, injected.values().stream().mapToInt(Integer::intValue).sum(), 0, List.of(), catchUp);
        }
    }

    @Test
    @DisplayName("Scenario 6: out-of-order events within the grace are counted exactly; events beyond the grace are dead-lettered LATE, each once")
    void lateAndOutOfOrder() throws Exception {
        selected(6);
        try (FaultHarness h = new FaultHarness("late")) {
            EventLog sim = OracleAgainstTopologyTest.simulate(START, Duration.ofHours(simulatedHours()), h.topics);
            // the same log with out-of-order inspections and states mixed in: some within the grace, some far beyond
            EventLog log = new EventLog();
            Map<String, Long> lastAt = new HashMap<>();
            long lastStateAt = 0;
            int injectedLate = 0;
            int n = 0;
            for (EventLog.Entry e : sim.entries()) {
                log.add(e.topic(), e.key(), e.value(), e.timestampMs());
                if (e.value() instanceof MachineStateChanged s && s.getLineId().equals("drum-line-1")) {
                    lastStateAt = Math.max(lastStateAt, e.timestampMs());
                }
                if (e.value() instanceof InspectionRecorded in && in.getLineId().equals("drum-line-1")) {
                    long t = Math.max(lastAt.getOrDefault(in.getLineId(), 0L), e.timestampMs());
                    lastAt.put(in.getLineId(), t);
                    if (++n % 25 == 0) {
                        long within = t - 90_000;
                        long beyond = t - 3 * 3_600_000L;
                        add(log, new InspectionRecorded("ooo-i-" + n, in.getLineId(), "station", in.getProductId(),
                                Instant.ofEpochMilli(within), null, null, InspectionResult.PASS, List.of(), 1.0));
                        // a late state: 3 h behind the line's own machine states (windows are final against the line's
                        // aligned frontier, so a state is judged against the states' progress, docs/design.md section 4)
                        long stateBeyond = lastStateAt - 3 * 3_600_000L;
                        if (beyond > START.toEpochMilli() + 3_600_000L && stateBeyond > START.toEpochMilli() + 3_600_000L) {
                            add(log, new InspectionRecorded("late-i-" + n, in.getLineId(), "station", in.getProductId(),
                                    Instant.ofEpochMilli(beyond), null, null, InspectionResult.SCRAP, List.of("CRACK"), 1.0));
                            add(log, new MachineStateChanged("late-s-" + n, in.getLineId(), "cell", Instant.ofEpochMilli(stateBeyond),
                                    MachineState.FAULT, "LATE_TEST"));
                            injectedLate += 2;
                        }
                    }
                }
            }
            boundBacklog(h, log);
            h.app("a").start();
            int chunks = 10;
            for (int i = 0; i < chunks; i++) {
                h.produce(log, log.size() * i / chunks, log.size() * (i + 1) / chunks);
            }
            Duration catchUp = h.awaitCaughtUp(catchUpTimeout(log), SETTLE);
            Oracle oracle = Oracle.of(log, Oracle.Settings.defaults());
            assertThat(oracle.lateOee() + oracle.lateQuality()).as("late events by the oracle").isEqualTo(injectedLate);
            report(h, "late", log, Map.of("LATE", injectedLate), injectedLate, 0, List.of(), catchUp);
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "faults.full", matches = "true")
    @DisplayName("Scenario 2: three brokers (RF 3, min.insync.replicas 2), the leader of the busiest input partition killed and restarted five times while events flow")
    void leaderBounces() throws Exception {
        selected(2);
        try (FaultHarness h = new FaultHarness("leader-bounce", 3)) {
            EventLog log = OracleAgainstTopologyTest.simulate(START, Duration.ofHours(simulatedHours()), h.topics);
            boundBacklog(h, log);
            // the busiest input partition: the one with the most inspections
            Map<Integer, Integer> perPartition = new HashMap<>();
            for (EventLog.Entry e : log.of(TopicNames.INSPECTION)) {
                perPartition.merge(org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                        e.key().getBytes(StandardCharsets.UTF_8))) % FaultHarness.PARTITIONS, 1, Integer::sum);
            }
            int busy = perPartition.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            h.app("a").start();
            h.app("b").start();
            int chunks = 11;
            int bounces = 0;
            List<Long> recoveries = new ArrayList<>();
            for (int i = 0; i < chunks; i++) {
                if (i % 2 == 1 && bounces < 5) {
                    int leader = h.leaderOf(TopicNames.INSPECTION, busy);
                    io.greenline.local.kafka.KafkaBroker victim = h.cluster.node(leader);
                    victim.kill();
                    long killed = System.nanoTime();
                    h.produce(log, log.size() * i / chunks, log.size() * (i + 1) / chunks);
                    victim.restart();
                    bounces++;
                    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                    while (!h.fullyInSync(TopicNames.INSPECTION, busy) && System.nanoTime() < deadline) {
                        Thread.sleep(500);
                    }
                    recoveries.add(Duration.ofNanos(System.nanoTime() - killed).toMillis());
                } else {
                    h.produce(log, log.size() * i / chunks, log.size() * (i + 1) / chunks);
                }
            }
            Duration catchUp = h.awaitCaughtUp(catchUpTimeout(log), SETTLE);
            report(h, "leader-bounce", log, Map.of(), 0, bounces, recoveries, catchUp);
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "faults.full", matches = "true")
    @DisplayName("Scenario 4: the schema registry unreachable for 60 s mid-run while an instance restarts with a cold schema cache: no good record dead-lettered or skipped")
    void registryOutage() throws Exception {
        selected(4);
        try (FaultHarness h = new FaultHarness("registry-outage")) {
            EventLog log = OracleAgainstTopologyTest.simulate(START, Duration.ofHours(simulatedHours()), h.topics);
            boundBacklog(h, log);
            FaultHarness.AppProcess a = h.app("a").start();
            int chunks = 10;
            List<Long> recoveries = new ArrayList<>();
            for (int i = 0; i < chunks; i++) {
                h.produce(log, log.size() * i / chunks, log.size() * (i + 1) / chunks);
                if (i == 3) {
                    h.stopRegistry();
                    long down = System.nanoTime();
                    // a fresh JVM knows no schema: every id it reads must wait for the registry
                    a.kill9();
                    a.start();
                    Thread.sleep(Math.max(0, 60_000 - Duration.ofNanos(System.nanoTime() - down).toMillis()));
                    h.startRegistry();
                    awaitReady(a, Duration.ofMinutes(5));
                    recoveries.add(Duration.ofNanos(System.nanoTime() - down).toMillis());
                }
            }
            Duration catchUp = h.awaitCaughtUp(catchUpTimeout(log), SETTLE);
            report(h, "registry-outage", log, Map.of(), 0, 1, recoveries, catchUp);
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "faults.full", matches = "true")
    @DisplayName("Scenario 5: a v2 MachineStateChanged with a new optional field, used by some producers mid-run, is read exactly; an incompatible v3 is refused with 409")
    void schemaEvolution() throws Exception {
        selected(5);
        try (FaultHarness h = new FaultHarness("schema-evolution")) {
            EventLog log = OracleAgainstTopologyTest.simulate(START, Duration.ofHours(simulatedHours()), h.topics);
            boundBacklog(h, log);
            h.app("a").start();
            int half = log.size() / 2;
            h.produce(log, 0, half);
            // v2: a new optional field, BACKWARD compatible, registered under the topic's own subject
            String subject = TopicNames.MACHINE_STATE + "-value";
            org.apache.avro.Schema v1 = MachineStateChanged.getClassSchema();
            String v2Json = v1.toString().replace("\"fields\":[", "\"fields\":[{\"name\":\"operatorId\",\"type\":[\"null\",\"string\"],\"default\":null},");
            org.apache.avro.Schema v2 = new org.apache.avro.Schema.Parser().parse(v2Json);
            var registry = io.greenline.schemas.registry.RestSchemaRegistryClient.fromConfig(Map.of("schema.registry.url", h.registry.url()));
            int v2Id = registry.register(subject, v2);
            int v2Sent = 0;
            for (EventLog.Entry e : log.entries().subList(half, log.size())) {
                if (e.value() instanceof MachineStateChanged s && e.seq() % 2 == 0) {
                    // every other state event from a "new" producer writing v2
                    h.produceRaw(e.topic(), e.key().getBytes(StandardCharsets.UTF_8), v2Bytes(v2, v2Id, s), e.timestampMs());
                    v2Sent++;
                } else {
                    h.send(e);
                }
            }
            h.flush();
            // v3: drops the required lineId and changes the timestamp's type: not BACKWARD compatible
            String v3Json = v2Json.replace("\"name\":\"lineId\"", "\"name\":\"lineRef\"").replace("\"logicalType\":\"timestamp-millis\"", "\"logicalType\":\"timestamp-micros\"");
            HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create(h.registry.url() + "/subjects/" + subject + "/versions"))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .POST(HttpRequest.BodyPublishers.ofString(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
                            Map.of("schema", v3Json)))).build(), HttpResponse.BodyHandlers.ofString());
            System.out.printf("faults schema-evolution: %d state events written with v2 (id %d); v3 answered %d %s%n", v2Sent, v2Id,
                    refused.statusCode(), refused.body());
            assertThat(v2Sent).isPositive();
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
            Duration catchUp = h.awaitCaughtUp(catchUpTimeout(log), SETTLE);
            report(h, "schema-evolution", log, Map.of(), 0, 0, List.of(), catchUp);
        }
    }

    private static byte[] v2Bytes(org.apache.avro.Schema v2, int id, MachineStateChanged s) throws java.io.IOException {
        org.apache.avro.generic.GenericRecord record = new org.apache.avro.generic.GenericData.Record(v2);
        record.put("operatorId", "op-7");
        record.put("eventId", s.getEventId());
        record.put("lineId", s.getLineId());
        record.put("workcellId", s.getWorkcellId());
        record.put("timestamp", s.getTimestamp().toEpochMilli());
        record.put("state", new org.apache.avro.generic.GenericData.EnumSymbol(v2.getField("state").schema(), s.getState().name()));
        record.put("reasonCode", s.getReasonCode());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0);
        out.write(java.nio.ByteBuffer.allocate(4).putInt(id).array());
        org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.generic.GenericDatumWriter<org.apache.avro.generic.GenericRecord>(v2).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /**
     * A MachineStateChanged written by a newer producer with a state symbol this application does not know, its
     * schema registered (under a subject of its own) in the run's registry: INCOMPATIBLE_SCHEMA.
     */
    private static byte[] newerSchemaRecord(FaultHarness h, String eventId, String line, long at) throws java.io.IOException {
        String json = MachineStateChanged.getClassSchema().toString().replace("\"PLANNED_STOP\"", "\"PLANNED_STOP\",\"MAINTENANCE\"");
        org.apache.avro.Schema newer = new org.apache.avro.Schema.Parser().parse(json);
        int id = io.greenline.schemas.registry.RestSchemaRegistryClient.fromConfig(Map.of("schema.registry.url", h.registry.url()))
                .register("faults-newer-machine-state-value", newer);
        org.apache.avro.generic.GenericRecord record = new org.apache.avro.generic.GenericData.Record(newer);
        record.put("eventId", eventId);
        record.put("lineId", line);
        record.put("workcellId", "cell");
        record.put("timestamp", at);
        record.put("state", new org.apache.avro.generic.GenericData.EnumSymbol(newer.getField("state").schema(), "MAINTENANCE"));
        record.put("reasonCode", null);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0);
        out.write(java.nio.ByteBuffer.allocate(4).putInt(id).array());
        org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.generic.GenericDatumWriter<org.apache.avro.generic.GenericRecord>(newer).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** Generous: 15 minutes, or 20 events a second for long logs. */
    private static Duration catchUpTimeout(EventLog log) {
        return Duration.ofSeconds(Math.max(900, log.size() / 20));
    }

    private static void add(EventLog log, InspectionRecorded e) {
        log.add(TopicNames.INSPECTION, e.getLineId(), e, e.getTimestamp().toEpochMilli());
    }

    private static void add(EventLog log, MachineStateChanged e) {
        log.add(TopicNames.MACHINE_STATE, e.getLineId(), e, e.getTimestamp().toEpochMilli());
    }

    private static void awaitReady(FaultHarness.AppProcess app, Duration timeout) throws InterruptedException {
        int port = app.httpPort;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!app.process.isAlive()) {
                throw new IllegalStateException("instance " + app.name + " exited with code " + app.process.exitValue()
                        + " instead of becoming ready; its log: " + app.name + ".log");
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("instance on port " + port + " not ready within " + timeout);
    }

    private static void report(FaultHarness h, String scenario, EventLog log, Map<String, Integer> injectedByReason, int injectedBad,
            int restarts, List<Long> recoveriesMs, Duration catchUp) throws Exception {
        long t0 = System.nanoTime();
        Oracle oracle = Oracle.of(log, Oracle.Settings.defaults());
        long t1 = System.nanoTime();
        OutputCheck check = h.check(oracle);
        QueryApiCheck api = QueryApiCheck.of(h.queryPort(), oracle);
        long t2 = System.nanoTime();
        Map<String, Integer> dlq = h.deadLettered();
        int deadLettered = dlq.values().stream().mapToInt(Integer::intValue).sum();
        int open = h.openTransactions();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("events", log.size());
        r.put("lost", check.lost);
        r.put("duplicated", check.duplicated);
        r.put("mismatched", check.mismatched);
        r.put("open_transactions", open);
        r.put("dead_lettered", deadLettered);
        r.put("dead_lettered_by_source", h.deadLetteredBySource());
        r.put("injected_bad", injectedBad);
        r.put("restarts", restarts);
        r.put("recovery_ms", recoveriesMs);
        r.put("catch_up_after_last_event_ms", catchUp.toMillis());
        r.put("query_api_checked", api.checked);
        r.put("query_api_missing", api.missing);
        r.put("query_api_mismatched", api.mismatched);
        r.put("expected_results", check.expected);
        r.put("published_records", check.published);
        Map<String, Map<String, Integer>> byTopic = new LinkedHashMap<>();
        check.byTopic.forEach((topic, n) -> byTopic.put(topic, Map.of("expected", n[0], "published", n[1], "lost", n[2],
                "duplicated", n[3], "mismatched", n[4])));
        r.put("by_output_topic", byTopic);
        r.put("oracle_late", Map.of("oee", oracle.lateOee(), "quality", oracle.lateQuality(), "line_energy", oracle.lateLineEnergy()));
        r.put("oracle_ms", Duration.ofNanos(t1 - t0).toMillis());
        r.put("comparison_ms", Duration.ofNanos(t2 - t1).toMillis());
        r.put("wall_clock_ms", Duration.ofNanos(System.nanoTime() - h.startedNanos).toMillis());
        r.put("simulated_hours", simulatedHours());
        r.put("backlog_waits", h.paceWaits);
        r.put("finished_at", Instant.now().toString());
        r.putAll(EXTRA.getOrDefault(scenario, Map.of()));
        System.out.printf("faults %s: events in %d, lost %d, duplicated %d, mismatched %d, open transactions %d, dead-lettered %d %s"
                        + " vs injected %d %s, restarts %d, time to recover %s ms, caught up %d ms after the last event, oracle %d ms,"
                        + " comparison %d ms, scenario %d s; %s%n",
                scenario, log.size(), check.lost, check.duplicated, check.mismatched, open, deadLettered, dlq, injectedBad,
                injectedByReason, restarts, recoveriesMs, catchUp.toMillis(), Duration.ofNanos(t1 - t0).toMillis(),
                Duration.ofNanos(t2 - t1).toMillis(), Duration.ofNanos(System.nanoTime() - h.startedNanos).toSeconds(), check + "; " + api);
        synchronized (ALL_RESULTS) {
            ALL_RESULTS.put(scenario, r);
            Files.createDirectories(RESULTS.toAbsolutePath().getParent());
            Files.writeString(RESULTS, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(ALL_RESULTS));
        }
        assertThat(check.clean()).as(check.toString()).isTrue();
        assertThat(open).as("open transactions").isZero();
        assertThat(api.clean()).as(api.toString()).isTrue();
        assertThat(deadLettered).as("dead-lettered %s vs injected %s", dlq, injectedByReason).isEqualTo(injectedBad);
        injectedByReason.forEach((reason, count) -> assertThat(dlq.getOrDefault(reason, 0)).as(reason).isEqualTo(count));
        assertThat(check.expected).as("results the oracle expects").isGreaterThan(50);
    }
}

package io.greenline.it.app;

import io.greenline.events.BatchEvent;
import io.greenline.events.BatchEventType;
import io.greenline.events.EmissionBasis;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EmissionScope;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyMetered;
import io.greenline.events.EnergyUnit;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.InspectionResult;
import io.greenline.events.LineConfig;
import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.ProductRate;
import io.greenline.events.ProductionCounted;
import io.greenline.local.kafka.KafkaBroker;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.GreenlineTopology;
import io.greenline.streams.app.GreenlineApp;
import io.greenline.streams.config.AppSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What the streams-app integration tests share: ONE real child-JVM broker for the whole failsafe run, the
 * topics (two partitions, so two instances each own some lines), app instances built exactly as
 * {@code greenline streams} builds them, an HTTP client with timeouts, and a producer writing Avro
 * events with the application's own serdes. The registry is the in-JVM {@code mock://} registry: the
 * instances run in this JVM, so they share it with the producer.
 */
final class AppItSupport {

    static final String REGISTRY = "mock://greenline-app-it";
    static final GreenlineSerdes SERDES = new GreenlineSerdes(Map.of("schema.registry.url", REGISTRY));
    static final Topics TOPICS = new Topics(SERDES);
    static final int PARTITIONS = 2;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Any answer slower than this counts as a hang. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private static KafkaBroker broker;

    private AppItSupport() {
    }

    /** The broker of this test run, started on first use with every Greenline topic created. */
    static synchronized KafkaBroker broker() {
        if (broker == null) {
            try {
                broker = KafkaBroker.builder(Files.createTempDirectory("greenline-app-it-broker")).build().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(broker::stop));
            createTopics(broker.bootstrapServers());
        }
        return broker;
    }

    /**
     * A broker of its own, with every Greenline topic, for a test whose app must not first replay what the other
     * tests left on the shared broker (a backlog of other days interleaved in the partitions is processed in
     * partition order, not in event-time order across topics). The caller stops it.
     */
    static KafkaBroker ownBroker() {
        try {
            KafkaBroker own = KafkaBroker.builder(Files.createTempDirectory("greenline-own-broker")).build().start();
            Runtime.getRuntime().addShutdownHook(new Thread(own::stop));
            createTopics(own.bootstrapServers());
            return own;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void createTopics(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            List<NewTopic> topics = new ArrayList<>();
            for (TopicNames.TopicSpec spec : TopicNames.ALL) {
                NewTopic topic = new NewTopic(spec.name(), spec.singlePartition() ? 1 : PARTITIONS, (short) 1);
                // the events are stamped in the past (fixed, hand-checkable times): keep them, whatever their age
                topic.configs(spec.compacted() ? Map.of("cleanup.policy", "compact") : Map.of("retention.ms", "-1"));
                topics.add(topic);
            }
            admin.createTopics(topics).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Settings of one instance: short commits and session timeout so the test moves quickly. */
    static AppSettings settings(String applicationId, int httpPort, Path stateDir) {
        return settings(applicationId, httpPort, stateDir, Map.of());
    }

    /** {@link #settings(String, int, Path)} with {@code extra} settings on top. */
    static AppSettings settings(String applicationId, int httpPort, Path stateDir, Map<String, String> extra) {
        return settings(applicationId, httpPort, stateDir, broker().bootstrapServers(), REGISTRY, extra);
    }

    /** Settings of one instance on another broker and registry, with extra settings on top. */
    static AppSettings settings(String applicationId, int httpPort, Path stateDir, String bootstrapServers, String registry,
                                Map<String, String> extra) {
        Map<String, String> props = new HashMap<>();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put("schema.registry.url", registry);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        props.put(StreamsConfig.consumerPrefix("session.timeout.ms"), "10000");
        props.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), "1000");
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        props.put(AppSettings.HTTP_PORT, String.valueOf(httpPort));
        props.put(AppSettings.SHUTDOWN_TIMEOUT_MS, "20000");
        props.put(AppSettings.QUERY_RETRY_AFTER_SECONDS, "1");
        props.put(AppSettings.ROCKSDB_MEMORY_BYTES, String.valueOf(32L * 1024 * 1024));
        props.putAll(extra);
        return AppSettings.of(props);
    }

    /** Starts an instance running the whole application, as {@code greenline streams} does. */
    static GreenlineApp startApp(AppSettings settings) {
        return new GreenlineApp(settings, GreenlineTopology.build(new Topics(settings.serdes()), settings)).start();
    }

    static HttpResponse<String> get(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(REQUEST_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static KafkaProducer<String, byte[]> producer() {
        return producer(broker().bootstrapServers());
    }

    /** A producer to another broker ({@link #ownBroker}). */
    static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends one record, value already serialized (or raw bad bytes, or null), stamped with event time. */
    static RecordMetadata send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value, Instant at) {
        try {
            return producer.send(new ProducerRecord<>(topic, null, at.toEpochMilli(), key, value)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- events ----

    static LineConfig lineConfig(String lineId, Instant validFrom) {
        return LineConfig.newBuilder().setLineId(lineId).setSiteId("site-1").setAreaId("area-1").setName("Line " + lineId)
                .setTimezone("UTC").setShifts(List.of()).setProducts(List.of(new ProductRate("drum-70kg", 30_000.0)))
                .setMicroStopThresholdMs(120_000L).setOeeTarget(null).setGridRegion("DE").setValidFrom(validFrom).build();
    }

    static MachineStateChanged state(String lineId, String eventId, Instant at, MachineState state, String reason) {
        return new MachineStateChanged(eventId, lineId, "cell-1", at, state, reason);
    }

    static ProductionCounted count(String lineId, String eventId, Instant at, double quantity, double scrap) {
        return new ProductionCounted(eventId, lineId, "cell-1", "drum-70kg", at, quantity, scrap, 0.0, null);
    }

    static InspectionRecorded inspection(String lineId, String eventId, Instant at, InspectionResult result, List<String> defects) {
        return new InspectionRecorded(eventId, lineId, "station-1", "drum-70kg", at, null, null, result, defects, 1.0);
    }

    static void sendConfig(KafkaProducer<String, byte[]> p, LineConfig config) {
        send(p, TOPICS.lineConfig.name(), config.getLineId(),
                TOPICS.lineConfig.valueSerde().serializer().serialize(TOPICS.lineConfig.name(), config), config.getValidFrom());
    }

    static RecordMetadata sendState(KafkaProducer<String, byte[]> p, MachineStateChanged e) {
        return send(p, TOPICS.machineState.name(), e.getLineId(),
                TOPICS.machineState.valueSerde().serializer().serialize(TOPICS.machineState.name(), e), e.getTimestamp());
    }

    static RecordMetadata sendCount(KafkaProducer<String, byte[]> p, ProductionCounted e) {
        return send(p, TOPICS.productionCount.name(), e.getLineId(),
                TOPICS.productionCount.valueSerde().serializer().serialize(TOPICS.productionCount.name(), e), e.getTimestamp());
    }

    static RecordMetadata sendInspection(KafkaProducer<String, byte[]> p, InspectionRecorded e) {
        return send(p, TOPICS.inspection.name(), e.getLineId(),
                TOPICS.inspection.valueSerde().serializer().serialize(TOPICS.inspection.name(), e), e.getTimestamp());
    }

    /** Electricity factors of the DE grid from 2026-01-01: location 0.4 kg/kWh, market 0.05 kg/kWh. */
    static void sendFactors(KafkaProducer<String, byte[]> p) {
        Instant from = Instant.parse("2026-01-01T00:00:00Z");
        for (EmissionFactor f : List.of(
                new EmissionFactor(EnergyCarrier.ELECTRICITY, "DE", EmissionBasis.LOCATION, EmissionScope.SCOPE2, 0.4, EnergyUnit.KWH, from, "it"),
                new EmissionFactor(EnergyCarrier.ELECTRICITY, "DE", EmissionBasis.MARKET, EmissionScope.SCOPE2, 0.05, EnergyUnit.KWH, from, "it"))) {
            send(p, TOPICS.emissionFactors.name(), Topics.emissionFactorKey(f),
                    TOPICS.emissionFactors.valueSerde().serializer().serialize(TOPICS.emissionFactors.name(), f), from);
        }
    }

    /**
     * A batch on a line: started 10 min after {@code start}, 100 kWh per half hour for two hours, completed
     * with 1,000 kg good of 1,100 kg; a later reading moves the site's clock past the finalization delay.
     */
    static void produceBatch(KafkaProducer<String, byte[]> p, String batchId, String lineId, Instant start) {
        Instant started = start.plus(Duration.ofMinutes(10));
        Instant completed = started.plus(Duration.ofHours(2));
        sendBatch(p, BatchEvent.newBuilder().setEventId(batchId + "-start").setBatchId(batchId).setLineId(lineId)
                .setProductId("drum-70kg").setTimestamp(started).setEventType(BatchEventType.STARTED).build());
        for (Instant from = started; from.isBefore(completed); from = from.plus(Duration.ofMinutes(30))) {
            sendEnergy(p, new EnergyMetered(batchId + "-e" + from.getEpochSecond(), "meter-" + lineId, "site-1", lineId,
                    EnergyCarrier.ELECTRICITY, from, from.plus(Duration.ofMinutes(30)), 100.0, EnergyUnit.KWH));
        }
        sendBatch(p, BatchEvent.newBuilder().setEventId(batchId + "-done").setBatchId(batchId).setLineId(lineId)
                .setProductId("drum-70kg").setTimestamp(completed).setEventType(BatchEventType.COMPLETED)
                .setOutputGoodMassKg(1000.0).setOutputTotalMassKg(1100.0).build());
        sendEnergy(p, new EnergyMetered(batchId + "-later", "meter-" + lineId, "site-1", lineId, EnergyCarrier.ELECTRICITY,
                completed.plus(Duration.ofMinutes(20)), completed.plus(Duration.ofMinutes(40)), 10.0, EnergyUnit.KWH));
    }

    static void sendBatch(KafkaProducer<String, byte[]> p, BatchEvent e) {
        send(p, TOPICS.batch.name(), e.getLineId(), TOPICS.batch.valueSerde().serializer().serialize(TOPICS.batch.name(), e), e.getTimestamp());
    }

    static void sendEnergy(KafkaProducer<String, byte[]> p, EnergyMetered e) {
        send(p, TOPICS.energy.name(), e.getLineId(), TOPICS.energy.valueSerde().serializer().serialize(TOPICS.energy.name(), e), e.getTimestamp());
    }

    /**
     * Three hours of a line from {@code start}: running with one 5-minute jam per hour, a count of
     * {@code perCount} drums (one scrapped) every 10 minutes, one inspection every 10 minutes (every
     * third one REWORK with a porosity defect). The last event moves the line's clock 3 h past the
     * start, so the first two hourly windows are final after the 5-minute grace.
     */
    /**
     * {@link #produceLine} for several lines at once, their events interleaved in time order (as a replay of one
     * factory's log is): a line sent after another that already reached 09:00 would arrive behind its partition's
     * time, and Kafka Streams may then take all of its states before its counts.
     */
    static void produceLines(KafkaProducer<String, byte[]> p, Map<String, Double> lines, Instant start) {
        for (String lineId : lines.keySet()) {
            sendConfig(p, lineConfig(lineId, Instant.parse("2026-01-01T00:00:00Z")));
        }
        int n = 0;
        for (int minute = 0; minute < 180; minute += 10) {
            Instant at = start.plus(Duration.ofMinutes(minute));
            boolean rework = n++ % 3 == 2;
            for (Map.Entry<String, Double> line : lines.entrySet()) {
                String lineId = line.getKey();
                if (minute % 60 == 0) {
                    sendState(p, state(lineId, lineId + "-s" + minute, at, MachineState.RUNNING, null));
                }
                if (minute % 60 == 30) {
                    sendState(p, state(lineId, lineId + "-f" + minute, at, MachineState.FAULT, "JAM"));
                }
            }
            for (Map.Entry<String, Double> line : lines.entrySet()) {
                sendCount(p, count(line.getKey(), line.getKey() + "-c" + minute, at.plusSeconds(1), line.getValue(), 1));
            }
            for (String lineId : lines.keySet()) {
                sendInspection(p, inspection(lineId, lineId + "-i" + minute, at.plusSeconds(2),
                        rework ? InspectionResult.REWORK : InspectionResult.PASS, rework ? List.of("POROSITY") : List.of()));
            }
            if (minute % 60 == 30) {
                for (String lineId : lines.keySet()) {
                    sendState(p, state(lineId, lineId + "-r" + minute, at.plus(Duration.ofMinutes(5)), MachineState.RUNNING, null));
                }
            }
        }
        Instant end = start.plus(Duration.ofHours(3));
        for (String lineId : lines.keySet()) {
            sendState(p, state(lineId, lineId + "-end", end, MachineState.IDLE, null));
        }
        for (String lineId : lines.keySet()) {
            sendCount(p, count(lineId, lineId + "-cend", end.plusSeconds(1), 0, 0));
        }
        for (String lineId : lines.keySet()) {
            sendInspection(p, inspection(lineId, lineId + "-iend", end.plusSeconds(2), InspectionResult.PASS, List.of()));
        }
    }

    static void produceLine(KafkaProducer<String, byte[]> p, String lineId, Instant start, double perCount) {
        sendConfig(p, lineConfig(lineId, Instant.parse("2026-01-01T00:00:00Z")));
        int n = 0;
        for (int minute = 0; minute < 180; minute += 10) {
            Instant at = start.plus(Duration.ofMinutes(minute));
            if (minute % 60 == 0) {
                sendState(p, state(lineId, lineId + "-s" + minute, at, MachineState.RUNNING, null));
            }
            if (minute % 60 == 30) {
                sendState(p, state(lineId, lineId + "-f" + minute, at, MachineState.FAULT, "JAM"));
                sendState(p, state(lineId, lineId + "-r" + minute, at.plus(Duration.ofMinutes(5)), MachineState.RUNNING, null));
            }
            sendCount(p, count(lineId, lineId + "-c" + minute, at.plusSeconds(1), perCount, 1));
            boolean rework = n++ % 3 == 2;
            sendInspection(p, inspection(lineId, lineId + "-i" + minute, at.plusSeconds(2),
                    rework ? InspectionResult.REWORK : InspectionResult.PASS, rework ? List.of("POROSITY") : List.of()));
        }
        Instant end = start.plus(Duration.ofHours(3));
        sendState(p, state(lineId, lineId + "-end", end, MachineState.IDLE, null));
        sendCount(p, count(lineId, lineId + "-cend", end.plusSeconds(1), 0, 0));
        sendInspection(p, inspection(lineId, lineId + "-iend", end.plusSeconds(2), InspectionResult.PASS, List.of()));
    }
}

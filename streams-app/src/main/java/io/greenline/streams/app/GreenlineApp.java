package io.greenline.streams.app;

import io.greenline.streams.StoreNames;
import io.greenline.streams.config.AppSettings;
import io.greenline.streams.carbon.pact.PactRenderer;
import io.greenline.streams.carbon.pact.PactSettings;
import io.greenline.streams.query.PactResource;
import io.greenline.streams.query.QueryApi;
import io.greenline.streams.query.QueryServer;
import io.greenline.streams.query.RemoteInstances;
import io.greenline.streams.query.StoreRouter;
import io.greenline.streams.query.AvroJson;
import io.javalin.http.Handler;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running instance: the Kafka Streams client over the whole topology, and the query service over its
 * stores. Start with {@link #start()}, stop with {@link #close()} (Kafka Streams closes within the
 * shutdown timeout; local state is kept, never wiped on start).
 */
public final class GreenlineApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GreenlineApp.class);

    /** The key-value stores the query API reads: readiness requires each to answer. */
    static final Set<String> QUERIED_STORES = Set.of(StoreNames.OEE_WINDOWS, StoreNames.QUALITY_WINDOWS,
            StoreNames.LINE_ENERGY_WINDOWS, StoreNames.BATCH_FOOTPRINTS);

    private final AppSettings settings;
    private final KafkaStreams streams;
    private final StreamsHealth health = new StreamsHealth();
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final KafkaStreamsMetrics streamsMetrics;
    private final QueryServer server;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final ThreadReplacementPolicy replacements;

    /** The Kafka Streams client of {@code topology} with its query API, health and metrics (not started). */
    public GreenlineApp(AppSettings settings, Topology topology) {
        this.settings = settings;
        this.streams = new KafkaStreams(topology, settings.streamsProperties());
        Set<String> stores = storesOf(topology);
        Set<String> queried = new LinkedHashSet<>(QUERIED_STORES);
        queried.retainAll(stores);
        String[] self = settings.applicationServer().split(":");
        health.watch(streams, queried, new HostInfo(self[0], Integer.parseInt(self[1])));
        ThreadReplacementPolicy replacements = new ThreadReplacementPolicy(settings.threadReplacementsMax(),
                settings.threadReplacementsWindow(), Clock.systemUTC());
        health.watch(replacements);
        this.replacements = replacements;
        streams.setUncaughtExceptionHandler(replacements);

        // Counters the handlers and topologies register on the global registry (DLQ, late records) show here.
        Metrics.globalRegistry.add(prometheus);
        new JvmMemoryMetrics().bindTo(prometheus);
        gcMetrics.bindTo(prometheus);
        new JvmThreadMetrics().bindTo(prometheus);
        new ClassLoaderMetrics().bindTo(prometheus);
        new ProcessorMetrics().bindTo(prometheus);
        prometheus.gauge("greenline.stream.threads.replaced", replacements, ThreadReplacementPolicy::replaced);
        this.streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(prometheus);

        String[] server = settings.applicationServer().split(":");
        StoreRouter router = new StoreRouter(streams, new HostInfo(server[0], Integer.parseInt(server[1])),
                settings.staleStoresAllowed(), stores);
        RemoteInstances remote = new RemoteInstances(settings.httpTls().isPresent(), settings.httpAuthToken(), settings.remoteQueryTimeout());
        QueryApi api = new QueryApi(router, remote, AvroJson.mapper());
        PactResource pact = new PactResource(api, new PactRenderer(PactSettings.from(settings.all())), AvroJson.mapper());
        Map<String, Handler> routes = new java.util.LinkedHashMap<>();
        routes.put("/pact/3/footprints", pact::list);
        routes.put("/pact/3/footprints/{id}", pact::one);
        routes.put("/api/v1/lines/{lineId}/config", new io.greenline.streams.query.LineConfigResource(streams, AvroJson.mapper())::get);
        this.server = new QueryServer(settings, api, health, prometheus, routes);
    }

    /**
     * Closes Kafka Streams within {@code timeout}, whatever the broker does. {@code KafkaStreams.close(timeout)}
     * alone is not bounded: it waits for the client's lock, which {@code start()} holds for as long as the global
     * stores cannot bootstrap (about five minutes with an unreachable broker). So the close runs on a daemon
     * thread and is abandoned, with a warning, one second after the timeout; the process can exit then.
     */
    private void closeStreams(Duration timeout) {
        Thread closer = new Thread(() -> {
            if (!streams.close(CloseOptions.timeout(timeout))) {
                log.warn("Kafka Streams did not close within {}", timeout);
            }
        }, "greenline-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(timeout.plusSeconds(1).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            log.warn("Kafka Streams is still {} after {} (starting against an unreachable broker?); not waiting any longer",
                    streams.state(), timeout);
        }
    }

    /** Every state store the topology materializes: the stores the query router serves. */
    public static Set<String> storesOf(Topology topology) {
        Set<String> stores = new LinkedHashSet<>();
        for (TopologyDescription.Subtopology sub : topology.describe().subtopologies()) {
            for (TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Processor processor) {
                    stores.addAll(processor.stores());
                }
            }
        }
        return stores;
    }

    public GreenlineApp start() {
        log.info("Starting {}", settings);
        // the API first: health answers (not ready) while Kafka Streams starts, which blocks as long as the
        // global stores cannot bootstrap (an unreachable broker)
        server.start();
        streams.start();
        return this;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public StreamsHealth health() {
        return health;
    }

    /** Stream threads that died and were replaced since start. */
    public int threadsReplaced() {
        return replacements.replaced();
    }

    public int httpPort() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
        closeStreams(settings.shutdownTimeout());
        streamsMetrics.close();
        gcMetrics.close();
        Metrics.globalRegistry.remove(prometheus);
        prometheus.close();
    }
}

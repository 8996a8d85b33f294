package io.greenline.streams.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenline.streams.StoreNames;
import io.greenline.streams.app.StreamsHealth;
import io.greenline.streams.config.AppSettings;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of one instance (Javalin): the query API of docs/design.md section 8, health, Prometheus
 * metrics and the OpenAPI description. Optional bearer-token auth guards {@code /api} and {@code /pact};
 * optional TLS serves HTTPS instead of HTTP on the same port.
 */
public final class QueryServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueryServer.class);
    public static final String LATENCY_METRIC = "greenline.query.latency";
    private static final String STARTED = "greenline.started";
    /** The methods every path answers ({@code Allow} of a 405). */
    static final String ALLOW = "GET";
    /** The latency metric's path tag of a request that matched no route (a bounded tag set: route templates + this). */
    static final String UNMATCHED = "unmatched";

    private final Javalin javalin;
    private final String openApi;

    public QueryServer(AppSettings settings, QueryApi api, StreamsHealth health, PrometheusMeterRegistry prometheus,
                       Map<String, io.javalin.http.Handler> extraRoutes) {
        this.openApi = resource("/openapi.json");
        ObjectMapper mapper = AvroJson.mapper();
        int retryAfter = settings.retryAfterSeconds();
        Optional<String> token = settings.httpAuthToken();
        MeterRegistry meters = prometheus;
        this.javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(mapper, false));
            config.jetty.host = settings.httpHost();
            config.jetty.port = settings.httpPort();
            settings.httpTls().ifPresent(tls -> useTls(config, settings, tls));
            // the analyst dashboard (docs/dashboard.md): static files shipped in the jar, open like /health; its data
            // comes from /api and /pact, which keep their token check
            config.staticFiles.add(web -> {
                web.hostedPath = "/";
                web.directory = "/web";
                web.location = io.javalin.http.staticfiles.Location.CLASSPATH;
                web.headers = Map.of("Cache-Control", "no-cache");
            });

            config.routes.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
            token.ifPresent(expected -> {
                config.routes.before("/api/*", ctx -> requireToken(ctx, expected));
                config.routes.before("/pact/*", ctx -> requireToken(ctx, expected));
            });
            config.routes.after(ctx -> {
                Long started = ctx.attribute(STARTED);
                if (started != null) {
                    Timer.builder(LATENCY_METRIC).description("Time to answer a query API request")
                            .tag("path", routeOf(ctx)).tag("status", String.valueOf(ctx.statusCode()))
                            .register(meters).record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
                }
            });

            config.routes.get("/api/v1/lines", api::lines);
            config.routes.get("/api/v1/lines/{lineId}/oee", ctx -> api.lineWindows(ctx, StoreNames.OEE_WINDOWS, "OEE"));
            config.routes.get("/api/v1/lines/{lineId}/quality", ctx -> api.lineWindows(ctx, StoreNames.QUALITY_WINDOWS, "quality"));
            config.routes.get("/api/v1/lines/{lineId}/energy", ctx -> api.lineWindows(ctx, StoreNames.LINE_ENERGY_WINDOWS, "energy"));
            for (String level : java.util.List.of("area", "site")) {
                config.routes.get("/api/v1/" + level + "s", ctx -> api.rollups(ctx, level));
                config.routes.get("/api/v1/" + level + "s/{id}/oee", ctx -> api.rollupWindows(ctx, level, StoreNames.OEE_ROLLUP_WINDOWS, "OEE"));
                config.routes.get("/api/v1/" + level + "s/{id}/quality", ctx -> api.rollupWindows(ctx, level, StoreNames.QUALITY_ROLLUP_WINDOWS, "quality"));
                config.routes.get("/api/v1/" + level + "s/{id}/energy", ctx -> api.rollupWindows(ctx, level, StoreNames.ENERGY_ROLLUP_WINDOWS, "energy"));
            }
            config.routes.get("/api/v1/batches", api::batches);
            config.routes.get("/api/v1/batches/{batchId}", api::batch);
            extraRoutes.forEach(config.routes::get);
            config.routes.get("/health/live", ctx -> status(ctx, health.live(), health));
            config.routes.get("/health/ready", ctx -> status(ctx, health.ready(), health));
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(prometheus.scrape()));
            config.routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));

            config.routes.exception(StoreUnavailableException.class, (e, ctx) -> {
                ctx.header("Retry-After", String.valueOf(retryAfter));
                error(ctx, e.status(), e.getMessage());
            });
            config.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("Unexpected error answering {} {}", ctx.method(), ctx.path(), e);
                error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
            });
            config.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty() || !ctx.result().startsWith("{")) {
                    error(ctx, 404, "No such path: " + ctx.method() + " " + ctx.path());
                }
            });
            config.routes.error(405, ctx -> {
                ctx.header("Allow", ALLOW);
                error(ctx, 405, "Method not allowed: " + ctx.method() + " " + ctx.path() + " (allowed: " + ALLOW + ")");
            });
            // every path is served for GET only: another method on a served path is a 405 with Allow, not a 404
            config.http.prefer405over404 = true;
            // requests Jetty refuses before routing (%00, bad UTF-8, over-long URI) get the JSON error body too
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            config.jetty.modifyServletContextHandler(handler -> handler.setErrorHandler(new JsonErrorHandler()));
        });
    }

    public QueryServer start() {
        javalin.start();
        log.info("Query API listening on port {}", javalin.port());
        return this;
    }

    public int port() {
        return javalin.port();
    }

    @Override
    public void close() {
        javalin.stop();
    }

    /** The paths every instance serves (the OpenAPI test checks each is described). */
    public static final java.util.List<String> PATHS = java.util.List.of(
            "/api/v1/lines", "/api/v1/lines/{lineId}/oee", "/api/v1/lines/{lineId}/quality",
            "/api/v1/lines/{lineId}/energy", "/api/v1/batches", "/api/v1/batches/{batchId}",
            "/api/v1/areas", "/api/v1/areas/{id}/oee", "/api/v1/areas/{id}/quality", "/api/v1/areas/{id}/energy",
            "/api/v1/sites", "/api/v1/sites/{id}/oee", "/api/v1/sites/{id}/quality", "/api/v1/sites/{id}/energy",
            "/pact/3/footprints", "/pact/3/footprints/{id}", "/health/live", "/health/ready", "/metrics", "/openapi.json");

    private static void status(Context ctx, boolean up, StreamsHealth health) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("state", health.state().name());
        ctx.status(up ? 200 : 503).json(body);
    }

    static void error(Context ctx, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error_code", status);
        body.put("message", message);
        ctx.status(status).json(body);
    }

    /** The route template a request matched (e.g. {@code /api/v1/lines/{lineId}/oee}), so the tag set stays bounded. */
    static String routeOf(Context ctx) {
        io.javalin.router.Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        return endpoint == null ? UNMATCHED : endpoint.path;
    }

    private static void requireToken(Context ctx, String expected) {
        String presented = bearerToken(ctx.header("Authorization"));
        if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "A valid bearer token is required");
        }
    }

    /** The token of an {@code Authorization: Bearer <token>} header; the scheme is case-insensitive (RFC 9110 11.1). */
    static String bearerToken(String header) {
        String scheme = "Bearer ";
        if (header == null || !header.regionMatches(true, 0, scheme, 0, scheme.length())) {
            return "";
        }
        return header.substring(scheme.length()).trim();
    }

    private static void useTls(JavalinConfig config, AppSettings settings, AppSettings.HttpTls tls) {
        config.jetty.addConnector((server, httpConfig) -> {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(tls.keyStorePath());
            ssl.setKeyStorePassword(tls.keyStorePassword());
            ssl.setKeyStoreType(tls.keyStoreType());
            httpConfig.addCustomizer(new org.eclipse.jetty.server.SecureRequestCustomizer(false));
            ServerConnector connector = new ServerConnector(server, ssl, new org.eclipse.jetty.server.HttpConnectionFactory(httpConfig));
            connector.setHost(settings.httpHost());
            connector.setPort(settings.httpPort());
            return connector;
        });
        // The plain connector would take the same port; with TLS on there is none.
        config.jetty.modifyServer(server -> {
            for (org.eclipse.jetty.server.Connector c : server.getConnectors()) {
                if (c instanceof ServerConnector sc && sc.getConnectionFactory(org.eclipse.jetty.server.SslConnectionFactory.class) == null) {
                    server.removeConnector(c);
                }
            }
        });
    }

    static String resource(String name) {
        try (InputStream in = QueryServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

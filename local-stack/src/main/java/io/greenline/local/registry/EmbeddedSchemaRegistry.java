package io.greenline.local.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenline.local.registry.RegistryState.Version;
import io.greenline.schemas.TopicNames;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry speaking the Confluent REST protocol, for local runs and tests, kept durably in the
 * compacted Kafka topic {@code _schemas}.
 *
 * <p>On start it reads {@code _schemas} to the end before serving, so a restarted registry answers
 * with the same ids. Endpoints (JSON, {@code application/vnd.schemaregistry.v1+json}; requests in
 * {@code application/json} are accepted too): {@code GET /subjects},
 * {@code GET /subjects/{s}/versions}, {@code GET /subjects/{s}/versions/{v|latest}},
 * {@code GET /subjects/{s}/versions/{v}/schema}, {@code POST /subjects/{s}/versions},
 * {@code POST /subjects/{s}}, {@code DELETE /subjects/{s}}, {@code GET /schemas/ids/{id}},
 * {@code GET /schemas/types}, {@code POST /compatibility/subjects/{s}/versions/{v|latest}},
 * {@code GET|PUT /config}, {@code GET|PUT|DELETE /config/{s}}. Errors are Confluent's JSON bodies
 * ({@code {"error_code":40401,"message":...}}). Compatibility is BACKWARD unless configured.
 *
 * <p>One registry instance writes to a topic at a time (as with Confluent's single leader).
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = RegistryState.JSON;
    /** How long start waits for Kafka (topic creation and reading the log to its end). */
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    /** Where the registry listens unless told otherwise: this machine only. */
    public static final String LOOPBACK = "127.0.0.1";

    private final SchemaLog log;
    private final SchemaRegistryService service;
    private final String host;
    private final Optional<byte[]> token;
    private final Javalin http;
    private final AtomicLong requests = new AtomicLong();

    private EmbeddedSchemaRegistry(SchemaLog log, SchemaRegistryService service, String host, int port, Optional<String> token) {
        this.log = log;
        this.service = service;
        this.host = host;
        this.token = token.filter(t -> !t.isBlank()).map(t -> t.trim().getBytes(StandardCharsets.UTF_8));
        this.http = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = host;
            config.jetty.port = port;
            routes(config.routes);
        });
    }

    /** Starts a registry on {@code _schemas} at {@code bootstrapServers}, on {@code port} (0: any free port) of 127.0.0.1. */
    public static EmbeddedSchemaRegistry start(String bootstrapServers, int port) {
        return start(bootstrapServers, port, TopicNames.SCHEMAS, LOOPBACK);
    }

    /** Starts a registry keeping its schemas in {@code topic}, listening on {@code host:port}, without a token. */
    public static EmbeddedSchemaRegistry start(String bootstrapServers, int port, String topic, String host) {
        return start(bootstrapServers, port, topic, host, Optional.empty());
    }

    /**
     * Starts a registry keeping its schemas in {@code topic}, listening on {@code host:port}. With a {@code token},
     * every request that changes something (POST, PUT, DELETE) must carry it, as {@code Authorization: Bearer TOKEN}
     * or as the password of HTTP Basic auth (any user name: what Confluent's {@code basic.auth.user.info} sends);
     * reads stay open.
     */
    public static EmbeddedSchemaRegistry start(String bootstrapServers, int port, String topic, String host, Optional<String> token) {
        RegistryState state = new RegistryState();
        SchemaLog log = SchemaLog.open(bootstrapServers, topic, state::apply, STARTUP_TIMEOUT);
        EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(log, new SchemaRegistryService(state, log), host, port, token);
        try {
            registry.http.start();
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
        logger.info("Schema registry listening on {} (schemas in topic {})", registry.url(), topic);
        return registry;
    }

    /** {@code http://localhost:<port>}, or the address listened on when that is neither loopback nor a wildcard. */
    public String url() {
        try {
            InetAddress address = InetAddress.getByName(host);
            if (!address.isLoopbackAddress() && !address.isAnyLocalAddress()) {
                String literal = address.getHostAddress();
                return "http://" + (address instanceof Inet6Address ? "[" + literal + "]" : literal) + ":" + port();
            }
        } catch (UnknownHostException e) {
            // a name Jetty resolved differently: localhost is the best guess
        }
        return "http://localhost:" + port();
    }

    public int port() {
        return http.port();
    }

    /** HTTP requests answered since start (for tests of client-side caching). */
    public long requestCount() {
        return requests.get();
    }

    @Override
    public void close() {
        http.stop();
        log.close();
    }

    // ---- HTTP

    private void routes(io.javalin.config.RoutesConfig routes) {
        routes.before(this::authorize);
        routes.get("/", ctx -> ok(ctx, JSON.createObjectNode()));
        routes.get("/subjects", ctx -> ok(ctx, array(service.subjects(flag(ctx, "deleted")))));
        routes.get("/subjects/{subject}/versions", ctx ->
                ok(ctx, array(service.versions(ctx.pathParam("subject"), flag(ctx, "deleted")))));
        routes.get("/subjects/{subject}/versions/{version}", ctx ->
                ok(ctx, versionJson(service.version(ctx.pathParam("subject"), ctx.pathParam("version")))));
        routes.get("/subjects/{subject}/versions/{version}/schema", ctx ->
                raw(ctx, service.version(ctx.pathParam("subject"), ctx.pathParam("version")).schema().toString()));
        routes.post("/subjects/{subject}/versions", ctx ->
                ok(ctx, JSON.createObjectNode().put("id", service.register(ctx.pathParam("subject"), schemaOf(ctx)))));
        routes.post("/subjects/{subject}", ctx -> ok(ctx, versionJson(service.lookup(ctx.pathParam("subject"), schemaOf(ctx)))));
        routes.delete("/subjects/{subject}", ctx -> ok(ctx, array(service.deleteSubject(ctx.pathParam("subject")))));
        routes.get("/schemas/ids/{id}", ctx -> ok(ctx, JSON.createObjectNode().put("schema", service.schemaById(id(ctx)).toString())));
        routes.get("/schemas/ids/{id}/schema", ctx -> raw(ctx, service.schemaById(id(ctx)).toString()));
        routes.get("/schemas/types", ctx -> ok(ctx, JSON.createArrayNode().add("AVRO")));
        routes.post("/compatibility/subjects/{subject}/versions", ctx -> compatibility(ctx, null));
        routes.post("/compatibility/subjects/{subject}/versions/{version}", ctx -> compatibility(ctx, ctx.pathParam("version")));
        routes.get("/config", ctx -> ok(ctx, level(service.globalLevel())));
        routes.put("/config", ctx -> ok(ctx, JSON.createObjectNode().put("compatibility", service.setLevel(null, levelOf(ctx)).name())));
        routes.get("/config/{subject}", ctx ->
                ok(ctx, level(service.subjectLevel(ctx.pathParam("subject"), flag(ctx, "defaultToGlobal")))));
        routes.put("/config/{subject}", ctx ->
                ok(ctx, JSON.createObjectNode().put("compatibility", service.setLevel(ctx.pathParam("subject"), levelOf(ctx)).name())));
        routes.delete("/config/{subject}", ctx -> ok(ctx, level(service.clearLevel(ctx.pathParam("subject")))));

        routes.exception(RegistryError.class, (e, ctx) -> error(ctx, e.httpStatus(), e.errorCode(), e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> {
            logger.warn("Schema registry request {} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, 50001, "Internal error: " + e);
        });
        routes.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty() || !ctx.result().contains("error_code")) {
                error(ctx, 404, 404, "HTTP 404 Not Found");
            }
        });
        routes.error(405, ctx -> error(ctx, 405, 405, "HTTP 405 Method Not Allowed"));
    }

    /** With a token, refuses a write without it (Confluent's 401 body, error code 40101). */
    private void authorize(Context ctx) {
        if (token.isEmpty()) {
            return;
        }
        String method = ctx.method().name();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
            return;
        }
        if (!presentsToken(ctx.header("Authorization"), token.get())) {
            ctx.header("WWW-Authenticate", "Basic realm=\"greenline-schema-registry\", Bearer");
            throw new RegistryError(401, RegistryError.UNAUTHORIZED, "Unauthorized: this registry's writes need the token "
                    + "(Authorization: Bearer TOKEN, or basic.auth.user.info=USER:TOKEN)");
        }
    }

    /** Whether an {@code Authorization} header carries the token, as a bearer token or a Basic auth password. */
    static boolean presentsToken(String header, byte[] token) {
        if (header == null) {
            return false;
        }
        String value = header.trim();
        int space = value.indexOf(' ');
        if (space < 0) {
            return false;
        }
        String scheme = value.substring(0, space);
        String credentials = value.substring(space + 1).trim();
        byte[] presented;
        if (scheme.equalsIgnoreCase("Bearer")) {
            presented = credentials.getBytes(StandardCharsets.UTF_8);
        } else if (scheme.equalsIgnoreCase("Basic")) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return false;
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return false;
            }
            presented = decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        } else {
            return false;
        }
        return MessageDigest.isEqual(presented, token);
    }

    private void compatibility(Context ctx, String version) {
        List<String> problems = service.compatibility(ctx.pathParam("subject"), version, schemaOf(ctx));
        ObjectNode answer = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
        if (flag(ctx, "verbose")) {
            ArrayNode messages = answer.putArray("messages");
            problems.forEach(messages::add);
        }
        ok(ctx, answer);
    }

    private void ok(Context ctx, JsonNode body) {
        requests.incrementAndGet();
        ctx.status(200).contentType(CONTENT_TYPE).result(body.toString());
    }

    private void raw(Context ctx, String json) {
        requests.incrementAndGet();
        ctx.status(200).contentType(CONTENT_TYPE).result(json);
    }

    private void error(Context ctx, int status, int code, String message) {
        requests.incrementAndGet();
        ctx.status(status).contentType(CONTENT_TYPE)
                .result(JSON.createObjectNode().put("error_code", code).put("message", message).toString());
    }

    private static ObjectNode versionJson(Version version) {
        return JSON.createObjectNode().put("subject", version.subject()).put("version", version.version())
                .put("id", version.id()).put("schema", version.schema().toString());
    }

    private static ObjectNode level(io.greenline.schemas.registry.CompatibilityLevel level) {
        return JSON.createObjectNode().put("compatibilityLevel", level.name());
    }

    private static ArrayNode array(List<?> values) {
        ArrayNode array = JSON.createArrayNode();
        for (Object value : values) {
            if (value instanceof Integer number) {
                array.add(number);
            } else {
                array.add(String.valueOf(value));
            }
        }
        return array;
    }

    private static boolean flag(Context ctx, String name) {
        return Boolean.parseBoolean(ctx.queryParam(name));
    }

    private static int id(Context ctx) {
        try {
            return Integer.parseInt(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw RegistryError.schemaNotFound(ctx.pathParam("id"));
        }
    }

    private static JsonNode body(Context ctx) {
        try {
            JsonNode body = JSON.readTree(ctx.body());
            if (body == null || !body.isObject()) {
                throw new RegistryError(422, 422, "Unprocessable entity: the request body must be a JSON object");
            }
            return body;
        } catch (IOException e) {
            throw new RegistryError(400, 400, "Unrecognized JSON: " + e.getMessage());
        }
    }

    private static Schema schemaOf(Context ctx) {
        JsonNode body = body(ctx);
        JsonNode references = body.get("references");
        return SchemaRegistryService.parse(body.path("schema").isTextual() ? body.get("schema").asText() : null,
                body.path("schemaType").isTextual() ? body.get("schemaType").asText() : null,
                references != null && references.isArray() && !references.isEmpty());
    }

    private static String levelOf(Context ctx) {
        JsonNode body = body(ctx);
        return body.path("compatibility").asText(body.path("compatibilityLevel").asText(null));
    }
}

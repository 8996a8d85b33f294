package io.greenline.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;

/**
 * A loopback HTTP server speaking the client's part of the Confluent registry protocol over an
 * {@link InMemorySchemaRegistryClient}, for injecting faults the real registries cannot be made to
 * show on demand: HTTP 5xx answers, an answer that never comes (read timeout), a proxy's bare 404.
 * It records every request (method, path, Authorization header) so tests can count registry calls.
 */
final class RegistryHttpFixture implements AutoCloseable {

    record Request(String method, String path, String authorization) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SCHEMA_BY_ID = Pattern.compile("/schemas/ids/(\\d+)");
    private static final Pattern VERSIONS = Pattern.compile("/subjects/([^/]+)/versions");
    private static final Pattern LATEST = Pattern.compile("/subjects/([^/]+)/versions/latest");
    private static final Pattern SUBJECT = Pattern.compile("/subjects/([^/]+)");
    private static final Pattern COMPATIBILITY = Pattern.compile("/compatibility/subjects/([^/]+)/versions/latest");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final String scope = "http-fixture-" + UUID.randomUUID();
    private final InMemorySchemaRegistryClient backing = InMemorySchemaRegistryClient.forScope(scope);
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile int failWith;
    private volatile String failBody = "";
    private volatile boolean stall;

    private final String scheme;

    private RegistryHttpFixture(SSLContext tls) throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            server = HttpServer.create(loopback, 0);
            scheme = "http";
        } else {
            HttpsServer https = HttpsServer.create(loopback, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
            scheme = "https";
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    static RegistryHttpFixture start() throws IOException {
        return new RegistryHttpFixture(null);
    }

    /** An {@code https://} registry presenting the key of {@code tls}. */
    static RegistryHttpFixture startTls(SSLContext tls) throws IOException {
        return new RegistryHttpFixture(tls);
    }

    String url() {
        return scheme + "://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Registers directly in the backing registry (not counted as an HTTP request). */
    int registerDirectly(String subject, Schema schema) {
        return backing.register(subject, schema);
    }

    /** Every later request is answered with this status and body. */
    void failWith(int status, String body) {
        this.failBody = body;
        this.failWith = status;
    }

    /** Every later request is accepted and never answered (until {@link #close()}). */
    void stall() {
        this.stall = true;
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        executor.shutdownNow();
        InMemorySchemaRegistryClient.dropScope(scope);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        requests.add(new Request(exchange.getRequestMethod(), path, exchange.getRequestHeaders().getFirst("Authorization")));
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (stall) {
                released.await();
                return;
            }
            if (failWith != 0) {
                respond(exchange, failWith, failBody);
                return;
            }
            try {
                respond(exchange, 200, answer(exchange.getRequestMethod(), path, body).toString());
            } catch (RegistryException e) {
                ObjectNode error = JSON.createObjectNode().put("error_code", e.errorCode()).put("message", e.getMessage());
                respond(exchange, e.httpStatus(), error.toString());
            } catch (RuntimeException e) {
                respond(exchange, 500, JSON.createObjectNode().put("error_code", 50001).put("message", e.toString()).toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private JsonNode answer(String method, String path, byte[] body) throws IOException {
        Matcher m;
        if ("GET".equals(method) && (m = SCHEMA_BY_ID.matcher(path)).matches()) {
            return JSON.createObjectNode().put("schema", backing.getById(Integer.parseInt(m.group(1))).toString());
        }
        if ("GET".equals(method) && (m = LATEST.matcher(path)).matches()) {
            return subjectSchema(backing.latest(decode(m.group(1))));
        }
        if ("POST".equals(method) && (m = COMPATIBILITY.matcher(path)).matches()) {
            return JSON.createObjectNode().put("is_compatible", backing.isCompatible(decode(m.group(1)), schemaOf(body)));
        }
        if ("POST".equals(method) && (m = VERSIONS.matcher(path)).matches()) {
            return JSON.createObjectNode().put("id", backing.register(decode(m.group(1)), schemaOf(body)));
        }
        if ("POST".equals(method) && (m = SUBJECT.matcher(path)).matches()) {
            return subjectSchema(backing.lookup(decode(m.group(1)), schemaOf(body)));
        }
        throw new RegistryException(404, 404, "HTTP 404 Not Found");
    }

    private static ObjectNode subjectSchema(SchemaRegistryClient.SubjectSchema found) {
        return JSON.createObjectNode().put("subject", found.subject()).put("version", found.version())
                .put("id", found.id()).put("schema", found.schema().toString());
    }

    private static Schema schemaOf(byte[] body) throws IOException {
        return new Schema.Parser().parse(JSON.readTree(body).get("schema").asText());
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", RestSchemaRegistryClient.CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}

package io.greenline.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenline.schemas.serde.AvroSerdeConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;

/**
 * A caching client for the Confluent schema registry REST protocol, on the JDK's HTTP client.
 *
 * <p>Ids and schemas never change once assigned, so they are cached for the life of the client; the
 * registry is asked once per schema, not per record. Several comma-separated URLs are tried in turn
 * when one is unreachable.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<URI> baseUrls;
    private final HttpClient http;
    private final Optional<String> authorization;
    private final Duration requestTimeout;

    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idBySubjectAndSchema = new ConcurrentHashMap<>();

    public RestSchemaRegistryClient(List<URI> baseUrls, HttpClient http, Optional<String> basicUserInfo, Duration requestTimeout) {
        if (baseUrls.isEmpty()) {
            throw new IllegalArgumentException("at least one registry URL is needed");
        }
        this.baseUrls = List.copyOf(baseUrls);
        this.http = http;
        this.authorization = basicUserInfo.map(info ->
                "Basic " + Base64.getEncoder().encodeToString(info.getBytes(StandardCharsets.UTF_8)));
        this.requestTimeout = requestTimeout;
    }

    /** A client for {@code schema.registry.url} and the {@code basic.auth.*} settings. */
    public static RestSchemaRegistryClient fromConfig(Map<String, ?> configs) {
        String urls = String.valueOf(configs.get(AvroSerdeConfig.SCHEMA_REGISTRY_URL));
        List<URI> baseUrls = java.util.Arrays.stream(urls.split(","))
                .map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s))
                .toList();
        for (URI uri : baseUrls) {
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new ConfigException(AvroSerdeConfig.SCHEMA_REGISTRY_URL, urls, "must be http(s):// or mock:// URLs");
            }
        }
        String source = Optional.ofNullable(configs.get(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE))
                .map(Object::toString).orElse("");
        Optional<String> userInfo = Optional.empty();
        if ("USER_INFO".equalsIgnoreCase(source)) {
            Object info = configs.get(AvroSerdeConfig.BASIC_AUTH_USER_INFO);
            if (info == null || info.toString().isBlank()) {
                throw new ConfigException(AvroSerdeConfig.BASIC_AUTH_USER_INFO, null, "must be user:password when basic.auth.credentials.source=USER_INFO");
            }
            userInfo = Optional.of(info.toString());
        } else if ("URL".equalsIgnoreCase(source)) {
            userInfo = Optional.ofNullable(baseUrls.get(0).getUserInfo());
        } else if (!source.isEmpty()) {
            throw new ConfigException(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, source, "must be USER_INFO or URL");
        }
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .sslContext(RegistryTls.sslContext(configs))
                .build();
        return new RestSchemaRegistryClient(baseUrls, http, userInfo, Duration.ofSeconds(10));
    }

    @Override
    public int register(String subject, Schema schema) {
        Integer cached = idBySubjectAndSchema.getOrDefault(subject, Map.of()).get(schema);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
        int id = answer.path("id").asInt();
        remember(subject, schema, id);
        return id;
    }

    @Override
    public SubjectSchema lookup(String subject, Schema schema) {
        JsonNode answer = send("POST", "/subjects/" + encode(subject), schemaBody(schema));
        int id = answer.path("id").asInt();
        remember(subject, schema, id);
        return new SubjectSchema(subject, answer.path("version").asInt(), id, schema);
    }

    @Override
    public Schema getById(int id) {
        Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("GET", "/schemas/ids/" + id, null);
        Schema schema = parse(answer.path("schema").asText());
        schemaById.put(id, schema);
        return schema;
    }

    @Override
    public SubjectSchema latest(String subject) {
        JsonNode answer = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null);
        Schema schema = parse(answer.path("schema").asText());
        int id = answer.path("id").asInt();
        remember(subject, schema, id);
        return new SubjectSchema(subject, answer.path("version").asInt(), id, schema);
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        try {
            JsonNode answer = send("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest", schemaBody(schema));
            return answer.path("is_compatible").asBoolean();
        } catch (RegistryException e) {
            if (e.errorCode() == RegistryException.SUBJECT_NOT_FOUND || e.errorCode() == RegistryException.VERSION_NOT_FOUND) {
                return true; // nothing registered yet: anything is compatible
            }
            throw e;
        }
    }

    private void remember(String subject, Schema schema, int id) {
        idBySubjectAndSchema.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).put(schema, id);
        schemaById.putIfAbsent(id, schema);
    }

    private static Schema parse(String text) {
        return new Schema.Parser().parse(text);
    }

    private static String schemaBody(Schema schema) {
        ObjectNode body = JSON.createObjectNode();
        body.put("schema", schema.toString());
        return body.toString();
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, String body) {
        RegistryUnavailableException lastOutage = null;
        for (URI base : baseUrls) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(requestTimeout)
                    .header("Accept", CONTENT_TYPE + ", application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", CONTENT_TYPE);
            }
            authorization.ifPresent(value -> request.header("Authorization", value));
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                lastOutage = new RegistryUnavailableException("schema registry " + base + " unreachable: " + e, e);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException("interrupted while calling the schema registry", e);
            }
            int status = response.statusCode();
            if (status >= 500 || status == 429 || status == 408) {
                lastOutage = new RegistryUnavailableException("schema registry " + base + " answered HTTP " + status + " to " + method + " " + path + ": " + response.body());
                continue;
            }
            JsonNode answer = readJson(response.body());
            if (status >= 400) {
                int code = answer.path("error_code").asInt(status);
                String message = answer.path("message").asText(response.body());
                throw new RegistryException(status, code, method + " " + path + ": " + message);
            }
            return answer;
        }
        throw lastOutage;
    }

    private static JsonNode readJson(String body) {
        try {
            return JSON.readTree(body == null || body.isEmpty() ? "{}" : body);
        } catch (IOException e) {
            return JSON.createObjectNode().put("message", body);
        }
    }
}

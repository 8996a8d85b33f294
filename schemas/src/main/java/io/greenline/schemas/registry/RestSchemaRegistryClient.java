package io.greenline.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenline.schemas.serde.AvroSerdeConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.common.config.ConfigException;

/**
 * A caching client for the Confluent schema registry REST protocol, on the JDK's HTTP client.
 *
 * <p>Ids and schemas never change once assigned, so they are cached for the life of the client; the
 * registry is asked once per schema, not per record. Several comma-separated URLs are tried in turn
 * when one is unreachable.
 *
 * <p>Errors: a Confluent error answer (4xx with {@code error_code}) is a {@link RegistryException};
 * anything that means "could not get an answer" (connection refused, timeout, TLS failure, HTTP 5xx,
 * 408, 429, or a 2xx whose body is not the expected JSON) is a {@link RegistryUnavailableException}.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    /** The registry's media type; {@code application/json} is accepted too. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

    private final List<URI> baseUrls;
    private final HttpClient http;
    private final Optional<String> authorization;
    private final Duration requestTimeout;

    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, SubjectSchema>> bySubjectAndSchema = new ConcurrentHashMap<>();

    public RestSchemaRegistryClient(List<URI> baseUrls, HttpClient http, Optional<String> basicUserInfo, Duration requestTimeout) {
        if (baseUrls.isEmpty()) {
            throw new IllegalArgumentException("at least one registry URL is needed");
        }
        this.baseUrls = baseUrls.stream().map(RestSchemaRegistryClient::withoutUserInfo).toList();
        this.http = http;
        this.authorization = basicUserInfo.map(info ->
                "Basic " + Base64.getEncoder().encodeToString(info.getBytes(StandardCharsets.UTF_8)));
        this.requestTimeout = requestTimeout;
    }

    /**
     * A client for {@code schema.registry.url}, the {@code basic.auth.*} settings, the
     * {@code schema.registry.ssl.*} settings and the {@code http.connect.timeout.ms} /
     * {@code http.read.timeout.ms} timeouts (also accepted with the {@code schema.registry.} prefix).
     */
    public static RestSchemaRegistryClient fromConfig(Map<String, ?> configs) {
        String urls = String.valueOf(configs.get(AvroSerdeConfig.SCHEMA_REGISTRY_URL));
        List<URI> baseUrls = Arrays.stream(urls.split(","))
                .map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s))
                .toList();
        if (baseUrls.isEmpty()) {
            throw new ConfigException(AvroSerdeConfig.SCHEMA_REGISTRY_URL, urls, "must name at least one registry");
        }
        for (URI uri : baseUrls) {
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new ConfigException(AvroSerdeConfig.SCHEMA_REGISTRY_URL, urls, "must be http(s):// or mock:// URLs");
            }
        }
        String source = Optional.ofNullable(AvroSerdeConfig.string(configs, AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE))
                .orElse("");
        Optional<String> userInfo = Optional.empty();
        if ("USER_INFO".equalsIgnoreCase(source)) {
            String info = AvroSerdeConfig.string(configs, AvroSerdeConfig.BASIC_AUTH_USER_INFO);
            if (info == null) {
                info = AvroSerdeConfig.string(configs, "schema.registry." + AvroSerdeConfig.BASIC_AUTH_USER_INFO);
            }
            if (info == null || info.isBlank()) {
                throw new ConfigException(AvroSerdeConfig.BASIC_AUTH_USER_INFO, null, "must be user:password when basic.auth.credentials.source=USER_INFO");
            }
            userInfo = Optional.of(info);
        } else if ("URL".equalsIgnoreCase(source)) {
            userInfo = Optional.ofNullable(baseUrls.get(0).getUserInfo());
            if (userInfo.isEmpty()) {
                throw new ConfigException(AvroSerdeConfig.SCHEMA_REGISTRY_URL, urls, "must carry user:password@ when basic.auth.credentials.source=URL");
            }
        } else if (!source.isEmpty()) {
            throw new ConfigException(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, source, "must be USER_INFO or URL");
        }
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(duration(configs, AvroSerdeConfig.HTTP_CONNECT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT))
                .sslContext(RegistryTls.sslContext(configs))
                .build();
        return new RestSchemaRegistryClient(baseUrls, http, userInfo,
                duration(configs, AvroSerdeConfig.HTTP_READ_TIMEOUT_MS, DEFAULT_READ_TIMEOUT));
    }

    @Override
    public int register(String subject, Schema schema) {
        SubjectSchema cached = cached(subject, schema);
        if (cached != null) {
            return cached.id();
        }
        JsonNode answer = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
        int id = requireInt(answer, "id", "POST /subjects/" + subject + "/versions");
        // the register answer carries no version; -1 marks it unknown until a lookup or latest says
        remember(new SubjectSchema(subject, -1, id, schema));
        return id;
    }

    @Override
    public SubjectSchema lookup(String subject, Schema schema) {
        SubjectSchema cached = cached(subject, schema);
        if (cached != null && cached.version() > 0) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + encode(subject), schemaBody(schema));
        String what = "POST /subjects/" + subject;
        SubjectSchema found = new SubjectSchema(subject, requireInt(answer, "version", what), requireInt(answer, "id", what), schema);
        remember(found);
        return found;
    }

    @Override
    public Schema getById(int id) {
        Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("GET", "/schemas/ids/" + id, null);
        Schema schema = parse(answer, "GET /schemas/ids/" + id);
        schemaById.putIfAbsent(id, schema);
        return schemaById.get(id);
    }

    /** Not cached: the latest version of a subject changes; callers cache it for as long as they choose. */
    @Override
    public SubjectSchema latest(String subject) {
        String what = "GET /subjects/" + subject + "/versions/latest";
        JsonNode answer = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null);
        Schema schema = parse(answer, what);
        SubjectSchema latest = new SubjectSchema(subject, requireInt(answer, "version", what), requireInt(answer, "id", what), schema);
        remember(latest);
        return latest;
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        try {
            JsonNode answer = send("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest", schemaBody(schema));
            JsonNode verdict = answer.get("is_compatible");
            if (verdict == null || !verdict.isBoolean()) {
                throw new RegistryUnavailableException("schema registry gave no is_compatible verdict for " + subject + ": " + answer);
            }
            return verdict.booleanValue();
        } catch (RegistryException e) {
            if (e.errorCode() == RegistryException.SUBJECT_NOT_FOUND || e.errorCode() == RegistryException.VERSION_NOT_FOUND) {
                return true; // nothing registered yet: anything is compatible
            }
            throw e;
        }
    }

    private SubjectSchema cached(String subject, Schema schema) {
        return bySubjectAndSchema.getOrDefault(subject, Map.of()).get(schema);
    }

    private void remember(SubjectSchema found) {
        bySubjectAndSchema.computeIfAbsent(found.subject(), s -> new ConcurrentHashMap<>())
                .merge(found.schema(), found, (old, fresh) -> fresh.version() > 0 ? fresh : old);
        schemaById.putIfAbsent(found.id(), found.schema());
    }

    private static Schema parse(JsonNode answer, String what) {
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw new RegistryUnavailableException("schema registry answered " + what + " without a schema: " + answer);
        }
        String type = answer.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw new RegistryException(200, RegistryException.INVALID_SCHEMA, what + " is a " + type + " schema, not Avro");
        }
        try {
            // schemas written by other tools may carry defaults Avro's strict parser rejects
            return new Schema.Parser().setValidateDefaults(false).parse(text.asText());
        } catch (SchemaParseException e) {
            throw new RegistryException(200, RegistryException.INVALID_SCHEMA, what + " returned a schema Avro cannot parse: " + e.getMessage());
        }
    }

    private static int requireInt(JsonNode answer, String field, String what) {
        JsonNode value = answer.get(field);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new RegistryUnavailableException("schema registry answered " + what + " without an integer " + field + ": " + answer);
        }
        return value.intValue();
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
                lastOutage = new RegistryUnavailableException("schema registry " + base + " unreachable for " + method + " " + path + ": " + e, e);
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
            if (status >= 400) {
                JsonNode error = readJson(response.body());
                // without Confluent's error body the error code is the bare HTTP status (e.g. a proxy's 404)
                int code = error != null && error.path("error_code").isInt() ? error.path("error_code").intValue() : status;
                String message = error != null && error.path("message").isTextual() ? error.path("message").asText() : response.body();
                throw new RegistryException(status, code, method + " " + base + path + ": " + message);
            }
            JsonNode answer = readJson(response.body());
            if (answer == null || !answer.isObject()) {
                throw new RegistryUnavailableException("schema registry " + base + " answered " + method + " " + path
                        + " with HTTP " + status + " but not a JSON object: " + abbreviate(response.body()));
            }
            return answer;
        }
        throw lastOutage;
    }

    private static JsonNode readJson(String body) {
        try {
            return body == null || body.isEmpty() ? null : JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String abbreviate(String text) {
        return text == null || text.length() <= 200 ? String.valueOf(text) : text.substring(0, 200) + "...";
    }

    private static Duration duration(Map<String, ?> configs, String key, Duration fallback) {
        String value = AvroSerdeConfig.string(configs, key);
        if (value == null) {
            value = AvroSerdeConfig.string(configs, "schema.registry." + key);
        }
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            long ms = Long.parseLong(value);
            if (ms <= 0) {
                throw new ConfigException(key, value, "must be a positive number of milliseconds");
            }
            return Duration.ofMillis(ms);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "must be a number of milliseconds");
        }
    }

    private static URI withoutUserInfo(URI uri) {
        if (uri.getUserInfo() == null) {
            return uri;
        }
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), uri.getFragment());
        } catch (URISyntaxException e) {
            throw new ConfigException(AvroSerdeConfig.SCHEMA_REGISTRY_URL, uri.toString(), e.getMessage());
        }
    }
}

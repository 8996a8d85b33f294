package io.greenline.it.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.avro.Schema;

/** Plain HTTP calls to a registry, to check the protocol itself (status, body, content type). */
final class RegistryHttp {

    static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    record Answer(int status, String contentType, JsonNode body) {
        int errorCode() {
            return body.path("error_code").asInt();
        }
    }

    private final String url;
    private final String authorization;

    RegistryHttp(String url) {
        this(url, null);
    }

    private RegistryHttp(String url, String authorization) {
        this.url = url;
        this.authorization = authorization;
    }

    /** The same registry, every request with this {@code Authorization} header. */
    RegistryHttp authorized(String header) {
        return new RegistryHttp(url, header);
    }

    Answer get(String path) {
        return send("GET", path, null, MEDIA_TYPE);
    }

    Answer delete(String path) {
        return send("DELETE", path, null, MEDIA_TYPE);
    }

    Answer post(String path, String body) {
        return send("POST", path, body, MEDIA_TYPE);
    }

    Answer postJson(String path, String body) {
        return send("POST", path, body, "application/json");
    }

    Answer put(String path, String body) {
        return send("PUT", path, body, MEDIA_TYPE);
    }

    static String schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private Answer send(String method, String path, String body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", contentType);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

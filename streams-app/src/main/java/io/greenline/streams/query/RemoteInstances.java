package io.greenline.streams.query;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Asks another instance of the application: the same path with {@code local=true}, so the owner answers
 * from its own stores and never forwards again. Every call has a connect and a request timeout; an
 * instance that does not answer in time is unavailable, never waited on.
 */
public final class RemoteInstances {

    /** Marks a request another instance forwarded: answer locally. */
    public static final String LOCAL_PARAM = "local";

    private final HttpClient client;
    private final String scheme;
    private final Optional<String> bearerToken;
    private final Duration timeout;

    public RemoteInstances(boolean https, Optional<String> bearerToken, Duration timeout) {
        this.client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofMillis(Math.min(2_000, timeout.toMillis())))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.scheme = https ? "https" : "http";
        this.bearerToken = bearerToken;
        this.timeout = timeout;
    }

    /** An instance's answer: status, JSON body and the headers that carry its meaning. */
    public record Answer(int status, String body, Optional<String> stale, Optional<String> lag, Optional<String> retryAfter) {
    }

    /** GETs {@code path} (with its query string, without {@code local}) from {@code host}, asynchronously. */
    public CompletableFuture<Answer> get(HostInfo host, String path, String query) {
        String marker = LOCAL_PARAM + "=true";
        String fullQuery = query == null || query.isBlank() ? marker : query + "&" + marker;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://" + host.host() + ":" + host.port() + path + "?" + fullQuery))
                .timeout(timeout)
                .header("Accept", "application/json")
                .GET();
        bearerToken.ifPresent(token -> request.header("Authorization", "Bearer " + token));
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> new Answer(r.statusCode(), r.body(),
                        r.headers().firstValue(QueryHeaders.STALE), r.headers().firstValue(QueryHeaders.LAG),
                        r.headers().firstValue("Retry-After")));
    }

    /** Blocking {@link #get}; an unreachable or slow instance becomes {@link StoreUnavailableException}. */
    public Answer getNow(HostInfo host, String path, String query) {
        try {
            return get(host, path, query).join();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof IOException || cause instanceof java.net.http.HttpTimeoutException || e instanceof java.util.concurrent.CompletionException) {
                throw new StoreUnavailableException("Instance " + host.host() + ":" + host.port() + " did not answer: " + cause);
            }
            throw e;
        }
    }
}

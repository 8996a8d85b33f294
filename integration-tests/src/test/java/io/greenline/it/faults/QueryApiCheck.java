package io.greenline.it.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Compares what the query API serves (any instance: it forwards keys it does not own) with the {@link Oracle}: every
 * expected final OEE, quality and line-energy window in {@code /api/v1/lines/{id}/oee|quality|energy} (those still
 * within the store's retention) and every footprint in
 * {@code /api/v1/batches/{id}}. Generic over the JSON: each field of the expected Avro record is looked up by name.
 */
final class QueryApiCheck {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String ALL_TIME = "&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z";

    int checked;
    int missing;
    int mismatched;
    final List<String> samples = new ArrayList<>();

    static QueryApiCheck of(int port, Oracle oracle) throws Exception {
        QueryApiCheck c = new QueryApiCheck();
        // the stores keep final windows for a retention (OEE and quality: HOUR 7 days, else 35; line energy: 31 days
        // for every granularity, docs/carbon.md): older ones are only on the topic
        c.windows(port, "oee", oracle.oee(), "", Duration.ofDays(6), Duration.ofDays(34));
        c.windows(port, "quality", oracle.quality(), "&productId=*", Duration.ofDays(6), Duration.ofDays(34));
        c.windows(port, "energy", oracle.lineEnergy(), "", Duration.ofDays(30), Duration.ofDays(30));
        for (var e : oracle.footprints().entrySet()) {
            JsonNode got = get(port, "/api/v1/batches/" + URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8));
            c.compare("batch " + e.getKey(), e.getValue(), got, Set.of("version", "replacesVersion", "status"));
        }
        return c;
    }

    boolean clean() {
        return missing == 0 && mismatched == 0;
    }

    private <V extends SpecificRecord> void windows(int port, String kind, Map<String, V> expected, String extra, Duration hoursKept,
            Duration othersKept) throws Exception {
        Map<String, Map<String, JsonNode>> served = new HashMap<>();
        long newestEnd = expected.values().stream().mapToLong(v -> ((Instant) v.get(v.getSchema().getField("windowEnd").pos())).toEpochMilli())
                .max().orElse(0);
        for (var e : expected.entrySet()) {
            String[] parts = e.getKey().split("/");
            long keptFor = (parts[1].equals("HOUR") ? hoursKept : othersKept).toMillis();
            Instant end = (Instant) e.getValue().get(e.getValue().getSchema().getField("windowEnd").pos());
            if (end.toEpochMilli() < newestEnd - keptFor) {
                continue;
            }
            String query = "/api/v1/lines/" + parts[0] + "/" + kind + "?granularity=" + parts[1].toLowerCase() + ALL_TIME + extra;
            Map<String, JsonNode> items = served.computeIfAbsent(query, q -> {
                Map<String, JsonNode> byKey = new HashMap<>();
                JsonNode answer = get(port, q);
                if (answer != null) {
                    for (JsonNode item : answer.get("items")) {
                        JsonNode product = item.get("productId");
                        String key = item.get("windowStart").asText() + (product == null || product.isNull() ? "" : "/" + product.asText());
                        byKey.put(key, item);
                    }
                }
                return byKey;
            });
            String key = parts[2] + (parts.length > 3 ? "/" + parts[3] : "");
            compare(kind + " " + e.getKey(), e.getValue(), items.get(key), Set.of("revision"));
        }
    }

    private void compare(String what, SpecificRecord expected, JsonNode actual, Set<String> ignored) {
        checked++;
        if (actual == null) {
            missing++;
            sample(what + " not served");
            return;
        }
        List<String> diffs = new ArrayList<>();
        diff("", expected, actual, ignored, diffs);
        if (!diffs.isEmpty()) {
            mismatched++;
            sample(what + " " + diffs);
        }
    }

    private static void diff(String path, Object expected, JsonNode actual, Set<String> ignored, List<String> out) {
        if (expected == null || actual == null || actual.isNull()) {
            if (expected != null || actual != null && !actual.isNull()) {
                out.add(path + ": expected " + expected + " but was " + actual);
            }
            return;
        }
        if (expected instanceof SpecificRecord r) {
            for (Schema.Field f : r.getSchema().getFields()) {
                if (!ignored.contains(f.name())) {
                    diff(path + "." + f.name(), r.get(f.pos()), actual.get(f.name()), ignored, out);
                }
            }
        } else if (expected instanceof Double d) {
            if (!RecordDiff.close(d, actual.asDouble())) {
                out.add(path + ": expected " + d + " but was " + actual);
            }
        } else if (expected instanceof Long || expected instanceof Integer) {
            if (((Number) expected).longValue() != actual.asLong()) {
                out.add(path + ": expected " + expected + " but was " + actual);
            }
        } else if (expected instanceof Instant t) {
            if (!t.equals(Instant.parse(actual.asText()))) {
                out.add(path + ": expected " + t + " but was " + actual);
            }
        } else if (expected instanceof Boolean b) {
            if (b != actual.asBoolean()) {
                out.add(path + ": expected " + b + " but was " + actual);
            }
        } else if (expected instanceof Map<?, ?> m) {
            if (m.size() != actual.size()) {
                out.add(path + ": expected " + m + " but was " + actual);
                return;
            }
            m.forEach((k, v) -> diff(path + "{" + k + "}", v, actual.get(k.toString()), ignored, out));
        } else if (expected instanceof List<?> l) {
            if (l.size() != actual.size()) {
                out.add(path + ": expected " + l.size() + " elements but was " + actual.size());
                return;
            }
            for (int i = 0; i < l.size(); i++) {
                diff(path + "[" + i + "]", l.get(i), actual.get(i), ignored, out);
            }
        } else if (!expected.toString().equals(actual.asText())) {
            out.add(path + ": expected " + expected + " but was " + actual);
        }
    }

    /** GET with a few retries while stores move (503 + Retry-After); null when it never answers 200. */
    private static JsonNode get(int port, String path) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return JSON.readTree(r.body());
                }
                if (r.statusCode() == 404) {
                    return null;
                }
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (Exception e) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
        return null;
    }

    private void sample(String s) {
        if (samples.size() < 10) {
            samples.add(s.length() > 500 ? s.substring(0, 500) + "..." : s);
        }
    }

    @Override
    public String toString() {
        return "query API: checked " + checked + ", missing " + missing + ", mismatched " + mismatched
                + (samples.isEmpty() ? "" : "\n  " + String.join("\n  ", samples));
    }
}

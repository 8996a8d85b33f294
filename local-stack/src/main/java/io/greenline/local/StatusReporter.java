package io.greenline.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The compact live status line of {@code greenline local}, read from the query API like any client
 * would: per line the latest hourly OEE and defect rate, and the intensity of the last completed batch.
 */
final class StatusReporter {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final String baseUrl;
    private final java.util.Optional<String> token;

    StatusReporter(String baseUrl, java.util.Optional<String> token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /** One status line, or a note saying why there is none yet. */
    String statusLine() {
        try {
            JsonNode lines = get("/api/v1/lines").path("items");
            JsonNode batches = batches();
            List<String> parts = new ArrayList<>();
            for (JsonNode line : lines) {
                String lineId = line.path("lineId").asText();
                parts.add(lineId + " OEE " + percent(line.path("latestOee").path("oee"))
                        + " defects " + percent(line.path("latestQuality").path("defectRate"))
                        + lastBatch(batches, lineId));
            }
            return parts.isEmpty() ? "no line windows yet" : String.join(" | ", parts);
        } catch (IOException e) {
            return "query API not answering yet (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * Batch footprints (the API pages them: up to 10 pages of 1,000 are read), or none while that store is not
     * available (it is optional for the status line).
     */
    private JsonNode batches() throws InterruptedException {
        com.fasterxml.jackson.databind.node.ArrayNode all = json.createArrayNode();
        try {
            String cursor = null;
            for (int page = 0; page < 10; page++) {
                JsonNode answer = get("/api/v1/batches?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor));
                all.addAll((com.fasterxml.jackson.databind.node.ArrayNode) answer.path("items"));
                if (!answer.hasNonNull("nextCursor")) {
                    break;
                }
                cursor = answer.get("nextCursor").asText();
            }
            return all;
        } catch (IOException | ClassCastException e) {
            return all;
        }
    }

    private static String lastBatch(JsonNode batches, String lineId) {
        List<JsonNode> ofLine = new ArrayList<>();
        batches.forEach(b -> {
            if (lineId.equals(b.path("lineId").asText()) && b.hasNonNull("completedAt")) {
                ofLine.add(b);
            }
        });
        return ofLine.stream().max(Comparator.comparing(b -> b.path("completedAt").asText()))
                .map(b -> ", last batch " + number(b.path("intensityKgCo2ePerTonne")) + " kg CO2e/t "
                        + b.path("status").asText().toLowerCase(Locale.ROOT))
                .orElse("");
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(5)).GET();
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + " from " + path);
        }
        return json.readTree(response.body());
    }

    private static String percent(JsonNode value) {
        return value.isNumber() ? String.format(Locale.ROOT, "%.1f%%", value.asDouble() * 100) : "-";
    }

    private static String number(JsonNode value) {
        return value.isNumber() ? String.format(Locale.ROOT, "%,.0f", value.asDouble()) : "-";
    }
}

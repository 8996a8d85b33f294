package io.greenline.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchResultsTest {

    @Test
    @DisplayName("Fields merge into one flat JSON object: a later benchmark's fields are added, a field of the same name replaced in its place, NaN written as null, and a long string (a per-topic list) kept whole")
    void mergesFieldsIntoOneObject(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bench-results.json");
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("events", 1_000_000L);
        first.put("eos_over_floor", 0.0183456);
        first.put("app_eos_rps", 9745.6789);
        first.put("last_tenth_rps", Double.NaN);
        first.put("written_by_topic", "quality-units-changelog=835359, ".repeat(400));
        BenchResults.merge(file, first);
        BenchResults.merge(file, Map.of("lines_p99_ms", 19.94, "app_eos_rps", 9736.0, "partitions", 4));

        JsonNode json = new ObjectMapper().readTree(file.toFile());
        List<String> names = new java.util.ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names).startsWith("events", "eos_over_floor", "app_eos_rps", "last_tenth_rps", "written_by_topic")
                .containsExactlyInAnyOrder("events", "eos_over_floor", "app_eos_rps", "last_tenth_rps", "written_by_topic", "lines_p99_ms", "partitions");
        assertThat(json.get("events").asLong()).isEqualTo(1_000_000L);
        assertThat(json.get("app_eos_rps").decimalValue()).isEqualByComparingTo("9736");
        assertThat(json.get("last_tenth_rps").isNull()).isTrue();
        assertThat(json.get("written_by_topic").asText()).hasSize(32 * 400);
        assertThat(json.get("lines_p99_ms").decimalValue()).isEqualByComparingTo("19.94");
        assertThat(json.get("partitions").asInt()).isEqualTo(4);
        assertThat(json.get("eos_over_floor").decimalValue()).as("rounded to four decimals").isEqualByComparingTo("0.0183");
        assertThat(Files.readString(file)).contains("\"eos_over_floor\" : 0.0183,");
    }
}

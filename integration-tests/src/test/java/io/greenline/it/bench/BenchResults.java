package io.greenline.it.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code target/bench-results.json}: ONE flat JSON object, a field per figure, shared by the benchmarks of a run.
 * Each benchmark merges its fields into what is already there (a benchmark class run alone keeps the other's
 * fields of an earlier run; {@code mvn clean} starts afresh). Values are numbers or strings only; a figure that
 * could not be measured (NaN) is {@code null}.
 */
final class BenchResults {

    static final Path JSON = Path.of(System.getProperty("bench.results.json", "target/bench-results.json"));
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BenchResults() {
    }

    /** Merges {@code fields} into the results file (fields of the same name are replaced, in their place). */
    static void merge(Map<String, Object> fields) {
        merge(JSON, fields);
    }

    /** Merges {@code fields} into the flat JSON object in {@code file}. */
    static synchronized void merge(Path file, Map<String, Object> fields) {
        try {
            ObjectNode all = Files.exists(file) ? (ObjectNode) MAPPER.readTree(file.toFile()) : MAPPER.createObjectNode();
            fields.forEach((name, value) -> {
                if (value == null || value instanceof Double d && !Double.isFinite(d)) {
                    all.putNull(name);
                } else if (value instanceof Double d) {
                    // four decimals, trailing zeros dropped: the figures are ratios and rates, not exact values
                    all.put(name, BigDecimal.valueOf(d).setScale(4, RoundingMode.HALF_UP).stripTrailingZeros());
                } else if (value instanceof Number n) {
                    all.set(name, MAPPER.valueToTree(n));
                } else {
                    all.put(name, value.toString());
                }
            });
            Files.createDirectories(file.toAbsolutePath().getParent());
            MAPPER.writeValue(file.toFile(), all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The machine's load average over the last minute, the figure printed beside every result (a shared machine). */
    static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}

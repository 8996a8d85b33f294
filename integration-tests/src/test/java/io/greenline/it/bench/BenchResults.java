package io.greenline.it.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code target/bench-results.json}: ONE flat JSON object, a field per figure, shared by the benchmarks of a run.
 * Each benchmark merges its fields into what is already there (a benchmark class run alone keeps the other's
 * fields of an earlier run; {@code mvn clean} starts afresh). Values are numbers or strings only.
 */
final class BenchResults {

    static final Path JSON = Path.of(System.getProperty("bench.results.json", "target/bench-results.json"));
    private static final Pattern FIELD = Pattern.compile("\"([^\"]+)\"\\s*:\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|[-0-9.eE+]+|null)");

    private BenchResults() {
    }

    /** Merges {@code fields} into the results file (fields of the same name are replaced). */
    static synchronized void merge(Map<String, Object> fields) {
        Map<String, String> all = new LinkedHashMap<>();
        try {
            if (Files.exists(JSON)) {
                Matcher m = FIELD.matcher(Files.readString(JSON));
                while (m.find()) {
                    all.put(m.group(1), m.group(2));
                }
            }
            fields.forEach((name, value) -> all.put(name, render(value)));
            StringBuilder out = new StringBuilder("{\n");
            int i = 0;
            for (Map.Entry<String, String> e : all.entrySet()) {
                out.append("  \"").append(e.getKey()).append("\": ").append(e.getValue()).append(++i < all.size() ? ",\n" : "\n");
            }
            out.append("}\n");
            Files.createDirectories(JSON.toAbsolutePath().getParent());
            Files.writeString(JSON, out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String render(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Double d) {
            return Double.isFinite(d) ? String.format(Locale.ROOT, "%.4f", d).replaceAll("0+$", "").replaceAll("\\.$", "") : "null";
        }
        if (value instanceof Number n) {
            return n.toString();
        }
        return "\"" + value.toString().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ") + "\"";
    }

    /** The machine's load average over the last minute, the figure printed beside every result (a shared machine). */
    static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}

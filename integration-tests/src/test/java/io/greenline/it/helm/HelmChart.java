package io.greenline.it.helm;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Greenline Helm chart ({@code helm/greenline}) driven by real Helm through helm-java (Helm's Go
 * code loaded over JNI; no {@code helm} binary needed): lint it, render it with values files and
 * {@code --set} overrides, and parse the multi-document output into Kubernetes objects.
 */
final class HelmChart {

    static final String RELEASE = "gl";
    static final String NAMESPACE = "factory";

    private static final ObjectReader YAML = new YAMLMapper().readerFor(Map.class);

    private final Path dir;

    private HelmChart(Path dir) {
        this.dir = dir;
    }

    /** The chart of this repository: {@code greenline.chart.dir} (set by the build) or {@code ../helm/greenline}. */
    static HelmChart greenline() {
        String configured = System.getProperty("greenline.chart.dir");
        Path dir = configured != null ? Paths.get(configured) : Paths.get("..", "helm", "greenline");
        dir = dir.toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("Chart.yaml"))) {
            throw new IllegalStateException("no Helm chart at " + dir);
        }
        return new HelmChart(dir);
    }

    Path dir() {
        return dir;
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    /** {@code helm lint --strict}: warnings count as failures too. */
    LintResult lintStrict() {
        return new Helm(dir).lint().strict().call();
    }

    /** {@code helm lint}. */
    LintResult lint() {
        return new Helm(dir).lint().call();
    }

    /**
     * {@code helm template gl helm/greenline -n factory [-f file]... [--set k=v]...}, parsed.
     *
     * @param valuesFiles values files, applied in order after the chart's values.yaml
     * @param sets        {@code --set} overrides, applied last
     */
    Manifests render(List<Path> valuesFiles, Map<String, Object> sets) {
        return Manifests.parse(renderText(valuesFiles, sets));
    }

    Manifests render(Map<String, Object> sets) {
        return render(List.of(), sets);
    }

    Manifests renderDefaults() {
        return render(List.of(), Map.of());
    }

    Manifests renderProduction() {
        return render(List.of(file("values-production.yaml")), Map.of());
    }

    String renderText(List<Path> valuesFiles, Map<String, Object> sets) {
        TemplateCommand template = new Helm(dir).template().withName(RELEASE).withNamespace(NAMESPACE);
        for (Path valuesFile : valuesFiles) {
            template = template.withValuesFile(valuesFile);
        }
        for (Map.Entry<String, Object> set : new LinkedHashMap<>(sets).entrySet()) {
            template = template.set(set.getKey(), set.getValue());
        }
        return template.call();
    }

    /** Every non-empty YAML document of a multi-document stream, as a map. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> parseDocuments(String yaml) {
        List<Map<String, Object>> documents = new ArrayList<>();
        try (MappingIterator<Object> it = YAML.readValues(yaml)) {
            while (it.hasNextValue()) {
                Object document = it.nextValue();
                if (document instanceof Map<?, ?> map && !map.isEmpty()) {
                    documents.add((Map<String, Object>) map);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("rendered chart is not valid YAML", e);
        }
        return documents;
    }
}

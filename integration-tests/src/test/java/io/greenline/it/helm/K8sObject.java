package io.greenline.it.helm;

import java.util.List;
import java.util.Map;

/**
 * One rendered Kubernetes object (a YAML document as nested maps and lists), with path navigation
 * for readable assertions: {@code sts.string("spec", "serviceName")}.
 */
record K8sObject(Map<String, Object> raw) {

    String apiVersion() {
        return string("apiVersion");
    }

    String kind() {
        return string("kind");
    }

    String name() {
        return string("metadata", "name");
    }

    /** The value at a path of map keys, or null when any step is missing. */
    Object get(String... path) {
        return at(raw, path);
    }

    String string(String... path) {
        Object value = get(path);
        return value == null ? null : value.toString();
    }

    Map<String, Object> map(String... path) {
        return asMap(get(path));
    }

    List<Map<String, Object>> list(String... path) {
        return asList(get(path));
    }

    /** The value at a path of map keys below {@code node}, or null when any step is missing. */
    static Object at(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object node) {
        return node instanceof Map<?, ?> ? (Map<String, Object>) node : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> asList(Object node) {
        return node instanceof List<?> ? (List<Map<String, Object>>) node : List.of();
    }

    @Override
    public String toString() {
        return kind() + "/" + name();
    }
}

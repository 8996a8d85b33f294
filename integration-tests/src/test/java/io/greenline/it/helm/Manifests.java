package io.greenline.it.helm;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The Kubernetes objects of one {@code helm template} run. */
record Manifests(List<K8sObject> objects) {

    /** Kinds whose {@code spec.template.spec} is a pod spec. */
    private static final Set<String> WORKLOAD_KINDS = Set.of("StatefulSet", "Deployment", "DaemonSet", "Job");

    static Manifests parse(String yaml) {
        return new Manifests(HelmChart.parseDocuments(yaml).stream().map(K8sObject::new).toList());
    }

    List<K8sObject> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.kind())).toList();
    }

    /** The only object of a kind; fails when there is none or more than one. */
    K8sObject one(String kind) {
        List<K8sObject> found = ofKind(kind);
        if (found.size() != 1) {
            throw new AssertionError("expected exactly one " + kind + " but found " + found);
        }
        return found.get(0);
    }

    K8sObject named(String kind, String name) {
        return ofKind(kind).stream()
                .filter(o -> name.equals(o.name()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in " + objects));
    }

    List<K8sObject> workloads() {
        return objects.stream().filter(o -> WORKLOAD_KINDS.contains(o.kind())).toList();
    }

    /** Every container and init container of every workload, each with the workload it belongs to. */
    List<Container> containers() {
        return workloads().stream()
                .flatMap(w -> {
                    Map<String, Object> pod = w.map("spec", "template", "spec");
                    return java.util.stream.Stream.concat(
                            K8sObject.asList(pod.get("initContainers")).stream().map(c -> new Container(w, pod, c, true)),
                            K8sObject.asList(pod.get("containers")).stream().map(c -> new Container(w, pod, c, false)));
                })
                .toList();
    }

    /** One container of a workload, with its pod spec. */
    record Container(K8sObject workload, Map<String, Object> podSpec, Map<String, Object> spec, boolean init) {

        String name() {
            return (String) spec.get("name");
        }

        /** The container's env entry of that name (a map with value or valueFrom), or null. */
        Map<String, Object> env(String name) {
            return K8sObject.asList(spec.get("env")).stream()
                    .filter(e -> name.equals(e.get("name")))
                    .findFirst()
                    .orElse(null);
        }

        List<Map<String, Object>> envList() {
            return K8sObject.asList(spec.get("env"));
        }

        /** A security-context setting of the container, falling back to the pod's, as Kubernetes does. */
        Object effectiveSecurity(String key) {
            Object own = K8sObject.at(spec, "securityContext", key);
            return own != null ? own : K8sObject.at(podSpec, "securityContext", key);
        }

        @Override
        public String toString() {
            return workload + (init ? " init container " : " container ") + name();
        }
    }
}

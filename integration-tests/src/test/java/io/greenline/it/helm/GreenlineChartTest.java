package io.greenline.it.helm;

import com.marcnuri.helm.LintResult;
import io.greenline.it.helm.Manifests.Container;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.TopicNames.TopicSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.greenline.it.helm.HelmChart.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The Helm chart {@code helm/greenline}, linted and rendered by real Helm (helm-java), and the
 * rendered manifests checked as Kubernetes objects: what a data engineer relies on when installing
 * Greenline (stable identity and state per instance, health probes, Pod Security "restricted",
 * credentials only from existing Secrets).
 */
@DisplayName("Helm chart helm/greenline")
class GreenlineChartTest {

    private static final HelmChart CHART = HelmChart.greenline();

    /** Resource base name for release "gl" of chart "greenline". */
    private static final String FULLNAME = "gl-greenline";
    private static final String HEADLESS = "gl-greenline-headless";
    private static final String STATE_DIR = "/var/lib/greenline";
    private static final int HTTP_PORT = 8080;

    /** Existing Secrets named in values-production.yaml. */
    private static final String KAFKA_USER_SECRET = "greenline-kafka-user";
    private static final String CLUSTER_CA_SECRET = "factory-kafka-cluster-ca-cert";
    private static final String REGISTRY_SECRET = "greenline-registry";
    private static final String API_TOKEN_SECRET = "greenline-api-token";
    private static final String HTTP_TLS_SECRET = "greenline-http-tls";

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    /** Env names that carry credentials (the JAAS config holds the SASL password; user info is `user:password`). */
    private static final Pattern SECRET_ENV = Pattern.compile(".*(PASSWORD|JAAS_CONFIG|USER_INFO|SECRET|TOKEN|API_KEY)");

    private static final Map<String, Object> ALL_OPTIONAL_ON = Map.of(
            "simulator.enabled", true,
            "topics.create", true,
            "ingress.enabled", true,
            "metrics.serviceMonitor.enabled", true,
            "networkPolicy.enabled", true);

    static Stream<Arguments> renders() {
        return Stream.of(
                arguments("default values", CHART.renderDefaults()),
                arguments("values-production.yaml", CHART.renderProduction()),
                arguments("every optional resource enabled", CHART.render(ALL_OPTIONAL_ON)),
                arguments("production with the simulator", CHART.render(
                        List.of(CHART.file("values-production.yaml")), Map.of("simulator.enabled", true))));
    }

    @Nested
    @DisplayName("helm lint")
    class Lint {

        @Test
        @DisplayName("passes with no errors")
        void lintPasses() {
            LintResult result = CHART.lint();

            assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
            assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]"));
        }

        @Test
        @DisplayName("passes in strict mode too: no warnings either")
        void strictLintPasses() {
            LintResult result = CHART.lintStrict();

            assertThat(result.isFailed()).as("strict lint failed: %s", result.getMessages()).isFalse();
            assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
        }
    }

    @Nested
    @DisplayName("every rendering")
    class EveryRendering {

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.greenline.it.helm.GreenlineChartTest#renders")
        @DisplayName("renders Kubernetes objects with apiVersion, kind and a valid metadata.name")
        void rendersKubernetesObjects(String values, Manifests manifests) {
            assertThat(manifests.objects()).isNotEmpty();
            for (K8sObject object : manifests.objects()) {
                assertThat(object.apiVersion()).as("%s apiVersion", object).isNotBlank();
                assertThat(object.kind()).as("apiVersion %s kind", object.apiVersion()).isNotBlank();
                assertThat(object.name()).as("%s name", object).isNotBlank().hasSizeLessThanOrEqualTo(63);
                Pattern rule = object.kind().equals("KafkaTopic") ? DNS_SUBDOMAIN : DNS_LABEL;
                assertThat(object.name()).as("%s name", object).matches(rule);
            }
            assertThat(manifests.objects().stream().map(o -> o.kind() + "/" + o.name()))
                    .as("no duplicate objects").doesNotHaveDuplicates();
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.greenline.it.helm.GreenlineChartTest#renders")
        @DisplayName("every container and init container meets Pod Security 'restricted' with a read-only root and a writable /tmp")
        @SuppressWarnings("unchecked")
        void restrictedSecurityContext(String values, Manifests manifests) {
            assertThat(manifests.containers()).isNotEmpty();
            for (Container c : manifests.containers()) {
                assertThat(c.effectiveSecurity("runAsNonRoot")).as("%s runAsNonRoot", c).isEqualTo(true);
                assertThat(c.effectiveSecurity("runAsUser")).as("%s runAsUser", c).isNotEqualTo(0);
                assertThat(K8sObject.at(c.spec(), "securityContext", "allowPrivilegeEscalation"))
                        .as("%s allowPrivilegeEscalation", c).isEqualTo(false);
                assertThat(K8sObject.at(c.spec(), "securityContext", "privileged")).as("%s privileged", c)
                        .isNotEqualTo(true);
                assertThat((List<Object>) K8sObject.at(c.spec(), "securityContext", "capabilities", "drop"))
                        .as("%s capabilities.drop", c).contains("ALL");
                assertThat(K8sObject.at(c.spec(), "securityContext", "capabilities", "add"))
                        .as("%s capabilities.add", c).isNull();
                assertThat(c.effectiveSecurity("seccompProfile")).as("%s seccompProfile", c)
                        .isEqualTo(Map.of("type", "RuntimeDefault"));
                assertThat(K8sObject.at(c.spec(), "securityContext", "readOnlyRootFilesystem"))
                        .as("%s readOnlyRootFilesystem", c).isEqualTo(true);
                assertThat(volumeMountedAt(c, "/tmp")).as("%s /tmp volume", c).containsKey("emptyDir");
            }
            for (K8sObject workload : manifests.workloads()) {
                Map<String, Object> pod = workload.map("spec", "template", "spec");
                assertThat(pod).as("%s host namespaces", workload)
                        .doesNotContainKeys("hostNetwork", "hostPID", "hostIPC");
                assertThat(K8sObject.asList(pod.get("volumes"))).as("%s volumes", workload)
                        .noneMatch(v -> v.containsKey("hostPath"));
                assertThat(pod.get("automountServiceAccountToken")).as("%s API token", workload).isEqualTo(false);
                assertThat(pod.get("enableServiceLinks"))
                        .as("%s: service links would inject KAFKA_*/GREENLINE_* variables the app reads as config", workload)
                        .isEqualTo(false);
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.greenline.it.helm.GreenlineChartTest#renders")
        @DisplayName("credentials are referenced by Secret name only: no Secret rendered, no literal credential in any env")
        void secretsByReferenceOnly(String values, Manifests manifests) {
            assertThat(manifests.ofKind("Secret")).as("the chart never renders a Secret from values").isEmpty();
            for (Container c : manifests.containers()) {
                for (Map<String, Object> env : c.envList()) {
                    String name = (String) env.get("name");
                    if (SECRET_ENV.matcher(name).matches()) {
                        assertThat(env).as("%s env %s", c, name).doesNotContainKey("value");
                        assertThat(K8sObject.at(env, "valueFrom", "secretKeyRef", "name"))
                                .as("%s env %s secret name", c, name).isNotNull();
                    }
                }
            }
        }
    }

    @Nested
    @DisplayName("with default values")
    @TestInstance(Lifecycle.PER_CLASS)
    class Defaults {

        private Manifests manifests;
        private K8sObject sts;
        private Container streams;

        @BeforeAll
        void render() {
            manifests = CHART.renderDefaults();
            sts = manifests.one("StatefulSet");
            streams = manifests.containers().stream()
                    .filter(c -> c.workload() == sts && !c.init())
                    .findFirst().orElseThrow();
        }

        @Test
        @DisplayName("renders only the core resources; optional ones are off")
        void coreResources() {
            assertThat(manifests.objects().stream().map(K8sObject::kind))
                    .containsExactlyInAnyOrder("ServiceAccount", "ConfigMap", "Service", "Service", "StatefulSet",
                            "PodDisruptionBudget");
        }

        @Test
        @DisplayName("the streams app is a StatefulSet with a claim per pod for the RocksDB state dir, mounted where state.dir points")
        void stateDirOnClaim() {
            assertThat(sts.name()).isEqualTo(FULLNAME);
            assertThat(sts.list("spec", "volumeClaimTemplates"))
                    .singleElement()
                    .satisfies(claim -> {
                        assertThat(K8sObject.at(claim, "metadata", "name")).isEqualTo("state");
                        assertThat(K8sObject.at(claim, "spec", "accessModes")).isEqualTo(List.of("ReadWriteOnce"));
                        assertThat(K8sObject.at(claim, "spec", "resources", "requests", "storage")).isEqualTo("10Gi");
                    });
            assertThat(mountOf(streams, "state")).containsEntry("mountPath", STATE_DIR);
            Map<String, Object> config = manifests.named("ConfigMap", FULLNAME).map("data");
            assertThat(config).containsEntry("KAFKA_STATE_DIR", STATE_DIR);
            assertThat(streams.spec().get("envFrom")).isEqualTo(List.of(Map.of("configMapRef", Map.of("name", FULLNAME))));
        }

        @Test
        @DisplayName("a headless Service named as the StatefulSet's serviceName selects its pods, not-ready ones included")
        void headlessService() {
            String serviceName = sts.string("spec", "serviceName");
            K8sObject headless = manifests.named("Service", serviceName);

            assertThat(serviceName).isEqualTo(HEADLESS);
            assertThat(headless.string("spec", "clusterIP")).isEqualTo("None");
            assertThat(headless.get("spec", "publishNotReadyAddresses")).isEqualTo(true);
            assertThat(headless.map("spec", "selector")).isEqualTo(sts.map("spec", "selector", "matchLabels"));
            assertThat(sts.map("spec", "template", "metadata", "labels"))
                    .containsAllEntriesOf(headless.map("spec", "selector"));
            assertThat(headless.list("spec", "ports")).singleElement()
                    .satisfies(p -> assertThat(p).containsEntry("port", HTTP_PORT).containsEntry("targetPort", "http"));
        }

        @Test
        @DisplayName("the query-API Service is a normal ClusterIP Service on the http port of the same pods")
        void apiService() {
            K8sObject api = manifests.named("Service", FULLNAME);

            assertThat(api.string("spec", "type")).isEqualTo("ClusterIP");
            assertThat(api.string("spec", "clusterIP")).isNull();
            assertThat(api.map("spec", "selector")).isEqualTo(sts.map("spec", "selector", "matchLabels"));
            assertThat(K8sObject.asList(streams.spec().get("ports"))).singleElement()
                    .satisfies(p -> assertThat(p).containsEntry("name", "http").containsEntry("containerPort", HTTP_PORT));
        }

        @Test
        @DisplayName("liveness and startup probe /health/live, readiness probes /health/ready, on the http port")
        void probes() {
            assertThat(K8sObject.at(streams.spec(), "livenessProbe", "httpGet"))
                    .isEqualTo(Map.of("path", "/health/live", "port", "http", "scheme", "HTTP"));
            assertThat(K8sObject.at(streams.spec(), "startupProbe", "httpGet"))
                    .isEqualTo(Map.of("path", "/health/live", "port", "http", "scheme", "HTTP"));
            assertThat(K8sObject.at(streams.spec(), "readinessProbe", "httpGet"))
                    .isEqualTo(Map.of("path", "/health/ready", "port", "http", "scheme", "HTTP"));
        }

        @Test
        @DisplayName("application.server is the pod's stable DNS name under the headless Service, port 8080")
        void applicationServerFromPodDns() {
            String podDnsName = "$(POD_NAME)." + HEADLESS + "." + NAMESPACE + ".svc.cluster.local";

            assertThat(streams.env("KAFKA_APPLICATION_SERVER")).containsEntry("value", podDnsName + ":" + HTTP_PORT);
            assertThat(streams.env("GREENLINE_HTTP_ADVERTISED_HOST")).containsEntry("value", podDnsName);
            assertPodNameDefinedBefore(streams, "KAFKA_APPLICATION_SERVER");
            assertPodNameDefinedBefore(streams, "GREENLINE_HTTP_ADVERTISED_HOST");
        }

        @Test
        @DisplayName("static membership: group.instance.id is the pod name")
        void staticMembership() {
            assertThat(streams.env("KAFKA_GROUP_INSTANCE_ID")).containsEntry("value", "$(POD_NAME)");
            assertPodNameDefinedBefore(streams, "KAFKA_GROUP_INSTANCE_ID");
        }

        @Test
        @DisplayName("pods start in parallel and get 120 s to close cleanly")
        void lifecycle() {
            assertThat(sts.string("spec", "podManagementPolicy")).isEqualTo("Parallel");
            assertThat(sts.get("spec", "template", "spec", "terminationGracePeriodSeconds")).isEqualTo(120);
        }

        @Test
        @DisplayName("connection comes from values: bootstrap servers, PLAINTEXT, registry URL, JVM sized from the container")
        void connectionEnv() {
            assertThat(streams.env("KAFKA_BOOTSTRAP_SERVERS")).containsEntry("value", "my-cluster-kafka-bootstrap:9092");
            assertThat(streams.env("KAFKA_SECURITY_PROTOCOL")).containsEntry("value", "PLAINTEXT");
            assertThat(streams.env("KAFKA_SASL_JAAS_CONFIG")).isNull();
            assertThat(streams.env("SCHEMA_REGISTRY_URL")).containsEntry("value", "http://schema-registry:8081");
            assertThat(streams.env("JAVA_TOOL_OPTIONS"))
                    .containsEntry("value", "-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError");
            assertThat(manifests.named("ConfigMap", FULLNAME).map("data"))
                    .containsEntry("KAFKA_APPLICATION_ID", "greenline")
                    .containsEntry("KAFKA_NUM_STANDBY_REPLICAS", "1")
                    .containsEntry("GREENLINE_HTTP_PORT", String.valueOf(HTTP_PORT));
        }

        @Test
        @DisplayName("a PodDisruptionBudget lets at most one streams pod be evicted at a time")
        void podDisruptionBudget() {
            K8sObject pdb = manifests.one("PodDisruptionBudget");

            assertThat(pdb.get("spec", "maxUnavailable")).isEqualTo(1);
            assertThat(pdb.map("spec", "selector", "matchLabels")).isEqualTo(sts.map("spec", "selector", "matchLabels"));
        }

        @Test
        @DisplayName("a checksum/config annotation on the pod template changes with the configuration, so config changes roll the pods")
        void checksumRollsPods() {
            String checksum = checksumOf(sts);
            String sameAgain = checksumOf(CHART.renderDefaults().one("StatefulSet"));
            String withStandby = checksumOf(CHART.render(Map.of("streams.standbyReplicas", 2)).one("StatefulSet"));
            String withExtraProperty = checksumOf(
                    CHART.render(Map.of("streams.config.commit\\.interval\\.ms", 1000)).one("StatefulSet"));

            assertThat(checksum).matches(SHA256_HEX);
            assertThat(sameAgain).isEqualTo(checksum);
            assertThat(withStandby).isNotEqualTo(checksum);
            assertThat(withExtraProperty).isNotEqualTo(checksum).isNotEqualTo(withStandby);
        }

        @Test
        @DisplayName("extra Kafka properties become KAFKA_* env (dots to underscores), whole numbers printed as integers")
        void extraKafkaProperties() {
            Manifests rendered = CHART.render(Map.of(
                    "streams.config.commit\\.interval\\.ms", 1000,
                    "streams.settings.rocksdb\\.memory\\.bytes", 536_870_912));

            assertThat(rendered.named("ConfigMap", FULLNAME).map("data"))
                    .containsEntry("KAFKA_COMMIT_INTERVAL_MS", "1000")
                    .containsEntry("GREENLINE_ROCKSDB_MEMORY_BYTES", "536870912");
        }
    }

    @Nested
    @DisplayName("with values-production.yaml")
    @TestInstance(Lifecycle.PER_CLASS)
    class Production {

        private Manifests manifests;
        private K8sObject sts;
        private Container streams;

        @BeforeAll
        void render() {
            manifests = CHART.renderProduction();
            sts = manifests.one("StatefulSet");
            streams = manifests.containers().stream()
                    .filter(c -> c.workload() == sts && !c.init())
                    .findFirst().orElseThrow();
        }

        @Test
        @DisplayName("three instances with one warm standby of every store, exactly-once, sized resources")
        void scaledOut() {
            assertThat(sts.get("spec", "replicas")).isEqualTo(3);
            assertThat(manifests.named("ConfigMap", FULLNAME).map("data"))
                    .containsEntry("KAFKA_NUM_STANDBY_REPLICAS", "1")
                    .containsEntry("KAFKA_NUM_STREAM_THREADS", "2")
                    .containsEntry("KAFKA_PROCESSING_GUARANTEE", "exactly_once_v2")
                    .containsEntry("KAFKA_SESSION_TIMEOUT_MS", "60000")
                    .containsEntry("KAFKA_PROBING_REBALANCE_INTERVAL_MS", "300000");
            assertThat(K8sObject.at(streams.spec(), "resources", "limits", "memory")).isEqualTo("4Gi");
            assertThat(K8sObject.at(sts.list("spec", "volumeClaimTemplates").get(0), "spec", "resources", "requests", "storage"))
                    .isEqualTo("50Gi");
            assertThat(manifests.one("PodDisruptionBudget").get("spec", "maxUnavailable")).isEqualTo(1);
        }

        @Test
        @DisplayName("SASL_SSL: the JAAS config comes from the named Secret, the truststore is mounted from the CA Secret")
        void saslSslFromSecrets() {
            assertThat(streams.env("KAFKA_SECURITY_PROTOCOL")).containsEntry("value", "SASL_SSL");
            assertThat(streams.env("KAFKA_SASL_MECHANISM")).containsEntry("value", "SCRAM-SHA-512");
            assertThat(streams.env("KAFKA_SASL_JAAS_CONFIG"))
                    .isEqualTo(secretRef("KAFKA_SASL_JAAS_CONFIG", KAFKA_USER_SECRET, "sasl.jaas.config"));
            assertThat(streams.env("BASIC_AUTH_USER_INFO"))
                    .isEqualTo(secretRef("BASIC_AUTH_USER_INFO", REGISTRY_SECRET, "user-info"));
            assertThat(streams.env("BASIC_AUTH_CREDENTIALS_SOURCE")).containsEntry("value", "USER_INFO");
            assertThat(streams.env("GREENLINE_HTTP_AUTH_TOKEN"))
                    .isEqualTo(secretRef("GREENLINE_HTTP_AUTH_TOKEN", API_TOKEN_SECRET, "token"));

            String truststore = (String) streams.env("KAFKA_SSL_TRUSTSTORE_LOCATION").get("value");
            Map<String, Object> volume = volumeMountedAt(streams, truststore.substring(0, truststore.lastIndexOf('/')));
            assertThat(K8sObject.at(volume, "secret", "secretName")).isEqualTo(CLUSTER_CA_SECRET);
            assertThat(truststore).endsWith("/ca.crt");
            assertThat(streams.env("KAFKA_SSL_TRUSTSTORE_TYPE")).containsEntry("value", "PEM");
        }

        @Test
        @DisplayName("no credential text appears anywhere in the rendered manifests")
        void noCredentialText() {
            String text = CHART.renderText(List.of(CHART.file("values-production.yaml")), Map.of());

            assertThat(text).doesNotContain("LoginModule").doesNotContain("password=").doesNotContainIgnoringCase("BEGIN CERTIFICATE");
        }

        @Test
        @DisplayName("the ServiceMonitor scrapes /metrics of every instance through the headless Service only")
        void serviceMonitor() {
            K8sObject monitor = manifests.one("ServiceMonitor");
            Map<String, Object> selector = monitor.map("spec", "selector", "matchLabels");

            assertThat(monitor.list("spec", "endpoints")).singleElement()
                    .satisfies(e -> assertThat(e).containsEntry("port", "http").containsEntry("path", "/metrics"));
            assertThat(monitor.map("metadata", "labels")).containsEntry("release", "kube-prometheus-stack");
            List<String> selected = manifests.ofKind("Service").stream()
                    .filter(s -> s.map("metadata", "labels").entrySet().containsAll(selector.entrySet()))
                    .map(K8sObject::name)
                    .toList();
            assertThat(selected).containsExactly(HEADLESS);
        }

        @Test
        @DisplayName("the NetworkPolicy admits peers (interactive-query routing) and restricts egress to DNS, peers and the Kafka namespace")
        void networkPolicy() {
            K8sObject policy = manifests.one("NetworkPolicy");
            Map<String, Object> podSelector = sts.map("spec", "selector", "matchLabels");

            assertThat(policy.map("spec", "podSelector", "matchLabels")).isEqualTo(podSelector);
            assertThat(policy.list("spec", "ingress"))
                    .anySatisfy(rule -> assertThat(K8sObject.at(K8sObject.asList(rule.get("from")).get(0), "podSelector", "matchLabels"))
                            .isEqualTo(podSelector));
            assertThat(policy.list("spec", "egress")).noneMatch(Map::isEmpty).hasSize(3);
        }

        @Test
        @DisplayName("a Strimzi KafkaTopic for every Greenline topic, compacted exactly where the contract says")
        void kafkaTopics() {
            Map<String, K8sObject> byTopic = manifests.ofKind("KafkaTopic").stream()
                    .collect(Collectors.toMap(t -> t.string("spec", "topicName"), Function.identity()));
            List<TopicSpec> expected = TopicNames.ALL.stream()
                    .filter(t -> !t.name().equals(TopicNames.SCHEMAS)) // the embedded registry's topic; production uses your registry
                    .toList();

            assertThat(byTopic.keySet()).containsExactlyInAnyOrderElementsOf(expected.stream().map(TopicSpec::name).toList());
            for (TopicSpec spec : expected) {
                K8sObject topic = byTopic.get(spec.name());
                assertThat(topic.string("metadata", "labels", "strimzi.io/cluster")).isEqualTo("factory-kafka");
                assertThat(topic.string("metadata", "namespace")).isEqualTo("kafka");
                assertThat(topic.get("spec", "partitions")).isEqualTo(6);
                assertThat(topic.get("spec", "replicas")).isEqualTo(3);
                assertThat(topic.map("spec", "config"))
                        .as(spec.name())
                        .containsEntry("cleanup.policy", spec.compacted() ? "compact" : "delete")
                        .containsEntry("min.insync.replicas", "2");
                if (!spec.compacted()) {
                    assertThat(topic.map("spec", "config")).containsEntry("retention.ms", 604_800_000);
                }
            }
        }

        @Test
        @DisplayName("the Ingress terminates TLS for the query API")
        void ingress() {
            K8sObject ingress = manifests.one("Ingress");

            assertThat(ingress.list("spec", "tls")).singleElement()
                    .satisfies(tls -> assertThat(tls).containsEntry("secretName", "greenline.example.com-tls"));
            assertThat(K8sObject.asList(K8sObject.at(ingress.list("spec", "rules").get(0), "http", "paths")))
                    .singleElement()
                    .satisfies(p -> assertThat(K8sObject.at(p, "backend", "service", "name")).isEqualTo(FULLNAME));
        }
    }

    @Nested
    @DisplayName("optional resources")
    class Optional {

        @Test
        @DisplayName("the simulator Deployment and the KafkaTopics appear only when enabled")
        void onlyWhenEnabled() {
            Manifests defaults = CHART.renderDefaults();
            Manifests enabled = CHART.render(Map.of("simulator.enabled", true, "topics.create", true));

            assertThat(defaults.ofKind("Deployment")).isEmpty();
            assertThat(defaults.ofKind("KafkaTopic")).isEmpty();
            assertThat(enabled.ofKind("Deployment")).extracting(K8sObject::name).containsExactly(FULLNAME + "-simulator");
            assertThat(enabled.ofKind("KafkaTopic")).hasSize(TopicNames.ALL.size() - 1);
        }

        @Test
        @DisplayName("the simulator runs `greenline simulate` with the Kafka connection but outside the streams group")
        void simulator() {
            Manifests manifests = CHART.render(Map.of("simulator.enabled", true));
            Container simulator = manifests.containers().stream()
                    .filter(c -> c.workload().kind().equals("Deployment"))
                    .findFirst().orElseThrow();
            Container streams = manifests.containers().stream()
                    .filter(c -> c.workload().kind().equals("StatefulSet"))
                    .findFirst().orElseThrow();

            assertThat(simulator.spec().get("args")).isEqualTo(List.of("simulate"));
            assertThat(simulator.spec().get("image")).isEqualTo(streams.spec().get("image"));
            assertThat(simulator.env("KAFKA_BOOTSTRAP_SERVERS")).isEqualTo(streams.env("KAFKA_BOOTSTRAP_SERVERS"));
            assertThat(simulator.env("SCHEMA_REGISTRY_URL")).isEqualTo(streams.env("SCHEMA_REGISTRY_URL"));
            assertThat(simulator.env("KAFKA_GROUP_INSTANCE_ID")).isNull();
            assertThat(simulator.spec()).doesNotContainKey("envFrom");
        }

        @Test
        @DisplayName("query API over TLS: key store mounted from the Secret, its password by reference, probes and scraping switch to HTTPS")
        void queryApiTls() {
            Manifests manifests = CHART.render(Map.of(
                    "queryApi.tls.existingSecret", HTTP_TLS_SECRET,
                    "metrics.serviceMonitor.enabled", true));
            Container streams = manifests.containers().stream()
                    .filter(c -> c.workload().kind().equals("StatefulSet"))
                    .findFirst().orElseThrow();

            String keystore = (String) streams.env("GREENLINE_HTTP_TLS_KEYSTORE").get("value");
            assertThat(K8sObject.at(volumeMountedAt(streams, keystore.substring(0, keystore.lastIndexOf('/'))), "secret", "secretName"))
                    .isEqualTo(HTTP_TLS_SECRET);
            assertThat(streams.env("GREENLINE_HTTP_TLS_KEYSTORE_PASSWORD"))
                    .isEqualTo(secretRef("GREENLINE_HTTP_TLS_KEYSTORE_PASSWORD", HTTP_TLS_SECRET, "keystore.password"));
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                assertThat(K8sObject.at(streams.spec(), probe, "httpGet", "scheme")).as(probe).isEqualTo("HTTPS");
            }
            assertThat(manifests.one("ServiceMonitor").list("spec", "endpoints").get(0)).containsEntry("scheme", "https");
        }

        @Test
        @DisplayName("persistence off: the state dir is an emptyDir and no claims are requested")
        void withoutPersistence() {
            K8sObject sts = CHART.render(Map.of("persistence.enabled", false)).one("StatefulSet");

            assertThat(sts.get("spec", "volumeClaimTemplates")).isNull();
            assertThat(sts.list("spec", "template", "spec", "volumes"))
                    .anySatisfy(v -> assertThat(v).containsEntry("name", "state").containsKey("emptyDir"));
        }
    }

    @Nested
    @DisplayName("documentation")
    class Documentation {

        private static final Pattern PARAM = Pattern.compile("^\\s*## @param (\\S+) .+$", Pattern.MULTILINE);

        @Test
        @DisplayName("every key of values.yaml is documented with @param (itself or its parent) and listed in the chart README")
        void everyValueDocumented() throws Exception {
            String values = Files.readString(CHART.file("values.yaml"));
            String readme = Files.readString(CHART.file("README.md"));
            Set<String> documented = PARAM.matcher(values).results().map(m -> m.group(1)).collect(Collectors.toSet());
            List<String> leaves = new ArrayList<>();
            collectLeaves("", HelmChart.parseDocuments(values).get(0), leaves);

            assertThat(leaves).isNotEmpty().allSatisfy(key -> assertThat(documentedBy(key, documented))
                    .as("%s has a ## @param line (or its parent has)", key).isTrue());
            assertThat(documented).allSatisfy(key -> assertThat(readme).contains("| `" + key + "` |"));
        }

        private static boolean documentedBy(String key, Set<String> documented) {
            for (String k = key; ; k = k.substring(0, k.lastIndexOf('.'))) {
                if (documented.contains(k)) {
                    return true;
                }
                if (!k.contains(".")) {
                    return false;
                }
            }
        }

        private static void collectLeaves(String prefix, Map<String, Object> node, List<String> leaves) {
            node.forEach((key, value) -> {
                String path = prefix.isEmpty() ? key : prefix + "." + key;
                if (value instanceof Map<?, ?> map && !map.isEmpty()) {
                    collectLeaves(path, K8sObject.asMap(map), leaves);
                } else {
                    leaves.add(path);
                }
            });
        }
    }

    @Nested
    @DisplayName("refuses settings that cannot work")
    class Validation {

        @Test
        @DisplayName("a SASL protocol without an existing Secret fails to render instead of asking for a password in values")
        void saslNeedsExistingSecret() {
            assertThatThrownBy(() -> CHART.render(Map.of("kafka.securityProtocol", "SASL_SSL")))
                    .hasMessageContaining("kafka.sasl.existingSecret is required");
        }

        @Test
        @DisplayName("an unknown security protocol fails to render")
        void unknownProtocol() {
            assertThatThrownBy(() -> CHART.render(Map.of("kafka.securityProtocol", "KERBEROS")))
                    .hasMessageContaining("kafka.securityProtocol must be");
        }
    }

    private static String checksumOf(K8sObject statefulSet) {
        return statefulSet.string("spec", "template", "metadata", "annotations", "checksum/config");
    }

    private static Map<String, Object> secretRef(String env, String secret, String key) {
        return Map.of("name", env, "valueFrom", Map.of("secretKeyRef", Map.of("name", secret, "key", key)));
    }

    private static Map<String, Object> mountOf(Container c, String volume) {
        return K8sObject.asList(c.spec().get("volumeMounts")).stream()
                .filter(m -> volume.equals(m.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError(c + " does not mount " + volume));
    }

    /** The pod volume mounted at a path of the container. */
    private static Map<String, Object> volumeMountedAt(Container c, String path) {
        String volume = K8sObject.asList(c.spec().get("volumeMounts")).stream()
                .filter(m -> path.equals(m.get("mountPath")))
                .map(m -> (String) m.get("name"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(c + " mounts nothing at " + path));
        return K8sObject.asList(c.podSpec().get("volumes")).stream()
                .filter(v -> volume.equals(v.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError(c.workload() + " has no volume " + volume));
    }

    /** Kubernetes expands $(POD_NAME) only from variables defined earlier in the list. */
    private static void assertPodNameDefinedBefore(Container c, String env) {
        List<String> names = c.envList().stream().map(e -> (String) e.get("name")).toList();
        assertThat(names.indexOf("POD_NAME")).as("POD_NAME defined before %s", env)
                .isNotNegative().isLessThan(names.indexOf(env));
        assertThat(K8sObject.at(c.env("POD_NAME"), "valueFrom", "fieldRef", "fieldPath")).isEqualTo("metadata.name");
    }
}

package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.podguard.engine.Json;
import io.podguard.testing.Reviews;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Namespace overrides, the mode label and every kind of exemption through the HTTPS server, with
 * namespace labels from an informer fed by fabric8's mock apiserver (CRUD mode).
 */
@Import(PolicyServerTest.MockCluster.class)
class PolicyServerTest extends WebhookServerTestSupport {

    static final String POLICY = """
            apiVersion: podguard.io/v1alpha1
            kind: PodGuardPolicy
            mode: enforce
            podSecurity: {level: baseline}
            namespaceLabelOverrides: true
            resources:
              max: {memory: 1Gi}
            exemptions:
              - reason: system components
                namespaces: [kube-system]
              - reason: istio proxy runs privileged
                images: ["docker.io/istio/proxyv2:*"]
                checks: [privileged]
              - reason: migration window
                expires: 2020-01-31
                namespaces: [legacy]
              - reason: ci bot builds images
                usernames: [ci-bot]
              - reason: sandboxed runtime
                runtimeClassNames: [gvisor]
              - reason: node agent
                serviceAccounts: ["agents:node-*"]
              - reason: platform admins
                groups: [platform-admins]
              - reason: agents may use the host network
                namespaces: [agents]
                checks: [hostNamespaces]
            namespaces:
              - selector: {matchLabels: {team: payments}}
                mode: audit
              - names: [dev-*]
                mode: warn
            """;

    static final KubernetesMockServer CLUSTER = new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    static final KubernetesClient CLIENT;
    static final Path POLICY_FILE;

    static {
        CLUSTER.init();
        CLIENT = CLUSTER.createClient();
        namespace("payments", Map.of("team", "payments"));
        namespace("sandbox", Map.of("podguard.io/mode", "warn"));
        namespace("kube-system", Map.of());
        namespace("default", Map.of());
        namespace("dev-alice", Map.of());
        namespace("agents", Map.of());
        namespace("legacy", Map.of());
        try {
            POLICY_FILE = Files.createTempFile("podguard-policy", ".yaml");
            Files.writeString(POLICY_FILE, POLICY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class MockCluster {
        @Bean
        KubernetesClient kubernetesClient() {
            return CLIENT;
        }
    }

    @DynamicPropertySource
    static void policy(DynamicPropertyRegistry registry) {
        registry.add("podguard.policy-file", POLICY_FILE::toString);
    }

    static void namespace(String name, Map<String, String> labels) {
        CLIENT.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build()).create();
    }

    @BeforeEach
    void synced() {
        await().atMost(Duration.ofSeconds(10)).until(() -> getManagement("/readyz").statusCode() == 200);
    }

    static String pod(String namespace, String spec) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"" + namespace + "\"},\"spec\":" + spec + "}";
    }

    /** Privileged, on the host network, no memory limit. */
    static String badPod(String namespace) {
        return pod(namespace, """
                {"hostNetwork":true,"containers":[{"name":"app","image":"nginx","securityContext":{"privileged":true}}]}""");
    }

    JsonNode validate(String podJson) throws Exception {
        return validate(Reviews.create(podJson), 0);
    }

    JsonNode validate(String review, int unused) throws Exception {
        var resp = post("/validate", review);
        assertThat(resp.statusCode()).isEqualTo(200);
        return Reviews.response(resp.body());
    }

    static final String DENIAL = "violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), "
            + "privileged (container \"app\" must not set securityContext.privileged=true); "
            + "violates resource rules: resources above maximum (container \"app\": maximum memory usage per Container is 1Gi.  No limit is specified)";

    @Test
    void validateWhenNoOverrideThenDeniedWithPssAndResourceSentences() throws Exception {
        JsonNode r = validate(badPod("default"));
        assertThat(r.path("allowed").asBoolean()).isFalse();
        assertThat(r.path("status").path("message").asString()).isEqualTo(DENIAL);
        assertThat(r.path("auditAnnotations").has("exempt")).isFalse();
    }

    @Test
    void validateWhenNamespaceLabelSelectorMatchesThenAuditOnly() throws Exception {
        JsonNode r = validate(badPod("payments"));
        assertThat(r.path("allowed").asBoolean()).isTrue();
        assertThat(r.path("auditAnnotations").path("audit-violations").asString()).isEqualTo(
                "would violate PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), "
                        + "privileged (container \"app\" must not set securityContext.privileged=true); "
                        + "would violate resource rules: resources above maximum (container \"app\": maximum memory usage per Container is 1Gi.  No limit is specified)");
        assertThat(r.has("warnings")).isFalse();
    }

    @Test
    void validateWhenNamespaceCreatedAfterStartThenItsLabelsAreUsed() throws Exception {
        namespace("payments-eu", Map.of("team", "payments"));
        JsonNode r = validate(badPod("payments-eu"));
        assertThat(r.path("allowed").asBoolean()).isTrue();
        assertThat(r.path("auditAnnotations").has("audit-violations")).isTrue();
    }

    @Test
    void validateWhenNamespaceUnreadableThenRefusedAsPsaRefusesItAndCounted() throws Exception {
        // podguard.io/mode could have said audit there, or the selector chosen another entry: no verdict by the top level.
        JsonNode r = validate(badPod("nowhere"));
        assertThat(r.path("allowed").asBoolean()).isFalse();
        assertThat(r.path("status").path("code").asInt()).isEqualTo(500);
        assertThat(r.path("status").path("message").asString()).isEqualTo("Internal error occurred: failed to lookup namespace \"nowhere\"");
        assertThat(r.path("auditAnnotations").path("error").asString())
                .isEqualTo("Internal error occurred: failed to lookup namespace \"nowhere\": namespaces \"nowhere\" not found");
        assertThat(metrics()).contains("podguard_admission_namespace_unavailable_total{application=\"podguard\",webhook=\"validate\"} 1.0");
    }

    @Test
    void validateWhenModeLabelThenWarnings() throws Exception {
        JsonNode r = validate(badPod("sandbox"));
        assertThat(r.path("allowed").asBoolean()).isTrue();
        assertThat(r.path("warnings")).extracting(JsonNode::asString).containsExactly(
                "would violate PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true)",
                "would violate PodSecurity \"baseline:latest\": privileged (container \"app\" must not set securityContext.privileged=true)",
                "would violate resource rules: resources above maximum (container \"app\": maximum memory usage per Container is 1Gi.  No limit is specified)");
    }

    @Test
    void validateWhenNameGlobMatchesThenOverrideMode() throws Exception {
        JsonNode r = validate(badPod("dev-alice"));
        assertThat(r.path("allowed").asBoolean()).isTrue();
        assertThat(r.path("warnings").size()).isEqualTo(3);
    }

    @Test
    void validateWhenNamespaceExemptThenAllowedAndRecorded() throws Exception {
        JsonNode r = validate(badPod("kube-system"));
        assertThat(r.path("allowed").asBoolean()).isTrue();
        assertThat(r.has("warnings")).isFalse();
        assertThat(r.path("auditAnnotations").path("exempt").asString()).isEqualTo("system components");
        assertThat(r.path("auditAnnotations").has("audit-violations")).isFalse();
        assertThat(metrics()).contains("podguard_exemptions_applied_total{application=\"podguard\",kind=\"namespace\"}");
    }

    @Test
    void validateWhenUsernameExemptThenAllowed() throws Exception {
        JsonNode r = validate(Reviews.create(badPod("default")).replace("\"username\":\"alice\"", "\"username\":\"ci-bot\""), 0);
        assertThat(r.path("allowed").asBoolean()).isTrue();
        assertThat(r.path("auditAnnotations").path("exempt").asString()).isEqualTo("ci bot builds images");
    }

    @Test
    void validateWhenGroupExemptThenAllowed() throws Exception {
        JsonNode r = validate(Reviews.create(badPod("default")).replace("\"groups\":[\"system:authenticated\"]",
                "\"groups\":[\"system:authenticated\",\"platform-admins\"]"), 0);
        assertThat(r.path("allowed").asBoolean()).isTrue();
        assertThat(r.path("auditAnnotations").path("exempt").asString()).isEqualTo("platform admins");
    }

    @Test
    void validateWhenRuntimeClassExemptThenAllowed() throws Exception {
        JsonNode r = validate(pod("default", """
                {"runtimeClassName":"gvisor","containers":[{"name":"app","image":"nginx","securityContext":{"privileged":true}}]}"""));
        assertThat(r.path("allowed").asBoolean()).isTrue();
        assertThat(r.path("auditAnnotations").path("exempt").asString()).isEqualTo("sandboxed runtime");
    }

    @Test
    void validateWhenServiceAccountExemptThenAllowed() throws Exception {
        JsonNode r = validate(pod("agents", """
                {"serviceAccountName":"node-exporter","containers":[{"name":"app","image":"nginx","securityContext":{"privileged":true}}]}"""));
        assertThat(r.path("allowed").asBoolean()).isTrue();
        assertThat(r.path("auditAnnotations").path("exempt").asString()).isEqualTo("node agent");
    }

    @Test
    void validateWhenCheckExemptThenOtherChecksStillDeny() throws Exception {
        JsonNode r = validate(pod("agents", """
                {"hostNetwork":true,"containers":[{"name":"app","image":"nginx","securityContext":{"privileged":true},
                  "resources":{"limits":{"memory":"1Gi"}}}]}"""));
        assertThat(r.path("allowed").asBoolean()).isFalse();
        assertThat(r.path("status").path("message").asString()).isEqualTo(
                "violates PodSecurity \"baseline:latest\": privileged (container \"app\" must not set securityContext.privileged=true)");
        assertThat(r.path("auditAnnotations").path("exempt").asString()).isEqualTo("agents may use the host network");
    }

    @Test
    void validateWhenImageExemptThenSidecarLeftOut() throws Exception {
        String spec = """
                {"containers":[
                  {"name":"istio-proxy","image":"docker.io/istio/proxyv2:1.24.0","securityContext":{"privileged":true},"resources":{"limits":{"memory":"128Mi"}}},
                  {"name":"app","image":"nginx","securityContext":{"privileged":%s},"resources":{"limits":{"memory":"1Gi"}}}]}""";
        JsonNode allowed = validate(pod("default", spec.formatted("false")));
        assertThat(allowed.path("allowed").asBoolean()).isTrue();
        assertThat(allowed.path("auditAnnotations").path("exempt").asString()).isEqualTo("istio proxy runs privileged");
        JsonNode denied = validate(pod("default", spec.formatted("true")));
        assertThat(denied.path("status").path("message").asString()).isEqualTo(
                "violates PodSecurity \"baseline:latest\": privileged (container \"app\" must not set securityContext.privileged=true)");
    }

    @Test
    void validateWhenExemptionExpiredThenDeniedAndReported() throws Exception {
        JsonNode r = validate(badPod("legacy"));
        assertThat(r.path("allowed").asBoolean()).isFalse();
        assertThat(r.path("auditAnnotations").has("exempt")).isFalse();
        assertThat(metrics()).contains("podguard_exemptions_expired{application=\"podguard\"} 1.0");
    }

    @Test
    void metricsWhenCacheSyncedThenReported() throws Exception {
        assertThat(metrics()).contains("podguard_namespace_cache_synced{application=\"podguard\"} 1.0");
    }

    private String metrics() throws Exception {
        return getManagement("/metrics").body();
    }

    static JsonNode tree(String json) {
        return Json.mapper().readTree(json);
    }
}

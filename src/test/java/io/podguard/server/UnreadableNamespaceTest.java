package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.BadReviewException;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.policy.ConfiguredPolicyResolver;
import io.podguard.policy.NamespaceLimits;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import io.podguard.report.AdmissionMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A namespace the server cannot read (not in the informer cache, the apiserver gone or saying it
 * does not exist) refuses a pod whose decision it could change, as Pod Security Admission refuses
 * it ({@code Internal error occurred: failed to lookup namespace "x"}, code 500); a workload is
 * allowed with the same {@code error} annotation, as PSA answers for pod controllers; a policy that
 * the namespace cannot change keeps judging. Through the real namespace cache over a mock apiserver.
 */
class UnreadableNamespaceTest {

    private static final KubernetesMockServer CLUSTER = new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    private static KubernetesClient client;
    private static NamespaceCache cache;

    private static final String PRIVILEGED_POD = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
            + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"app\",\"securityContext\":{\"privileged\":true}}]}}";
    private static final String PRIVILEGED_DEPLOYMENT = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},"
            + "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"app\",\"securityContext\":{\"privileged\":true}}]}}}}";

    /** PSA's labels over a privileged default: the label `enforce: restricted` is what refuses the pod. */
    private static final String PSA_LABELS = """
            podSecurity:
              enforce: {level: privileged}
              namespaceLabels: true
            defaults: {enabled: false}
            exemptions:
              - {reason: system, namespaces: [kube-system]}
            """;

    @BeforeAll
    static void cluster() {
        CLUSTER.init();
        client = CLUSTER.createClient();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop")
                .withLabels(Map.of("pod-security.kubernetes.io/enforce", "restricted", "team", "payments")).endMetadata().build()).create();
        cache = new NamespaceCache(() -> client, new Readiness());
        cache.start(true);
        await().atMost(Duration.ofSeconds(20)).until(cache::isSynced);
    }

    @AfterAll
    static void close() {
        cache.close();
        client.close();
        CLUSTER.destroy();
    }

    @Test
    void podInANamespaceThatDoesNotExistThenRefusedAsPsaRefusesIt() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        JsonNode response = review(PSA_LABELS, "ghost", "Pod", "", PRIVILEGED_POD, Endpoint.VALIDATE, registry);

        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(response.get("status").get("code").asInt()).isEqualTo(500);
        assertThat(response.get("status").get("reason").asString()).isEqualTo("InternalError");
        assertThat(response.get("status").get("message").asString()).isEqualTo("Internal error occurred: failed to lookup namespace \"ghost\"");
        assertThat(response.get("auditAnnotations").get("error").asString())
                .isEqualTo("Internal error occurred: failed to lookup namespace \"ghost\": namespaces \"ghost\" not found");
        assertThat(registry.get("podguard.admission.namespace.unavailable").tag("webhook", "validate").counter().count()).isEqualTo(1);
        // The namespace the cache holds is judged at its labels: restricted refuses the privileged pod.
        assertThat(review(PSA_LABELS, "shop", "Pod", "", PRIVILEGED_POD, Endpoint.VALIDATE, registry).get("status").get("message").asString())
                .startsWith("violates PodSecurity \"restricted:latest\": privileged");
    }

    @Test
    void namespaceNameNoNamespaceCanHaveThenRefusedAndQuotedAsGoQuotesIt() {
        // Only a client of the port itself (never the apiserver) sends these; none becomes a path on the apiserver.
        for (String name : java.util.List.of("../pods", "a/b", "x\nFAKE LOG LINE", "UPPER", "a".repeat(64))) {
            JsonNode response = review(PSA_LABELS, name, "Pod", "", PRIVILEGED_POD, Endpoint.VALIDATE, new SimpleMeterRegistry());

            String quoted = io.podguard.engine.Text.goQuote(name);
            assertThat(response.get("status").get("message").asString()).isEqualTo("Internal error occurred: failed to lookup namespace " + quoted);
            assertThat(response.get("auditAnnotations").get("error").asString())
                    .isEqualTo("Internal error occurred: failed to lookup namespace " + quoted + ": namespaces " + quoted + " not found");
        }
        assertThat(io.podguard.engine.Text.goQuote("x\nFAKE LOG LINE")).isEqualTo("\"x\\nFAKE LOG LINE\"");
    }

    @Test
    void workloadInAnUnreadableNamespaceThenAllowedWithTheErrorAnnotationAsPsa() {
        JsonNode response = review(PSA_LABELS, "ghost", "Deployment", "apps", PRIVILEGED_DEPLOYMENT, Endpoint.VALIDATE, new SimpleMeterRegistry());

        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.has("warnings")).isFalse();
        assertThat(response.get("auditAnnotations").get("error").asString())
                .isEqualTo("Internal error occurred: failed to lookup namespace \"ghost\": namespaces \"ghost\" not found");
    }

    @Test
    void enforceOverrideChosenByLabelsUnderAnAuditTopLevelThenRefusedNotAudited() {
        String policy = """
                mode: audit
                podSecurity: {level: baseline}
                defaults: {enabled: false}
                namespaces:
                  - selector: {matchLabels: {team: payments}}
                    mode: enforce
                """;

        JsonNode response = review(policy, "ghost", "Pod", "", PRIVILEGED_POD, Endpoint.VALIDATE, new SimpleMeterRegistry());

        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(response.get("status").get("code").asInt()).isEqualTo(500);
    }

    @Test
    void modeLabelOverridesThenTheNamespaceMattersEvenUnderEnforce() {
        String policy = "podSecurity: {level: baseline}\ndefaults: {enabled: false}\nnamespaceLabelOverrides: true\n";

        JsonNode response = review(policy, "ghost", "Pod", "", PRIVILEGED_POD, Endpoint.VALIDATE, new SimpleMeterRegistry());

        assertThat(response.get("status").get("message").asString()).isEqualTo("Internal error occurred: failed to lookup namespace \"ghost\"");
    }

    @Test
    void namespaceThatCannotChangeTheDecisionThenStillJudged() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // Exempt by name from everything: PSA skips the lookup there too.
        assertThat(review(PSA_LABELS.replace("[kube-system]", "[kube-system, ghost]"), "ghost", "Pod", "", PRIVILEGED_POD,
                Endpoint.VALIDATE, registry).get("allowed").asBoolean()).isTrue();
        // A name-only entry that sets its own levels: the labels cannot change them.
        String named = PSA_LABELS + "namespaces:\n  - names: [gh*]\n    podSecurity: {level: baseline}\n";
        assertThat(review(named, "ghost", "Pod", "", PRIVILEGED_POD, Endpoint.VALIDATE, registry).get("status").get("message").asString())
                .startsWith("violates PodSecurity \"baseline:latest\": privileged");
        // A policy that reads no namespace never asks.
        assertThat(review("podSecurity: {level: baseline}\ndefaults: {enabled: false}\n", "ghost", "Pod", "", PRIVILEGED_POD,
                Endpoint.VALIDATE, registry).get("status").get("message").asString()).startsWith("violates PodSecurity \"baseline:latest\"");
        // CEL rules that never read namespaceObject.
        String rules = "podSecurity: {level: privileged}\ndefaults: {enabled: false}\nrules:\n"
                + "  - {id: named, expression: \"object.spec.containers.all(c, c.name != 'bad')\", message: no}\n";
        assertThat(review(rules, "ghost", "Pod", "", PRIVILEGED_POD, Endpoint.VALIDATE, registry).get("allowed").asBoolean()).isTrue();
        assertThat(registry.find("podguard.admission.namespace.unavailable").tag("webhook", "validate").counter().count()).isZero();
    }

    @Test
    void celRuleReadingTheNamespaceThenRefused() {
        String rules = "podSecurity: {level: privileged}\ndefaults: {enabled: false}\nrules:\n"
                + "  - {id: team, expression: \"namespaceObject.metadata.labels.team != 'payments'\", message: no}\n";

        JsonNode response = review(rules, "ghost", "Pod", "", PRIVILEGED_POD, Endpoint.VALIDATE, new SimpleMeterRegistry());

        assertThat(response.get("status").get("code").asInt()).isEqualTo(500);
    }

    @Test
    void mutateWhenPlacementReadsTheNamespaceAnnotationsThenRefusedAsPodNodeSelector() {
        String policy = "podSecurity: {level: privileged}\nplacement:\n  namespaceAnnotations: true\n  nodeSelector: {default: {pool: general}}\n";
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        JsonNode response = review(policy, "ghost", "Pod", "", PRIVILEGED_POD, Endpoint.MUTATE, registry);

        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(response.get("status").get("message").asString()).isEqualTo("Internal error occurred: failed to lookup namespace \"ghost\"");
        assertThat(registry.get("podguard.admission.namespace.unavailable").tag("webhook", "mutate").counter().count()).isEqualTo(1);
    }

    private static JsonNode review(String policy, String namespace, String kind, String group, String object, Endpoint endpoint,
                                   SimpleMeterRegistry registry) {
        PolicyResolver resolver = new ConfiguredPolicyResolver(PolicyLoader.parse(policy), cache, NamespaceLimits.NONE, Clock.systemUTC(),
                PolicyResolver.ExpiryListener.NONE);
        AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> resolver, new AdmissionMetrics(registry));
        var root = Json.mapper().createObjectNode();
        root.put("apiVersion", "admission.k8s.io/v1");
        root.put("kind", "AdmissionReview");
        var request = root.putObject("request");
        request.put("uid", "u1");
        request.putObject("kind").put("group", group).put("version", "v1").put("kind", kind);
        request.put("operation", "CREATE");
        request.put("namespace", namespace);
        request.putObject("userInfo").put("username", "alice");
        request.set("object", Json.mapper().readTree(object));
        try {
            return Json.mapper().readTree(handler.handle(endpoint, Json.mapper().writeValueAsBytes(root))).get("response");
        } catch (BadReviewException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}

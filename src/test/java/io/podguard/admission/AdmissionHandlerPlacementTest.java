package io.podguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import io.podguard.report.ReviewObserver;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Placement at the webhook: Pods refused with the plugins' own words next to PSA's sentence,
 * workloads warned, audit mode recorded, pod updates not judged (placement is decided at create).
 */
class AdmissionHandlerPlacementTest {

    private static final String POLICY = """
            mode: enforce
            podSecurity: {level: baseline}
            defaults: {enabled: false}
            placement:
              nodeSelector: {default: {team: ml}}
              nodeName: {}
              dedicatedNodes: {taints: [{key: dedicated}]}
            """;
    private static final String PRIVILEGED_ON_WEB = "{\"nodeSelector\":{\"team\":\"web\"},\"nodeName\":\"n1\","
            + "\"containers\":[{\"name\":\"app\",\"image\":\"app\",\"securityContext\":{\"privileged\":true}}]}";

    @Test
    void validateWhenPodBreaksPodSecurityAndPlacementThenOneDenialWithEverySentence() {
        JsonNode response = review(POLICY, "Pod", "", "CREATE", pod(PRIVILEGED_ON_WEB));

        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(response.get("status").get("message").asString()).isEqualTo(
                "violates PodSecurity \"baseline:latest\": privileged (container \"app\" must not set securityContext.privileged=true); "
                        + "pod node label selector conflicts with its namespace node label selector; "
                        + "violates placement rules: nodeName (pod must not set spec.nodeName=\"n1\": it bypasses the scheduler and every node taint)");
    }

    @Test
    void validateWhenWorkloadTemplateBreaksPlacementThenAllowedWithOneWarningPerRule() {
        String deployment = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"w\"},"
                + "\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"team\":\"web\"},\"tolerations\":[{\"key\":\"dedicated\",\"operator\":\"Equal\","
                + "\"value\":\"ml\",\"effect\":\"NoSchedule\"}],\"containers\":[{\"name\":\"app\",\"image\":\"app\"}]}}}}";

        JsonNode response = review(POLICY, "Deployment", "apps", "CREATE", deployment);

        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("warnings").valueStream().map(JsonNode::asString).toList()).containsExactly(
                "would violate placement rules: pod node label selector conflicts with its namespace node label selector",
                "would violate placement rules: dedicated nodes (pod tolerates taint dedicated=ml:NoSchedule but does not select node label dedicated=ml)");
    }

    @Test
    void validateWhenPlacementInAuditModeThenAllowedAndRecorded() {
        JsonNode response = review(POLICY.replace("nodeName: {}", "nodeName: {mode: audit}").replace("baseline", "privileged"),
                "Pod", "", "CREATE", pod("{\"nodeName\":\"n1\",\"containers\":[{\"name\":\"app\",\"image\":\"app\"}]}"));

        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("auditAnnotations").get("audit-violations").asString()).isEqualTo(
                "would violate placement rules: nodeName (pod must not set spec.nodeName=\"n1\": it bypasses the scheduler and every node taint)");
    }

    @Test
    void validateWhenPodUpdateThenPlacementNotJudged() {
        // A scheduled pod has its nodeName: an update that changes an image is judged by Pod Security only.
        String scheduled = pod("{\"nodeName\":\"n1\",\"nodeSelector\":{\"team\":\"web\"},\"containers\":[{\"name\":\"app\",\"image\":\"app:2\"}]}");
        ObjectNode root = request(POLICY, "Pod", "", "UPDATE", scheduled);
        ((ObjectNode) root.get("request")).set("oldObject", Json.mapper().readTree(scheduled.replace("app:2", "app:1")));

        JsonNode response = handle(POLICY, root);

        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.has("warnings")).isFalse();
    }

    @Test
    void validateWhenUpdateAddsATolerationOutsideTheWhitelistThenRefusedAsThePluginRefusesIt() {
        String policy = POLICY + "  tolerations: {allowed: [{key: node.kubernetes.io/not-ready, operator: Exists}]}\n";
        String old = pod("{\"nodeSelector\":{\"team\":\"ml\"},\"containers\":[{\"name\":\"app\",\"image\":\"app\"}]}");
        String added = pod("{\"nodeSelector\":{\"team\":\"ml\"},\"tolerations\":[{\"key\":\"dedicated\",\"operator\":\"Exists\"}],"
                + "\"containers\":[{\"name\":\"app\",\"image\":\"app\"}]}");
        ObjectNode root = request(policy, "Pod", "", "UPDATE", added);
        ((ObjectNode) root.get("request")).set("oldObject", Json.mapper().readTree(old));

        JsonNode response = handle(policy, root);

        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(response.get("status").get("message").asString())
                .isEqualTo("pod tolerations (possibly merged with namespace default tolerations) conflict with its cluster whitelist");
        // The same update that only relabels the pod is not judged.
        ObjectNode relabel = request(policy, "Pod", "", "UPDATE", old.replace("\"name\":\"p\"", "\"name\":\"p\",\"labels\":{\"a\":\"b\"}"));
        ((ObjectNode) relabel.get("request")).set("oldObject", Json.mapper().readTree(old));
        assertThat(handle(policy, relabel).get("allowed").asBoolean()).isTrue();
    }

    private static String pod(String spec) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":" + spec + "}";
    }

    private static JsonNode review(String policy, String kind, String group, String operation, String object) {
        return handle(policy, request(policy, kind, group, operation, object));
    }

    private static ObjectNode request(String policy, String kind, String group, String operation, String object) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("apiVersion", "admission.k8s.io/v1");
        root.put("kind", "AdmissionReview");
        ObjectNode request = root.putObject("request");
        request.put("uid", "u1");
        request.putObject("kind").put("group", group).put("version", "v1").put("kind", kind);
        request.put("operation", operation);
        request.put("namespace", "ml");
        request.putObject("userInfo").put("username", "alice");
        request.set("object", Json.mapper().readTree(object));
        return root;
    }

    private static JsonNode handle(String policy, ObjectNode root) {
        AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> PolicyResolver.fixed(PolicyLoader.parse(policy)),
                ReviewObserver.NONE);
        try {
            return Json.mapper().readTree(handler.handle(Endpoint.VALIDATE, Json.mapper().writeValueAsBytes(root))).get("response");
        } catch (BadReviewException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}

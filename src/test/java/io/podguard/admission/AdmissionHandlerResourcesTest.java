package io.podguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Resource rules at the webhook judge what LimitRanger judges: pod creation and in-place resize
 * ({@code pods/resize}), never another update or subresource, so a pod admitted before a rule was
 * tightened can still have its image changed or a debug container added, while a resize cannot
 * take it above the maximum.
 */
class AdmissionHandlerResourcesTest {

    private static final String POLICY = """
            mode: enforce
            podSecurity: {level: baseline}
            defaults: {readinessProbe: {enabled: false}}
            resources: {max: {cpu: "2"}, pod: {max: {memory: 1Gi}}}
            """;

    private static String pod(String image, String cpuLimit, boolean privileged) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"team\"},\"spec\":{\"containers\":[{"
                + "\"name\":\"app\",\"image\":\"" + image + "\",\"resources\":{\"limits\":{\"cpu\":\"" + cpuLimit + "\",\"memory\":\"512Mi\"}}"
                + (privileged ? ",\"securityContext\":{\"privileged\":true}" : "") + "}]}}";
    }

    @Test
    void createAboveMaxThenDeniedWithLimitRangersWords() {
        JsonNode r = review("CREATE", "", pod("app:1", "3", false), null);
        assertThat(r.get("allowed").asBoolean()).isFalse();
        assertThat(r.at("/status/message").asString()).isEqualTo(
                "violates resource rules: resources above maximum (container \"app\": maximum cpu usage per Container is 2, but limit is 3)");
    }

    @Test
    void updateChangingTheImageOfAPodAdmittedBeforeTheRuleThenAllowed() {
        JsonNode r = review("UPDATE", "", pod("app:2", "3", false), pod("app:1", "3", false));
        assertThat(r.get("allowed").asBoolean()).isTrue();
        assertThat(r.has("warnings")).isFalse();
    }

    @Test
    void ephemeralContainerAddedThenExistingContainersNotJudgedAgain() {
        String old = pod("app:1", "3", false);
        ObjectNode debugged = (ObjectNode) Json.mapper().readTree(old);
        ((ObjectNode) debugged.get("spec")).putArray("ephemeralContainers").addObject().put("name", "debug").put("image", "busybox");
        JsonNode r = review("UPDATE", "ephemeralcontainers", debugged.toString(), old);
        assertThat(r.get("allowed").asBoolean()).isTrue();
    }

    @Test
    void resizeAboveMaxThenDeniedAndWithinThenAllowed() {
        JsonNode above = review("UPDATE", "resize", pod("app:1", "3", false), pod("app:1", "1", false));
        assertThat(above.get("allowed").asBoolean()).isFalse();
        assertThat(above.at("/status/message").asString()).isEqualTo(
                "violates resource rules: resources above maximum (container \"app\": maximum cpu usage per Container is 2, but limit is 3)");
        assertThat(review("UPDATE", "resize", pod("app:1", "2", false), pod("app:1", "1", false)).get("allowed").asBoolean()).isTrue();
    }

    @Test
    void resizeAbovePodMaxThenDenied() {
        String big = pod("app:1", "1", false).replace("512Mi", "2Gi");
        JsonNode r = review("UPDATE", "resize", big, pod("app:1", "1", false));
        assertThat(r.at("/status/message").asString()).isEqualTo(
                "violates resource rules: pod resources above maximum (pod: maximum memory usage per Pod is 1Gi, but limit is 2Gi)");
    }

    @Test
    void resizeOfAPrivilegedPodIsJudgedByResourceRulesOnly() {
        // Pod Security judges a pod's creation and updates that change images, never a resize
        JsonNode r = review("UPDATE", "resize", pod("app:1", "2", true), pod("app:1", "1", true));
        assertThat(r.get("allowed").asBoolean()).isTrue();
        assertThat(r.has("warnings")).isFalse();
    }

    @Test
    void mutateWhenADeviceIsRequestedOtherThanLimitedThenRefusedBeforeTheApiserverRefusesIt() {
        String gpu = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"team\"},\"spec\":{\"containers\":[{"
                + "\"name\":\"cuda\",\"image\":\"cuda\",\"resources\":{\"requests\":{\"nvidia.com/gpu\":\"1\"},\"limits\":{\"nvidia.com/gpu\":\"2\"}}}]}}";
        JsonNode r = review(Endpoint.MUTATE, "CREATE", "", gpu, null);
        assertThat(r.get("allowed").asBoolean()).isFalse();
        assertThat(r.at("/status/code").asInt()).isEqualTo(422);
        assertThat(r.at("/status/message").asString()).isEqualTo("violates resource rules: resources not overcommittable "
                + "(container \"cuda\" requests nvidia.com/gpu=1 but limits it to 2: nvidia.com/gpu cannot be overcommitted, "
                + "request and limit must be equal)");
        // a request alone is made valid instead: the limit is set at the request
        JsonNode fixed = review(Endpoint.MUTATE, "CREATE", "", gpu.replace(",\"limits\":{\"nvidia.com/gpu\":\"2\"}", ""), null);
        assertThat(fixed.get("allowed").asBoolean()).isTrue();
        assertThat(fixed.has("patch")).isTrue();
    }

    private static JsonNode review(String operation, String subResource, String object, @Nullable String oldObject) {
        return review(Endpoint.VALIDATE, operation, subResource, object, oldObject);
    }

    private static JsonNode review(Endpoint endpoint, String operation, String subResource, String object, @Nullable String oldObject) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("apiVersion", "admission.k8s.io/v1");
        root.put("kind", "AdmissionReview");
        ObjectNode request = root.putObject("request");
        request.put("uid", "u1");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        if (!subResource.isEmpty()) {
            request.put("subResource", subResource);
        }
        request.put("operation", operation);
        request.put("namespace", "team");
        request.putObject("userInfo").put("username", "alice");
        request.set("object", Json.mapper().readTree(object));
        if (oldObject != null) {
            request.set("oldObject", Json.mapper().readTree(oldObject));
        }
        AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> PolicyResolver.fixed(PolicyLoader.parse(POLICY)),
                io.podguard.report.ReviewObserver.NONE);
        try {
            return Json.mapper().readTree(handler.handle(endpoint, Json.mapper().writeValueAsBytes(root))).get("response");
        } catch (BadReviewException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}

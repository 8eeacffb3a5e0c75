package io.podguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Hostile pods against the resource rules and defaults, through the webhook: quantities the
 * apiserver's syntax allows but nobody needs (huge exponents, many digits), and a pod of many
 * containers and resources. Each is answered with a bounded message and an exact verdict.
 */
class AdmissionHandlerResourcesHostileTest {

    private static final String POLICY = """
            mode: enforce
            podSecurity: {level: privileged}
            defaults: {readinessProbe: {enabled: false}, preStop: {enabled: false}, securityContext: {enabled: false}}
            resources: {max: {cpu: "2"}, min: {memory: 1Mi}}
            """;

    @Test
    void hugeAndOddQuantitiesAreJudgedByValueOrLeftAsTheyAre() {
        // written as the apiserver writes them (k8s.io/apimachinery prints 1e1000 as 10e999)
        JsonNode huge = validate(pod("{\"limits\":{\"cpu\":\"1e1000\"},\"requests\":{\"memory\":\"1e-9\"}}"));
        assertThat(huge.get("allowed").asBoolean()).isFalse();
        assertThat(huge.at("/status/message").asString()).isEqualTo("violates resource rules: "
                + "resources below minimum (container \"app\": minimum memory usage per Container is 1Mi, but request is 1e-9), "
                + "resources above maximum (container \"app\": maximum cpu usage per Container is 2, but limit is 10e999)");
        // an exponent beyond 1000, or a value podguard cannot read, is not a quantity to podguard: no value, so no limit
        JsonNode unreadable = validate(pod("{\"limits\":{\"cpu\":\"1e999999999\"},\"requests\":{\"memory\":\"" + "9".repeat(5000) + "Ei\"}}"));
        assertThat(unreadable.at("/status/message").asString()).isEqualTo("violates resource rules: "
                + "resources below minimum (container \"app\": minimum memory usage per Container is 1Mi.  No request is specified), "
                + "resources above maximum (container \"app\": maximum cpu usage per Container is 2.  No limit is specified)");
    }

    @Test
    void aPodOfManyContainersAndResourcesGetsABoundedMessageAndEveryDefault() {
        ObjectNode pod = (ObjectNode) Json.mapper().readTree(pod("{}"));
        ArrayNode containers = ((ObjectNode) pod.get("spec")).putArray("containers");
        for (int c = 0; c < 1000; c++) {
            ObjectNode requests = containers.addObject().put("name", "c" + c).put("image", "app")
                    .putObject("resources").putObject("requests");
            for (int r = 0; r < 20; r++) {
                requests.put("example.com/device-" + r, "1");
            }
            requests.put("cpu", "3");
        }
        JsonNode mutated = handle(Endpoint.MUTATE, pod.toString());
        assertThat(mutated.get("allowed").asBoolean()).isTrue();
        JsonNode denied = handle(Endpoint.VALIDATE, pod.toString());
        String message = denied.at("/status/message").asString();
        assertThat(message).startsWith("violates resource rules: resources below minimum (container \"c0\": minimum memory usage per "
                + "Container is 1Mi.  No request is specified; container \"c1\": ");
        assertThat(message).contains("No request is specified; and 980 more), resources above maximum (container \"c0\": maximum cpu usage");
        assertThat(message).contains("No limit is specified; and 980 more), resources not overcommittable (container \"c0\" requests "
                + "example.com/device-0=1 without a limit").endsWith("; and 19980 more)");
        assertThat(message.length()).isLessThan(10_000);
    }

    private static String pod(String resources) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"team\"},\"spec\":{\"containers\":[{"
                + "\"name\":\"app\",\"image\":\"app\",\"resources\":" + resources + "}]}}";
    }

    private static JsonNode validate(String pod) {
        return handle(Endpoint.VALIDATE, pod);
    }

    private static JsonNode handle(Endpoint endpoint, String pod) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = root.putObject("request");
        request.put("uid", "u1");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.put("operation", "CREATE");
        request.put("namespace", "team");
        request.putObject("userInfo").put("username", "alice");
        request.set("object", Json.mapper().readTree(pod));
        AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> PolicyResolver.fixed(PolicyLoader.parse(POLICY)),
                io.podguard.report.ReviewObserver.NONE);
        try {
            return Json.mapper().readTree(handler.handle(endpoint, Json.mapper().writeValueAsBytes(root))).get("response");
        } catch (BadReviewException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}

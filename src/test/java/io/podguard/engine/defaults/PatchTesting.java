package io.podguard.engine.defaults;

import io.podguard.admission.AdmissionHandler;
import io.podguard.report.ReviewObserver;
import io.podguard.admission.BadReviewException;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.policy.Policy;
import io.podguard.policy.PolicyResolver;
import jakarta.json.JsonArray;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.Base64;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Test helpers: YAML pods, AdmissionReviews through the real handler, and patches applied by
 * an independent RFC 6902 implementation (JSON-P / Eclipse Parsson), never by zjsonpatch.
 */
final class PatchTesting {

    static final YAMLMapper YAML = YAMLMapper.builder().build();

    private PatchTesting() {
    }

    static ObjectNode yaml(String text) {
        return (ObjectNode) YAML.readTree(text);
    }

    /** A CREATE review of {@code pod}, as the apiserver sends it. */
    static byte[] review(JsonNode pod, boolean dryRun) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("apiVersion", "admission.k8s.io/v1");
        root.put("kind", "AdmissionReview");
        ObjectNode request = root.putObject("request");
        request.put("uid", "705ab4f5-6393-11e8-b7cc-42010a800002");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("namespace", "team-a");
        request.put("operation", "CREATE");
        request.putObject("userInfo").put("username", "alice");
        request.put("dryRun", dryRun);
        request.set("object", pod);
        return Json.mapper().writeValueAsBytes(root);
    }

    static AdmissionHandler handler(Policy policy) {
        PolicyResolver resolver = PolicyResolver.fixed(policy);
        return new AdmissionHandler(Engine.standard(), () -> resolver, ReviewObserver.NONE);
    }

    /** The response of /mutate for a CREATE of {@code pod}. */
    static JsonNode mutate(AdmissionHandler handler, JsonNode pod) {
        try {
            return Json.mapper().readTree(handler.handle(Endpoint.MUTATE, review(pod, false))).get("response");
        } catch (BadReviewException e) {
            throw new AssertionError(e);
        }
    }

    /** The response's patch, base64-decoded, or null when there is none. */
    static @Nullable String patchOf(JsonNode response) {
        JsonNode patch = response.get("patch");
        if (patch == null) {
            return null;
        }
        return new String(Base64.getDecoder().decode(patch.asString()), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Applies {@code patchJson} to {@code document} with JSON-P's RFC 6902 implementation. */
    static JsonValue applyIndependently(JsonNode document, String patchJson) {
        JsonArray patch = (JsonArray) jsonp(patchJson);
        return jakarta.json.Json.createPatch(patch).apply((JsonStructure) jsonp(document.toString()));
    }

    static JsonValue jsonp(String json) {
        try (var reader = jakarta.json.Json.createReader(new StringReader(json))) {
            return reader.readValue();
        }
    }

    static JsonNode toJackson(JsonValue value) {
        return Json.mapper().readTree(value.toString());
    }
}

package io.podguard.testing;

import io.podguard.engine.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Builds AdmissionReview requests for tests, as kube-apiserver sends them. */
public final class Reviews {

    private Reviews() {
    }

    /** A v1 CREATE review of {@code object} (JSON), kind taken from the object. */
    /** The benchmark's 4.6 KB pod (bench/reviews/pod-review.json) as compact JSON: two containers, an init container, env, volumes, affinity. */
    public static String benchmarkPod() {
        try {
            JsonNode review = Json.mapper().readTree(java.nio.file.Files.readString(java.nio.file.Path.of("bench/reviews/pod-review.json")));
            return review.get("request").get("object").toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static String create(String objectJson) {
        return review("admission.k8s.io/v1", "CREATE", objectJson, false);
    }

    public static String review(String apiVersion, String operation, String objectJson, boolean dryRun) {
        JsonNode object = Json.mapper().readTree(objectJson);
        String kind = object.path("kind").asString("Pod");
        String objApiVersion = object.path("apiVersion").asString("v1");
        String group = objApiVersion.contains("/") ? objApiVersion.substring(0, objApiVersion.indexOf('/')) : "";
        String version = objApiVersion.contains("/") ? objApiVersion.substring(objApiVersion.indexOf('/') + 1) : objApiVersion;
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("apiVersion", apiVersion);
        root.put("kind", "AdmissionReview");
        ObjectNode request = root.putObject("request");
        request.put("uid", "705ab4f5-6393-11e8-b7cc-42010a800002");
        request.putObject("kind").put("group", group).put("version", version).put("kind", kind);
        request.putObject("resource").put("group", group).put("version", version).put("resource", plural(kind));
        String namespace = object.path("metadata").path("namespace").asString("default");
        request.put("namespace", namespace);
        if (object.path("metadata").has("name")) {
            request.put("name", object.path("metadata").path("name").asString());
        }
        request.put("operation", operation);
        request.putObject("userInfo").put("username", "alice").putArray("groups").add("system:authenticated");
        request.set("object", object);
        if ("UPDATE".equals(operation)) {
            request.set("oldObject", object.deepCopy());
        }
        request.put("dryRun", dryRun);
        return Json.mapper().writeValueAsString(root);
    }

    /** The {@code response} of a response AdmissionReview. */
    public static JsonNode response(String reviewJson) {
        return Json.mapper().readTree(reviewJson).path("response");
    }

    public static JsonNode response(byte[] reviewJson) {
        return response(new String(reviewJson, StandardCharsets.UTF_8));
    }

    /** The decoded JSON Patch of a response, or null. */
    public static JsonNode patch(JsonNode response) {
        if (!response.has("patch")) {
            return null;
        }
        return Json.mapper().readTree(Base64.getDecoder().decode(response.path("patch").asString()));
    }

    private static String plural(String kind) {
        String lower = kind.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith("s") ? lower + "es" : lower + "s";
    }
}

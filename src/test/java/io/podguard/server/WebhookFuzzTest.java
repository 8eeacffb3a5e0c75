package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Json;
import io.podguard.testing.Pods;
import io.podguard.testing.Reviews;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Thousands of mangled AdmissionReviews against the real server: wrong types, missing fields,
 * huge strings, deep nesting, invalid UTF-8, truncated bodies, wrong content types. Every reply
 * is 200 or 4xx, none carries a stack trace, and a good review is still answered right after.
 */
class WebhookFuzzTest extends WebhookServerTestSupport {

    private static final int CASES = 2000;
    private static final String[] CONTENT_TYPES = {
        "application/json", "application/json; charset=utf-8", "text/plain", "application/xml", "", "application/x-www-form-urlencoded"
    };

    @Test
    void mangledReviewsThenNeverServerErrorAndGoodReviewStillServed() throws Exception {
        Random random = new Random(20261126L);
        List<String> seeds = List.of(Reviews.create(Pods.PRIVILEGED), Reviews.create(Pods.RESTRICTED),
                Reviews.create(deploymentJson()), Reviews.review("admission.k8s.io/v1beta1", "UPDATE", Pods.PRIVILEGED, true));
        List<String> failures = new ArrayList<>();
        String previous = "nothing";
        for (int i = 0; i < CASES && failures.size() < 10; i++) {
            String seed = seeds.get(random.nextInt(seeds.size()));
            byte[] body = mangle(seed, random);
            String contentType = random.nextInt(10) == 0 ? CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)] : "application/json";
            String path = random.nextBoolean() ? "/validate" : "/mutate";
            HttpRequest.Builder request = HttpRequest.newBuilder(webhook(path)).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (!contentType.isEmpty()) {
                request.header("Content-Type", contentType);
            }
            HttpResponse<String> resp;
            try {
                resp = https.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                // Say which request and what came before it: a connection the server closed without
                // notice shows here (the client reused it), so does a reset.
                failures.add("case " + i + " " + path + " (" + contentType + ", " + body.length + " bytes) after " + previous + ": " + e);
                previous = "an exception";
                continue;
            }
            previous = resp.statusCode() + resp.headers().firstValue("connection").map(c -> " Connection: " + c).orElse("");
            int status = resp.statusCode();
            if (status >= 500 || (status != 200 && (status < 400 || status > 499))
                    || resp.body().contains("\tat ") || resp.body().contains("Exception")) {
                failures.add("case " + i + " " + path + " -> " + status + ": " + abbreviate(resp.body()) + " for " + abbreviate(new String(body, StandardCharsets.UTF_8)));
            }
            if (status == 200) {
                assertThat(Json.mapper().readTree(resp.body()).path("response").has("allowed")).as("case %d", i).isTrue();
            }
        }
        assertThat(failures).isEmpty();

        HttpResponse<String> good = post("/validate", Reviews.create(Pods.PRIVILEGED));
        assertThat(good.statusCode()).isEqualTo(200);
        assertThat(Reviews.response(good.body()).path("allowed").asBoolean()).isFalse();
    }

    static byte[] mangle(String seed, Random random) {
        return switch (random.nextInt(9)) {
            case 0 -> truncate(seed.getBytes(StandardCharsets.UTF_8), random);
            case 1 -> invalidUtf8(seed.getBytes(StandardCharsets.UTF_8), random);
            case 2 -> deepNesting(random);
            case 3 -> hugeString(seed, random);
            case 4 -> flipBytes(seed.getBytes(StandardCharsets.UTF_8), random);
            default -> mangleTree(seed, random);
        };
    }

    /** Replaces, removes or retypes random nodes of the review tree. */
    private static byte[] mangleTree(String seed, Random random) {
        JsonNode root = Json.mapper().readTree(seed);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            List<JsonNode> containers = new ArrayList<>();
            collectContainers(root, containers);
            JsonNode parent = containers.get(random.nextInt(containers.size()));
            if (parent instanceof ObjectNode object && !object.isEmpty()) {
                List<String> names = new ArrayList<>(object.propertyNames());
                String name = names.get(random.nextInt(names.size()));
                if (random.nextInt(3) == 0) {
                    object.remove(name);
                } else {
                    object.set(name, randomValue(random));
                }
            } else if (parent instanceof ArrayNode array && !array.isEmpty()) {
                array.set(random.nextInt(array.size()), randomValue(random));
            }
        }
        return Json.mapper().writeValueAsBytes(root);
    }

    private static void collectContainers(JsonNode node, List<JsonNode> out) {
        if (node.isContainer()) {
            out.add(node);
            for (JsonNode child : node) {
                collectContainers(child, out);
            }
        }
    }

    private static JsonNode randomValue(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> Json.mapper().nullNode();
            case 1 -> Json.mapper().getNodeFactory().numberNode(random.nextLong());
            case 2 -> Json.mapper().getNodeFactory().booleanNode(random.nextBoolean());
            case 3 -> Json.mapper().getNodeFactory().stringNode("x".repeat(random.nextInt(5000)));
            case 4 -> Json.mapper().createArrayNode().add(1).add("two").addNull();
            case 5 -> Json.mapper().createObjectNode().put("unknown", true);
            case 6 -> Json.mapper().getNodeFactory().numberNode(1e308);
            case 7 -> Json.mapper().getNodeFactory().stringNode("\u0000\uFFFF\uD83D\uDE00");
            case 8 -> Json.mapper().getNodeFactory().stringNode("-1");
            default -> Json.mapper().createArrayNode();
        };
    }

    private static byte[] truncate(byte[] body, Random random) {
        return Arrays.copyOf(body, random.nextInt(body.length));
    }

    private static byte[] invalidUtf8(byte[] body, Random random) {
        byte[] copy = body.clone();
        for (int i = 0; i < 3; i++) {
            copy[random.nextInt(copy.length)] = (byte) (0x80 + random.nextInt(0x7F));
        }
        return copy;
    }

    private static byte[] flipBytes(byte[] body, Random random) {
        byte[] copy = body.clone();
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips; i++) {
            copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
        }
        return copy;
    }

    private static byte[] deepNesting(Random random) {
        int depth = 100 + random.nextInt(20_000);
        String open = random.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        return ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
                + open.repeat(depth) + "1" + close.repeat(depth) + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] hugeString(String seed, Random random) {
        String huge = "a".repeat(50_000 + random.nextInt(300_000));
        return seed.replace("\"nginx\"", "\"" + huge + "\"").getBytes(StandardCharsets.UTF_8);
    }

    static String deploymentJson() {
        return """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"default"},
                 "spec":{"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"app","image":"nginx",
                 "securityContext":{"privileged":true}}]}}}}""";
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}

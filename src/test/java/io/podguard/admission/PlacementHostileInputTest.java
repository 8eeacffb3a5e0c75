package io.podguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.engine.placement.NamespaceAnnotations;
import io.podguard.policy.ConfiguredPolicyResolver;
import io.podguard.policy.NamespaceLabels;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import io.podguard.report.ReviewObserver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Placement under hostile input, through /mutate and /validate: the most tolerations podguard
 * merges, one more, a selector of tens of thousands of labels, thousands of affinity terms, a
 * namespace annotation at the apiserver's size limit. Each answer is exact and short; none
 * grows with the input.
 */
class PlacementHostileInputTest {

    private static final String POLICY = """
            podSecurity: {level: privileged}
            defaults: {enabled: false}
            placement:
              namespaceAnnotations: true
              tolerations: {default: [{key: dedicated, operator: Equal, value: ml, effect: NoSchedule}]}
              nodeLabels: {restricted: {"team*": [ml]}}
            """;

    @Test
    void tolerationsWhenAtTheLimitThenMergedAndWhenOneMoreThenRefused() {
        JsonNode mutate = review(Endpoint.MUTATE, pod(spec -> tolerations(spec, 1_000)), Map.of());
        assertThat(patch(mutate)).isEqualTo("[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"podguard.io/defaults\":"
                + "\"placement.tolerations (dedicated=ml:NoSchedule)\"}},{\"op\":\"add\",\"path\":\"/spec/tolerations/1000\",\"value\":"
                + "{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"ml\",\"effect\":\"NoSchedule\"}}]");

        ObjectNode tooMany = pod(spec -> tolerations(spec, 1_001));
        assertThat(review(Endpoint.MUTATE, tooMany, Map.of()).has("patch")).isFalse();
        assertThat(review(Endpoint.VALIDATE, tooMany, Map.of()).get("status").get("message").asString())
                .isEqualTo("violates placement rules: too many tolerations (pod has 1001 tolerations; podguard judges at most 1000)");
    }

    @Test
    void nodeSelectorWhenTwentyThousandRestrictedLabelsThenOneShortMessage() {
        JsonNode validate = review(Endpoint.VALIDATE, pod(spec -> {
            ObjectNode selector = spec.putObject("nodeSelector");
            for (int i = 0; i < 20_000; i++) {
                selector.put("team-" + i, "web");
            }
        }), Map.of());

        assertThat(validate.get("status").get("message").asString()).isEqualTo("violates placement rules: node labels ("
                + "spec.nodeSelector selects team-0=web, pods here may select team-0 only as ml; "
                + "spec.nodeSelector selects team-1=web, pods here may select team-1 only as ml; "
                + "spec.nodeSelector selects team-2=web, pods here may select team-2 only as ml; "
                + "spec.nodeSelector selects team-3=web, pods here may select team-3 only as ml; "
                + "spec.nodeSelector selects team-4=web, pods here may select team-4 only as ml; and 19995 more)");
    }

    @Test
    void affinityWhenThousandsOfTermsThenJudgedWithAShortMessage() {
        JsonNode validate = review(Endpoint.VALIDATE, pod(spec -> {
            ArrayNode terms = spec.putObject("affinity").putObject("nodeAffinity").putObject("requiredDuringSchedulingIgnoredDuringExecution")
                    .putArray("nodeSelectorTerms");
            for (int i = 0; i < 5_000; i++) {
                terms.addObject().putArray("matchExpressions").addObject().put("key", "team").put("operator", "Exists");
            }
        }), Map.of());

        assertThat(validate.get("status").get("message").asString()).endsWith("; and 4995 more)");
        assertThat(validate.get("status").get("message").asString()).hasSizeLessThan(700);
    }

    @Test
    void namespaceAnnotationWhenAtTheApiserversSizeLimitThenRefusedWithAShortMessage() {
        // The apiserver keeps a namespace's annotations under 256 KiB in all.
        String huge = "[" + "{\"key\":\"k\"},".repeat(20_000) + "{}]";
        JsonNode validate = review(Endpoint.VALIDATE, pod(spec -> tolerations(spec, 1)),
                Map.of(NamespaceAnnotations.TOLERATIONS_WHITELIST, huge));

        assertThat(validate.get("status").get("message").asString()).isEqualTo("violates placement rules: namespace annotation "
                + "scheduler.alpha.kubernetes.io/tolerationsWhitelist is not a list of tolerations: more than 1000 tolerations");
    }

    private static void tolerations(ObjectNode spec, int n) {
        ArrayNode list = spec.putArray("tolerations");
        for (int i = 0; i < n; i++) {
            list.addObject().put("key", "k" + i).put("operator", "Exists");
        }
    }

    private static ObjectNode pod(java.util.function.Consumer<ObjectNode> spec) {
        ObjectNode pod = Json.mapper().createObjectNode();
        pod.put("apiVersion", "v1").put("kind", "Pod");
        pod.putObject("metadata").put("name", "p");
        ObjectNode s = pod.putObject("spec");
        s.putArray("containers").addObject().put("name", "app").put("image", "app");
        spec.accept(s);
        return pod;
    }

    private static JsonNode review(Endpoint endpoint, ObjectNode pod, Map<String, String> annotations) {
        NamespaceLabels namespaces = new NamespaceLabels() {
            @Override
            public Map<String, String> labels(String namespace) {
                return Map.of();
            }

            @Override
            public Map<String, String> annotations(String namespace) {
                return annotations;
            }
        };
        PolicyResolver resolver = new ConfiguredPolicyResolver(PolicyLoader.parse(POLICY), namespaces, Clock.systemUTC(),
                PolicyResolver.ExpiryListener.NONE);
        AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> resolver, ReviewObserver.NONE);
        ObjectNode review = Json.mapper().createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", "u1").put("operation", "CREATE").put("namespace", "ml");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("userInfo").put("username", "mallory");
        request.set("object", pod);
        try {
            return Json.mapper().readTree(handler.handle(endpoint, Json.mapper().writeValueAsBytes(review))).get("response");
        } catch (BadReviewException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static String patch(JsonNode response) {
        return new String(Base64.getDecoder().decode(response.get("patch").asString()), StandardCharsets.UTF_8);
    }
}

package io.podguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Engine;
import io.podguard.report.ReviewObserver;
import io.podguard.engine.Evaluation;
import io.podguard.engine.Json;
import io.podguard.engine.PodObject;
import io.podguard.engine.EffectivePolicy;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Pod Security at the webhook: Pods denied, workloads warned, updates judged as PSA judges them. */
class AdmissionHandlerPodSecurityTest {

    private static final String PRIVILEGED_SPEC = "{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1\",\"securityContext\":{\"privileged\":true}}]}";
    private static final String WARNING = "would violate PodSecurity \"baseline:latest\": "
            + "privileged (container \"app\" must not set securityContext.privileged=true)";

    private final List<Evaluation> evaluations = new ArrayList<>();
    private final AdmissionHandler handler = new AdmissionHandler(Engine.standard(),
            () -> PolicyResolver.fixed(PolicyLoader.parse("mode: enforce\npodSecurity: {level: baseline}\ndefaults: {enabled: false}\n")),
            new ReviewObserver() {
                @Override
                public void evaluated(io.podguard.report.Review review, EffectivePolicy policy, io.podguard.engine.Judgement judgement) {
                    Evaluation evaluation = judgement.evaluation();
                    evaluations.add(evaluation);
                }
            });

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "Deployment|apps|{\"selector\":{},\"template\":{\"spec\":%s}}",
            "StatefulSet|apps|{\"template\":{\"spec\":%s}}",
            "DaemonSet|apps|{\"template\":{\"spec\":%s}}",
            "ReplicaSet|apps|{\"template\":{\"spec\":%s}}",
            "ReplicationController||{\"template\":{\"spec\":%s}}",
            "Job|batch|{\"template\":{\"spec\":%s}}",
            "CronJob|batch|{\"schedule\":\"* * * * *\",\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":%s}}}}"})
    void validateWhenWorkloadTemplateViolatesThenAllowedWithWarning(String kind, String group, String spec) {
        String object = "{\"apiVersion\":\"v1\",\"kind\":\"" + kind + "\",\"metadata\":{\"name\":\"w\"},\"spec\":" + spec.formatted(PRIVILEGED_SPEC) + "}";

        JsonNode response = review(kind, group == null ? "" : group, "CREATE", "", object, null);

        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("warnings").get(0).asString()).isEqualTo(WARNING);
    }

    @Test
    void validateWhenPodTemplateViolatesThenAllowedWithWarning() {
        String object = "{\"apiVersion\":\"v1\",\"kind\":\"PodTemplate\",\"metadata\":{\"name\":\"t\"},\"template\":{\"spec\":" + PRIVILEGED_SPEC + "}}";

        JsonNode response = review("PodTemplate", "", "CREATE", "", object, null);

        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("warnings").get(0).asString()).isEqualTo(WARNING);
    }

    @Test
    void validateWhenPodViolatesThenDenied() {
        JsonNode response = review("Pod", "", "CREATE", "", pod("nginx:1", "{}", ""), null);

        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(response.at("/status/message").asString()).isEqualTo(WARNING.replace("would violate", "violates"));
    }

    @Test
    void validateWhenPodUpdateChangesOnlyMetadataThenAllowedWithoutEvaluation() {
        JsonNode response = review("Pod", "", "UPDATE", "", pod("nginx:1", "{\"team\":\"b\"}", ""), pod("nginx:1", "{\"team\":\"a\"}", ""));

        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(evaluations).isEmpty();
    }

    @Test
    void validateWhenPodUpdateChangesImageThenJudged() {
        JsonNode response = review("Pod", "", "UPDATE", "", pod("nginx:2", "{}", ""), pod("nginx:1", "{}", ""));

        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(evaluations).hasSize(1);
    }

    @Test
    void validateWhenEphemeralContainerAddedThenJudged() {
        String debug = ",\"ephemeralContainers\":[{\"name\":\"debug\",\"image\":\"busybox\",\"securityContext\":{\"privileged\":true}}]";
        String compliantOld = pod("nginx:1", "{}", "").replace("\"privileged\":true", "\"privileged\":false");
        String withDebug = compliantOld.replace("}]}}", "}]" + debug + "}}");

        JsonNode response = review("Pod", "", "UPDATE", "ephemeralcontainers", withDebug, compliantOld);

        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(response.at("/status/message").asString()).isEqualTo("violates PodSecurity \"baseline:latest\": "
                + "privileged (container \"debug\" must not set securityContext.privileged=true)");
    }

    @Test
    void validateWhenStatusSubresourceThenNotJudged() {
        JsonNode response = review("Pod", "", "UPDATE", "status", pod("nginx:2", "{}", ""), pod("nginx:1", "{}", ""));

        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(evaluations).isEmpty();
    }

    @Test
    void validateWhenWorkloadScaleSubresourceThenNotJudged() {
        String object = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"w\"},\"spec\":{\"template\":{\"spec\":" + PRIVILEGED_SPEC + "}}}";

        JsonNode response = review("Deployment", "apps", "UPDATE", "scale", object, object);

        assertThat(response.has("warnings")).isFalse();
        assertThat(evaluations).isEmpty();
    }

    private static String pod(String image, String labels, String extra) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"labels\":" + labels + "},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + image + "\",\"securityContext\":{\"privileged\":true}}]" + extra + "}}";
    }

    private JsonNode review(String kind, String group, String operation, String subResource, String object, String oldObject) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("apiVersion", "admission.k8s.io/v1");
        root.put("kind", "AdmissionReview");
        ObjectNode request = root.putObject("request");
        request.put("uid", "u1");
        request.putObject("kind").put("group", group).put("version", "v1").put("kind", kind);
        request.put("operation", operation);
        request.put("subResource", subResource);
        request.put("namespace", "ns");
        request.set("object", Json.mapper().readTree(object));
        if (oldObject != null) {
            request.set("oldObject", Json.mapper().readTree(oldObject));
        }
        try {
            return Json.mapper().readTree(handler.handle(Endpoint.VALIDATE, Json.mapper().writeValueAsBytes(root))).get("response");
        } catch (BadReviewException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}

package io.podguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Engine;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import io.podguard.report.ReviewObserver;
import io.podguard.testing.Reviews;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * ValidatingAdmissionPolicies at the webhook: a denial's status code and reason from the
 * failed validation's {@code reason}, the Audit action's {@code validation_failure} JSON and the
 * policies' audit annotations on the answer, as the apiserver records them
 * (AdmissionPolicyDifferentialIT compares the same with the apiserver itself).
 */
class AdmissionHandlerAdmissionPolicyTest {

    private static final String POLICY = """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicy
            metadata: {name: sizes}
            spec:
              failurePolicy: Fail
              matchConstraints:
                resourceRules:
                  - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
              variables:
                - {name: n, expression: "size(object.spec.containers)"}
              validations:
                - expression: "variables.n < 3"
                  reason: RequestEntityTooLarge
                  messageExpression: "'too many containers: ' + string(variables.n)"
                - expression: "variables.n < 2"
                  reason: Forbidden
                  message: "<two> & more"
                - expression: "variables.n < 5"
              auditAnnotations:
                - {key: containers, valueExpression: "'  ' + string(variables.n)"}
                - {key: none, valueExpression: "null"}
            ---
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicyBinding
            metadata: {name: sizes-%s}
            spec:
              policyName: sizes
              validationActions: [%s]
            """;

    private static JsonNode review(String actions, int containers) {
        String policy = POLICY.formatted(actions.replace(", ", "-").toLowerCase(java.util.Locale.ROOT), actions);
        AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> PolicyResolver.fixed(PolicyLoader.parse(policy)),
                ReviewObserver.NONE);
        StringBuilder cs = new StringBuilder();
        for (int i = 0; i < containers; i++) {
            cs.append(i == 0 ? "" : ",").append("{\"name\":\"c").append(i).append("\",\"image\":\"app\"}");
        }
        String pod = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"shop\"},\"spec\":{\"containers\":["
                + cs + "]}}";
        try {
            return Reviews.response(handler.handle(Endpoint.VALIDATE, Reviews.create(pod).getBytes(StandardCharsets.UTF_8)));
        } catch (BadReviewException e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, String> annotations(JsonNode response) {
        Map<String, String> out = new TreeMap<>();
        response.path("auditAnnotations").properties().forEach(e -> out.put(e.getKey(), e.getValue().asString()));
        return out;
    }

    @Test
    void validateWhenValidationWithReasonFailsThenItsStatusAndTheFirstDenialsMessage() {
        JsonNode response = review("Deny", 3);

        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(response.at("/status/code").asInt()).isEqualTo(413);
        assertThat(response.at("/status/reason").asString()).isEqualTo("RequestEntityTooLarge");
        assertThat(response.at("/status/message").asString())
                .isEqualTo("ValidatingAdmissionPolicy 'sizes' with binding 'sizes-deny' denied request: too many containers: 3");
        // a policy's audit annotations are recorded whatever its verdict, trimmed; null records nothing
        assertThat(annotations(response)).containsExactly(Map.entry("sizes_containers", "3"));
    }

    @Test
    void validateWhenValidationsWithoutOrWithOtherReasonsFailThenTheirStatus() {
        JsonNode forbidden = review("Deny", 2);
        assertThat(forbidden.at("/status/code").asInt()).isEqualTo(403);
        assertThat(forbidden.at("/status/reason").asString()).isEqualTo("Forbidden");
        assertThat(forbidden.at("/status/message").asString())
                .isEqualTo("ValidatingAdmissionPolicy 'sizes' with binding 'sizes-deny' denied request: <two> & more");
        JsonNode invalid = review("Deny", 5);
        assertThat(invalid.at("/status/code").asInt()).isEqualTo(413); // the first failed validation decides
        JsonNode allowed = review("Deny", 1);
        assertThat(allowed.get("allowed").asBoolean()).isTrue();
        assertThat(annotations(allowed)).containsExactly(Map.entry("sizes_containers", "1"));
    }

    @Test
    void validateWhenAuditAndWarnThenTheApiserversJsonAndWarnings() {
        JsonNode response = review("Audit, Warn", 2);

        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("warnings").valueStream().map(JsonNode::asString).toList()).containsExactly(
                "Validation failed for ValidatingAdmissionPolicy 'sizes' with binding 'sizes-audit-warn': <two> & more");
        // Go's encoding/json, byte for byte: HTML characters escaped
        assertThat(annotations(response)).containsExactly(
                Map.entry("sizes_containers", "2"),
                Map.entry("validation_failure", "[{\"message\":\"\\u003ctwo\\u003e \\u0026 more\",\"policy\":\"sizes\",\"binding\":"
                        + "\"sizes-audit-warn\",\"expressionIndex\":1,\"validationActions\":[\"Audit\",\"Warn\"]}]"));
    }
}

package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Json;
import io.podguard.testing.Pods;
import io.podguard.testing.Reviews;
import jakarta.json.JsonArray;
import jakarta.json.JsonStructure;
import java.io.StringReader;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The server as {@code java -jar podguard.jar} runs it, on the embedded default policy (enforce
 * baseline, audit and warn restricted, defaults applied): an ordinary pod that {@code /mutate}
 * defaulted is admitted by {@code /validate} with warnings saying what restricted needs; a
 * privileged one is denied.
 */
class DefaultPolicyServerTest extends WebhookServerTestSupport {

    private static final String BARE_POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default"},
             "spec":{"containers":[{"name":"app","image":"nginx"}]}}""";

    @Test
    void validateWhenABarePodWasDefaultedByMutateThenAdmittedWithRestrictedWarnings() throws Exception {
        JsonNode mutated = Reviews.response(post("/mutate", Reviews.create(BARE_POD)).body());
        assertThat(mutated.path("allowed").asBoolean()).isTrue();
        String defaulted = applyIndependently(BARE_POD, Reviews.patch(mutated).toString());

        JsonNode response = Reviews.response(post("/validate", Reviews.create(defaulted)).body());

        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("status")).isFalse();
        assertThat(Json.mapper().writeValueAsString(response.path("warnings"))).isEqualTo("["
                + "\"would violate PodSecurity \\\"restricted:latest\\\": unrestricted capabilities "
                + "(container \\\"app\\\" must set securityContext.capabilities.drop=[\\\"ALL\\\"])\","
                + "\"would violate PodSecurity \\\"restricted:latest\\\": runAsNonRoot != true "
                + "(pod or container \\\"app\\\" must set securityContext.runAsNonRoot=true)\"]");
        assertThat(response.path("auditAnnotations").path("enforce-policy").asString()).isEqualTo("baseline:latest");
        assertThat(response.path("auditAnnotations").path("audit-violations").asString()).isEqualTo(
                "would violate PodSecurity \"restricted:latest\": unrestricted capabilities "
                        + "(container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true "
                        + "(pod or container \"app\" must set securityContext.runAsNonRoot=true)");
    }

    @Test
    void validateWhenABarePodWasNotDefaultedThenAdmittedWithEveryRestrictedWarning() throws Exception {
        JsonNode response = Reviews.response(post("/validate", Reviews.create(BARE_POD)).body());

        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("warnings").size()).isEqualTo(4);
        assertThat(response.path("warnings").get(0).asString()).isEqualTo("would violate PodSecurity \"restricted:latest\": "
                + "allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false)");
    }

    @Test
    void validateWhenAPrivilegedPodThenDeniedAtBaseline() throws Exception {
        JsonNode response = Reviews.response(post("/validate", Reviews.create(Pods.PRIVILEGED)).body());

        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("code").asInt()).isEqualTo(403);
        assertThat(response.path("status").path("message").asString()).isEqualTo(
                "violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), "
                        + "privileged (container \"app\" must not set securityContext.privileged=true)");
    }

    /** The patch applied with JSON-P's RFC 6902 implementation, not the one podguard uses. */
    private static String applyIndependently(String document, String patchJson) {
        try (var patch = jakarta.json.Json.createReader(new StringReader(patchJson));
             var doc = jakarta.json.Json.createReader(new StringReader(document))) {
            return jakarta.json.Json.createPatch((JsonArray) patch.readValue()).apply((JsonStructure) doc.readValue()).toString();
        }
    }
}

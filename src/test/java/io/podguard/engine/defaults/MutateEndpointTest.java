package io.podguard.engine.defaults;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Json;
import io.podguard.policy.PolicyLoader;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** /mutate through {@link AdmissionHandler}, the code path of the server and of {@code review}. */
class MutateEndpointTest {

    private static final String BARE_POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: bare
            spec:
              containers:
              - name: app
                image: registry.example/app:1.0
                ports:
                - containerPort: 8080
            """;

    @Test
    void mutateWhenBarePodThenExactPatch() {
        JsonNode response = PatchTesting.mutate(PatchTesting.handler(PolicyLoader.embeddedDefault()), PatchTesting.yaml(BARE_POD));

        assertThat(response.get("patchType").asString()).isEqualTo("JSONPatch");
        assertThat(PatchTesting.patchOf(response)).isEqualTo("["
                + "{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"podguard.io/defaults\":"
                + "\"resources (container app), readinessProbe (container app), preStop (container app), "
                + "securityContext (container app), securityContext (pod)\"}},"
                + "{\"op\":\"add\",\"path\":\"/spec/containers/0/resources\",\"value\":"
                + "{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},\"limits\":{\"memory\":\"256Mi\"}}},"
                + "{\"op\":\"add\",\"path\":\"/spec/containers/0/readinessProbe\",\"value\":{\"tcpSocket\":{\"port\":8080}}},"
                + "{\"op\":\"add\",\"path\":\"/spec/containers/0/lifecycle\",\"value\":{\"preStop\":{\"sleep\":{\"seconds\":5}}}},"
                + "{\"op\":\"add\",\"path\":\"/spec/containers/0/securityContext\",\"value\":{\"allowPrivilegeEscalation\":false}},"
                + "{\"op\":\"add\",\"path\":\"/spec/securityContext\",\"value\":{\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}}"
                + "]");
        assertThat(response.has("warnings")).isFalse();
        assertThat(response.has("auditAnnotations")).isFalse();
    }

    @Test
    void mutateWhenAnnotationsExistThenAnnotationAddedWithEscapedPointer() {
        ObjectNode pod = PatchTesting.yaml(BARE_POD.replace("  name: bare\n", "  name: bare\n  annotations:\n    team: a\n"));

        String patch = PatchTesting.patchOf(PatchTesting.mutate(PatchTesting.handler(PolicyLoader.embeddedDefault()), pod));

        assertThat(patch).startsWith("[{\"op\":\"add\",\"path\":\"/metadata/annotations/podguard.io~1defaults\","
                + "\"value\":\"resources (container app), readinessProbe (container app), ");
    }

    @Test
    void mutateWhenAuditModeThenNoPatchButWarningsAndAuditAnnotation() {
        AdmissionHandler handler = PatchTesting.handler(PolicyLoader.parse("defaults:\n  mode: audit\n"));

        JsonNode response = PatchTesting.mutate(handler, PatchTesting.yaml(BARE_POD));

        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
        assertThat(response.has("patchType")).isFalse();
        assertThat(response.get("warnings").valueStream().map(JsonNode::asString).toList()).containsExactly(
                "podguard would set: resources (container app), readinessProbe (container app), preStop (container app)",
                "podguard would set: securityContext (container app), securityContext (pod)");
        assertThat(response.get("auditAnnotations").get("defaults-would-apply").asString()).isEqualTo(
                "resources (container app), readinessProbe (container app), preStop (container app), "
                        + "securityContext (container app), securityContext (pod)");
    }

    @Test
    void mutateWhenDefaultsDisabledThenNoPatch() {
        AdmissionHandler handler = PatchTesting.handler(PolicyLoader.parse("defaults:\n  enabled: false\n"));

        JsonNode response = PatchTesting.mutate(handler, PatchTesting.yaml(BARE_POD));

        assertThat(response.has("patch")).isFalse();
        assertThat(response.get("allowed").asBoolean()).isTrue();
    }

    @Test
    void mutateWhenUpdateThenNoPatch() throws Exception {
        AdmissionHandler handler = PatchTesting.handler(PolicyLoader.embeddedDefault());
        ObjectNode review = (ObjectNode) Json.mapper().readTree(PatchTesting.review(PatchTesting.yaml(BARE_POD), false));
        ((ObjectNode) review.get("request")).put("operation", "UPDATE");
        ((ObjectNode) review.get("request")).set("oldObject", PatchTesting.yaml(BARE_POD));

        JsonNode response = Json.mapper().readTree(handler.handle(Endpoint.MUTATE, Json.mapper().writeValueAsBytes(review))).get("response");

        assertThat(response.has("patch")).isFalse();
    }

    @Test
    void mutateWhenDryRunThenSamePatch() throws Exception {
        AdmissionHandler handler = PatchTesting.handler(PolicyLoader.embeddedDefault());
        JsonNode pod = PatchTesting.yaml(BARE_POD);

        JsonNode dryRun = Json.mapper().readTree(handler.handle(Endpoint.MUTATE, PatchTesting.review(pod, true))).get("response");

        assertThat(PatchTesting.patchOf(dryRun)).isEqualTo(PatchTesting.patchOf(PatchTesting.mutate(handler, pod)));
    }
}

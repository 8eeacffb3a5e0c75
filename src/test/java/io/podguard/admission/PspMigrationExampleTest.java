package io.podguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.zjsonpatch.JsonPatch;
import io.podguard.engine.Engine;
import io.podguard.report.ReviewObserver;
import io.podguard.engine.Json;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The worked migration example of docs/psp.md, as shipped under docs/examples/psp: a cluster's
 * PSPs (restricted for all, logging bound to the log shipper, privileged bound to kube-system)
 * and its pods, first in audit mode, then enforced.
 */
class PspMigrationExampleTest {

    private static final Path EXAMPLES = Path.of("docs/examples/psp");
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private static AdmissionHandler handler(String policyFile) throws IOException {
        PolicyResolver resolver = PolicyResolver.fixed(PolicyLoader.load(EXAMPLES.resolve(policyFile)));
        return new AdmissionHandler(Engine.standard(), () -> resolver, ReviewObserver.NONE);
    }

    private static JsonNode pod(String name) throws IOException {
        return YAML.readTree(Files.readString(EXAMPLES.resolve("pods").resolve(name + ".yaml")));
    }

    private static JsonNode review(AdmissionHandler handler, Endpoint endpoint, JsonNode pod) throws BadReviewException {
        ObjectNode request = Json.mapper().createObjectNode();
        request.put("uid", "uid-1");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("operation", "CREATE");
        request.put("namespace", pod.get("metadata").get("namespace").asString());
        request.putObject("userInfo").put("username", "system:serviceaccount:kube-system:replicaset-controller");
        request.set("object", pod);
        ObjectNode review = Json.mapper().createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        review.set("request", request);
        return Json.mapper().readTree(handler.handle(endpoint, Json.mapper().writeValueAsBytes(review))).get("response");
    }

    /** /mutate then /validate, as the apiserver calls them; returns the /validate response. */
    private static JsonNode admit(AdmissionHandler handler, JsonNode pod) throws BadReviewException {
        JsonNode mutate = review(handler, Endpoint.MUTATE, pod);
        assertThat(mutate.get("allowed").asBoolean()).isTrue();
        JsonNode created = mutate.has("patch") ? JsonPatch.apply(Json.mapper().readTree(
                new String(Base64.getDecoder().decode(mutate.get("patch").asString()), StandardCharsets.UTF_8)), pod) : pod;
        return review(handler, Endpoint.VALIDATE, created);
    }

    private static String audit(JsonNode response) {
        return response.has("auditAnnotations") ? response.get("auditAnnotations").toString() : "{}";
    }

    @Test
    void auditModeChangesNothingAndRecordsEachVerdict() throws Exception {
        AdmissionHandler handler = handler("policy-audit.yaml");
        for (String name : new String[] {"web", "fluent-bit", "kube-proxy", "debug-shell", "logs-writer"}) {
            JsonNode mutate = review(handler, Endpoint.MUTATE, pod(name));
            assertThat(mutate.has("patch")).as(name).isFalse();
            JsonNode validate = review(handler, Endpoint.VALIDATE, pod(name));
            assertThat(validate.get("allowed").asBoolean()).as(name).isTrue();
            assertThat(validate.has("warnings")).as(name).isFalse();
        }
        assertThat(audit(review(handler, Endpoint.VALIDATE, pod("web")))).isEqualTo("{\"psp-validate-policy\":\"restricted\"}");
        assertThat(audit(review(handler, Endpoint.VALIDATE, pod("fluent-bit")))).isEqualTo("{\"psp-validate-policy\":\"logging\"}");
        assertThat(audit(review(handler, Endpoint.VALIDATE, pod("kube-proxy")))).isEqualTo("{\"psp-validate-policy\":\"privileged\"}");
        assertThat(review(handler, Endpoint.VALIDATE, pod("debug-shell")).get("auditAnnotations").get("psp-audit-violations").asString())
                .isEqualTo("PodSecurityPolicy: unable to admit pod: ["
                        + "spec.volumes[0]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used]");
        assertThat(review(handler, Endpoint.VALIDATE, pod("logs-writer")).get("auditAnnotations").get("psp-audit-violations").asString())
                .isEqualTo("PodSecurityPolicy: unable to admit pod: ["
                        + "spec.containers[0].volumeMounts[0].readOnly: Invalid value: false: must be read-only "
                        + "spec.volumes[0]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used]");
    }

    @Test
    void enforceModeDefaultsWhatItAdmitsAndRefusesTheRest() throws Exception {
        AdmissionHandler handler = handler("policy-enforce.yaml");
        JsonNode web = review(handler, Endpoint.MUTATE, pod("web"));
        JsonNode created = JsonPatch.apply(Json.mapper().readTree(
                new String(Base64.getDecoder().decode(web.get("patch").asString()), StandardCharsets.UTF_8)), pod("web"));
        assertThat(created).isEqualTo(YAML.readTree("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                  namespace: shop
                  annotations:
                    seccomp.security.alpha.kubernetes.io/pod: runtime/default
                    container.apparmor.security.beta.kubernetes.io/nginx: runtime/default
                    kubernetes.io/psp: restricted
                spec:
                  serviceAccountName: web
                  securityContext:
                    supplementalGroups: [1]
                    fsGroup: 1
                    seccompProfile: {type: RuntimeDefault}
                  containers:
                  - name: nginx
                    image: nginxinc/nginx-unprivileged:1.27
                    ports:
                    - containerPort: 8080
                    securityContext:
                      runAsNonRoot: true
                      capabilities: {drop: [ALL]}
                      allowPrivilegeEscalation: false
                """));
        assertThat(audit(admit(handler, pod("web")))).isEqualTo("{\"psp-validate-policy\":\"restricted\"}");
        assertThat(audit(admit(handler, pod("fluent-bit")))).isEqualTo("{\"psp-validate-policy\":\"logging\"}");
        assertThat(audit(admit(handler, pod("kube-proxy")))).isEqualTo("{\"psp-validate-policy\":\"privileged\"}");

        JsonNode debug = admit(handler, pod("debug-shell"));
        assertThat(debug.get("allowed").asBoolean()).isFalse();
        assertThat(debug.get("status").get("code").asInt()).isEqualTo(403);
        assertThat(debug.get("status").get("message").asString()).isEqualTo("PodSecurityPolicy: unable to validate pod: ["
                + "spec.volumes[0]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used]");
        JsonNode writer = admit(handler, pod("logs-writer"));
        assertThat(writer.get("allowed").asBoolean()).isFalse();
        assertThat(writer.get("status").get("message").asString()).isEqualTo("PodSecurityPolicy: unable to validate pod: ["
                + "spec.containers[0].volumeMounts[0].readOnly: Invalid value: false: must be read-only "
                + "spec.volumes[0]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used]");
    }
}

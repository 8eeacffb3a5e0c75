package io.podguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.zjsonpatch.JsonPatch;
import io.podguard.engine.Engine;
import io.podguard.report.ReviewObserver;
import io.podguard.engine.Json;
import io.podguard.policy.Policy;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Whole reviews through {@link AdmissionHandler} with PodSecurityPolicies as the policy, in each mode. */
class PspAdmissionTest {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private static final String RESTRICTED = """
            apiVersion: policy/v1beta1
            kind: PodSecurityPolicy
            metadata:
              name: restricted
            spec:
              privileged: false
              allowPrivilegeEscalation: false
              requiredDropCapabilities: [ALL]
              volumes: [configMap, emptyDir, projected, secret, downwardAPI, persistentVolumeClaim]
              runAsUser: {rule: MustRunAsNonRoot}
              seLinux: {rule: RunAsAny}
              supplementalGroups: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}
              fsGroup: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}
            """;

    private static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: shop}
            spec:
              serviceAccountName: web
              containers:
              - name: app
                image: nginx
            """;

    private static AdmissionHandler handler(String policyYaml) {
        Policy policy = PolicyLoader.parse(policyYaml);
        PolicyResolver resolver = PolicyResolver.fixed(policy);
        return new AdmissionHandler(Engine.standard(), () -> resolver, ReviewObserver.NONE);
    }

    private static JsonNode review(AdmissionHandler handler, Endpoint endpoint, String operation, JsonNode object, JsonNode oldObject)
            throws BadReviewException {
        String kind = object.get("kind").asString();
        ObjectNode request = Json.mapper().createObjectNode();
        request.put("uid", "u-1");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", kind);
        request.putObject("resource").put("resource", kind.toLowerCase() + "s");
        request.put("operation", operation);
        request.put("namespace", "shop");
        request.putObject("userInfo").put("username", "alice");
        request.set("object", object);
        if (oldObject != null) {
            request.set("oldObject", oldObject);
        }
        ObjectNode reviewNode = Json.mapper().createObjectNode();
        reviewNode.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview").set("request", request);
        byte[] out = handler.handle(endpoint, Json.mapper().writeValueAsBytes(reviewNode));
        return Json.mapper().readTree(out).get("response");
    }

    private static JsonNode review(AdmissionHandler handler, Endpoint endpoint, JsonNode object) throws BadReviewException {
        return review(handler, endpoint, "CREATE", object, null);
    }

    private static JsonNode yaml(String s) {
        return YAML.readTree(s);
    }

    private static JsonNode patchOf(JsonNode response) {
        return Json.mapper().readTree(new String(Base64.getDecoder().decode(response.get("patch").asString()), StandardCharsets.UTF_8));
    }

    @Test
    void enforceWhenMutateThenDefaultsAndAnnotationAndTheDefaultedPodValidates() throws Exception {
        AdmissionHandler handler = handler(RESTRICTED);
        JsonNode pod = yaml(POD);
        JsonNode mutate = review(handler, Endpoint.MUTATE, pod);
        assertThat(mutate.get("allowed").asBoolean()).isTrue();
        assertThat(mutate.get("auditAnnotations").toString()).isEqualTo("{\"psp-admit-policy\":\"restricted\"}");
        JsonNode patched = JsonPatch.apply(patchOf(mutate), pod);
        assertThat(patched).isEqualTo(yaml("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: shop, annotations: {kubernetes.io/psp: restricted}}
                spec:
                  serviceAccountName: web
                  securityContext: {supplementalGroups: [1], fsGroup: 1}
                  containers:
                  - name: app
                    image: nginx
                    securityContext: {runAsNonRoot: true, capabilities: {drop: [ALL]}, allowPrivilegeEscalation: false}
                """));
        JsonNode again = review(handler, Endpoint.MUTATE, patched);
        assertThat(again.get("auditAnnotations").toString()).isEqualTo("{\"psp-admit-policy\":\"restricted\"}");
        assertThat(again.has("patch")).isFalse();
        JsonNode validate = review(handler, Endpoint.VALIDATE, patched);
        assertThat(validate.get("allowed").asBoolean()).isTrue();
        assertThat(validate.get("auditAnnotations").toString()).isEqualTo("{\"psp-validate-policy\":\"restricted\"}");
    }

    @Test
    void enforceWhenTheFinalPodBreaksEveryPolicyThenDenied() throws Exception {
        JsonNode response = review(handler(RESTRICTED), Endpoint.VALIDATE, yaml(POD.replace("image: nginx",
                "image: nginx\n    securityContext: {privileged: true, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}")
                .replace("serviceAccountName: web", "serviceAccountName: web\n  securityContext: {fsGroup: 1, supplementalGroups: [1]}")));
        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(response.get("status").get("code").asInt()).isEqualTo(403);
        assertThat(response.get("status").get("message").asString()).isEqualTo("PodSecurityPolicy: unable to validate pod: ["
                + "spec.containers[0].securityContext.privileged: Invalid value: true: Privileged containers are not allowed]");
    }

    @Test
    void enforceWhenTheMutatingWebhookDidNotRunThenTheUndefaultedPodIsDenied() throws Exception {
        JsonNode response = review(handler(RESTRICTED), Endpoint.VALIDATE, yaml(POD));
        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(response.get("status").get("message").asString()).isEqualTo("PodSecurityPolicy: unable to validate pod: [] (no PodSecurityPolicy admits the pod as it is, "
                + "and one would after setting its defaults: the pod was not defaulted; is podguard's mutating webhook (/mutate) registered? "
                + "see docs/psp.md)");
    }

    @Test
    void enforceOnAWorkloadThenWarnedNotDenied() throws Exception {
        JsonNode deployment = yaml("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  template:
                    spec:
                      hostNetwork: true
                      containers: [{name: app, image: nginx}]
                """);
        JsonNode response = review(handler(RESTRICTED), Endpoint.VALIDATE, deployment);
        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("warnings").get(0).asString()).isEqualTo("PodSecurityPolicy: unable to admit pod: ["
                + "spec.template.spec.securityContext.hostNetwork: Invalid value: true: Host network is not allowed to be used]");
    }

    @Test
    void auditModeThenNoPatchAndTheVerdictInAuditAnnotations() throws Exception {
        AdmissionHandler handler = handler("mode: audit\n---\n" + RESTRICTED);
        JsonNode pod = yaml(POD);
        JsonNode mutate = review(handler, Endpoint.MUTATE, pod);
        assertThat(mutate.has("patch")).isFalse();
        JsonNode fine = review(handler, Endpoint.VALIDATE, pod);
        assertThat(fine.get("allowed").asBoolean()).isTrue();
        assertThat(fine.get("auditAnnotations").toString()).isEqualTo("{\"psp-validate-policy\":\"restricted\"}");
        JsonNode bad = review(handler, Endpoint.VALIDATE, yaml(POD.replace("spec:\n", "spec:\n  hostPID: true\n")));
        assertThat(bad.get("allowed").asBoolean()).isTrue();
        assertThat(bad.has("warnings")).isFalse();
        assertThat(bad.get("auditAnnotations").get("psp-audit-violations").asString()).isEqualTo(
                "PodSecurityPolicy: unable to admit pod: [spec.securityContext.hostPID: Invalid value: true: Host PID is not allowed to be used]");
    }

    @Test
    void warnModeThenWarnings() throws Exception {
        JsonNode response = review(handler("mode: warn\n---\n" + RESTRICTED), Endpoint.VALIDATE,
                yaml(POD.replace("spec:\n", "spec:\n  volumes: [{name: h, hostPath: {path: /}}]\n")));
        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("warnings").get(0).asString()).isEqualTo(
                "PodSecurityPolicy: unable to admit pod: [spec.volumes[0]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used]");
    }

    @Test
    void updateThatOnlyTheGarbageCollectorMakesIsNotJudged() throws Exception {
        JsonNode old = yaml(POD);
        ObjectNode updated = (ObjectNode) old.deepCopy();
        ((ObjectNode) updated.get("metadata")).putArray("finalizers").add("example.com/keep");
        JsonNode response = review(handler(RESTRICTED), Endpoint.VALIDATE, "UPDATE", updated, old);
        assertThat(response.get("allowed").asBoolean()).isTrue();
        JsonNode real = review(handler(RESTRICTED), Endpoint.VALIDATE, "UPDATE", yaml(POD.replace("nginx", "nginx:2")), old);
        assertThat(real.get("allowed").asBoolean()).isFalse();
    }

    @Test
    void policyBoundToAnotherNamespaceDoesNotApply() throws Exception {
        String privileged = RESTRICTED.replace("name: restricted", "name: privileged\n  annotations: {podguard.io/namespaces: kube-system}")
                .replace("privileged: false", "privileged: true").replace("allowPrivilegeEscalation: false", "hostPID: true");
        JsonNode response = review(handler(RESTRICTED + "---\n" + privileged), Endpoint.VALIDATE,
                yaml(POD.replace("spec:\n", "spec:\n  hostPID: true\n  securityContext: {fsGroup: 1, supplementalGroups: [1]}\n")
                        .replace("image: nginx", "image: nginx\n    securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}")));
        assertThat(response.get("status").get("message").asString()).isEqualTo(
                "PodSecurityPolicy: unable to validate pod: [spec.securityContext.hostPID: Invalid value: true: Host PID is not allowed to be used]");
    }

    @Test
    void withPodguardDefaultsTooThenOnePatchThatAppliesAndThePodValidates() throws Exception {
        // podguard's securityContext defaults set a RuntimeDefault seccomp profile: the PSP must allow it.
        AdmissionHandler handler = handler("defaults: {enabled: true}\n---\n" + RESTRICTED.replace("name: restricted",
                "name: restricted\n  annotations: {seccomp.security.alpha.kubernetes.io/allowedProfileNames: runtime/default}"));
        JsonNode pod = yaml(POD);
        JsonNode mutate = review(handler, Endpoint.MUTATE, pod);
        assertThat(mutate.get("auditAnnotations").get("psp-admit-policy").asString()).isEqualTo("restricted");
        JsonNode created = JsonPatch.apply(patchOf(mutate), pod);
        assertThat(created.get("metadata").get("annotations").get("kubernetes.io/psp").asString()).isEqualTo("restricted");
        assertThat(created.at("/spec/containers/0/resources/requests/memory").asString()).isEqualTo("128Mi");
        assertThat(created.at("/spec/containers/0/securityContext/runAsNonRoot").asBoolean()).isTrue();
        JsonNode validate = review(handler, Endpoint.VALIDATE, created);
        assertThat(validate.get("allowed").asBoolean()).isTrue();
        assertThat(validate.get("auditAnnotations").toString()).isEqualTo("{\"psp-validate-policy\":\"restricted\"}");
        JsonNode again = review(handler, Endpoint.MUTATE, created);
        assertThat(again.has("patch")).isFalse();
    }
}

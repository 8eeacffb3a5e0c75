package io.podguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Engine;
import io.podguard.report.ReviewObserver;
import io.podguard.engine.Json;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * What each mode puts in the response: audit annotations, warnings, denial. Judged at baseline
 * with the privileged and hostNamespaces checks, so the figures hold as checks are added.
 */
class AdmissionHandlerRecordsTest {

    static final String BAD_POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"team-a"},
             "spec":{"hostNetwork":true,"containers":[{"name":"app","image":"nginx","securityContext":{"privileged":true}}]}}""";
    static final String GOOD_POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"team-a"},
             "spec":{"containers":[{"name":"app","image":"nginx"}]}}""";
    static final String BAD_DEPLOYMENT = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"team-a"},
             "spec":{"template":{"metadata":{"labels":{"app":"web"}},
               "spec":{"hostNetwork":true,"containers":[{"name":"app","image":"nginx","securityContext":{"privileged":true}}]}}}}""";

    static final String HOST = "host namespaces (hostNetwork=true)";
    static final String PRIVILEGED = "privileged (container \"app\" must not set securityContext.privileged=true)";

    static byte[] review(String kind, String object, boolean dryRun) {
        String group = kind.equals("Pod") ? "" : "apps";
        String resource = kind.equals("Pod") ? "pods" : "deployments";
        return ("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
                  "uid":"0f3c-uid","kind":{"group":"%s","version":"v1","kind":"%s"},
                  "resource":{"group":"%s","version":"v1","resource":"%s"},
                  "namespace":"team-a","name":"web","operation":"CREATE","dryRun":%s,
                  "userInfo":{"username":"alice","groups":["devs"]},"object":%s}}"""
                .formatted(group, kind, group, resource, dryRun, object)).getBytes(StandardCharsets.UTF_8);
    }

    static AdmissionHandler handler(String policyYaml, ReviewObserver observer) {
        PolicyResolver resolver = PolicyResolver.fixed(PolicyLoader.parse(policyYaml));
        return new AdmissionHandler(Engine.standard(), () -> resolver, observer);
    }

    static JsonNode answer(String policyYaml, String kind, String object, boolean dryRun) throws BadReviewException {
        return Json.mapper().readTree(handler(policyYaml, ReviewObserver.NONE)
                .handle(Endpoint.VALIDATE, review(kind, object, dryRun))).get("response");
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(n -> out.add(n.asString()));
        }
        return out;
    }

    @Test
    void validateWhenAuditModeThenAllowedWithPsaAuditAnnotationAndNoWarnings() throws Exception {
        JsonNode response = answer("mode: audit\npodSecurity: {level: baseline}\n", "Pod", BAD_POD, false);

        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("warnings")).isNull();
        assertThat(response.get("auditAnnotations").properties()).hasSize(1);
        assertThat(response.at("/auditAnnotations/audit-violations").asString())
                .isEqualTo("would violate PodSecurity \"baseline:latest\": " + HOST + ", " + PRIVILEGED);
    }

    @Test
    void validateWhenAuditModeAndPodPassesThenNoAnnotations() throws Exception {
        JsonNode response = answer("mode: audit\npodSecurity: {level: baseline}\n", "Pod", GOOD_POD, false);

        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("auditAnnotations")).isNull();
    }

    @Test
    void validateWhenEnforceDeniesAPodThenEnforcePolicyAnnotationAndNoWarnings() throws Exception {
        JsonNode response = answer("""
                mode: enforce
                podSecurity: {level: baseline, warn: {level: baseline}, audit: {level: baseline}}
                """, "Pod", BAD_POD, false);

        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(response.at("/status/message").asString())
                .isEqualTo("violates PodSecurity \"baseline:latest\": " + HOST + ", " + PRIVILEGED);
        assertThat(response.get("warnings")).isNull();
        assertThat(response.at("/auditAnnotations/enforce-policy").asString()).isEqualTo("baseline:latest");
        assertThat(response.at("/auditAnnotations/audit-violations").asString())
                .isEqualTo("would violate PodSecurity \"baseline:latest\": " + HOST + ", " + PRIVILEGED);
    }

    @Test
    void validateWhenEnforceAllowsAPodThenOnlyTheEnforcePolicyAnnotation() throws Exception {
        JsonNode response = answer("mode: enforce\npodSecurity: {level: baseline, version: v1.30}\n", "Pod", GOOD_POD, false);

        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("auditAnnotations").properties()).hasSize(1);
        assertThat(response.at("/auditAnnotations/enforce-policy").asString()).isEqualTo("baseline:v1.30");
    }

    @Test
    void validateWhenEveryModeIsPrivilegedThenOnlyThePrivilegedLevelIsRecordedAsPsa() throws Exception {
        JsonNode response = answer("mode: enforce\npodSecurity: {level: privileged, version: v1.30}\n", "Pod", BAD_POD, false);

        assertThat(response.get("allowed").asBoolean()).isTrue();
        // PSA's answer for a namespace where no mode checks anything, whatever the version
        assertThat(response.get("auditAnnotations").properties()).hasSize(1);
        assertThat(response.at("/auditAnnotations/enforce-policy").asString()).isEqualTo("privileged:latest");
    }

    @Test
    void validateWhenWarnModeThenOneWarningPerCheck() throws Exception {
        JsonNode response = answer("mode: warn\npodSecurity: {level: baseline}\n", "Pod", BAD_POD, false);

        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("auditAnnotations")).isNull();
        assertThat(strings(response.get("warnings"))).containsExactly(
                "would violate PodSecurity \"baseline:latest\": " + HOST,
                "would violate PodSecurity \"baseline:latest\": " + PRIVILEGED);
    }

    @Test
    void validateWhenEnforceJudgesAWorkloadThenWarningsOnceEvenIfWarnHasTheSameChecks() throws Exception {
        JsonNode response = answer("""
                mode: enforce
                podSecurity: {level: baseline, warn: {level: baseline}}
                """, "Deployment", BAD_DEPLOYMENT, false);

        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("auditAnnotations")).isNull();
        assertThat(strings(response.get("warnings"))).containsExactly(
                "would violate PodSecurity \"baseline:latest\": " + HOST,
                "would violate PodSecurity \"baseline:latest\": " + PRIVILEGED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"enforce", "audit", "warn"})
    void validateWhenDryRunThenExactlyTheAnswerOfARealRequest(String mode) throws Exception {
        String policy = "mode: " + mode + "\npodSecurity: {level: baseline}\n";
        for (String[] object : List.of(new String[] {"Pod", BAD_POD}, new String[] {"Pod", GOOD_POD},
                new String[] {"Deployment", BAD_DEPLOYMENT})) {
            AdmissionHandler handler = handler(policy, ReviewObserver.NONE);
            byte[] real = handler.handle(Endpoint.VALIDATE, review(object[0], object[1], false));
            byte[] dry = handler.handle(Endpoint.VALIDATE, review(object[0], object[1], true));
            assertThat(new String(dry, StandardCharsets.UTF_8)).isEqualTo(new String(real, StandardCharsets.UTF_8));
        }
    }
}

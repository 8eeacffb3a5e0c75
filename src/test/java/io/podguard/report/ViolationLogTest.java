package io.podguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import io.podguard.engine.Json;
import tools.jackson.databind.JsonNode;

class ViolationLogTest {

    private final List<String> lines = new ArrayList<>();

    private void validate(String policy, String pod, boolean dryRun) throws Exception {
        PolicyResolver resolver = PolicyResolver.fixed(PolicyLoader.parse(policy));
        AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> resolver, new ViolationLog(lines::add));
        handler.handle(Endpoint.VALIDATE, ("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-42",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
                 "namespace":"team-a","name":"web","operation":"CREATE","dryRun":%s,
                 "userInfo":{"username":"alice"},"object":%s}}""".formatted(dryRun, pod)).getBytes(StandardCharsets.UTF_8));
    }

    static final String BAD_POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"team-a"},
             "spec":{"hostIPC":true,"containers":[{"name":"app","image":"nginx",
               "env":[{"name":"DB_PASSWORD","value":"hunter2"}],"securityContext":{"privileged":true}}]}}""";

    @Test
    void evaluatedWhenEnforceAndAuditFindViolationsThenOneJsonLineWithBothAndNoEnvValues() throws Exception {
        validate("mode: enforce\npodSecurity: {level: baseline, audit: {level: baseline, version: v1.30}}\n", BAD_POD, false);

        String both = "host namespaces (hostIPC=true), privileged (container \\\"app\\\" must not set securityContext.privileged=true)";
        assertThat(lines).containsExactly("{\"event\":\"PolicyViolation\",\"uid\":\"u-42\",\"namespace\":\"team-a\",\"name\":\"web\","
                + "\"kind\":\"Pod\",\"user\":\"alice\",\"operation\":\"CREATE\",\"dryRun\":false,\"allowed\":false,\"mode\":\"enforce\","
                + "\"checks\":[\"hostNamespaces\",\"privileged\"],\"message\":\"violates PodSecurity \\\"baseline:latest\\\": " + both + "\","
                + "\"violations\":[{\"mode\":\"enforce\",\"policy\":\"baseline:latest\",\"checks\":[\"hostNamespaces\",\"privileged\"]},"
                + "{\"mode\":\"audit\",\"policy\":\"baseline:v1.30\",\"checks\":[\"hostNamespaces\",\"privileged\"],"
                + "\"message\":\"would violate PodSecurity \\\"baseline:v1.30\\\": " + both + "\"}]}");
        assertThat(lines.getFirst()).doesNotContain("hunter2").doesNotContain("DB_PASSWORD");
    }

    @Test
    void evaluatedWhenDryRunAuditThenLoggedWithDryRunTrue() throws Exception {
        validate("mode: audit\npodSecurity: {level: baseline}\n", BAD_POD, true);

        assertThat(lines).hasSize(1);
        assertThat(lines.getFirst()).contains("\"dryRun\":true,\"allowed\":true,\"mode\":\"audit\"");
    }

    @Test
    void evaluatedWhenNothingIsViolatedThenNoLine() throws Exception {
        validate("mode: audit\npodSecurity: {level: baseline}\n", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[{"name":"app","image":"nginx"}]}}""", false);

        assertThat(lines).isEmpty();
    }

    @Test
    void evaluatedWhenOnlyAPodSecurityPolicyJudgesThenALineWithoutALevel() throws Exception {
        validate("""
                apiVersion: policy/v1beta1
                kind: PodSecurityPolicy
                metadata: {name: restricted}
                spec:
                  privileged: false
                  hostIPC: false
                  runAsUser: {rule: RunAsAny}
                  seLinux: {rule: RunAsAny}
                  supplementalGroups: {rule: RunAsAny}
                  fsGroup: {rule: RunAsAny}
                  volumes: ['*']
                """, BAD_POD, false);

        assertThat(lines).hasSize(1);
        JsonNode line = Json.mapper().readTree(lines.getFirst());
        assertThat(line.get("allowed").asBoolean()).isFalse();
        assertThat(line.get("mode").asString()).isEqualTo("enforce");
        assertThat(line.get("message").asString()).isNotEmpty().doesNotContain("hunter2");
    }
}

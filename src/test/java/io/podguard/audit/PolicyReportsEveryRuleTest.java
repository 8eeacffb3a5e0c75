package io.podguard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.engine.Stage;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * PolicyReports carry every rule kind the webhook judges by, and exemptions as the webhook
 * records them: a resource rule fails as "Resource rules", a placement rule as "Placement", a
 * PodSecurityPolicy refusal as "PodSecurityPolicy", a pod a whole-request exemption covers is a {@code skip}, and a per-check
 * exemption that made a difference is named on the pod's result.
 */
@EnableKubernetesMockClient(crud = true)
class PolicyReportsEveryRuleTest {

    KubernetesClient client;

    private static final String POLICY = """
            mode: enforce
            podSecurity: {level: baseline}
            defaults: {enabled: false}
            resources: {max: {memory: 1Gi}}
            placement: {nodeName: {}}
            exemptions:
              - {reason: debugging pods, namespaces: [team-a], runtimeClassNames: [debug]}
              - {reason: node agent, checks: [hostNamespaces]}
            """;

    @Test
    void buildWhenRulesOfEveryKindAndExemptionsThenExactResults() {
        for (String json : new String[] {
            """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"big","namespace":"team-a"},
             "spec":{"containers":[{"name":"app","image":"nginx","resources":{"limits":{"memory":"2Gi"}}}]}}""",
            """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"debug","namespace":"team-a"},
             "spec":{"runtimeClassName":"debug","containers":[{"name":"sh","image":"busybox","securityContext":{"privileged":true}}]}}""",
            """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"pinned","namespace":"team-a"},
             "spec":{"nodeName":"worker-1","containers":[{"name":"app","image":"nginx","resources":{"limits":{"memory":"512Mi"}}}]}}""",
            """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"agent","namespace":"team-a"},
             "spec":{"hostNetwork":true,"containers":[{"name":"agent","image":"agent","resources":{"limits":{"memory":"512Mi"}}}]}}"""}) {
            client.resource(Json.serialization().unmarshal(json, io.fabric8.kubernetes.api.model.Pod.class)).create();
        }
        java.util.List<PodResult> pods = new java.util.ArrayList<>();
        new ClusterAudit(client, Engine.standard(), 100, Clock.fixed(ClusterAuditTest.AT, ZoneOffset.UTC))
                .run(PolicyResolver.fixed(PolicyLoader.parse(POLICY)), "p", new ClusterAudit.Scope("team-a", Set.of()), Stage.AS_WRITTEN,
                        (ns, judged) -> pods.addAll(judged), ClusterAudit.Control.UNBOUNDED);

        GenericKubernetesResource built = new PolicyReports(client, 100).build("team-a", pods, ClusterAuditTest.AT, 0).getFirst().resource();

        assertThat(Json.mapper().writeValueAsString(built.getAdditionalProperties().get("summary")))
                .isEqualTo("{\"pass\":1,\"fail\":2,\"warn\":0,\"error\":0,\"skip\":1}");
        // uids are the mock apiserver's own
        String results = Json.mapper().writeValueAsString(built.getAdditionalProperties().get("results")).replaceAll(",\"uid\":\"[^\"]*\"", "");
        assertThat(results).isEqualTo("["
                + "{\"policy\":\"podguard-pod-security\",\"rule\":\"resources.max\",\"category\":\"Resource rules\",\"severity\":\"medium\","
                + "\"result\":\"fail\",\"scored\":true,\"source\":\"podguard\",\"message\":\"resources above maximum (container \\\"app\\\": maximum memory usage per Container is 1Gi, but limit is 2Gi)\","
                + "\"timestamp\":{\"seconds\":1795705200,\"nanos\":0},"
                + "\"resources\":[{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"big\",\"namespace\":\"team-a\"}],"
                + "\"properties\":{\"path\":\"spec.containers[0].resources.limits.memory\"}},"
                + "{\"policy\":\"podguard-pod-security\",\"rule\":\"placement.nodeName\",\"category\":\"Placement\",\"severity\":\"medium\","
                + "\"result\":\"fail\",\"scored\":true,\"source\":\"podguard\",\"message\":\"nodeName (pod must not set spec.nodeName=\\\"worker-1\\\": "
                + "it bypasses the scheduler and every node taint)\","
                + "\"timestamp\":{\"seconds\":1795705200,\"nanos\":0},"
                + "\"resources\":[{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"pinned\",\"namespace\":\"team-a\"}],"
                + "\"properties\":{\"path\":\"spec.nodeName\"}},"
                + "{\"policy\":\"podguard-pod-security\",\"rule\":\"pod-security-standards\",\"category\":\"Pod Security Standards\","
                + "\"result\":\"pass\",\"scored\":true,\"source\":\"podguard\",\"message\":\"allowed by PodSecurity \\\"baseline:latest\\\"\","
                + "\"timestamp\":{\"seconds\":1795705200,\"nanos\":0},"
                + "\"resources\":[{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"agent\",\"namespace\":\"team-a\"}],"
                + "\"properties\":{\"exemptions\":\"node agent\"}},"
                + "{\"policy\":\"podguard-pod-security\",\"rule\":\"pod-security-standards\",\"category\":\"Pod Security Standards\","
                + "\"result\":\"skip\",\"scored\":true,\"source\":\"podguard\",\"message\":\"exempt: debugging pods\","
                + "\"timestamp\":{\"seconds\":1795705200,\"nanos\":0},"
                + "\"resources\":[{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"debug\",\"namespace\":\"team-a\"}],"
                + "\"properties\":{\"exemptions\":\"debugging pods\"}}]");
    }
}

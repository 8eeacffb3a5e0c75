package io.podguard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The background audit against fabric8's mock apiserver: pods that pass and pods that fail,
 * judged at baseline with the privileged and hostNamespaces checks.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterAuditTest {

    KubernetesClient client;

    static final Instant AT = Instant.parse("2026-11-26T15:00:00Z");
    static final PolicyResolver AUDIT_BASELINE = PolicyResolver.fixed(PolicyLoader.parse("mode: audit\npodSecurity: {level: baseline}\n"));

    static Pod pod(String json) {
        return Json.serialization().unmarshal(json, Pod.class);
    }

    @BeforeEach
    void pods() {
        for (String json : List.of(
                """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"team-a",
                  "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-5d8f7","uid":"rs-1","controller":true}]},
                 "spec":{"containers":[{"name":"app","image":"nginx","securityContext":{"privileged":true}}]}}""",
                """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-2","namespace":"team-a"},
                 "spec":{"containers":[{"name":"app","image":"nginx"}]}}""",
                """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"db-0","namespace":"team-b"},
                 "spec":{"hostNetwork":true,"hostPID":true,"containers":[{"name":"db","image":"postgres","securityContext":{"privileged":true}},
                   {"name":"exporter","image":"exporter","securityContext":{"privileged":true}}]}}""",
                """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"ok","namespace":"team-c"},
                 "spec":{"containers":[{"name":"app","image":"nginx"}]}}""",
                """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"kube-proxy-x","namespace":"kube-system"},
                 "spec":{"hostNetwork":true,"containers":[{"name":"kube-proxy","image":"kube-proxy","securityContext":{"privileged":true}}]}}""")) {
            client.resource(pod(json)).create();
        }
    }

    private AuditReport run(ClusterAudit.Scope scope) {
        return new ClusterAudit(client, Engine.standard(), 2, Clock.fixed(AT, ZoneOffset.UTC)).run(AUDIT_BASELINE, "policy.yaml", scope, io.podguard.engine.Stage.AS_WRITTEN);
    }

    /** Every pod judged, by namespace, as the sink is handed them. */
    private Map<String, List<PodResult>> pods(ClusterAudit.Scope scope) {
        Map<String, List<PodResult>> pods = new java.util.TreeMap<>();
        new ClusterAudit(client, Engine.standard(), 2, Clock.fixed(AT, ZoneOffset.UTC)).run(AUDIT_BASELINE, "policy.yaml", scope,
                io.podguard.engine.Stage.AS_WRITTEN, pods::put, ClusterAudit.Control.UNBOUNDED);
        return pods;
    }

    @Test
    void runWhenPodsPassAndFailThenTheExactReport() {
        AuditReport report = run(new ClusterAudit.Scope(null, Set.of("kube-system")));

        assertThat(AuditJson.render(report, true).toString()).isEqualTo("""
                {"policySource":"policy.yaml","startedAt":"2026-11-26T15:00:00Z","finishedAt":"2026-11-26T15:00:00Z","durationMillis":0,\
                "totals":{"namespaces":3,"pods":4,"wouldBeDenied":2},\
                "checks":{"hostNamespaces":1,"privileged":2},\
                "namespaces":{\
                "team-a":{"levels":["baseline:latest"],"pods":2,"wouldBeDenied":1,"checks":{"privileged":1},"deniedPods":[\
                {"name":"web-1","owner":"ReplicaSet/web-5d8f7","level":"baseline:latest","checks":["privileged"],\
                "message":"violates PodSecurity \\"baseline:latest\\": privileged (container \\"app\\" must not set securityContext.privileged=true)","defaults":[],"exemptions":[]}]},\
                "team-b":{"levels":["baseline:latest"],"pods":1,"wouldBeDenied":1,"checks":{"hostNamespaces":1,"privileged":1},"deniedPods":[\
                {"name":"db-0","owner":null,"level":"baseline:latest","checks":["hostNamespaces","privileged"],\
                "message":"violates PodSecurity \\"baseline:latest\\": host namespaces (hostNetwork=true, hostPID=true), \
                privileged (containers \\"db\\", \\"exporter\\" must not set securityContext.privileged=true)","defaults":[],"exemptions":[]}]},\
                "team-c":{"levels":["baseline:latest"],"pods":1,"wouldBeDenied":0,"checks":{},"deniedPods":[]}}}""");
        assertThat(AuditJson.render(report, false).at("/namespaces/team-a").toString())
                .isEqualTo("{\"levels\":[\"baseline:latest\"],\"pods\":2,\"wouldBeDenied\":1,\"checks\":{\"privileged\":1}}");
    }

    @Test
    void runWhenTextThenDeniedPodsAndCounts() {
        assertThat(AuditText.render(run(new ClusterAudit.Scope(null, Set.of("kube-system"))))).isEqualTo("""
                policy: policy.yaml
                4 pods in 3 namespaces: 2 would be denied under enforce

                team-a/web-1 (ReplicaSet/web-5d8f7): violates PodSecurity "baseline:latest": privileged (container "app" must not set securityContext.privileged=true)
                team-b/db-0: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true, hostPID=true), privileged (containers "db", "exporter" must not set securityContext.privileged=true)

                by namespace:
                  team-a: 1 of 2 pods
                  team-b: 1 of 1 pod

                by check (pods failing it):
                  hostNamespaces: 1
                  privileged: 2
                """);
    }

    @Test
    void runWhenOneNamespaceThenOnlyItsPods() {
        AuditReport report = run(new ClusterAudit.Scope("kube-system", Set.of()));

        assertThat(report.namespaces().keySet()).containsExactly("kube-system");
        assertThat(report.wouldBeDenied()).isEqualTo(1);
    }

    @Test
    void runWhenThePolicyJudgesNothingThenNothingWouldBeDenied() {
        AuditReport report = new ClusterAudit(client, Engine.standard(), 500, Clock.fixed(AT, ZoneOffset.UTC))
                .run(PolicyResolver.fixed(PolicyLoader.parse("mode: enforce\npodSecurity: {level: privileged}\n")), "p", ClusterAudit.Scope.ALL, io.podguard.engine.Stage.AS_WRITTEN);

        assertThat(report.pods()).isEqualTo(5);
        assertThat(report.wouldBeDenied()).isZero();
    }

    @Test
    void publishThenOnePolicyReportPerNamespaceWithExactResultsAndStaleOnesDeleted() {
        client.genericKubernetesResources(PolicyReports.CONTEXT).inNamespace("gone").resource(new GenericKubernetesResourceBuilder()
                .withApiVersion("wgpolicyk8s.io/v1alpha2").withKind("PolicyReport")
                .withNewMetadata().withName(PolicyReports.NAME).withNamespace("gone").addToLabels("app.kubernetes.io/managed-by", "podguard").endMetadata()
                .build()).create();
        PolicyReports reports = new PolicyReports(client, PolicyReports.DEFAULT_MAX_RESULTS);
        Map<String, List<PodResult>> pods = pods(new ClusterAudit.Scope(null, Set.of("kube-system")));

        PolicyReports.Outcome outcome = reports.publish(AT, pods);
        // A second run with the same findings writes nothing.
        PolicyReports.Outcome again = reports.publish(AT.plusSeconds(600), pods);

        assertThat(outcome).isEqualTo(new PolicyReports.Outcome(true, 3, 0, 0, 1, 0, "3 created, 0 updated, 0 unchanged, 1 deleted"));
        assertThat(again).isEqualTo(new PolicyReports.Outcome(true, 0, 0, 3, 0, 0, "0 created, 0 updated, 3 unchanged, 0 deleted"));
        List<GenericKubernetesResource> all = client.genericKubernetesResources(PolicyReports.CONTEXT).inAnyNamespace().list().getItems();
        assertThat(all).extracting(r -> r.getMetadata().getNamespace()).containsExactlyInAnyOrder("team-a", "team-b", "team-c");
        GenericKubernetesResource teamB = client.genericKubernetesResources(PolicyReports.CONTEXT).inNamespace("team-b").withName("podguard-pod-security").get();
        assertThat(teamB.getMetadata().getLabels()).isEqualTo(Map.of("app.kubernetes.io/managed-by", "podguard"));
        long seconds = AT.getEpochSecond();
        // The apiserver gives each pod its uid on creation.
        String db0 = client.pods().inNamespace("team-b").withName("db-0").get().getMetadata().getUid();
        String web1 = client.pods().inNamespace("team-a").withName("web-1").get().getMetadata().getUid();
        String web2 = client.pods().inNamespace("team-a").withName("web-2").get().getMetadata().getUid();
        assertThat(Json.mapper().writeValueAsString(teamB.getAdditionalProperties().get("summary")))
                .isEqualTo("{\"pass\":0,\"fail\":2,\"warn\":0,\"error\":0,\"skip\":0}");
        assertThat(Json.mapper().writeValueAsString(teamB.getAdditionalProperties().get("results"))).isEqualTo(("""
                [{"policy":"podguard-pod-security","rule":"hostNamespaces","category":"Pod Security Standards (Baseline)","severity":"high",\
                "result":"fail","scored":true,"source":"podguard","message":"host namespaces (hostNetwork=true, hostPID=true)",\
                "timestamp":{"seconds":%d,"nanos":0},\
                "resources":[{"apiVersion":"v1","kind":"Pod","name":"db-0","namespace":"team-b","uid":"%s"}],\
                "properties":{"level":"baseline:latest","path":"spec.hostNetwork"}},\
                {"policy":"podguard-pod-security","rule":"privileged","category":"Pod Security Standards (Baseline)","severity":"high",\
                "result":"fail","scored":true,"source":"podguard",\
                "message":"privileged (containers \\"db\\", \\"exporter\\" must not set securityContext.privileged=true)",\
                "timestamp":{"seconds":%d,"nanos":0},\
                "resources":[{"apiVersion":"v1","kind":"Pod","name":"db-0","namespace":"team-b","uid":"%s"}],\
                "properties":{"level":"baseline:latest","path":"spec.containers[0].securityContext.privileged"}}]""")
                .formatted(seconds, db0, seconds, db0));
        GenericKubernetesResource teamA = client.genericKubernetesResources(PolicyReports.CONTEXT).inNamespace("team-a").withName("podguard-pod-security").get();
        assertThat(Json.mapper().writeValueAsString(teamA.getAdditionalProperties().get("summary")))
                .isEqualTo("{\"pass\":1,\"fail\":1,\"warn\":0,\"error\":0,\"skip\":0}");
        assertThat(Json.mapper().writeValueAsString(teamA.getAdditionalProperties().get("results"))).isEqualTo(("""
                [{"policy":"podguard-pod-security","rule":"privileged","category":"Pod Security Standards (Baseline)","severity":"high",\
                "result":"fail","scored":true,"source":"podguard",\
                "message":"privileged (container \\"app\\" must not set securityContext.privileged=true)",\
                "timestamp":{"seconds":%d,"nanos":0},\
                "resources":[{"apiVersion":"v1","kind":"Pod","name":"web-1","namespace":"team-a","uid":"%s"}],\
                "properties":{"level":"baseline:latest","path":"spec.containers[0].securityContext.privileged","owner":"ReplicaSet/web-5d8f7"}},\
                {"policy":"podguard-pod-security","rule":"pod-security-standards","category":"Pod Security Standards","result":"pass",\
                "scored":true,"source":"podguard","message":"allowed by PodSecurity \\"baseline:latest\\"",\
                "timestamp":{"seconds":%d,"nanos":0},\
                "resources":[{"apiVersion":"v1","kind":"Pod","name":"web-2","namespace":"team-a","uid":"%s"}]}]""").formatted(seconds, web1, seconds, web2));
    }

    @Test
    void runWhenANamespaceIsListedInTwoStretchesThenItIsListedAgainWholeAndHandedOnWhole() {
        client.resource(pod("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"late","namespace":"team-a"},
                 "spec":{"hostPID":true,"containers":[{"name":"app","image":"nginx"}]}}""")).create();
        List<String> handed = new java.util.ArrayList<>();

        AuditReport report = new ClusterAudit(client, Engine.standard(), 500, Clock.fixed(AT, ZoneOffset.UTC)).run(AUDIT_BASELINE, "p",
                ClusterAudit.Scope.ALL, io.podguard.engine.Stage.AS_WRITTEN,
                (ns, pods) -> handed.add(ns + ":" + pods.stream().map(PodResult::name).sorted().toList()), ClusterAudit.Control.UNBOUNDED);

        // The mock apiserver lists in creation order: team-a comes back after kube-system.
        assertThat(handed).containsExactly("team-a:[web-1, web-2]", "team-b:[db-0]", "team-c:[ok]", "kube-system:[kube-proxy-x]",
                "team-a:[late, web-1, web-2]");
        assertThat(report.namespaces().get("team-a").pods()).isEqualTo(3);
        assertThat(report.namespaces().get("team-a").denied()).extracting(PodResult::name).containsExactly("late", "web-1");
    }
}

package io.podguard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.podguard.engine.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * PolicyReports at scale: a namespace of 5,000 pods enforcement would deny, each with a long
 * message, is split over reports of at most 1,000 results and 1 MiB; a run that finds the same
 * writes nothing, a pod that changes rewrites one report, a namespace that went away loses its
 * reports, and a write the apiserver refuses is counted while the rest is written.
 */
@EnableKubernetesMockClient(crud = true)
class PolicyReportsSplitTest {

    KubernetesMockServer server;
    KubernetesClient client;

    private static final Instant AT = Instant.parse("2026-11-26T15:00:00Z");
    /** A message as long as the webhook writes for a pod with many containers. */
    private static final String LONG = "privileged (containers " + "\"sidecar-with-a-long-name\", ".repeat(40) + "\"app\" must not set securityContext.privileged=true)";

    static PodResult denied(String namespace, String name, String message) {
        return new PodResult(namespace, name, "uid-" + name, "ReplicaSet/web-5d8f7", List.of(), true, "baseline:latest",
                "violates PodSecurity \"baseline:latest\": " + message,
                List.of(new PodResult.Finding("privileged", "podSecurity", "baseline:latest", "spec.containers[0].securityContext.privileged", message),
                        new PodResult.Finding("hostNamespaces", "podSecurity", "baseline:latest", "spec.hostPID", "host namespaces (hostPID=true)")),
                List.of());
    }

    static PodResult allowed(String namespace, String name) {
        return new PodResult(namespace, name, "uid-" + name, null, List.of(), true, "baseline:latest", "", List.of(), List.of());
    }

    private static List<PodResult> bigNamespace(String namespace, int pods) {
        List<PodResult> out = new ArrayList<>();
        for (int i = 0; i < pods; i++) {
            out.add(denied(namespace, "web-5d8f7-" + Integer.toString(i * 7919 + 10007, 36), LONG));
        }
        return out;
    }

    private List<GenericKubernetesResource> stored(String namespace) {
        return client.genericKubernetesResources(PolicyReports.CONTEXT).inNamespace(namespace).list().getItems();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(GenericKubernetesResource report) {
        return (List<Map<String, Object>>) report.getAdditionalProperties().get("results");
    }

    @Test
    void buildWhenAHugeNamespaceThenSplitIntoReportsOfAtMostAThousandResultsAndOneMebibyte() {
        List<PodResult> pods = bigNamespace("team-big", 5000);
        PolicyReports reports = new PolicyReports(client, PolicyReports.DEFAULT_MAX_RESULTS);

        List<PolicyReports.Built> built = reports.build("team-big", pods, AT, 0);

        // 10,000 results of about 1.3 KiB: 16 reports (a power of two), each under both bounds.
        assertThat(built).hasSize(16);
        assertThat(built).extracting(b -> b.resource().getMetadata().getName()).first().isEqualTo("podguard-pod-security");
        assertThat(built).extracting(b -> b.resource().getMetadata().getName()).last().isEqualTo("podguard-pod-security-15");
        Set<String> seen = new HashSet<>();
        int results = 0;
        for (PolicyReports.Built b : built) {
            int bytes = Json.mapper().writeValueAsBytes(b.resource()).length;
            assertThat(bytes).as(b.resource().getMetadata().getName()).isLessThanOrEqualTo(PolicyReports.MAX_BYTES);
            List<Map<String, Object>> rs = results(b.resource());
            assertThat(rs).hasSizeLessThanOrEqualTo(1000);
            @SuppressWarnings("unchecked")
            Map<String, Object> summary = (Map<String, Object>) b.resource().getAdditionalProperties().get("summary");
            assertThat(summary.get("fail")).isEqualTo(rs.size());
            results += rs.size();
            // Every pod's results in one report only.
            rs.stream().map(r -> ((Map<?, ?>) ((List<?>) r.get("resources")).getFirst()).get("name").toString()).distinct()
                    .forEach(name -> assertThat(seen.add(name)).as("%s in two reports", name).isTrue());
        }
        assertThat(results).isEqualTo(10_000);
        assertThat(seen).hasSize(5000);
        // The messages are cut, not the results: no result message over the bound.
        assertThat(built.getFirst().resource().getAdditionalProperties().toString()).doesNotContain("\"app\" must not");
    }

    @Test
    void buildWhenFewResultsThenOneReportNamedAsBefore() {
        List<PolicyReports.Built> built = new PolicyReports(client, 1000).build("team-a",
                List.of(allowed("team-a", "b"), denied("team-a", "a", "privileged (container \"app\" must not set securityContext.privileged=true)")), AT, 0);

        assertThat(built).extracting(b -> b.resource().getMetadata().getName()).containsExactly("podguard-pod-security");
        assertThat(results(built.getFirst().resource())).extracting(r -> r.get("result")).containsExactly("fail", "fail", "pass");
        assertThat(built.getFirst().resource().getMetadata().getAnnotations()).containsOnlyKeys(PolicyReports.HASH);
    }

    @Test
    void buildWhenTheSplitThereStillFitsThenKeptSoPodsDoNotMoveBetweenReports() {
        PolicyReports reports = new PolicyReports(client, 1000);
        List<PodResult> pods = bigNamespace("team-c", 700);

        // 1,400 results need 2 reports; 4 already there still fit and are not more than twice that: kept.
        assertThat(reports.build("team-c", pods, AT, 0)).hasSize(2);
        assertThat(reports.build("team-c", pods, AT, 4)).hasSize(4);
        // 8 are more than twice what is needed: back to 2.
        assertThat(reports.build("team-c", pods, AT, 8)).hasSize(2);
    }

    @Test
    void publishWhenRunAgainThenOnlyWhatChangedIsWrittenAndWhatWentAwayIsDeleted() {
        PolicyReports reports = new PolicyReports(client, 1000);
        Map<String, List<PodResult>> run = new TreeMap<>();
        run.put("team-big", bigNamespace("team-big", 1500));
        run.put("team-small", List.of(allowed("team-small", "ok")));

        PolicyReports.Outcome first = reports.publish(AT, run);
        PolicyReports.Outcome same = reports.publish(AT.plusSeconds(600), run);
        // One pod of team-big is fixed: only the report it hashes to changes.
        List<PodResult> changed = new ArrayList<>(run.get("team-big"));
        PodResult fixed = changed.get(123);
        changed.set(123, allowed("team-big", fixed.name()));
        run.put("team-big", changed);
        PolicyReports.Outcome one = reports.publish(AT.plusSeconds(1200), run);
        // team-small's pods are gone.
        run.remove("team-small");
        PolicyReports.Outcome gone = reports.publish(AT.plusSeconds(1800), run);

        assertThat(first).isEqualTo(new PolicyReports.Outcome(true, 5, 0, 0, 0, 0, "5 created, 0 updated, 0 unchanged, 0 deleted"));
        assertThat(same).isEqualTo(new PolicyReports.Outcome(true, 0, 0, 5, 0, 0, "0 created, 0 updated, 5 unchanged, 0 deleted"));
        assertThat(one).isEqualTo(new PolicyReports.Outcome(true, 0, 1, 4, 0, 0, "0 created, 1 updated, 4 unchanged, 0 deleted"));
        assertThat(gone).isEqualTo(new PolicyReports.Outcome(true, 0, 0, 4, 1, 0, "0 created, 0 updated, 4 unchanged, 1 deleted"));
        assertThat(stored("team-small")).isEmpty();
        List<GenericKubernetesResource> big = stored("team-big");
        assertThat(big).extracting(r -> r.getMetadata().getName()).containsExactlyInAnyOrder("podguard-pod-security",
                "podguard-pod-security-1", "podguard-pod-security-2", "podguard-pod-security-3");
        assertThat(big.stream().mapToInt(r -> results(r).size()).sum()).isEqualTo(2999);
        // The fixed pod passes in the report it hashes to, and fails nowhere.
        String expected = PolicyReports.bucketOf(fixed.name(), 4) == 0 ? "podguard-pod-security" : "podguard-pod-security-" + PolicyReports.bucketOf(fixed.name(), 4);
        for (GenericKubernetesResource r : big) {
            List<Object> outcomes = results(r).stream().filter(x -> ((Map<?, ?>) ((List<?>) x.get("resources")).getFirst()).get("name").equals(fixed.name()))
                    .map(x -> x.get("result")).toList();
            assertThat(outcomes).as(r.getMetadata().getName()).isEqualTo(r.getMetadata().getName().equals(expected) ? List.of("pass") : List.of());
        }
    }

    @Test
    void publishWhenTheApiserverRefusesOneReportThenTheOthersAreWrittenAndTheFailureCounted() {
        server.expect().post().withPath("/apis/wgpolicyk8s.io/v1alpha2/namespaces/team-locked/policyreports")
                .andReturn(403, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"policyreports.wgpolicyk8s.io is forbidden: "
                        + "User \\\"system:serviceaccount:podguard:podguard\\\" cannot create resource \\\"policyreports\\\" in the namespace \\\"team-locked\\\"\","
                        + "\"reason\":\"Forbidden\",\"code\":403}").always();
        Map<String, List<PodResult>> run = new TreeMap<>();
        run.put("team-a", List.of(allowed("team-a", "ok")));
        run.put("team-locked", List.of(allowed("team-locked", "ok")));
        run.put("team-z", List.of(allowed("team-z", "ok")));

        PolicyReports.Outcome outcome = new PolicyReports(client, 1000).publish(AT, run);

        assertThat(outcome.created()).isEqualTo(2);
        assertThat(outcome.failed()).isEqualTo(1);
        assertThat(outcome.detail()).isEqualTo("2 created, 0 updated, 0 unchanged, 0 deleted, 1 failed (write team-locked/podguard-pod-security: "
                + "403 policyreports.wgpolicyk8s.io is forbidden: User \"system:serviceaccount:podguard:podguard\" cannot create resource "
                + "\"policyreports\" in the namespace \"team-locked\")");
        assertThat(stored("team-a")).hasSize(1);
        assertThat(stored("team-z")).hasSize(1);
    }

    @Test
    void publishWhenReportsOfAnotherToolAreThereThenLeftAlone() {
        client.genericKubernetesResources(PolicyReports.CONTEXT).inNamespace("team-a").resource(new GenericKubernetesResourceBuilder()
                .withApiVersion("wgpolicyk8s.io/v1alpha2").withKind("PolicyReport")
                .withNewMetadata().withName("kyverno-report").withNamespace("team-a").addToLabels("app.kubernetes.io/managed-by", "kyverno").endMetadata()
                .build()).create();

        PolicyReports.Outcome outcome = new PolicyReports(client, 1000).publish(AT, Map.of());

        assertThat(outcome.deleted()).isZero();
        assertThat(stored("team-a")).extracting(r -> r.getMetadata().getName()).containsExactly("kyverno-report");
    }
}

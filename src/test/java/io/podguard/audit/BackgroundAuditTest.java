package io.podguard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyStore;
import io.podguard.testing.SuppliedClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class BackgroundAuditTest {

    KubernetesClient client;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void runOnceThenTheReportMetricsAndPolicyReportsAreUpdated() throws Exception {
        client.resource(Json.serialization().unmarshal("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"debug","namespace":"team-a"},
                 "spec":{"hostIPC":true,"containers":[{"name":"sh","image":"busybox"}]}}""", Pod.class)).create();
        PolicyStore store = new PolicyStore(PolicyLoader.parse("mode: audit\npodSecurity: {level: baseline}\n"), "configmap podguard/policy");
        try (BackgroundAudit audit = new BackgroundAudit(new ClusterAudit(client, Engine.standard(), 500, Clock.systemUTC()),
                new PolicyReports(client, 100), null, store::current,
                new ClusterAudit.Scope(null, Set.of()), Duration.ofMinutes(10), null, () -> true, "replica-a", Clock.systemUTC(), registry)) {

            BackgroundAudit.Status status = audit.runOnce();

            assertThat(status.lastError()).isNull();
            assertThat(status.report().wouldBeDenied()).isEqualTo(1);
            assertThat(status.report().policySource()).isEqualTo("configmap podguard/policy");
            assertThat(status.policyReports()).isEqualTo(new PolicyReports.Outcome(true, 1, 0, 0, 0, 0, "1 created, 0 updated, 0 unchanged, 0 deleted"));
            assertThat(registry.get("podguard.audit.pods").tag("result", "denied").gauge().value()).isEqualTo(1);
            assertThat(registry.get("podguard.audit.pods").tag("result", "allowed").gauge().value()).isZero();
            assertThat(registry.get("podguard.audit.runs").tag("result", "success").counter().count()).isEqualTo(1);
        }
    }

    @Test
    void triggerWhenThePolicyChangesThenARunJudgesWithTheNewPolicy() throws Exception {
        client.resource(Json.serialization().unmarshal("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"debug","namespace":"team-a"},
                 "spec":{"hostIPC":true,"containers":[{"name":"sh","image":"busybox"}]}}""", Pod.class)).create();
        PolicyStore store = new PolicyStore(PolicyLoader.parse("mode: audit\npodSecurity: {level: baseline}\n"), "v1");
        try (BackgroundAudit audit = new BackgroundAudit(new ClusterAudit(client, Engine.standard(), 500, Clock.systemUTC()),
                null, null, store::current, ClusterAudit.Scope.ALL, Duration.ofHours(1), null, () -> true, "replica-a", Clock.systemUTC(), registry)) {
            store.addListener(snapshot -> audit.trigger());
            audit.start();
            assertThat(audit.runOnce().report().wouldBeDenied()).isEqualTo(1);

            store.replace(PolicyLoader.parse("mode: audit\npodSecurity: {level: privileged}\n"), "v2");

            for (int i = 0; i < 1000 && !"v2".equals(audit.status().report().policySource()); i++) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
            assertThat(audit.status().report().policySource()).isEqualTo("v2");
            assertThat(audit.status().report().wouldBeDenied()).isZero();
            assertThat(audit.status().policyReports()).isNull();
        }
    }

    private static final String DEBUG_POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"debug","namespace":"team-a"},
             "spec":{"hostIPC":true,"containers":[{"name":"sh","image":"busybox"}]}}""";

    private BackgroundAudit replica(String identity, PolicyStore store, SharedResults shared, java.util.function.BooleanSupplier leads,
                                    Clock clock, SimpleMeterRegistry registry) {
        return new BackgroundAudit(new ClusterAudit(client, Engine.standard(), 500, clock), new PolicyReports(client, 100), shared,
                store::current, ClusterAudit.Scope.ALL, Duration.ofMinutes(10), null, leads, identity, clock, registry);
    }

    @Test
    void documentWhenAnotherReplicaLedTheRunThenTheFollowerServesExactlyTheLeadersDocument() throws Exception {
        client.resource(Json.serialization().unmarshal(DEBUG_POD, Pod.class)).create();
        PolicyStore store = new PolicyStore(PolicyLoader.parse("mode: audit\npodSecurity: {level: baseline}\n"), "configmap podguard/policy");
        AtomicReference<Instant> now = new AtomicReference<>(SharedResultsTest.START);
        Clock clock = new SuppliedClock(now::get);
        SimpleMeterRegistry followerMetrics = new SimpleMeterRegistry();
        try (BackgroundAudit leader = replica("replica-a", store, new SharedResults(client, "podguard", "podguard-audit", Duration.ofSeconds(5), clock),
                () -> true, clock, registry);
             BackgroundAudit follower = replica("replica-b", store, new SharedResults(client, "podguard", "podguard-audit", Duration.ofSeconds(5), clock),
                     () -> false, clock, followerMetrics)) {
            assertThat(follower.document()).isNull();

            leader.runOnce();
            // A follower reads the shared run again once what it read is 5 s old.
            assertThat(follower.document()).isNull();
            now.updateAndGet(t -> t.plusSeconds(5));

            assertThat(follower.document()).isEqualTo(leader.document());
            assertThat(follower.document().path("auditedBy").asString()).isEqualTo("replica-a");
            assertThat(follower.document().path("status").asString()).isEqualTo("ok");
            assertThat(AuditDocument.summary(follower.document()).toString()).doesNotContain("deniedPods", "policyFingerprint");
            // Every replica's gauges show the leader's last run; only the leader counts runs.
            assertThat(followerMetrics.get("podguard.audit.pods").tag("result", "denied").gauge().value()).isEqualTo(1);
            assertThat(followerMetrics.get("podguard.audit.runs").tag("result", "success").counter().count()).isZero();
            assertThat(followerMetrics.get("podguard.audit.pods.judged").gauge().value()).isZero();
            assertThat(registry.get("podguard.audit.pods.judged").gauge().value()).isEqualTo(1);
        }
    }

    @Test
    void firstRunInWhenTakingOverThenAnIntervalAfterTheLastSharedRunUnderTheSamePolicyElseAtOnce() throws Exception {
        client.resource(Json.serialization().unmarshal(DEBUG_POD, Pod.class)).create();
        PolicyStore store = new PolicyStore(PolicyLoader.parse("mode: audit\npodSecurity: {level: baseline}\n"), "configmap podguard/policy");
        AtomicReference<Instant> now = new AtomicReference<>(SharedResultsTest.START);
        Clock clock = new SuppliedClock(now::get);
        try (BackgroundAudit leader = replica("replica-a", store, new SharedResults(client, "podguard", "podguard-audit", Duration.ZERO, clock),
                () -> true, clock, registry);
             BackgroundAudit next = replica("replica-b", store, new SharedResults(client, "podguard", "podguard-audit", Duration.ZERO, clock),
                     () -> true, clock, new SimpleMeterRegistry())) {
            assertThat(next.firstRunIn()).as("nothing shared yet").isZero();
            leader.runOnce();

            now.updateAndGet(t -> t.plus(Duration.ofMinutes(4)));
            assertThat(next.firstRunIn()).isEqualTo(Duration.ofMinutes(6));
            now.updateAndGet(t -> t.plus(Duration.ofMinutes(7)));
            assertThat(next.firstRunIn()).isZero();

            now.updateAndGet(t -> t.minus(Duration.ofMinutes(7)));
            store.replace(PolicyLoader.parse("mode: audit\npodSecurity: {level: restricted}\n"), "configmap podguard/policy");
            assertThat(next.firstRunIn()).as("another policy").isZero();
        }
    }

    @Test
    void runOnceWhenTheReplicaStopsLeadingThenTheRunStopsAndNothingIsSharedOrCounted() throws Exception {
        client.resource(Json.serialization().unmarshal(DEBUG_POD, Pod.class)).create();
        PolicyStore store = new PolicyStore(PolicyLoader.parse("mode: audit\npodSecurity: {level: baseline}\n"), "p");
        AtomicReference<Instant> now = new AtomicReference<>(SharedResultsTest.START);
        Clock clock = new SuppliedClock(now::get);
        try (BackgroundAudit lost = replica("replica-a", store, new SharedResults(client, "podguard", "podguard-audit", Duration.ZERO, clock),
                () -> false, clock, registry)) {

            BackgroundAudit.Status status = lost.runOnce();

            assertThat(status.report()).isNull();
            assertThat(status.lastError()).isNull();
            assertThat(client.configMaps().inNamespace("podguard").withName("podguard-audit").get()).isNull();
            assertThat(client.genericKubernetesResources(PolicyReports.CONTEXT).inAnyNamespace().list().getItems()).isEmpty();
            assertThat(registry.get("podguard.audit.runs").tag("result", "success").counter().count()).isZero();
            assertThat(registry.get("podguard.audit.runs").tag("result", "failure").counter().count()).isZero();
        }
    }
}

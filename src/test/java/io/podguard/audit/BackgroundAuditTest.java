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
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
}

package io.podguard.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.podguard.engine.Engine;
import io.podguard.engine.Stage;
import io.podguard.testing.SuppliedClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit's paged LIST as the apiserver serves it (three pages of two pods, in key order, each
 * with a continue token): namespaces handed on as the listing moves past them, the time budget,
 * and a leader that steps down mid-run.
 */
@EnableKubernetesMockClient
class ClusterAuditPagingTest {

    KubernetesMockServer server;
    KubernetesClient client;

    private static final Instant AT = Instant.parse("2026-11-26T15:00:00Z");

    @BeforeEach
    void pages() {
        page(null, "c1", pod("team-a", "web-1", true), pod("team-a", "web-2", false));
        page("c1", "c2", pod("team-b", "db-0", true), pod("team-c", "ok-1", false));
        page("c2", null, pod("team-c", "ok-2", false), pod("team-d", "x", true));
    }

    private void page(String token, String next, Pod... pods) {
        PodList list = new PodListBuilder().withNewMetadata().withContinue(next).endMetadata().addToItems(pods).build();
        server.expect().get().withPath("/api/v1/pods?limit=2" + (token == null ? "" : "&continue=" + token))
                .andReturn(200, list).always();
    }

    private static Pod pod(String namespace, String name, boolean hostPid) {
        return new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withHostPID(hostPid).addNewContainer().withName("c").withImage("x").endContainer().endSpec().build();
    }

    @Test
    void runWhenPagesComeInKeyOrderThenEachNamespaceIsHandedOnOnceAsTheListingMovesOn() {
        List<String> handed = new ArrayList<>();
        List<Long> progress = new ArrayList<>();

        AuditReport report = new ClusterAudit(client, Engine.standard(), 2, Clock.fixed(AT, ZoneOffset.UTC)).run(ClusterAuditTest.AUDIT_BASELINE,
                "p", ClusterAudit.Scope.ALL, Stage.AS_WRITTEN, (ns, pods) -> handed.add(ns + ":" + pods.size()),
                new ClusterAudit.Control(null, () -> true, progress::add));

        assertThat(handed).containsExactly("team-a:2", "team-b:1", "team-c:2", "team-d:1");
        assertThat(progress).containsExactly(2L, 4L, 6L);
        assertThat(report.complete()).isTrue();
        assertThat(report.wouldBeDenied()).isEqualTo(3);
        assertThat(report.pods()).isEqualTo(6);
    }

    @Test
    void runWhenTheTimeBudgetRunsOutThenOnlyTheNamespacesFinishedAreReportedAndHandedOn() {
        // Each page takes a minute on this clock; the budget is 90 s.
        AtomicLong minutes = new AtomicLong();
        Clock ticking = new SuppliedClock(() -> AT.plusSeconds(60 * minutes.get()));
        Map<String, Integer> handed = new TreeMap<>();

        AuditReport report = new ClusterAudit(client, Engine.standard(), 2, ticking).run(ClusterAuditTest.AUDIT_BASELINE, "p",
                ClusterAudit.Scope.ALL, Stage.AS_WRITTEN, (ns, pods) -> handed.put(ns, pods.size()),
                new ClusterAudit.Control(Duration.ofSeconds(90), () -> true, judged -> minutes.incrementAndGet()));

        // Two pages in 2 minutes: team-c is half listed and left out, team-d never reached.
        assertThat(report.incomplete())
                .isEqualTo("the time budget of PT1M30S ran out after 4 pods; namespaces from \"team-c\" on were not judged");
        assertThat(report.complete()).isFalse();
        assertThat(report.namespaces().keySet()).containsExactly("team-a", "team-b");
        assertThat(handed).isEqualTo(Map.of("team-a", 2, "team-b", 1));
        assertThat(AuditText.render(report)).startsWith("""
                policy: p
                incomplete: the time budget of PT1M30S ran out after 4 pods; namespaces from "team-c" on were not judged
                3 pods in 2 namespaces: 2 would be denied under enforce
                """);
    }

    @Test
    void runWhenTheReplicaStopsLeadingThenStoppedBeforeTheNextPageAndNothingMoreIsHandedOn() {
        AtomicInteger asked = new AtomicInteger();
        List<String> handed = new ArrayList<>();

        assertThatThrownBy(() -> new ClusterAudit(client, Engine.standard(), 2, Clock.fixed(AT, ZoneOffset.UTC)).run(
                ClusterAuditTest.AUDIT_BASELINE, "p", ClusterAudit.Scope.ALL, Stage.AS_WRITTEN, (ns, pods) -> handed.add(ns),
                new ClusterAudit.Control(null, () -> asked.incrementAndGet() < 3, ClusterAudit.Progress.NONE)))
                .isInstanceOf(ClusterAudit.Stopped.class).hasMessage("stopped after 4 pods");
        assertThat(handed).containsExactly("team-a", "team-b");
    }

    @Test
    void constructorWhenThePageSizeIsOutOfBoundsThenRefused() {
        assertThatThrownBy(() -> new ClusterAudit(client, Engine.standard(), 5001, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the page size must be between 1 and 5000, not 5001");
        assertThatThrownBy(() -> new ClusterAudit(client, Engine.standard(), 0, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the page size must be between 1 and 5000, not 0");
    }

    @Test
    void runOnceWhenARunOutlivesItsBudgetThenTheNamespacesItDidNotReachKeepTheirPreviousResults() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean ticking = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicLong calls = new AtomicLong();
        // While ticking, every look at this clock is 50 s later than the one before.
        Clock clock = new SuppliedClock(() -> AT.plusSeconds(ticking.get() ? 50 * calls.getAndIncrement() : 0));
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.podguard.policy.PolicyStore store = new io.podguard.policy.PolicyStore(
                io.podguard.policy.PolicyLoader.parse("mode: audit\npodSecurity: {level: baseline}\n"), "p");
        try (BackgroundAudit background = new BackgroundAudit(new ClusterAudit(client, Engine.standard(), 2, clock), null, null, store::current,
                ClusterAudit.Scope.ALL, Duration.ofMinutes(10), Duration.ofSeconds(90), () -> true, "replica-a", Clock.fixed(AT, ZoneOffset.UTC),
                registry)) {
            assertThat(background.runOnce().report().namespaces().keySet()).containsExactly("team-a", "team-b", "team-c", "team-d");

            ticking.set(true);
            AuditReport report = background.runOnce().report();

            assertThat(report.incomplete()).isEqualTo("the time budget of PT1M30S ran out after 4 pods; namespaces from \"team-c\" on were not judged");
            assertThat(report.namespaces().keySet()).containsExactly("team-a", "team-b", "team-c", "team-d");
            assertThat(report.pods()).isEqualTo(6);
            assertThat(registry.get("podguard.audit.runs").tag("result", "incomplete").counter().count()).isEqualTo(1);
            assertThat(registry.get("podguard.audit.runs").tag("result", "success").counter().count()).isEqualTo(1);
            assertThat(background.document().path("incomplete").asString()).startsWith("the time budget of PT1M30S ran out");
        }
    }

    @Test
    void runWhenAnItemIsNoPodTheEngineCanReadThenItIsLeftOutAndTheOthersAreJudged() {
        server.expect().get().withPath("/api/v1/namespaces/odd/pods?limit=2").andReturn(200, """
                {"kind":"PodList","apiVersion":"v1","metadata":{},"items":[
                 {"metadata":{"name":"broken","namespace":"odd"},"spec":"not an object"},
                 {"metadata":{"name":"fine","namespace":"odd"},"spec":{"hostPID":true,"containers":[{"name":"c","image":"x"}]}}]}""").always();

        AuditReport report = new ClusterAudit(client, Engine.standard(), 2, Clock.fixed(AT, ZoneOffset.UTC)).run(ClusterAuditTest.AUDIT_BASELINE,
                "p", new ClusterAudit.Scope("odd", java.util.Set.of()), Stage.AS_WRITTEN);

        assertThat(report.pods()).isEqualTo(1);
        assertThat(report.denied()).extracting(PodResult::name).containsExactly("fine");
    }
}

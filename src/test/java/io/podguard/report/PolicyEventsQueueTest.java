package io.podguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The queue between admission and the apiserver: a slow apiserver never holds a review, what
 * does not fit is dropped and counted. The writer here stands for an apiserver that hangs.
 */
class PolicyEventsQueueTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CountDownLatch writing = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Event> written = new CopyOnWriteArrayList<>();

    private final Consumer<Event> hangingApiserver = event -> {
        writing.countDown();
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        written.add(event);
    };

    private static byte[] review(String namespace, String kind, String group, String object) {
        return ("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",
                 "kind":{"group":"%s","version":"v1","kind":"%s"},"resource":{"group":"%s","version":"v1","resource":"x"},
                 "namespace":"%s","name":"web","operation":"UPDATE","userInfo":{"username":"bob"},"object":%s}}"""
                .formatted(group, kind, group, namespace, object)).getBytes(StandardCharsets.UTF_8);
    }

    static final String BAD_POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"hostIPC":true,"containers":[{"name":"a","image":"x"}]}}""";

    @Test
    void evaluatedWhenTheApiserverHangsThenReviewsAreAnsweredAndEventsBeyondTheQueueDropped() throws Exception {
        PolicyResolver resolver = PolicyResolver.fixed(PolicyLoader.parse("mode: audit\npodSecurity: {level: baseline}\n"));
        try (PolicyEvents events = new PolicyEvents(hangingApiserver, new EventRateLimiter(Duration.ofMinutes(1), 100, System::nanoTime),
                1, Clock.systemUTC(), "p", registry, namespace -> true)) {
            AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> resolver, events);

            handler.handle(Endpoint.VALIDATE, review("ns-1", "Pod", "", BAD_POD));
            assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
            handler.handle(Endpoint.VALIDATE, review("ns-2", "Pod", "", BAD_POD));
            handler.handle(Endpoint.VALIDATE, review("ns-3", "Pod", "", BAD_POD));

            assertThat(registry.get("podguard.events").tag("result", "dropped").counter().count()).isEqualTo(1);
            release.countDown();
            assertThat(events.awaitIdle(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(written).extracting(e -> e.getMetadata().getNamespace()).containsExactly("ns-1", "ns-2");
        assertThat(registry.get("podguard.events").tag("result", "sent").counter().count()).isEqualTo(2);
    }

    @Test
    void eventWhenAWorkloadIsJudgedThenItRegardsTheWorkloadAndALongNoteIsCut() throws Exception {
        List<Event> seen = new CopyOnWriteArrayList<>();
        StringBuilder containers = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            containers.append(i == 0 ? "" : ",").append("{\"name\":\"").append(("c" + i + "-").repeat(30), 0, 63)
                    .append("\",\"image\":\"x\",\"securityContext\":{\"privileged\":true}}");
        }
        String deployment = """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","uid":"d-uid"},
                 "spec":{"template":{"spec":{"containers":[%s]}}}}"""
                .formatted(containers);
        PolicyResolver resolver = PolicyResolver.fixed(PolicyLoader.parse("mode: enforce\npodSecurity: {level: baseline}\n"));
        try (PolicyEvents events = new PolicyEvents(seen::add, new EventRateLimiter(Duration.ofMinutes(1), 100, System::nanoTime),
                10, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), "p", registry, namespace -> true)) {
            new AdmissionHandler(Engine.standard(), () -> resolver, events)
                    .handle(Endpoint.VALIDATE, review("team-a", "Deployment", "apps", deployment));
            assertThat(events.awaitIdle(Duration.ofSeconds(10))).isTrue();
        }

        assertThat(seen).hasSize(1);
        Event e = seen.getFirst();
        assertThat(e.getAction()).isEqualTo("Admit");
        assertThat(e.getRegarding()).isEqualTo(new ObjectReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                .withName("web").withUid("d-uid").withNamespace("team-a").build());
        assertThat(e.getNote()).hasSize(PolicyEvents.MAX_NOTE).startsWith("Deployment \"web\" (update by bob, enforce mode): would violate")
                .endsWith("…");
    }
}

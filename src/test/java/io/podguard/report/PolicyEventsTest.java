package io.podguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.engine.Mode;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Events written through fabric8 to its mock apiserver. */
@EnableKubernetesMockClient(crud = true)
class PolicyEventsTest {

    static KubernetesClient client;

    private static final Instant NOW = Instant.parse("2026-11-26T14:30:00.123456Z");
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong nanos = new AtomicLong();
    private PolicyEvents events;
    /** Follows the rate limiter's clock, so Events written after a step get new names. */
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return NOW.plusNanos(nanos.get());
        }
    };

    static final String OWNED_POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-5d8f7-x2x9k","namespace":"%s",
              "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-5d8f7","uid":"rs-uid-1","controller":true}]},
             "spec":{"containers":[{"name":"app","image":"nginx","securityContext":{"privileged":true}}]}}""";
    static final String BARE_POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"debug","namespace":"%s"},
             "spec":{"hostPID":true,"containers":[{"name":"app","image":"busybox"}]}}""";

    private AdmissionHandler handler(String mode) {
        events = new PolicyEvents(PolicyEvents.writer(client), new EventRateLimiter(Duration.ofMinutes(1), 30, nanos::get), 100,
                clock, "podguard-7c9d-abcde", registry, namespace -> !namespace.startsWith("unjudged"));
        PolicyResolver resolver = PolicyResolver.fixed(PolicyLoader.parse("mode: " + mode + "\npodSecurity: {level: baseline}\n"));
        return new AdmissionHandler(Engine.standard(), () -> resolver, events);
    }

    private static byte[] review(String namespace, String name, String pod, boolean dryRun) {
        return ("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
                 "namespace":"%s","name":"%s","operation":"CREATE","dryRun":%s,"userInfo":{"username":"alice"},"object":%s}}"""
                .formatted(namespace, name, dryRun, pod.formatted(namespace))).getBytes(StandardCharsets.UTF_8);
    }

    private List<Event> written(String namespace) throws InterruptedException {
        assertThat(events.awaitIdle(Duration.ofSeconds(10))).isTrue();
        return client.events().v1().events().inNamespace(namespace).list().getItems().stream()
                .sorted(Comparator.comparing(e -> e.getMetadata().getName())).toList();
    }

    private double count(String result) {
        return registry.get("podguard.events").tag("result", result).counter().count();
    }

    @AfterEach
    void close() throws InterruptedException {
        if (events != null) {
            events.close();
        }
    }

    @Test
    void evaluatedWhenAuditModeAndPodHasAControllerThenOneWarningEventRegardingTheController() throws Exception {
        handler("audit").handle(Endpoint.VALIDATE, review("team-a", "web-5d8f7-x2x9k", OWNED_POD, false));

        List<Event> written = written("team-a");
        assertThat(written).hasSize(1);
        Event e = written.getFirst();
        // podguard.<the first 10 bytes of SHA-256("team-a|audit|team-a|privileged")>.<the minute since the epoch, in hex>
        assertThat(e.getMetadata().getName()).isEqualTo("podguard.ac6be658652f2b8c7701." + Long.toHexString(NOW.toEpochMilli() / 60_000));
        assertThat(Long.toHexString(NOW.toEpochMilli() / 60_000)).isEqualTo("1c8abc6");
        assertThat(e.getMetadata().getNamespace()).isEqualTo("team-a");
        assertThat(e.getEventTime().getTime()).isEqualTo("2026-11-26T14:30:00.123456Z");
        assertThat(e.getReason()).isEqualTo("PolicyViolation");
        assertThat(e.getType()).isEqualTo("Warning");
        assertThat(e.getAction()).isEqualTo("Admit");
        assertThat(e.getReportingController()).isEqualTo("podguard.io/webhook");
        assertThat(e.getReportingInstance()).isEqualTo("podguard-7c9d-abcde");
        assertThat(e.getRegarding()).isEqualTo(new ObjectReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
                .withName("web-5d8f7").withUid("rs-uid-1").withNamespace("team-a").build());
        assertThat(e.getNote()).isEqualTo("Pod \"web-5d8f7-x2x9k\" (create by alice, audit mode): would violate PodSecurity "
                + "\"baseline:latest\": privileged (container \"app\" must not set securityContext.privileged=true)");
        assertThat(count("sent")).isEqualTo(1);
    }

    @Test
    void evaluatedWhenEnforceDeniesABarePodThenDenyEventRegardingTheNamespace() throws Exception {
        handler("enforce").handle(Endpoint.VALIDATE, review("team-b", "debug", BARE_POD, false));

        List<Event> written = written("team-b");
        assertThat(written).hasSize(1);
        assertThat(written.getFirst().getAction()).isEqualTo("Deny");
        assertThat(written.getFirst().getRegarding()).isEqualTo(new ObjectReferenceBuilder().withApiVersion("v1")
                .withKind("Namespace").withName("team-b").withNamespace("team-b").build());
        assertThat(written.getFirst().getNote()).isEqualTo("Pod \"debug\" (create by alice, enforce mode): violates PodSecurity "
                + "\"baseline:latest\": host namespaces (hostPID=true)");
    }

    @Test
    void evaluatedWhenDryRunThenNoEvent() throws Exception {
        handler("audit").handle(Endpoint.VALIDATE, review("team-c", "debug", BARE_POD, true));

        assertThat(written("team-c")).isEmpty();
        assertThat(count("sent")).isZero();
        assertThat(count("rate_limited")).isZero();
    }

    @Test
    void evaluatedWhenTheSameNamespaceAndCheckRepeatWithinAMinuteThenOneEventUntilTheWindowPasses() throws Exception {
        AdmissionHandler handler = handler("audit");
        for (int i = 0; i < 5; i++) {
            handler.handle(Endpoint.VALIDATE, review("team-d", "debug", BARE_POD, false));
        }
        assertThat(written("team-d")).hasSize(1);
        assertThat(count("rate_limited")).isEqualTo(4);

        nanos.addAndGet(Duration.ofMinutes(1).toNanos());
        handler.handle(Endpoint.VALIDATE, review("team-d", "web-5d8f7-x2x9k", OWNED_POD, false));
        handler.handle(Endpoint.VALIDATE, review("team-d", "debug", BARE_POD, false));
        // privileged is a new key; hostNamespaces' minute has passed: both go (another window, other names).
        assertThat(written("team-d")).extracting(e -> e.getRegarding().getKind()).containsExactly("Namespace", "Namespace", "ReplicaSet");
        assertThat(count("sent")).isEqualTo(3);
    }

    @Test
    void evaluatedWhenThePodPassesThenNoEvent() throws Exception {
        handler("audit").handle(Endpoint.VALIDATE, review("team-e", "ok", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"ok","namespace":"%s"},"spec":{"containers":[{"name":"a","image":"x"}]}}""", false));

        assertThat(written("team-e")).isEmpty();
    }

    @Test
    void nameWhenTheSameNamespaceModeAndChecksInOneWindowThenTheSameOnEveryReplica() {
        String name = PolicyEvents.name("team-a", Mode.AUDIT, new java.util.LinkedHashSet<>(List.of("team-a|privileged", "team-a|hostNamespaces")), 30_000_000L);

        assertThat(name).isEqualTo(PolicyEvents.name("team-a", Mode.AUDIT,
                new java.util.LinkedHashSet<>(List.of("team-a|hostNamespaces", "team-a|privileged")), 30_000_000L));
        assertThat(name).matches("podguard\\.[0-9a-f]{20}\\.1c9c380");
        assertThat(PolicyEvents.name("team-a", Mode.AUDIT, java.util.Set.of("team-a|privileged"), 30_000_001L)).isNotEqualTo(
                PolicyEvents.name("team-a", Mode.AUDIT, java.util.Set.of("team-a|privileged"), 30_000_000L));
        assertThat(PolicyEvents.name("team-a", Mode.ENFORCE, java.util.Set.of("team-a|privileged"), 30_000_000L)).isNotEqualTo(
                PolicyEvents.name("team-a", Mode.AUDIT, java.util.Set.of("team-a|privileged"), 30_000_000L));
    }

    @Test
    void evaluatedWhenTwoReplicasJudgeAlikeInOneWindowThenOneEventAndTheOtherCountedAsDuplicate() throws Exception {
        // An Event store that refuses a second create of a name, as the apiserver does (fabric8's mock does not).
        java.util.Map<String, Event> store = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.function.Consumer<Event> writer = event -> {
            if (store.putIfAbsent(event.getMetadata().getNamespace() + "/" + event.getMetadata().getName(), event) != null) {
                throw new io.fabric8.kubernetes.client.KubernetesClientException("events.events.k8s.io \"" + event.getMetadata().getName()
                        + "\" already exists", 409, null);
            }
        };
        SimpleMeterRegistry registryB = new SimpleMeterRegistry();
        PolicyResolver resolver = PolicyResolver.fixed(PolicyLoader.parse("mode: audit\npodSecurity: {level: baseline}\n"));
        events = new PolicyEvents(writer, new EventRateLimiter(Duration.ofMinutes(1), 30, nanos::get), 100, clock, "replica-a", registry, ns -> true);
        try (PolicyEvents b = new PolicyEvents(writer, new EventRateLimiter(Duration.ofMinutes(1), 30, nanos::get), 100, clock, "replica-b", registryB, ns -> true)) {
            new AdmissionHandler(Engine.standard(), () -> resolver, events).handle(Endpoint.VALIDATE, review("team-f", "debug", BARE_POD, false));
            assertThat(events.awaitIdle(Duration.ofSeconds(10))).isTrue();
            new AdmissionHandler(Engine.standard(), () -> resolver, b).handle(Endpoint.VALIDATE, review("team-f", "debug", BARE_POD, false));
            assertThat(b.awaitIdle(Duration.ofSeconds(10))).isTrue();

            assertThat(store).hasSize(1);
            assertThat(store.values().iterator().next().getReportingInstance()).isEqualTo("replica-a");
            assertThat(count("sent")).isEqualTo(1);
            assertThat(registryB.get("podguard.events").tag("result", "duplicate").counter().count()).isEqualTo(1);
            assertThat(registryB.get("podguard.events").tag("result", "failed").counter().count()).isZero();

            // The next window: the other replica's Event goes.
            nanos.addAndGet(Duration.ofMinutes(1).toNanos());
            new AdmissionHandler(Engine.standard(), () -> resolver, b).handle(Endpoint.VALIDATE, review("team-f", "debug", BARE_POD, false));
            assertThat(b.awaitIdle(Duration.ofSeconds(10))).isTrue();
            assertThat(store).hasSize(2);
        }
    }

    /** Anyone who reaches the port can name any namespace: Events only where the webhooks select. */
    @Test
    void evaluatedWhenNamespaceOutsideTheWebhooksThenNoEventAndCounted() throws Exception {
        handler("enforce").handle(Endpoint.VALIDATE, review("unjudged-kube-public", "debug", BARE_POD, false));

        assertThat(written("unjudged-kube-public")).isEmpty();
        assertThat(count("out_of_scope")).isEqualTo(1);
        assertThat(count("sent")).isZero();
    }

    /** What a forged review carries reaches the Event escaped and bounded, and references only well-formed names. */
    @Test
    void evaluatedWhenForgedReviewCarriesControlCharactersAndBadReferencesThenEscapedBoundedAndRegardingTheNamespace() throws Exception {
        String forged = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"x","namespace":"%s",
                  "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"EVIL\\nname","uid":"u","controller":true}]},
                 "spec":{"hostPID":true,"containers":[{"name":"app","image":"busybox"}]}}""";
        byte[] review = ("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
                 "namespace":"team-f","name":"line\\nbreak\\u202eevil","operation":"CREATE","userInfo":{"username":"%s"},"object":%s}}"""
                .formatted("u\\r\\n".repeat(200), forged.formatted("team-f"))).getBytes(StandardCharsets.UTF_8);

        handler("enforce").handle(Endpoint.VALIDATE, review);

        Event e = written("team-f").getFirst();
        assertThat(e.getRegarding().getKind()).isEqualTo("Namespace");
        assertThat(e.getNote()).startsWith("Pod \"line\\nbreak\\u202eevil\" (create by u\\u000d\\u000au\\u000d\\u000a")
                .doesNotContain("\n").doesNotContain("\r").doesNotContain("\u202e").hasSizeLessThanOrEqualTo(PolicyEvents.MAX_NOTE);
    }
}

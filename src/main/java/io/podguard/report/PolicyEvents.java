package io.podguard.report;

import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Evaluation;
import io.podguard.engine.Judgement;
import io.podguard.engine.Mode;
import io.podguard.engine.PodObject;
import io.podguard.engine.Text;
import io.podguard.engine.Violation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kubernetes Event ({@code events.k8s.io/v1}, type Warning, reason {@value #REASON}) for each
 * request that violates the policy, so {@code kubectl get events -n team-a} shows what podguard
 * saw. Regarding the pod's controller (its ReplicaSet, Job …) when it has one, the workload
 * itself for a workload request, else the Namespace. Action {@code Deny} when the request was
 * rejected, {@code Admit} otherwise.
 *
 * <p>Admission never waits on the apiserver: the Event is built on the request thread, offered
 * to a bounded queue (dropped when full) and written by one background thread. Rate-limited
 * per namespace and check ({@link EventRateLimiter}), and across replicas by the Event's name,
 * which every replica computes alike from the namespace, the checks and the time window
 * ({@link #name}): a second replica's create of the same Event is refused and counted as
 * {@code duplicate}. Never for {@code dryRun} requests: the
 * webhook is declared {@code sideEffects: NoneOnDryRun}.
 *
 * <p>Only for namespaces the webhook configurations select ({@code scope}): anyone who reaches
 * the HTTPS port can send a review naming any namespace, and must not make podguard write into
 * namespaces it never judges. What a review carries reaches the Event escaped and bounded: no
 * control characters, names and users quoted and cut, references only to well-formed names.
 */
public final class PolicyEvents implements ReviewObserver, AutoCloseable {

    public static final String REASON = "PolicyViolation";
    public static final String CONTROLLER = "podguard.io/webhook";
    /** The apiserver refuses a longer note. */
    static final int MAX_NOTE = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(PolicyEvents.class);
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX").withZone(ZoneOffset.UTC);

    private final Consumer<Event> writer;
    private final EventRateLimiter limiter;
    private final Clock clock;
    private final String instance;
    private final BlockingQueue<Event> queue;
    private final AtomicInteger pending = new AtomicInteger();
    private final Thread worker;
    private final Counter sent;
    private final Counter failed;
    private final Counter dropped;
    private final Counter limited;
    private final Counter duplicate;
    private final Counter outOfScope;
    private final Predicate<String> scope;

    /**
     * @param writer creates one Event in the cluster; called on the background thread only
     * @param instance this replica's name ({@code reportingInstance})
     * @param scope the namespaces the webhooks select; an Event is written only there
     */
    public PolicyEvents(Consumer<Event> writer, EventRateLimiter limiter, int queueCapacity, Clock clock, String instance,
                        MeterRegistry registry, Predicate<String> scope) {
        this.writer = writer;
        this.scope = scope;
        this.limiter = limiter;
        this.clock = clock;
        this.instance = instance.length() > 128 ? instance.substring(0, 128) : instance;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.sent = counter(registry, "sent");
        this.failed = counter(registry, "failed");
        this.dropped = counter(registry, "dropped");
        this.limited = counter(registry, "rate_limited");
        this.duplicate = counter(registry, "duplicate");
        this.outOfScope = counter(registry, "out_of_scope");
        this.worker = Thread.ofPlatform().name("podguard-events").daemon().start(this::drainLoop);
    }

    /** Writes through {@code client}: {@code POST /apis/events.k8s.io/v1/namespaces/NS/events}. */
    public static Consumer<Event> writer(KubernetesClient client) {
        return event -> client.events().v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
    }

    @Override
    public void evaluated(Review review, EffectivePolicy policy, Judgement judgement) {
        if (review.dryRun()) {
            return;
        }
        PodObject pod = judgement.sent();
        String namespace = review.namespace() != null ? review.namespace() : pod.namespace();
        if (namespace == null || !KubernetesNames.isDnsLabel(namespace)) {
            return;
        }
        Evaluation evaluation = judgement.evaluation();
        boolean denied = !evaluation.enforce().isEmpty() && pod.isPod();
        Mode mode = null;
        for (Mode m : List.of(Mode.ENFORCE, Mode.AUDIT, Mode.WARN)) {
            if (!evaluation.violations(m).isEmpty()) {
                mode = m;
                break;
            }
        }
        if (mode == null) {
            return;
        }
        if (!scope.test(namespace)) {
            outOfScope.increment();
            return;
        }
        Set<String> keys = new LinkedHashSet<>();
        for (Violation v : evaluation.violations(mode)) {
            keys.add(namespace + '|' + v.rule());
        }
        if (!limiter.tryAcquire(keys)) {
            limited.increment();
            return;
        }
        Event event = event(review, pod, namespace, denied, mode, evaluation.message(mode, denied && mode == Mode.ENFORCE));
        event.getMetadata().setName(name(namespace, mode, keys, limiter.window(clock.instant())));
        pending.incrementAndGet();
        if (!queue.offer(event)) {
            pending.decrementAndGet();
            dropped.increment();
        }
    }

    Event event(Review review, PodObject pod, String namespace, boolean denied, Mode mode, String message) {
        Instant now = clock.instant();
        ObjectReference regarding = regarding(review, pod, namespace);
        String name = review.name() != null ? review.name() : pod.name() != null ? pod.name() : "";
        String who = review.username() != null ? " by " + Text.cut(review.username(), 128) : "";
        String note = Text.cut(review.kind(), 63) + " " + KubernetesNames.quoted(name, 253) + " ("
                + review.operation().toLowerCase(java.util.Locale.ROOT) + who + ", " + mode.id() + " mode): " + message;
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        return new EventBuilder()
                .withNewMetadata()
                    // As client-go names them: unique per regarding object and instant.
                    .withName(regarding.getName() + "." + Long.toHexString(nanos))
                    .withNamespace(namespace)
                .endMetadata()
                .withEventTime(new MicroTime(MICRO_TIME.format(now)))
                .withReportingController(CONTROLLER)
                .withReportingInstance(instance)
                .withAction(denied ? "Deny" : "Admit")
                .withReason(REASON)
                .withType("Warning")
                .withRegarding(regarding)
                .withNote(KubernetesNames.printable(note, MAX_NOTE))
                .build();
    }

    /**
     * The Event's name, the same on every replica for the same namespace, mode, checks and window
     * ({@link EventRateLimiter#window}): when two replicas judge alike in one window, the second
     * create is refused as a duplicate, so replicas do not multiply Events.
     */
    static String name(String namespace, Mode mode, Set<String> keys, long window) {
        StringBuilder key = new StringBuilder(namespace).append('|').append(mode.id());
        keys.stream().sorted().forEach(k -> key.append('|').append(k));
        byte[] hash;
        try {
            hash = java.security.MessageDigest.getInstance("SHA-256").digest(key.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return "podguard." + java.util.HexFormat.of().formatHex(hash, 0, 10) + "." + Long.toHexString(window);
    }

    /**
     * The pod's controller, the workload itself, or the Namespace. A reference to the Namespace
     * carries the namespace too: the apiserver only accepts an Event about a cluster-scoped
     * object in {@code default}, and teams look for theirs in their own namespace.
     */
    static ObjectReference regarding(Review request, PodObject pod, String namespace) {
        if (pod.isPod()) {
            List<OwnerReference> owners = pod.podMeta().getOwnerReferences();
            if (owners != null) {
                for (OwnerReference owner : owners) {
                    if (Boolean.TRUE.equals(owner.getController()) && KubernetesNames.isObjectName(owner.getName())
                            && KubernetesNames.isKindOrApiVersion(owner.getKind()) && KubernetesNames.isKindOrApiVersion(owner.getApiVersion())
                            && (owner.getUid() == null || KubernetesNames.isKindOrApiVersion(owner.getUid()))) {
                        return new ObjectReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                                .withName(owner.getName()).withUid(owner.getUid()).withNamespace(namespace).build();
                    }
                }
            }
        } else if (KubernetesNames.isObjectName(request.name() != null ? request.name() : pod.name())
                && KubernetesNames.isKindOrApiVersion(request.kind()) && KubernetesNames.isKindOrApiVersion(request.version())
                && (request.group().isEmpty() || KubernetesNames.isKindOrApiVersion(request.group()))) {
            String apiVersion = request.group().isEmpty() ? request.version() : request.group() + "/" + request.version();
            String uid = pod.object().at("/metadata/uid").isString() ? pod.object().at("/metadata/uid").asString() : null;
            uid = uid != null && KubernetesNames.isKindOrApiVersion(uid) ? uid : null;
            return new ObjectReferenceBuilder().withApiVersion(apiVersion).withKind(request.kind())
                    .withName(request.name() != null ? request.name() : pod.name()).withUid(uid).withNamespace(namespace).build();
        }
        return new ObjectReferenceBuilder().withApiVersion("v1").withKind("Namespace").withName(namespace).withNamespace(namespace).build();
    }

    /** Waits until every queued Event was written or failed, at most {@code timeout}. For tests and shutdown. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
        return true;
    }

    private void drainLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            Event event;
            try {
                event = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                writer.accept(event);
                sent.increment();
            } catch (KubernetesClientException e) {
                if (e.getCode() == java.net.HttpURLConnection.HTTP_CONFLICT) {
                    // Another replica wrote this namespace's Event for these checks in this window.
                    duplicate.increment();
                    continue;
                }
                failed.increment();
                LOG.warn("could not write Event {}/{}: {} {}", event.getMetadata().getNamespace(), event.getMetadata().getName(),
                        e.getCode(), Text.oneLine(e.getMessage()));
            } catch (RuntimeException e) {
                failed.increment();
                LOG.warn("could not write Event {}/{}: {}", event.getMetadata().getNamespace(), event.getMetadata().getName(), Text.oneLine(e.toString()));
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        awaitIdle(Duration.ofSeconds(5));
        worker.interrupt();
        worker.join(TimeUnit.SECONDS.toMillis(5));
    }

    private static Counter counter(MeterRegistry registry, String result) {
        return Counter.builder(MetricNames.EVENTS).description("PolicyViolation Events, by what became of them")
                .tag(MetricNames.RESULT, result).register(registry);
    }

}

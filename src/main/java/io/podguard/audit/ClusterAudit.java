package io.podguard.audit;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Engine;
import io.podguard.engine.Judgement;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.Stage;
import io.podguard.policy.PolicyResolver;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Lists the cluster's pods page by page and judges each through the engine's one entry point,
 * with the policy resolver admission uses, as enforcement would judge it
 * ({@link EffectivePolicy#enforcing()}: the enforce level when the policy enforces, else the
 * strictest of its audit and warn levels; resource rules and PodSecurityPolicies in enforce
 * mode). Existing pods are judged as if created now by nobody in particular: namespace
 * overrides, exemptions of every kind, resource rules and PodSecurityPolicies apply; user
 * exemptions cannot (who created a pod is not recorded on it).
 *
 * <p>Memory stays bounded by the largest namespace, not the cluster: the apiserver lists pods in
 * the order of their storage keys ({@code /registry/pods/NAMESPACE/NAME}; a continue token is
 * the last key listed), so the pods of one namespace arrive together. A namespace is summed up
 * and handed to the {@link Sink} when the listing moves on, and only the pods enforcement would
 * deny are kept after that. A server that lists a namespace in two stretches anyway gets that
 * namespace listed again on its own at the end, and the sink gets it a second time, whole.
 */
public final class ClusterAudit {

    public static final int DEFAULT_PAGE_SIZE = 500;
    private static final Logger LOG = LoggerFactory.getLogger(ClusterAudit.class);
    /** A bigger page holds more pods at once in both the apiserver and podguard, for no fewer judgements. */
    public static final int MAX_PAGE_SIZE = 5000;

    private final KubernetesClient client;
    private final Engine engine;
    private final int pageSize;
    private final Clock clock;

    /** Which namespaces to look at: all but the excluded ones, or only {@code only} when set. */
    public record Scope(@Nullable String only, Set<String> excluded) {
        public static final Scope ALL = new Scope(null, Set.of());

        public Scope {
            excluded = Set.copyOf(excluded);
        }

        boolean includes(String namespace) {
            return !excluded.contains(namespace) && (only == null || only.equals(namespace));
        }
    }

    /** Told of every namespace once all its pods were judged; a later call for the same namespace replaces the earlier. */
    @FunctionalInterface
    public interface Sink {
        Sink NONE = (namespace, pods) -> { };

        void namespace(String namespace, List<PodResult> pods);
    }

    /** Told after every page how many pods the run has judged so far. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = judged -> { };

        void judged(long pods);
    }

    /** Thrown when {@link Control#mayGoOn} says no: the run is abandoned, nothing more is judged or handed on. */
    public static final class Stopped extends RuntimeException {
        Stopped(String why) {
            super(why);
        }
    }

    /**
     * How one run is steered.
     *
     * @param budget how long it may take: when it runs out, the run stops after the page in
     *     hand, and the report says so ({@link AuditReport#incomplete()}); null for no limit
     * @param mayGoOn asked before every page; false abandons the run ({@link Stopped})
     */
    public record Control(@Nullable Duration budget, BooleanSupplier mayGoOn, Progress progress) {
        public static final Control UNBOUNDED = new Control(null, () -> true, Progress.NONE);
    }

    public ClusterAudit(KubernetesClient client, Engine engine, int pageSize, Clock clock) {
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("the page size must be between 1 and " + MAX_PAGE_SIZE + ", not " + pageSize);
        }
        this.client = client;
        this.engine = engine;
        this.pageSize = pageSize;
        this.clock = clock;
    }

    /**
     * @param stage {@link Stage#CREATE} to judge pods as the webhook would after podguard's
     *     defaults (before podguard is installed), {@link Stage#AS_WRITTEN} to judge them as they run
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when pods cannot be listed
     */
    public AuditReport run(PolicyResolver resolver, String policySource, Scope scope, Stage stage) {
        return run(resolver, policySource, scope, stage, Sink.NONE, Control.UNBOUNDED);
    }

    /**
     * As {@link #run(PolicyResolver, String, Scope, Stage)}, handing each namespace to {@code sink}
     * as soon as it is complete.
     *
     * @throws Stopped when {@code control} says to stop
     */
    public AuditReport run(PolicyResolver resolver, String policySource, Scope scope, Stage stage, Sink sink, Control control) {
        Instant started = clock.instant();
        Instant deadline = control.budget() == null ? null : started.plus(control.budget());
        TreeMap<String, AuditReport.Namespace> namespaces = new TreeMap<>();
        Set<String> done = new HashSet<>();
        Set<String> listedAgain = new LinkedHashSet<>();
        String current = null;
        List<PodResult> pods = new ArrayList<>();
        long judged = 0;
        String incomplete = null;
        String next = null;
        do {
            if (!control.mayGoOn().getAsBoolean()) {
                throw new Stopped("stopped after " + judged + " pods");
            }
            if (deadline != null && next != null && clock.instant().isAfter(deadline)) {
                incomplete = "the time budget of " + control.budget() + " ran out after " + judged + " pods; namespaces "
                        + (current == null ? "" : "from \"" + current + "\" ") + "on were not judged";
                break;
            }
            JsonNode page = list(scope.only(), next);
            for (JsonNode item : page.path("items")) {
                if (!(item instanceof ObjectNode pod)) {
                    continue;
                }
                String namespace = pod.path("metadata").path("namespace").asString(null);
                if (namespace == null || !scope.includes(namespace)) {
                    continue;
                }
                if (!namespace.equals(current)) {
                    if (current != null) {
                        finish(current, pods, namespaces, sink);
                        done.add(current);
                        pods = new ArrayList<>();
                    }
                    current = namespace;
                }
                if (done.contains(namespace)) {
                    // Listed in two stretches: listed again whole at the end.
                    listedAgain.add(namespace);
                } else {
                    PodResult result = judge(resolver, pod, stage);
                    if (result != null) {
                        pods.add(result);
                    }
                    judged++;
                }
            }
            control.progress().judged(judged);
            next = page.path("metadata").path("continue").asString(null);
        } while (next != null && !next.isEmpty());
        if (incomplete == null) {
            if (current != null && !done.contains(current)) {
                finish(current, pods, namespaces, sink);
            }
            for (String namespace : listedAgain) {
                finish(namespace, listNamespace(resolver, namespace, stage, control), namespaces, sink);
            }
        }
        return new AuditReport(started, clock.instant(), policySource, namespaces, incomplete);
    }

    private List<PodResult> listNamespace(PolicyResolver resolver, String namespace, Stage stage, Control control) {
        List<PodResult> pods = new ArrayList<>();
        String next = null;
        do {
            if (!control.mayGoOn().getAsBoolean()) {
                throw new Stopped("stopped while listing namespace " + namespace + " again");
            }
            JsonNode page = list(namespace, next);
            for (JsonNode item : page.path("items")) {
                if (item instanceof ObjectNode pod) {
                    PodResult result = judge(resolver, pod, stage);
                    if (result != null) {
                        pods.add(result);
                    }
                }
            }
            next = page.path("metadata").path("continue").asString(null);
        } while (next != null && !next.isEmpty());
        return pods;
    }

    /** One page of pods, as the apiserver sends it. */
    private JsonNode list(@Nullable String namespace, @Nullable String next) {
        StringBuilder path = new StringBuilder(namespace == null ? "/api/v1/pods" : "/api/v1/namespaces/" + encode(namespace) + "/pods");
        path.append("?limit=").append(pageSize);
        if (next != null) {
            path.append("&continue=").append(encode(next));
        }
        return RawGet.get(client, path.toString(), "application/json");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void finish(String namespace, List<PodResult> pods, TreeMap<String, AuditReport.Namespace> namespaces, Sink sink) {
        namespaces.put(namespace, AuditReport.Namespace.of(namespace, pods));
        sink.namespace(namespace, pods);
    }

    /** The engine's judgement of one pod as listed; null (and a log line) for one that is not a pod the engine can read. */
    @Nullable PodResult judge(PolicyResolver resolver, ObjectNode node, Stage stage) {
        // A list's items carry no apiVersion and kind of their own.
        node.put("apiVersion", "v1");
        node.put("kind", "Pod");
        PodObject object;
        try {
            object = PodExtractor.extract("Pod", node).orElseThrow();
        } catch (IllegalArgumentException e) {
            LOG.warn("audit: pod {}/{} left out: {}", node.path("metadata").path("namespace").asString(""),
                    node.path("metadata").path("name").asString(""), e.getMessage());
            return null;
        }
        ObjectMeta meta = object.podMeta();
        String namespace = meta.getNamespace();
        RequestInfo request = RequestInfo.offline(namespace);
        EffectivePolicy policy = resolver.resolve(request, object).enforcing();
        Judgement judgement = engine.judge(object, policy, request, stage);
        return PodResult.of(namespace, meta.getName(), meta.getUid(), owner(meta), judgement.defaults(), judgement.evaluation());
    }

    private static @Nullable String owner(ObjectMeta meta) {
        List<OwnerReference> owners = meta.getOwnerReferences();
        if (owners != null) {
            for (OwnerReference o : owners) {
                if (Boolean.TRUE.equals(o.getController())) {
                    return o.getKind() + "/" + o.getName();
                }
            }
        }
        return null;
    }
}

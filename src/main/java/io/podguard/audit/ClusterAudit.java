package io.podguard.audit;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.engine.Judgement;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.Stage;
import io.podguard.policy.PolicyResolver;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * Lists the cluster's pods page by page and judges each through the engine's one entry point,
 * with the policy resolver admission uses, as enforcement would judge it
 * ({@link EffectivePolicy#enforcing()}: the enforce level when the policy enforces, else the
 * strictest of its audit and warn levels; resource rules and PodSecurityPolicies in enforce
 * mode). Existing pods are judged as if created now by nobody in particular: namespace
 * overrides, exemptions of every kind, resource rules and PodSecurityPolicies apply; user
 * exemptions cannot (who created a pod is not recorded on it).
 */
public final class ClusterAudit {

    public static final int DEFAULT_PAGE_SIZE = 500;

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

    public ClusterAudit(KubernetesClient client, Engine engine, int pageSize, Clock clock) {
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
        Instant started = clock.instant();
        Map<String, List<PodResult>> byNamespace = new TreeMap<>();
        String next = null;
        do {
            ListOptionsBuilder options = new ListOptionsBuilder().withLimit((long) pageSize);
            if (next != null) {
                options.withContinue(next);
            }
            PodList page = scope.only() != null
                    ? client.pods().inNamespace(scope.only()).list(options.build())
                    : client.pods().inAnyNamespace().list(options.build());
            for (Pod pod : page.getItems()) {
                String namespace = pod.getMetadata().getNamespace();
                if (namespace == null || !scope.includes(namespace)) {
                    continue;
                }
                byNamespace.computeIfAbsent(namespace, n -> new ArrayList<>()).add(judge(resolver, pod, stage));
            }
            next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (next != null && !next.isEmpty());
        Map<String, AuditReport.Namespace> namespaces = new TreeMap<>();
        byNamespace.forEach((ns, pods) -> {
            pods.sort(Comparator.comparing(PodResult::name));
            namespaces.put(ns, new AuditReport.Namespace(ns, pods));
        });
        return new AuditReport(started, clock.instant(), policySource, new TreeMap<>(namespaces));
    }

    PodResult judge(PolicyResolver resolver, Pod pod, Stage stage) {
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        ObjectNode node = Json.serialization().convertValue(pod, ObjectNode.class);
        PodObject object = PodExtractor.extract("Pod", node).orElseThrow();
        RequestInfo request = RequestInfo.offline(namespace);
        EffectivePolicy policy = resolver.resolve(request, object).enforcing();
        Judgement judgement = engine.judge(object, policy, request, stage);
        return new PodResult(namespace, name, pod.getMetadata().getUid(), owner(pod), judgement.defaults(), judgement.evaluation());
    }

    private static @Nullable String owner(Pod pod) {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
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

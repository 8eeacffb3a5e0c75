package io.podguard.audit;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.policy.EffectivePolicy;
import io.podguard.policy.PolicyResolver;
import io.podguard.policy.RequestInfo;
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
 * Lists the cluster's pods page by page and judges each with the engine and the policy
 * resolver admission uses, at {@link EnforceLevel}. Existing pods are judged as if created
 * now by nobody in particular: namespace overrides and exemptions apply, user exemptions
 * cannot (who created a pod is not recorded on it).
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

    /** @throws io.fabric8.kubernetes.client.KubernetesClientException when pods cannot be listed */
    public AuditReport run(PolicyResolver resolver, String policySource, Scope scope) {
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
                byNamespace.computeIfAbsent(namespace, n -> new ArrayList<>()).add(judge(resolver, pod));
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

    PodResult judge(PolicyResolver resolver, Pod pod) {
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        ObjectNode node = Json.serialization().convertValue(pod, ObjectNode.class);
        PodObject object = PodExtractor.extract("Pod", node).orElseThrow();
        EffectivePolicy policy = resolver.resolve(RequestInfo.offline(namespace), object);
        LevelVersion level = EnforceLevel.of(policy);
        List<Violation> violations = level == null ? List.of() : engine.podSecurity().evaluate(level, object);
        return new PodResult(namespace, name, pod.getMetadata().getUid(), owner(pod), level, violations);
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

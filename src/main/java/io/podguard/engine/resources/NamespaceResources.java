package io.podguard.engine.resources;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ScopedResourceSelectorRequirement;
import io.podguard.engine.KubeQuantity;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What podguard knows of a namespace's LimitRanges and ResourceQuotas, as plain values for the
 * defaults: the server's informers give it, offline commands know none. Objects are taken in
 * name order so the result never depends on the order a cache lists them in.
 *
 * @param limitRanges the items of type {@code Container} of every LimitRange
 * @param quotas every ResourceQuota, with the resources it tracks
 */
public record NamespaceResources(List<ContainerLimits> limitRanges, List<Quota> quotas) {

    public static final NamespaceResources NONE = new NamespaceResources(List.of(), List.of());

    public NamespaceResources {
        limitRanges = List.copyOf(limitRanges);
        quotas = List.copyOf(quotas);
    }

    /**
     * One LimitRange item of type {@code Container}, as stored (the apiserver filled its
     * {@code default} from {@code max}, and its {@code defaultRequest} from {@code default} or {@code min}).
     *
     * @param name the LimitRange's name
     */
    public record ContainerLimits(String name, SortedMap<String, KubeQuantity> min, SortedMap<String, KubeQuantity> max,
                                  SortedMap<String, KubeQuantity> defaultLimit, SortedMap<String, KubeQuantity> defaultRequest,
                                  SortedMap<String, KubeQuantity> maxLimitRequestRatio) {
    }

    /**
     * A ResourceQuota: the names in its {@code hard} ({@code limits.cpu}, {@code requests.memory}, {@code pods} …)
     * and its scopes ({@code spec.scopes} and {@code spec.scopeSelector}), which decide the pods it
     * applies to, as the quota admission decides it ({@link #appliesTo}).
     */
    public record Quota(String name, Set<String> hard, List<Scope> scopes) {

        public Quota {
            hard = Set.copyOf(hard);
            scopes = List.copyOf(scopes);
        }

        /** A quota without scopes: it applies to every pod. */
        public Quota(String name, Set<String> hard) {
            this(name, hard, List.of());
        }

        /**
         * Whether the quota tracks the request of {@code resource}: {@code requests.<r>}, or the
         * bare name for cpu, memory and ephemeral-storage.
         */
        public boolean tracksRequest(String resource) {
            return hard.contains("requests." + resource) || hard.contains(resource) && !resource.contains("/");
        }

        /** Whether the quota tracks the limit of {@code resource} ({@code limits.<r>}). */
        public boolean tracksLimit(String resource) {
            return hard.contains("limits." + resource);
        }

        /**
         * Whether the quota applies to a pod of this spec: every scope matches (none: every pod),
         * as the quota evaluator's {@code podMatchesScopeFunc} decides. {@code NotBestEffort} is
         * taken to match: the quality of service is that of the pod as stored, after the
         * defaults that podguard is computing give it requests.
         */
        public boolean appliesTo(JsonNode spec) {
            for (Scope scope : scopes) {
                if (!scope.matches(spec)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * One scope of a quota: {@code scopes: [Terminating]} is {@code {scopeName: Terminating,
     * operator: Exists}}, as the apiserver reads it.
     */
    public record Scope(String scopeName, String operator, List<String> values) {

        public Scope {
            values = List.copyOf(values);
        }

        boolean matches(JsonNode spec) {
            return switch (scopeName) {
                // the operator is not read for these, as upstream does not read it
                case "Terminating" -> terminating(spec);
                case "NotTerminating" -> !terminating(spec);
                case "BestEffort" -> false; // only counts pods (apiserver validation), and podguard's defaults give requests
                case "NotBestEffort" -> true;
                case "PriorityClass" -> priorityClass(spec.path("priorityClassName"));
                case "CrossNamespacePodAffinity" -> crossNamespaceAffinity(spec.path("affinity"));
                default -> false;
            };
        }

        private static boolean terminating(JsonNode spec) {
            JsonNode deadline = spec.path("activeDeadlineSeconds");
            return deadline.isIntegralNumber() && deadline.canConvertToLong() && deadline.longValue() >= 0;
        }

        /** The label selector {@code PriorityClass <op> values} over {@code {PriorityClass: name}} (no label without a class). */
        private boolean priorityClass(JsonNode name) {
            String value = name.isString() ? name.asString() : "";
            boolean present = !value.isEmpty();
            return switch (operator) {
                case "Exists" -> present;
                case "DoesNotExist" -> !present;
                case "In" -> present && values.contains(value);
                case "NotIn" -> !present || !values.contains(value);
                default -> false;
            };
        }

        private static boolean crossNamespaceAffinity(JsonNode affinity) {
            for (String kind : List.of("podAffinity", "podAntiAffinity")) {
                JsonNode terms = affinity.path(kind);
                for (JsonNode term : terms.path("requiredDuringSchedulingIgnoredDuringExecution")) {
                    if (crossNamespace(term)) {
                        return true;
                    }
                }
                for (JsonNode weighted : terms.path("preferredDuringSchedulingIgnoredDuringExecution")) {
                    if (crossNamespace(weighted.path("podAffinityTerm"))) {
                        return true;
                    }
                }
            }
            return false;
        }

        private static boolean crossNamespace(JsonNode term) {
            JsonNode selector = term.get("namespaceSelector");
            return !term.path("namespaces").isEmpty() || selector != null && !selector.isNull();
        }
    }

    /** The quotas that apply to a pod of this spec ({@link Quota#appliesTo}), with the same LimitRanges. */
    public NamespaceResources forPod(JsonNode spec) {
        if (quotas.stream().allMatch(q -> q.scopes().isEmpty())) {
            return this;
        }
        return new NamespaceResources(limitRanges, quotas.stream().filter(q -> q.appliesTo(spec)).toList());
    }

    public boolean isEmpty() {
        return limitRanges.isEmpty() && quotas.isEmpty();
    }

    /** From the LimitRange and ResourceQuota objects of one namespace. */
    public static NamespaceResources of(Collection<LimitRange> limitRanges, Collection<ResourceQuota> quotas) {
        List<ContainerLimits> items = new ArrayList<>();
        limitRanges.stream().sorted(Comparator.comparing(NamespaceResources::name)).forEach(lr -> {
            if (lr.getSpec() == null || lr.getSpec().getLimits() == null) {
                return;
            }
            for (LimitRangeItem item : lr.getSpec().getLimits()) {
                if (item != null && "Container".equals(item.getType())) {
                    items.add(new ContainerLimits(name(lr), quantities(item.getMin()), quantities(item.getMax()),
                            quantities(item.getDefault()), quantities(item.getDefaultRequest()), quantities(item.getMaxLimitRequestRatio())));
                }
            }
        });
        List<Quota> qs = new ArrayList<>();
        quotas.stream().sorted(Comparator.comparing(NamespaceResources::name)).forEach(q -> {
            if (q.getSpec() != null && q.getSpec().getHard() != null && !q.getSpec().getHard().isEmpty()) {
                qs.add(new Quota(name(q), new TreeSet<>(q.getSpec().getHard().keySet()), scopes(q)));
            }
        });
        return new NamespaceResources(items, qs);
    }

    /** {@code spec.scopes} as {@code Exists} requirements, then {@code spec.scopeSelector.matchExpressions}, as upstream lists them. */
    private static List<Scope> scopes(ResourceQuota q) {
        List<Scope> scopes = new ArrayList<>();
        if (q.getSpec().getScopes() != null) {
            for (String scope : q.getSpec().getScopes()) {
                scopes.add(new Scope(scope == null ? "" : scope, "Exists", List.of()));
            }
        }
        if (q.getSpec().getScopeSelector() != null && q.getSpec().getScopeSelector().getMatchExpressions() != null) {
            for (ScopedResourceSelectorRequirement r : q.getSpec().getScopeSelector().getMatchExpressions()) {
                if (r != null) {
                    scopes.add(new Scope(r.getScopeName() == null ? "" : r.getScopeName(), r.getOperator() == null ? "" : r.getOperator(),
                            r.getValues() == null ? List.of() : r.getValues().stream().filter(java.util.Objects::nonNull).toList()));
                }
            }
        }
        return scopes;
    }

    private static String name(io.fabric8.kubernetes.api.model.HasMetadata o) {
        return o.getMetadata() == null || o.getMetadata().getName() == null ? "" : o.getMetadata().getName();
    }

    private static SortedMap<String, KubeQuantity> quantities(@Nullable Map<String, Quantity> values) {
        SortedMap<String, KubeQuantity> out = new TreeMap<>();
        if (values != null) {
            values.forEach((name, q) -> {
                KubeQuantity parsed = q == null || q.getAmount() == null ? null
                        : KubeQuantity.parseOrNull(q.getFormat() == null ? q.getAmount() : q.getAmount() + q.getFormat());
                if (name != null && parsed != null) {
                    out.put(name, parsed);
                }
            });
        }
        return out;
    }
}

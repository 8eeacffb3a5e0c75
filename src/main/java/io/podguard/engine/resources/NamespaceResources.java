package io.podguard.engine.resources;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
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
     * A ResourceQuota: the names in its {@code hard} ({@code limits.cpu}, {@code requests.memory}, {@code pods} …).
     * Its scopes are not evaluated: podguard fills in what any quota of the namespace tracks.
     */
    public record Quota(String name, Set<String> hard) {

        public Quota {
            hard = Set.copyOf(hard);
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
                qs.add(new Quota(name(q), new TreeSet<>(q.getSpec().getHard().keySet())));
            }
        });
        return new NamespaceResources(items, qs);
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

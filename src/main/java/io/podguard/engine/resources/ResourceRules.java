package io.podguard.engine.resources;

import io.podguard.engine.KubeQuantity;
import io.podguard.engine.Mode;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.RuleKind;
import io.podguard.engine.RuleSet;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * LimitRanger-style rules, compiled: quantities parsed once. Resource names are sorted so
 * messages come out in a fixed order.
 *
 * @param container LimitRange type {@code Container}: each container's min, max and maxLimitRequestRatio
 * @param pod LimitRange type {@code Pod}: the same over the pod's effective resources
 * @param requiredRequests resources every container must request
 * @param requiredLimits resources every container must limit
 * @param present whether the policy has a {@code resources} section at all: the extended-resource
 *     rule ({@code request = limit}) judges wherever it does
 * @param mode what a violation does
 */
public record ResourceRules(Bounds container, Bounds pod, List<String> requiredRequests, List<String> requiredLimits, boolean present,
                            Mode mode) implements RuleSet {

    /** No rule: what the resource defaults read where the policy has no {@code resources} section. */
    public static final ResourceRules NONE = new ResourceRules(Bounds.NONE, Bounds.NONE, List.of(), List.of(), false, Mode.ENFORCE);

    /** The subresource of in-place pod resize, which LimitRanger judges and so do resource rules. */
    public static final String RESIZE = "resize";

    public ResourceRules {
        requiredRequests = requiredRequests.stream().sorted().toList();
        requiredLimits = requiredLimits.stream().sorted().toList();
    }

    /**
     * One LimitRange item's bounds.
     *
     * @param min a request (and a limit, if set) at least this
     * @param max a limit (which must be set) and a request, if set, at most this
     * @param maxLimitRequestRatio limit divided by request at most this
     */
    public record Bounds(SortedMap<String, KubeQuantity> min, SortedMap<String, KubeQuantity> max,
                         SortedMap<String, KubeQuantity> maxLimitRequestRatio) {

        public static final Bounds NONE = new Bounds(new TreeMap<>(), new TreeMap<>(), new TreeMap<>());

        /** @throws IllegalArgumentException for a value that is not a Kubernetes quantity */
        public static Bounds of(Map<String, String> min, Map<String, String> max, Map<String, String> ratio) {
            return new Bounds(bounds(min), bounds(max), bounds(ratio));
        }

        public boolean isEmpty() {
            return min.isEmpty() && max.isEmpty() && maxLimitRequestRatio.isEmpty();
        }
    }

    /** Container bounds and required resources only (no pod-wide bounds). */
    public static ResourceRules of(Map<String, String> min, Map<String, String> max, Map<String, String> ratio,
                                   List<String> requests, List<String> limits, Mode mode) {
        return new ResourceRules(Bounds.of(min, max, ratio), Bounds.NONE, requests, limits, true, mode);
    }

    @Override
    public RuleKind<?> kind() {
        return ResourceRulesKind.INSTANCE;
    }

    @Override
    public Set<Mode> modes() {
        return isEmpty() ? Set.of() : Set.of(mode);
    }

    @Override
    public ResourceRules withMode(Mode other) {
        return new ResourceRules(container, pod, requiredRequests, requiredLimits, present, other);
    }

    /**
     * As LimitRanger: an in-place resize ({@code pods/resize}) is judged, every other update of a
     * running pod is not (a pod admitted before a rule was tightened may still change its image
     * or get a debug container).
     */
    @Override
    public @Nullable RuleSet forPodUpdate(PodObject pod, RequestInfo request, boolean significant) {
        return RESIZE.equals(request.subResource()) ? this : null;
    }

    public SortedMap<String, KubeQuantity> min() {
        return container.min();
    }

    public SortedMap<String, KubeQuantity> max() {
        return container.max();
    }

    public SortedMap<String, KubeQuantity> maxLimitRequestRatio() {
        return container.maxLimitRequestRatio();
    }

    /** The ids of the rules these settings turn on, in the order they are judged. */
    List<String> ruleIds() {
        List<String> ids = new ArrayList<>(8);
        if (!requiredRequests.isEmpty() || !requiredLimits.isEmpty()) {
            ids.add(ResourcesRequiredCheck.ID);
        }
        addIf(ids, !container.min().isEmpty(), ResourceMinCheck.ID);
        addIf(ids, !container.max().isEmpty(), ResourceMaxCheck.ID);
        addIf(ids, !container.maxLimitRequestRatio().isEmpty(), ResourceRatioCheck.ID);
        addIf(ids, !pod.min().isEmpty(), PodResourceMinCheck.ID);
        addIf(ids, !pod.max().isEmpty(), PodResourceMaxCheck.ID);
        addIf(ids, !pod.maxLimitRequestRatio().isEmpty(), PodResourceRatioCheck.ID);
        addIf(ids, present, ExtendedResourcesCheck.ID);
        return ids;
    }

    private static void addIf(List<String> ids, boolean on, String id) {
        if (on) {
            ids.add(id);
        }
    }

    public boolean isEmpty() {
        return !present && container.isEmpty() && pod.isEmpty() && requiredRequests.isEmpty() && requiredLimits.isEmpty();
    }

    /** A Kubernetes quantity's value. @throws IllegalArgumentException when {@code text} is not one */
    public static BigDecimal amount(String text) {
        return quantity(text).value();
    }

    /** A Kubernetes quantity as a policy may write it. @throws IllegalArgumentException when {@code text} is not one */
    public static KubeQuantity quantity(String text) {
        if (!QuantityFormat.isValid(text)) {
            throw new IllegalArgumentException("\"" + text + "\" is not a quantity (like 100m, 1.5, 512Mi, 2G)");
        }
        return KubeQuantity.parse(text);
    }

    private static SortedMap<String, KubeQuantity> bounds(Map<String, String> values) {
        SortedMap<String, KubeQuantity> out = new TreeMap<>();
        values.forEach((name, text) -> out.put(name, quantity(text)));
        return out;
    }
}

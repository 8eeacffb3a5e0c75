package io.podguard.engine.resources;

import io.podguard.engine.KubeQuantity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

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
 */
public record ResourceRules(Bounds container, Bounds pod, List<String> requiredRequests, List<String> requiredLimits, boolean present) {

    public static final ResourceRules NONE = new ResourceRules(Bounds.NONE, Bounds.NONE, List.of(), List.of(), false);

    /** Rule ids start with this, so messages can tell them from Pod Security Standards checks. */
    public static final String ID_PREFIX = "resources.";

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
                                   List<String> requests, List<String> limits) {
        return new ResourceRules(Bounds.of(min, max, ratio), Bounds.NONE, requests, limits, true);
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

    public boolean isEmpty() {
        return !present && container.isEmpty() && pod.isEmpty() && requiredRequests.isEmpty() && requiredLimits.isEmpty();
    }

    public static boolean isResourceRule(String ruleId) {
        return ruleId.startsWith(ID_PREFIX);
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

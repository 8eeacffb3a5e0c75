package io.podguard.engine.resources;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * LimitRanger-style rules for every container, compiled: quantities parsed once. Resource
 * names are sorted so messages come out in a fixed order.
 *
 * @param min a container's request (and limit, if set) must be at least this
 * @param max a container's limit (which must be set) and request must be at most this
 * @param maxLimitRequestRatio limit divided by request must be at most this
 * @param requiredRequests resources every container must request
 * @param requiredLimits resources every container must limit
 */
public record ResourceRules(
        SortedMap<String, Bound> min,
        SortedMap<String, Bound> max,
        SortedMap<String, Bound> maxLimitRequestRatio,
        List<String> requiredRequests,
        List<String> requiredLimits) {

    public static final ResourceRules NONE = new ResourceRules(new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), List.of(), List.of());

    /** Rule ids start with this, so messages can tell them from Pod Security Standards checks. */
    public static final String ID_PREFIX = "resources.";

    public ResourceRules {
        requiredRequests = requiredRequests.stream().sorted().toList();
        requiredLimits = requiredLimits.stream().sorted().toList();
    }

    /** A quantity as written in the policy and its value. */
    public record Bound(String text, BigDecimal amount) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** @throws IllegalArgumentException for a value that is not a Kubernetes quantity */
    public static ResourceRules of(Map<String, String> min, Map<String, String> max, Map<String, String> ratio,
                                   List<String> requests, List<String> limits) {
        return new ResourceRules(bounds(min), bounds(max), bounds(ratio), requests, limits);
    }

    public boolean isEmpty() {
        return min.isEmpty() && max.isEmpty() && maxLimitRequestRatio.isEmpty() && requiredRequests.isEmpty() && requiredLimits.isEmpty();
    }

    public static boolean isResourceRule(String ruleId) {
        return ruleId.startsWith(ID_PREFIX);
    }

    /** A Kubernetes quantity's value. @throws IllegalArgumentException when {@code text} is not one */
    public static BigDecimal amount(String text) {
        if (!QuantityFormat.isValid(text)) {
            throw new IllegalArgumentException("\"" + text + "\" is not a quantity (like 100m, 1.5, 512Mi, 2G)");
        }
        return Quantity.getAmountInBytes(Quantity.parse(text));
    }

    private static SortedMap<String, Bound> bounds(Map<String, String> values) {
        SortedMap<String, Bound> out = new TreeMap<>();
        values.forEach((name, text) -> out.put(name, new Bound(text, amount(text))));
        return out;
    }
}

package io.podguard.engine.resources;

import io.fabric8.kubernetes.api.model.Quantity;
import io.podguard.engine.Mode;
import io.podguard.engine.RuleSet;
import io.podguard.engine.RuleKind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * @param mode what a violation does
 */
public record ResourceRules(
        SortedMap<String, Bound> min,
        SortedMap<String, Bound> max,
        SortedMap<String, Bound> maxLimitRequestRatio,
        List<String> requiredRequests,
        List<String> requiredLimits,
        Mode mode) implements RuleSet {

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
                                   List<String> requests, List<String> limits, Mode mode) {
        return new ResourceRules(bounds(min), bounds(max), bounds(ratio), requests, limits, mode);
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
        return new ResourceRules(min, max, maxLimitRequestRatio, requiredRequests, requiredLimits, other);
    }

    /** The ids of the rules these settings turn on, in the order they are judged. */
    List<String> ruleIds() {
        List<String> ids = new ArrayList<>(4);
        if (!requiredRequests.isEmpty() || !requiredLimits.isEmpty()) {
            ids.add(ResourcesRequiredCheck.ID);
        }
        if (!min.isEmpty()) {
            ids.add(ResourceMinCheck.ID);
        }
        if (!max.isEmpty()) {
            ids.add(ResourceMaxCheck.ID);
        }
        if (!maxLimitRequestRatio.isEmpty()) {
            ids.add(ResourceRatioCheck.ID);
        }
        return ids;
    }

    public boolean isEmpty() {
        return min.isEmpty() && max.isEmpty() && maxLimitRequestRatio.isEmpty() && requiredRequests.isEmpty() && requiredLimits.isEmpty();
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

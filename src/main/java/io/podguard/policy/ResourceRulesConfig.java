package io.podguard.policy;

import io.podguard.engine.Mode;
import java.util.Map;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code resources} section: LimitRanger's per-container rules, as checks with their own ids
 * ({@code resources.min}, {@code resources.max}, {@code resources.maxLimitRequestRatio},
 * {@code resources.required}). Quantities are Kubernetes quantities ({@code 100m}, {@code 1Gi}),
 * keyed by resource name ({@code cpu}, {@code memory}, {@code ephemeral-storage}).
 *
 * @param mode what a violation does; null: the policy's {@code mode}
 * @param min a container's request (and limit, if set) must be at least this
 * @param max a container's limit (which must be set) and request must be at most this
 * @param maxLimitRequestRatio a container's limit divided by its request must be at most this
 * @param required requests and limits every container must set
 */
public record ResourceRulesConfig(
        @Nullable Mode mode,
        @Nullable Map<String, String> min,
        @Nullable Map<String, String> max,
        @Nullable Map<String, String> maxLimitRequestRatio,
        @Nullable Required required) {

    public ResourceRulesConfig {
        min = min == null ? Map.of() : Map.copyOf(min);
        max = max == null ? Map.of() : Map.copyOf(max);
        maxLimitRequestRatio = maxLimitRequestRatio == null ? Map.of() : Map.copyOf(maxLimitRequestRatio);
        required = required == null ? Required.NONE : required;
    }

    /**
     * @param requests resources every container must request
     * @param limits resources every container must limit
     */
    public record Required(@Nullable List<String> requests, @Nullable List<String> limits) {

        static final Required NONE = new Required(null, null);

        public Required {
            requests = requests == null ? List.of() : List.copyOf(requests);
            limits = limits == null ? List.of() : List.copyOf(limits);
        }
    }
}

package io.podguard.policy;

import io.podguard.engine.Mode;
import java.util.Map;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code resources} section: LimitRanger's rules, as checks with their own ids. For each
 * container (LimitRange type {@code Container}): {@code resources.min}, {@code resources.max},
 * {@code resources.maxLimitRequestRatio}; over the pod's effective resources (type {@code Pod}):
 * {@code resources.pod.min}, {@code resources.pod.max}, {@code resources.pod.maxLimitRequestRatio};
 * podguard's own {@code resources.required}; and, wherever the section is present,
 * {@code resources.extended} (extended resources and huge pages: a limit, and a request equal to
 * it). Quantities are Kubernetes quantities ({@code 100m}, {@code 1Gi}), keyed by resource name
 * ({@code cpu}, {@code memory}, {@code ephemeral-storage}, {@code example.com/gpu}). Judged on pod
 * creation and in-place resize ({@code pods/resize}), as LimitRanger judges, never on other updates.
 *
 * @param mode what a violation does; null: the policy's {@code mode}
 * @param min a container's request (and limit, if set) must be at least this
 * @param max a container's limit (which must be set) and request must be at most this
 * @param maxLimitRequestRatio a container's limit divided by its request must be at most this
 * @param required requests and limits every container must set
 * @param pod the same bounds over the pod's effective requests and limits
 */
public record ResourceRulesConfig(
        @Nullable Mode mode,
        @Nullable Map<String, String> min,
        @Nullable Map<String, String> max,
        @Nullable Map<String, String> maxLimitRequestRatio,
        @Nullable Required required,
        @Nullable PodBounds pod) {

    public ResourceRulesConfig {
        min = min == null ? Map.of() : Map.copyOf(min);
        max = max == null ? Map.of() : Map.copyOf(max);
        maxLimitRequestRatio = maxLimitRequestRatio == null ? Map.of() : Map.copyOf(maxLimitRequestRatio);
        required = required == null ? Required.NONE : required;
        pod = pod == null ? PodBounds.NONE : pod;
    }

    /** Container bounds and required resources only. */
    public ResourceRulesConfig(@Nullable Mode mode, @Nullable Map<String, String> min, @Nullable Map<String, String> max,
                               @Nullable Map<String, String> maxLimitRequestRatio, @Nullable Required required) {
        this(mode, min, max, maxLimitRequestRatio, required, null);
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

    /**
     * {@code resources.pod}: LimitRange type {@code Pod}, over the pod's effective resources (the sum
     * of app containers and sidecars, at least what any init container needs, pod-level
     * {@code spec.resources} in place of the sum for cpu and memory where set).
     *
     * @param min the pod's requests (and limits, where set) at least this
     * @param max the pod's limits (which must be set) and requests at most this
     * @param maxLimitRequestRatio the pod's limit divided by its request at most this
     */
    public record PodBounds(@Nullable Map<String, String> min, @Nullable Map<String, String> max,
                            @Nullable Map<String, String> maxLimitRequestRatio) {

        static final PodBounds NONE = new PodBounds(null, null, null);

        public PodBounds {
            min = min == null ? Map.of() : Map.copyOf(min);
            max = max == null ? Map.of() : Map.copyOf(max);
            maxLimitRequestRatio = maxLimitRequestRatio == null ? Map.of() : Map.copyOf(maxLimitRequestRatio);
        }
    }
}

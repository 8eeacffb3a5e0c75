package io.podguard.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.admission.AdmissionObserver;
import io.podguard.admission.AdmissionRequest;
import io.podguard.engine.PodObject;
import io.podguard.engine.defaults.AppliedDefault;
import io.podguard.engine.defaults.MutationResult;
import io.podguard.policy.EffectivePolicy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * {@code podguard_mutations_total{defaulter}}: one count per default set (per container, like the
 * {@code podguard.io/defaults} entries), in patches actually returned. Defaults in a dry run
 * ({@code defaults.mode: audit}, placement in audit or warn mode) set nothing and count nothing;
 * what they would set is in the audit log.
 */
public final class MutationMetrics implements AdmissionObserver {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public MutationMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void mutated(AdmissionRequest request, PodObject pod, EffectivePolicy policy, @Nullable MutationResult result) {
        if (result == null || result.isEmpty()) {
            return;
        }
        for (AppliedDefault applied : result.applied()) {
            counters.computeIfAbsent(applied.defaulter(), id -> Counter.builder(MetricNames.MUTATIONS)
                    .description("Defaults set by /mutate, one per container and default")
                    .tag(MetricNames.DEFAULTER, id)
                    .register(registry)).increment();
        }
    }
}

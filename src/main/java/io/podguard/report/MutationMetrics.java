package io.podguard.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Judgement;
import io.podguard.engine.defaults.AppliedDefault;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code podguard_mutations_total{defaulter}}: one count per default set (per container, like the
 * {@code podguard.io/defaults} entries), in patches actually returned. {@code defaults.mode: audit}
 * sets nothing and counts nothing; its would-be defaults are in the audit log.
 */
public final class MutationMetrics implements ReviewObserver {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public MutationMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void mutated(Review review, EffectivePolicy policy, Judgement judgement) {
        for (AppliedDefault applied : judgement.defaults()) {
            counters.computeIfAbsent(applied.defaulter(), id -> Counter.builder(MetricNames.MUTATIONS)
                    .description("Defaults set by /mutate, one per container and default")
                    .tag(MetricNames.DEFAULTER, id)
                    .register(registry)).increment();
        }
    }
}

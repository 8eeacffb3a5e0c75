package io.podguard.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Judgement;
import io.podguard.engine.KindVerdict;
import io.podguard.engine.Mode;
import io.podguard.engine.Violation;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code podguard_policy_evaluations_total{check,level,decision,mode}}: every rule of every kind
 * (Pod Security Standards checks, resource rules, PodSecurityPolicy rules …) that ran on a
 * judged object counts once per mode, {@code deny} when violated (in audit and warn: would be
 * denied), else {@code allow}. {@code level} is the Pod Security Standards level the mode judged
 * at (so a baseline check counted under restricted shows as restricted), {@code none} for rules
 * without one. An exemption that removed a violation makes it {@code allow}. No object names:
 * the series stay few (rules × levels × 2 × 3).
 */
public final class EvaluationMetrics implements ReviewObserver {

    private final MeterRegistry registry;
    private final Map<Key, Counter> counters = new ConcurrentHashMap<>();

    private record Key(String rule, String level, boolean denied, Mode mode) {
    }

    public EvaluationMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void evaluated(Review review, EffectivePolicy policy, Judgement judgement) {
        for (KindVerdict verdict : judgement.evaluation().verdicts()) {
            Set<String> violated = new HashSet<>(verdict.violations().size() * 2);
            for (Violation v : verdict.violations()) {
                violated.add(v.rule());
            }
            for (String rule : verdict.rules()) {
                counter(new Key(rule, verdict.levelLabel(), violated.contains(rule), verdict.mode())).increment();
            }
        }
    }

    private Counter counter(Key key) {
        return counters.computeIfAbsent(key, k -> Counter.builder(MetricNames.POLICY_EVALUATIONS)
                .description("Rules evaluated at admission, by result and mode")
                .tag(MetricNames.CHECK, k.rule())
                .tag(MetricNames.LEVEL, k.level())
                .tag(MetricNames.DECISION, k.denied() ? "deny" : "allow")
                .tag(MetricNames.MODE, k.mode().id())
                .register(registry));
    }
}

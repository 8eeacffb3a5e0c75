package io.podguard.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Judgement;
import io.podguard.engine.KindVerdict;
import io.podguard.engine.Mode;
import io.podguard.engine.Violation;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

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
    /** The counters of one kind's rules in one mode and level, allow then deny for each of its rules in order, each resolved once. */
    private final Map<Series, AtomicReferenceArray<Counter>> series = new ConcurrentHashMap<>();

    private record Series(List<String> rules, String level, Mode mode) {
    }

    public EvaluationMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void evaluated(Review review, EffectivePolicy policy, Judgement judgement) {
        for (KindVerdict verdict : judgement.evaluation().verdicts()) {
            List<String> rules = verdict.rules();
            Series key = new Series(rules, verdict.levelLabel(), verdict.mode());
            AtomicReferenceArray<Counter> counters = series.computeIfAbsent(key, s -> new AtomicReferenceArray<>(2 * s.rules().size()));
            List<Violation> violations = verdict.violations();
            Set<String> violated = violations.size() > 8 ? new HashSet<>(violations.size() * 2) : null;
            if (violated != null) {
                for (Violation v : violations) {
                    violated.add(v.rule());
                }
            }
            for (int i = 0; i < rules.size(); i++) {
                boolean denied = violated != null ? violated.contains(rules.get(i)) : violates(violations, rules.get(i));
                int slot = 2 * i + (denied ? 1 : 0);
                Counter counter = counters.get(slot);
                if (counter == null) {
                    // Registered on first use, so that a series appears once it counts (a race registers the same meter twice).
                    counter = counter(rules.get(i), key.level(), denied, key.mode());
                    counters.set(slot, counter);
                }
                counter.increment();
            }
        }
    }

    private static boolean violates(List<Violation> violations, String rule) {
        for (Violation v : violations) {
            if (v.rule().equals(rule)) {
                return true;
            }
        }
        return false;
    }

    private Counter counter(String rule, String level, boolean denied, Mode mode) {
        return Counter.builder(MetricNames.POLICY_EVALUATIONS)
                .description("Rules evaluated at admission, by result and mode")
                .tag(MetricNames.CHECK, rule)
                .tag(MetricNames.LEVEL, level)
                .tag(MetricNames.DECISION, denied ? "deny" : "allow")
                .tag(MetricNames.MODE, mode.id())
                .register(registry);
    }
}

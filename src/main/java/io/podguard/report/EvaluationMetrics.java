package io.podguard.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.admission.AdmissionObserver;
import io.podguard.admission.AdmissionRequest;
import io.podguard.engine.Evaluation;
import io.podguard.engine.Level;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.engine.pss.CheckRegistry;
import io.podguard.policy.EffectivePolicy;
import io.podguard.policy.Mode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * {@code podguard_policy_evaluations_total{check,level,decision,mode}}: for every mode that is
 * on, every check its level runs counts once per evaluated object, {@code deny} when violated
 * (in audit and warn: would be denied), else {@code allow}. {@code level} is the level the mode
 * judged at (baseline or restricted), so a baseline check counted under restricted shows as
 * restricted. No object names: the series stay few (checks × 2 × 2 × 3).
 */
public final class EvaluationMetrics implements AdmissionObserver {

    private final MeterRegistry registry;
    private final CheckRegistry checks;
    private final Map<Key, Counter> counters = new ConcurrentHashMap<>();

    private record Key(String check, String level, boolean denied, Mode mode) {
    }

    public EvaluationMetrics(MeterRegistry registry, CheckRegistry checks) {
        this.registry = registry;
        this.checks = checks;
    }

    @Override
    public void evaluated(AdmissionRequest request, PodObject pod, EffectivePolicy policy, Evaluation evaluation) {
        count(Mode.ENFORCE, policy.enforce(), evaluation.enforce());
        count(Mode.AUDIT, policy.audit(), evaluation.audit());
        count(Mode.WARN, policy.warn(), evaluation.warn());
        if (!policy.rules().isEmpty()) {
            countRules(Mode.ENFORCE, policy, evaluation.enforce());
            countRules(Mode.AUDIT, policy, evaluation.audit());
            countRules(Mode.WARN, policy, evaluation.warn());
        }
        if (policy.judgesPlacement()) {
            countPlacement(Mode.ENFORCE, policy, evaluation.enforce());
            countPlacement(Mode.AUDIT, policy, evaluation.audit());
            countPlacement(Mode.WARN, policy, evaluation.warn());
        }
    }

    /** Placement rules count like checks, with {@code level="placement"}. */
    private void countPlacement(Mode mode, EffectivePolicy policy, List<Violation> violations) {
        for (String id : io.podguard.engine.placement.PlacementRules.judging(policy.placement(), mode)) {
            boolean denied = false;
            for (Violation v : violations) {
                denied |= v.rule().equals(id);
            }
            counter(new Key(id, "placement", denied, mode)).increment();
        }
    }

    /** CEL rules count like checks, with {@code level="rule"}. */
    private void countRules(Mode mode, EffectivePolicy policy, List<Violation> violations) {
        for (io.podguard.engine.rules.CelRule rule : policy.rules(mode)) {
            boolean denied = false;
            for (Violation v : violations) {
                denied |= v.rule().equals(rule.id());
            }
            counter(new Key(rule.id(), "rule", denied, mode)).increment();
        }
    }

    private void count(Mode mode, @Nullable LevelVersion lv, List<Violation> violations) {
        if (lv == null || lv.level() == Level.PRIVILEGED) {
            return;
        }
        Set<String> violated = new HashSet<>(violations.size() * 2);
        for (Violation v : violations) {
            violated.add(v.rule());
        }
        for (CheckRegistry.Entry entry : checks.plan(lv)) {
            String id = entry.check().id();
            counter(new Key(id, lv.level().id(), violated.contains(id), mode)).increment();
        }
    }

    private Counter counter(Key key) {
        return counters.computeIfAbsent(key, k -> Counter.builder(MetricNames.POLICY_EVALUATIONS)
                .description("Checks evaluated at admission, by result and mode")
                .tag(MetricNames.CHECK, k.check())
                .tag(MetricNames.LEVEL, k.level())
                .tag(MetricNames.DECISION, k.denied() ? "deny" : "allow")
                .tag(MetricNames.MODE, k.mode().id())
                .register(registry));
    }
}

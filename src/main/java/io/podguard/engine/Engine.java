package io.podguard.engine;

import io.podguard.engine.defaults.DefaultsEngine;
import io.podguard.engine.defaults.Defaulters;
import io.podguard.engine.defaults.MutationResult;
import io.podguard.engine.pss.PodSecurityChecks;
import io.podguard.engine.pss.PodSecurityEvaluator;
import io.podguard.policy.EffectivePolicy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * podguard's core: judges and defaults pods. Plain Java, no I/O; the server, the CLI and the
 * tests all call it. Thread-safe.
 */
public final class Engine {

    private static final Engine STANDARD = new Engine(
            new PodSecurityEvaluator(PodSecurityChecks.registry()), new DefaultsEngine(Defaulters.all()));

    private final PodSecurityEvaluator podSecurity;
    private final DefaultsEngine defaults;

    public Engine(PodSecurityEvaluator podSecurity, DefaultsEngine defaults) {
        this.podSecurity = podSecurity;
        this.defaults = defaults;
    }

    /** Every check and every defaulter podguard ships. */
    public static Engine standard() {
        return STANDARD;
    }

    public PodSecurityEvaluator podSecurity() {
        return podSecurity;
    }

    public DefaultsEngine defaults() {
        return defaults;
    }

    /** Judges {@code pod} at each mode's level; a level shared by two modes is evaluated once. */
    public Evaluation evaluate(PodObject pod, EffectivePolicy policy) {
        if (policy.enforce() == null && policy.audit() == null && policy.warn() == null) {
            return Evaluation.NONE;
        }
        Map<LevelVersion, List<Violation>> memo = new ConcurrentHashMap<>(4);
        return new Evaluation(
                violations(pod, policy.enforce(), memo),
                violations(pod, policy.audit(), memo),
                violations(pod, policy.warn(), memo));
    }

    public MutationResult mutate(PodObject pod, EffectivePolicy policy) {
        return defaults.mutate(pod, policy.defaults());
    }

    private List<Violation> violations(PodObject pod, LevelVersion lv, Map<LevelVersion, List<Violation>> memo) {
        if (lv == null) {
            return List.of();
        }
        return memo.computeIfAbsent(lv, key -> podSecurity.evaluate(key, pod));
    }
}

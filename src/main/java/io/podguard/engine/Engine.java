package io.podguard.engine;

import io.podguard.engine.defaults.DefaultsEngine;
import io.podguard.engine.defaults.Defaulters;
import io.podguard.engine.defaults.MutationResult;
import io.podguard.engine.placement.PlacementPolicy;
import io.podguard.engine.placement.PlacementRules;
import io.podguard.engine.pss.PodSecurityChecks;
import io.podguard.engine.pss.PodSecurityEvaluator;
import io.podguard.engine.resources.ResourceRulesEvaluator;
import io.podguard.policy.CheckExemption;
import io.podguard.policy.EffectivePolicy;
import java.util.LinkedHashSet;
import java.util.Set;
import io.podguard.policy.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

    /**
     * Judges {@code pod} at each mode's level, by the resource rules in their mode and by the
     * placement rules in theirs, honouring the policy's per-check and per-image exemptions. A level
     * shared by two modes is evaluated once.
     */
    public Evaluation evaluate(PodObject pod, EffectivePolicy policy) {
        if (policy.judgesNothing()) {
            return Evaluation.NONE;
        }
        // Single-threaded, at most three entries: a plain map, not a concurrent one.
        Map<LevelVersion, List<Violation>> memo = new java.util.HashMap<>(4);
        Set<CheckExemption> applied = policy.checkExemptions().isEmpty() ? Set.of() : new LinkedHashSet<>();
        return new Evaluation(
                violations(pod, policy, policy.enforce(), Mode.ENFORCE, memo, applied),
                violations(pod, policy, policy.audit(), Mode.AUDIT, memo, applied),
                violations(pod, policy, policy.warn(), Mode.WARN, memo, applied),
                List.copyOf(applied));
    }

    /**
     * The defaults, placement's included. A placement part that an exemption names in its
     * {@code checks} (for the whole pod, not some images) is not set either.
     */
    public MutationResult mutate(PodObject pod, EffectivePolicy policy) {
        PlacementPolicy placement = policy.placement();
        if (!placement.isEmpty() && !policy.checkExemptions().isEmpty()) {
            Set<String> exempted = new java.util.HashSet<>();
            for (CheckExemption e : policy.checkExemptions()) {
                if (e.images().isEmpty()) {
                    exempted.addAll(e.checks());
                }
            }
            placement = placement.without(exempted);
        }
        return defaults.mutate(pod, policy.defaults(), placement);
    }

    private List<Violation> violations(PodObject pod, EffectivePolicy policy, LevelVersion lv, Mode mode,
                                       Map<LevelVersion, List<Violation>> memo, Set<CheckExemption> applied) {
        boolean resources = policy.resourcesMode() == mode;
        boolean placement = policy.judgesPlacement() && policy.placement().judgesIn(mode);
        if (lv == null && !resources && !placement) {
            return List.of();
        }
        List<Violation> all = judge(pod, policy, lv, resources, memo);
        if (placement) {
            List<Violation> placed = PlacementRules.evaluate(pod, policy.placement(), mode);
            if (!placed.isEmpty()) {
                all = new ArrayList<>(all);
                all.addAll(placed);
            }
        }
        return Exemptions.apply(pod, all, policy.checkExemptions(), copy -> rejudge(copy, policy, lv, resources, placement, mode), applied);
    }

    /** A pod without some containers, judged again for image exemptions. */
    private List<Violation> rejudge(PodObject copy, EffectivePolicy policy, LevelVersion lv, boolean resources, boolean placement,
                                    Mode mode) {
        List<Violation> all = judge(copy, policy, lv, resources, null);
        if (!placement) {
            return all;
        }
        List<Violation> out = new ArrayList<>(all);
        out.addAll(PlacementRules.evaluate(copy, policy.placement(), mode));
        return out;
    }

    /** Pod Security Standards violations first, then resource rules; memoised per level for the pod as sent. */
    private List<Violation> judge(PodObject pod, EffectivePolicy policy, LevelVersion lv, boolean resources,
                                  Map<LevelVersion, List<Violation>> memo) {
        List<Violation> pss = lv == null ? List.of()
                : memo != null ? memo.computeIfAbsent(lv, key -> podSecurity.evaluate(key, pod)) : podSecurity.evaluate(lv, pod);
        if (!resources) {
            return pss;
        }
        List<Violation> res = ResourceRulesEvaluator.evaluate(pod, policy.resources());
        if (res.isEmpty()) {
            return pss;
        }
        List<Violation> all = new ArrayList<>(pss.size() + res.size());
        all.addAll(pss);
        all.addAll(res);
        return all;
    }
}

package io.podguard.engine;

import io.podguard.engine.defaults.DefaultsEngine;
import io.podguard.engine.defaults.Defaulters;
import io.podguard.engine.defaults.MutationResult;
import io.podguard.engine.placement.PlacementPolicy;
import io.podguard.engine.placement.PlacementRules;
import io.podguard.engine.pss.PodSecurityChecks;
import io.podguard.engine.pss.PodSecurityEvaluator;
import io.podguard.engine.resources.ResourceRulesEvaluator;
import io.podguard.engine.rules.AdmissionPolicyBinding;
import io.podguard.engine.rules.CelRule;
import io.podguard.engine.rules.RuleInput;
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
     * Judges {@code pod} at each mode's level, by the resource rules, placement rules and CEL rules
     * in their modes, honouring the policy's per-check and per-image exemptions. A level shared by
     * two modes is evaluated once.
     */
    public Evaluation evaluate(PodObject pod, EffectivePolicy policy) {
        return evaluate(pod, policy, RuleInput.offline(pod));
    }

    /**
     * As {@link #evaluate(PodObject, EffectivePolicy)}, with what CEL rules see of the request
     * (operation, user, namespace, the old object).
     */
    public Evaluation evaluate(PodObject pod, EffectivePolicy policy, RuleInput request) {
        if (policy.judgesNothing()) {
            return Evaluation.NONE;
        }
        // Single-threaded, at most three entries: a plain map, not a concurrent one.
        Map<LevelVersion, List<Violation>> memo = new java.util.HashMap<>(4);
        Set<CheckExemption> applied = policy.checkExemptions().isEmpty() ? Set.of() : new LinkedHashSet<>();
        RuleInput input = request.withNamespaceLabels(policy.namespaceLabels());
        return new Evaluation(
                violations(pod, policy, policy.enforce(), Mode.ENFORCE, memo, applied, input),
                violations(pod, policy, policy.audit(), Mode.AUDIT, memo, applied, input),
                violations(pod, policy, policy.warn(), Mode.WARN, memo, applied, input),
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
                                       Map<LevelVersion, List<Violation>> memo, Set<CheckExemption> applied, RuleInput input) {
        boolean resources = policy.resourcesMode() == mode;
        Mode placement = policy.judgesPlacement() && policy.placement().judgesIn(mode) ? mode : null;
        List<CelRule> rules = policy.rules().isEmpty() ? List.of() : policy.rules(mode);
        if (lv == null && !resources && placement == null && rules.isEmpty() && policy.admissionPolicies().isEmpty()) {
            return List.of();
        }
        List<Violation> all = judge(pod, policy, lv, resources, placement, rules, input, memo);
        List<Violation> out = Exemptions.apply(pod, all, policy.checkExemptions(),
                copy -> judge(copy, policy, lv, resources, placement, rules, input.withPod(copy), null), applied);
        if (policy.admissionPolicies().isEmpty()) {
            return out;
        }
        // ValidatingAdmissionPolicies: their bindings' validationActions say the mode, as in the apiserver
        AdmissionPolicyBinding.Action action = switch (mode) {
            case ENFORCE -> AdmissionPolicyBinding.Action.DENY;
            case WARN -> AdmissionPolicyBinding.Action.WARN;
            case AUDIT -> AdmissionPolicyBinding.Action.AUDIT;
        };
        List<Violation> withPolicies = new ArrayList<>(out);
        for (AdmissionPolicyBinding b : policy.admissionPolicies()) {
            withPolicies.addAll(b.evaluate(input, action));
        }
        return withPolicies;
    }

    /**
     * Pod Security Standards violations first, then resource rules, placement rules (in
     * {@code placement} mode; null: none), then CEL rules; PSS memoised per level for the pod as sent.
     */
    private List<Violation> judge(PodObject pod, EffectivePolicy policy, LevelVersion lv, boolean resources, Mode placement,
                                  List<CelRule> rules, RuleInput input, Map<LevelVersion, List<Violation>> memo) {
        List<Violation> pss = lv == null ? List.of()
                : memo != null ? memo.computeIfAbsent(lv, key -> podSecurity.evaluate(key, pod)) : podSecurity.evaluate(lv, pod);
        List<Violation> res = resources ? ResourceRulesEvaluator.evaluate(pod, policy.resources()) : List.of();
        List<Violation> placed = placement == null ? List.of() : PlacementRules.evaluate(pod, policy.placement(), placement);
        List<Violation> cel = rules.isEmpty() ? List.of() : celRules(rules, input);
        if (res.isEmpty() && placed.isEmpty() && cel.isEmpty()) {
            return pss;
        }
        List<Violation> all = new ArrayList<>(pss.size() + res.size() + placed.size() + cel.size());
        all.addAll(pss);
        all.addAll(res);
        all.addAll(placed);
        all.addAll(cel);
        return all;
    }

    private static List<Violation> celRules(List<CelRule> rules, RuleInput input) {
        dev.cel.runtime.CelVariableResolver vars = input.variables();
        List<Violation> out = new ArrayList<>(0);
        for (CelRule rule : rules) {
            Violation v = rule.evaluate(vars);
            if (v != null) {
                // a rule judges the whole pod: its path is the pod's spec within the object
                out.add(input.pod().isPod() ? v : new Violation(v.rule(), input.pod().pathPrefix() + v.path(), v.reason(), v.detail()));
            }
        }
        return out;
    }
}

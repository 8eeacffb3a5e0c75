package io.podguard.policy;

import io.podguard.engine.LevelVersion;
import io.podguard.engine.placement.PlacementPolicy;
import io.podguard.engine.psp.PspPolicy;
import io.podguard.engine.resources.ResourceRules;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The policy in force for one request, after namespace overrides and exemptions: for each mode
 * the level it judges at (null: that mode is off), the defaults to apply, the PodSecurityPolicies
 * in force (null: none), the resource rules and the mode they judge in, and the exemptions that
 * matched.
 *
 * @param resourcesMode the mode resource rules judge in; null: no resource rules
 * @param exemptions every exemption that matched this request
 * @param checkExemptions the per-check and per-image ones among them, which the engine honours
 * @param rules the CEL rules in force, each with its mode
 * @param admissionPolicies ValidatingAdmissionPolicies with their bindings, compiled
 * @param namespaceLabels the labels of the request's namespace when known (for rules' {@code namespaceObject}); null: unknown
 * @param placement node selectors, tolerations and placement rules, the namespace's annotations read
 */
public record EffectivePolicy(
        @Nullable LevelVersion enforce,
        @Nullable LevelVersion audit,
        @Nullable LevelVersion warn,
        DefaultsConfig defaults,
        @Nullable PspPolicy psp,
        ResourceRules resources,
        @Nullable Mode resourcesMode,
        List<Exemption> exemptions,
        List<CheckExemption> checkExemptions,
        List<ModeRule> rules,
        List<io.podguard.engine.rules.AdmissionPolicyBinding> admissionPolicies,
        @Nullable Map<String, String> namespaceLabels,
        PlacementPolicy placement) {

    /** Without placement. */
    public EffectivePolicy(@Nullable LevelVersion enforce, @Nullable LevelVersion audit, @Nullable LevelVersion warn,
                           DefaultsConfig defaults, @Nullable PspPolicy psp, ResourceRules resources, @Nullable Mode resourcesMode,
                           List<Exemption> exemptions, List<CheckExemption> checkExemptions, List<ModeRule> rules,
                           List<io.podguard.engine.rules.AdmissionPolicyBinding> admissionPolicies, @Nullable Map<String, String> namespaceLabels) {
        this(enforce, audit, warn, defaults, psp, resources, resourcesMode, exemptions, checkExemptions, rules, admissionPolicies,
                namespaceLabels, PlacementPolicy.NONE);
    }

    public EffectivePolicy {
        exemptions = List.copyOf(exemptions);
        checkExemptions = List.copyOf(checkExemptions);
        rules = List.copyOf(rules);
        admissionPolicies = List.copyOf(admissionPolicies);
        if (resources.isEmpty()) {
            resourcesMode = null;
        }
    }

    /** Without CEL rules. */
    public EffectivePolicy(@Nullable LevelVersion enforce, @Nullable LevelVersion audit, @Nullable LevelVersion warn,
                           DefaultsConfig defaults, @Nullable PspPolicy psp, ResourceRules resources, @Nullable Mode resourcesMode,
                           List<Exemption> exemptions, List<CheckExemption> checkExemptions) {
        this(enforce, audit, warn, defaults, psp, resources, resourcesMode, exemptions, checkExemptions, List.of(), List.of(), null);
    }

    /** The same policy, knowing the labels of the request's namespace. */
    public EffectivePolicy withNamespaceLabels(@Nullable Map<String, String> labels) {
        return rules.isEmpty() && admissionPolicies.isEmpty() ? this : new EffectivePolicy(enforce, audit, warn, defaults, psp, resources,
                resourcesMode, exemptions, checkExemptions, rules, admissionPolicies, labels, placement);
    }

    /** The rules that judge in {@code mode}. */
    public List<io.podguard.engine.rules.CelRule> rules(Mode mode) {
        List<io.podguard.engine.rules.CelRule> out = new java.util.ArrayList<>(rules.size());
        for (ModeRule r : rules) {
            if (r.mode() == mode) {
                out.add(r.rule());
            }
        }
        return out;
    }

    private boolean hasRules(Mode mode) {
        for (ModeRule r : rules) {
            if (r.mode() == mode) {
                return true;
            }
        }
        return false;
    }

    /** Pod Security Standards levels and defaults only. */
    public EffectivePolicy(@Nullable LevelVersion enforce, @Nullable LevelVersion audit, @Nullable LevelVersion warn,
                           DefaultsConfig defaults) {
        this(enforce, audit, warn, defaults, null);
    }

    /** Pod Security Standards levels, defaults and PodSecurityPolicies. */
    public EffectivePolicy(@Nullable LevelVersion enforce, @Nullable LevelVersion audit, @Nullable LevelVersion warn,
                           DefaultsConfig defaults, @Nullable PspPolicy psp) {
        this(enforce, audit, warn, defaults, psp, ResourceRules.NONE, null, List.of(), List.of());
    }

    /** The short form gives {@code mode} its level; a mode named in {@code podSecurity} adds or replaces its own. */
    public static EffectivePolicy of(Policy policy) {
        PodSecurityConfig ps = policy.podSecurity();
        LevelVersion lv = ps.levelVersion();
        LevelVersion enforce = policy.mode() == Mode.ENFORCE ? lv : null;
        LevelVersion audit = policy.mode() == Mode.AUDIT ? lv : null;
        LevelVersion warn = policy.mode() == Mode.WARN ? lv : null;
        if (ps.enforce() != null) {
            enforce = ps.enforce().resolve(ps);
        }
        if (ps.audit() != null) {
            audit = ps.audit().resolve(ps);
        }
        if (ps.warn() != null) {
            warn = ps.warn().resolve(ps);
        }
        ResourceRulesConfig rc = policy.resources();
        ResourceRules resources = rc == null ? ResourceRules.NONE : ResourceRules.of(
                rc.min(), rc.max(), rc.maxLimitRequestRatio(), rc.required().requests(), rc.required().limits());
        Mode resourcesMode = rc == null ? null : rc.mode() != null ? rc.mode() : policy.mode();
        PspPolicy psp = policy.podSecurityPolicies() == null ? null : new PspPolicy(policy.podSecurityPolicies(), policy.mode());
        return new EffectivePolicy(enforce, audit, warn, policy.defaults(), psp, resources, resourcesMode, List.of(), List.of(),
                CompiledRules.of(policy.rules(), policy.mode()),
                policy.validatingAdmissionPolicies().isEmpty() ? List.of() : AdmissionPolicyDocuments.compile(policy.validatingAdmissionPolicies()),
                null, policy.placement() == null ? PlacementPolicy.NONE : policy.placement().compile(policy.mode(), false));
    }

    /** The same policy with {@code value} as its placement. */
    public EffectivePolicy withPlacement(PlacementPolicy value) {
        return new EffectivePolicy(enforce, audit, warn, defaults, psp, resources, resourcesMode, exemptions, checkExemptions, rules,
                admissionPolicies, namespaceLabels, value);
    }

    /** Only {@code value} judges: an update Pod Security and the other rules let through, whose placement changed. */
    public EffectivePolicy placementOnly(PlacementPolicy value) {
        return new EffectivePolicy(null, null, null, defaults, null, ResourceRules.NONE, null, exemptions, checkExemptions, List.of(),
                List.of(), namespaceLabels, value);
    }

    /** Whether an exemption of the whole request applies: nothing is judged (placement defaults still apply). */
    public boolean exemptsWholeRequest() {
        for (Exemption e : exemptions) {
            if (e.checks().isEmpty() && e.images().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Whether placement rules judge this request. */
    public boolean judgesPlacement() {
        return !placement.isEmpty() && !exemptsWholeRequest();
    }

    /**
     * The exemptions that made a difference to {@code evaluation}: those that exempt the whole
     * request, and the per-check and per-image ones that removed or changed a violation. An
     * image exemption matches every request; recording it where it changed nothing would only
     * be noise.
     */
    public List<Exemption> applied(io.podguard.engine.Evaluation evaluation) {
        java.util.Set<Exemption> out = new java.util.LinkedHashSet<>();
        for (Exemption e : exemptions) {
            if (e.checks().isEmpty() && e.images().isEmpty()) {
                out.add(e);
            }
        }
        for (CheckExemption c : evaluation.exemptionsApplied()) {
            out.add(c.source());
        }
        return List.copyOf(out);
    }

    /** Nothing is judged: every mode is off, and there are no resource rules, CEL rules or placement rules. */
    public boolean judgesNothing() {
        return enforce == null && audit == null && warn == null && resourcesMode == null && rules.isEmpty() && admissionPolicies.isEmpty()
                && !judgesPlacement();
    }

    /** The same policy with {@code mode} in force instead, as a namespace's {@code podguard.io/mode} label asks. */
    public EffectivePolicy withMode(Mode mode, LevelVersion shortForm) {
        LevelVersion e = enforce;
        LevelVersion a = audit;
        LevelVersion w = warn;
        switch (mode) {
            case ENFORCE -> e = e != null ? e : shortForm;
            case AUDIT -> {
                a = stricter(a, e);
                e = null;
            }
            case WARN -> {
                w = stricter(w, e);
                e = null;
            }
        }
        PspPolicy p = psp == null ? null : new PspPolicy(psp.policies(), mode);
        List<ModeRule> moved = rules.stream().map(r -> new ModeRule(r.rule(), mode)).toList();
        return new EffectivePolicy(e, a, w, defaults, p, resources, resourcesMode == null ? null : mode, exemptions, checkExemptions,
                moved, admissionPolicies, namespaceLabels, placement.relaxedTo(mode));
    }

    /** The same policy with exemptions applied: a whole-request exemption turns every check off. */
    public EffectivePolicy withExemptions(List<Exemption> applied, List<CheckExemption> perCheck, boolean wholeRequest) {
        if (wholeRequest) {
            // not judged at all, by PodSecurityPolicies neither; placement defaults still apply, its rules do not judge
            return new EffectivePolicy(null, null, null, defaults, null, resources, null, applied, List.of(), List.of(), List.of(), namespaceLabels,
                    placement);
        }
        return new EffectivePolicy(enforce, audit, warn, defaults, psp, resources, resourcesMode, applied, perCheck, rules, admissionPolicies,
                namespaceLabels, placement);
    }

    /** The mode that decides, for metrics: enforce, warn, audit or none. */
    public String decidingMode() {
        boolean placed = judgesPlacement();
        if (enforce != null || resourcesMode == Mode.ENFORCE || hasRules(Mode.ENFORCE) || !admissionPolicies.isEmpty()
                || placed && placement.judgesIn(Mode.ENFORCE)) {
            return "enforce";
        }
        if (warn != null || resourcesMode == Mode.WARN || hasRules(Mode.WARN) || placed && placement.judgesIn(Mode.WARN)) {
            return "warn";
        }
        return audit != null || resourcesMode == Mode.AUDIT || hasRules(Mode.AUDIT) || placed && placement.judgesIn(Mode.AUDIT) ? "audit" : "none";
    }

    private static @Nullable LevelVersion stricter(@Nullable LevelVersion a, @Nullable LevelVersion b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return b.level().compareTo(a.level()) > 0 ? b : a;
    }
}

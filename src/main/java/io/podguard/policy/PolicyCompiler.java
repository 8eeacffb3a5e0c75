package io.podguard.policy;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.Mode;
import io.podguard.engine.RuleSet;
import io.podguard.engine.placement.PlacementPolicy;
import io.podguard.engine.psp.PspPolicy;
import io.podguard.engine.pss.PodSecurityLevels;
import io.podguard.engine.resources.ResourceRules;
import io.podguard.engine.rules.AdmissionPolicies;
import io.podguard.engine.rules.CelRules;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Turns a policy document into what the engine judges by: each section into the configuration
 * of its rule kind. A new rule kind adds one line to {@link #SECTIONS}.
 */
public final class PolicyCompiler {

    private static final List<Function<Policy, @Nullable RuleSet>> SECTIONS = List.of(
            PolicyCompiler::podSecurity,
            PolicyCompiler::resources,
            PolicyCompiler::placement,
            PolicyCompiler::rules,
            PolicyCompiler::admissionPolicies,
            PolicyCompiler::podSecurityPolicies);

    private PolicyCompiler() {
    }

    /**
     * The policy in force where no namespace override applies and no exemption matched.
     *
     * @throws IllegalArgumentException for a level, version or quantity that cannot be read (the validator refuses those first)
     */
    public static EffectivePolicy compile(Policy policy) {
        List<RuleSet> rules = new ArrayList<>(SECTIONS.size());
        for (Function<Policy, @Nullable RuleSet> section : SECTIONS) {
            RuleSet config = section.apply(policy);
            if (config != null) {
                rules.add(config);
            }
        }
        return new EffectivePolicy(policy.defaults(), rules);
    }

    /**
     * The short form gives {@code mode} its level; a mode named in {@code podSecurity} adds or
     * replaces its own. Null when the policy leaves Pod Security out because PodSecurityPolicies
     * (or ValidatingAdmissionPolicies alone) are the policy: then it records nothing either.
     */
    static @Nullable PodSecurityLevels podSecurity(Policy policy) {
        PodSecurityConfig ps = policy.podSecurity();
        if (ps == Policy.PSS_OFF) {
            return null;
        }
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
        return new PodSecurityLevels(enforce, audit, warn, lv);
    }

    /** The {@code resources} section in its own mode (the policy's when it names none); null when it sets no rule. */
    static @Nullable ResourceRules resources(Policy policy) {
        ResourceRulesConfig rc = policy.resources();
        if (rc == null) {
            return null;
        }
        ResourceRules rules = new ResourceRules(ResourceRules.Bounds.of(rc.min(), rc.max(), rc.maxLimitRequestRatio()),
                ResourceRules.Bounds.of(rc.pod().min(), rc.pod().max(), rc.pod().maxLimitRequestRatio()),
                rc.required().requests(), rc.required().limits(), true, rc.mode() != null ? rc.mode() : policy.mode());
        return rules.isEmpty() ? null : rules;
    }

    /**
     * The {@code placement} section, each part in its mode (the section's, else the policy's); null
     * when no part is on. Its tolerations whitelist is the cluster's; {@link #namespacePlacement}
     * makes it a namespace's.
     */
    static @Nullable PlacementPolicy placement(Policy policy) {
        PlacementPolicy placement = policy.placement() == null ? null : policy.placement().compile(policy.mode(), false);
        return placement == null || placement.isEmpty() ? null : placement;
    }

    /**
     * The placement of a {@code namespaces} entry, {@code applied} being the policy in force there:
     * a tolerations whitelist of the entry's own is the namespace whitelist, as PodTolerationRestriction's
     * message calls it; null when the entry leaves the top-level one in force.
     */
    static @Nullable PlacementPolicy namespacePlacement(NamespacePolicy entry, Policy applied) {
        if (entry.placement() == null || entry.placement().tolerations() == null || entry.placement().tolerations().allowed() == null
                || applied.placement() == null) {
            return null;
        }
        return applied.placement().compile(applied.mode(), true);
    }

    /** The rules in CEL, each in its mode (the policy's when it names none); compiled once per rule. */
    static @Nullable CelRules rules(Policy policy) {
        return policy.rules().isEmpty() ? null : CompiledRules.of(policy.rules(), policy.mode());
    }

    /** ValidatingAdmissionPolicies with their bindings, in their bindings' validationActions. */
    static @Nullable AdmissionPolicies admissionPolicies(Policy policy) {
        return policy.validatingAdmissionPolicies().isEmpty() ? null
                : new AdmissionPolicies(AdmissionPolicyDocuments.compile(policy.validatingAdmissionPolicies()));
    }

    /** The PodSecurityPolicies, in the policy's mode. */
    static @Nullable PspPolicy podSecurityPolicies(Policy policy) {
        return policy.podSecurityPolicies() == null ? null : new PspPolicy(policy.podSecurityPolicies(), policy.mode());
    }
}

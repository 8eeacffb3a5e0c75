package io.podguard.policy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.podguard.engine.Mode;
import io.podguard.engine.defaults.DefaultsConfig;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One entry of {@code namespaces}: the policy sections to use instead of the top-level ones in
 * the namespaces it matches. Entries are tried in order and the first match wins. A section
 * given here replaces the top-level section as a whole; a section left out is inherited.
 *
 * @param names namespace name globs; null: any name
 * @param selector namespace label selector ({@code matchLabels}/{@code matchExpressions}); null: any labels
 * @param rules CEL rules in place of the top-level ones; null: inherited
 * @param placement unlike the other sections, each of its keys given replaces the top-level one alone
 */
public record NamespacePolicy(
        @Nullable List<String> names,
        @Nullable LabelSelector selector,
        @Nullable Mode mode,
        @Nullable PodSecurityConfig podSecurity,
        @Nullable DefaultsConfig defaults,
        @Nullable ResourceRulesConfig resources,
        @Nullable List<RuleConfig> rules,
        @Nullable PlacementConfig placement) {

    public NamespacePolicy {
        names = names == null ? List.of() : List.copyOf(names);
    }

    /** All sections but {@code placement}. */
    public NamespacePolicy(@Nullable List<String> names, @Nullable LabelSelector selector, @Nullable Mode mode,
                           @Nullable PodSecurityConfig podSecurity, @Nullable DefaultsConfig defaults,
                           @Nullable ResourceRulesConfig resources, @Nullable List<RuleConfig> rules) {
        this(names, selector, mode, podSecurity, defaults, resources, rules, null);
    }

    /** All sections but {@code rules} and {@code placement}. */
    public NamespacePolicy(@Nullable List<String> names, @Nullable LabelSelector selector, @Nullable Mode mode,
                           @Nullable PodSecurityConfig podSecurity, @Nullable DefaultsConfig defaults,
                           @Nullable ResourceRulesConfig resources) {
        this(names, selector, mode, podSecurity, defaults, resources, null, null);
    }

    /** The policy in force in a matching namespace (exemptions and other overrides are the caller's). */
    Policy applyTo(Policy base) {
        return new Policy(base.apiVersion(), base.kind(),
                mode != null ? mode : base.mode(),
                podSecurity != null ? podSecurity : base.podSecurity(),
                defaults != null ? defaults : base.defaults(),
                resources != null ? resources : base.resources(),
                base.namespaceLabelOverrides(), base.exemptions(), List.of(), base.podSecurityPolicies(),
                rules != null ? rules : base.rules(), base.validatingAdmissionPolicies(),
                placement != null ? placement.over(base.placement()) : base.placement());
    }
}

package io.podguard.engine;

import io.podguard.engine.defaults.DefaultsConfig;
import io.podguard.engine.resources.NamespaceResources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The policy in force for one request, after namespace overrides and exemptions: the defaults
 * to apply, the configuration of every rule kind that judges (in {@link RuleKinds} order), and
 * the exemptions that matched. {@code policy/} builds it; the engine reads nothing else.
 *
 * @param defaults what podguard's defaults set
 * @param rules one configuration per rule kind in force
 * @param exemptions every exemption that matched the request (a whole-request one leaves in {@code rules} only
 *     what sets defaults and judges nothing)
 * @param namespaceLabels the labels of the request's namespace, when the resolver knows them (rules read them); null: unknown
 * @param namespaceResources what is known of the LimitRanges and ResourceQuotas of the request's namespace (the resource defaults read them)
 */
public record EffectivePolicy(DefaultsConfig defaults, List<RuleSet> rules, List<MatchedExemption> exemptions,
                              @Nullable Map<String, String> namespaceLabels, NamespaceResources namespaceResources) {

    public EffectivePolicy {
        List<RuleSet> sorted = new ArrayList<>(rules);
        sorted.sort(Comparator.comparingInt(c -> RuleKinds.order(c.kind())));
        rules = List.copyOf(sorted);
        exemptions = List.copyOf(exemptions);
    }

    public EffectivePolicy(DefaultsConfig defaults, List<RuleSet> rules, List<MatchedExemption> exemptions,
                           @Nullable Map<String, String> namespaceLabels) {
        this(defaults, rules, exemptions, namespaceLabels, NamespaceResources.NONE);
    }

    public EffectivePolicy(DefaultsConfig defaults, List<RuleSet> rules, List<MatchedExemption> exemptions) {
        this(defaults, rules, exemptions, null);
    }

    public EffectivePolicy(DefaultsConfig defaults, List<RuleSet> rules) {
        this(defaults, rules, List.of(), null);
    }

    /** The same policy, knowing the labels of the request's namespace. */
    public EffectivePolicy withNamespaceLabels(@Nullable Map<String, String> labels) {
        return labels == null ? this : new EffectivePolicy(defaults, rules, exemptions, labels, namespaceResources);
    }

    /** The same policy, knowing the LimitRanges and ResourceQuotas of the request's namespace. */
    public EffectivePolicy withNamespaceResources(NamespaceResources known) {
        return known.isEmpty() && namespaceResources.isEmpty() ? this : new EffectivePolicy(defaults, rules, exemptions, namespaceLabels, known);
    }

    /** The configuration of {@code type} in force, or null when that kind does not judge here. */
    public <C extends RuleSet> @Nullable C rule(Class<C> type) {
        for (RuleSet c : rules) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** The modes any rule kind judges in. */
    public Set<Mode> modes() {
        Set<Mode> modes = EnumSet.noneOf(Mode.class);
        for (RuleSet c : rules) {
            modes.addAll(c.modes());
        }
        return modes;
    }

    /** Nothing is judged: no rule kind judges in any mode. */
    public boolean judgesNothing() {
        return modes().isEmpty();
    }

    /** The mode that decides, for metrics: enforce, then warn, then audit, else none. */
    public String decidingMode() {
        Set<Mode> modes = modes();
        for (Mode m : List.of(Mode.ENFORCE, Mode.WARN, Mode.AUDIT)) {
            if (modes.contains(m)) {
                return m.id();
            }
        }
        return "none";
    }

    /** The same policy with {@code mode} in force for every rule kind, as a namespace's {@code podguard.io/mode} label asks. */
    public EffectivePolicy withMode(Mode mode) {
        return new EffectivePolicy(defaults, rules.stream().map(c -> c.withMode(mode)).toList(), exemptions, namespaceLabels, namespaceResources);
    }

    /**
     * What the audit of running pods judges by: this policy when it enforces anything (the audit
     * then reports exactly what the webhook denies); when it only audits and warns, the policy
     * with enforcement switched on for every rule kind ({@link RuleSet#enforcing()}), which is
     * what a rollout in audit mode wants to know.
     */
    public EffectivePolicy enforcing() {
        if (modes().contains(Mode.ENFORCE)) {
            return this;
        }
        return new EffectivePolicy(defaults, rules.stream().map(RuleSet::enforcing).toList(), exemptions, namespaceLabels, namespaceResources);
    }

    /**
     * The same policy with the exemptions that matched the request: one of the whole request
     * turns every rule kind off (PodSecurityPolicies included); the defaults still apply, the
     * placement defaults included ({@link RuleSet#exemptWholeRequest()}).
     */
    public EffectivePolicy withExemptions(List<MatchedExemption> matched) {
        if (matched.isEmpty()) {
            return this;
        }
        boolean whole = matched.stream().anyMatch(MatchedExemption::wholeRequest);
        return new EffectivePolicy(defaults, whole ? kept(rules, RuleSet::exemptWholeRequest) : rules, matched, namespaceLabels, namespaceResources);
    }

    /**
     * What judges an UPDATE of a running Pod: each rule kind's {@link RuleSet#forPodUpdate}, those
     * that leave it alone dropped.
     *
     * @param significant whether the update changes what Pod Security's checks read
     */
    public EffectivePolicy forPodUpdate(PodObject pod, RequestInfo request, boolean significant) {
        return new EffectivePolicy(defaults, kept(rules, c -> c.forPodUpdate(pod, request, significant)), exemptions, namespaceLabels, namespaceResources);
    }

    /** The same policy with {@code config} in force for its kind, in place of the kind's own (or added). */
    public EffectivePolicy with(RuleSet config) {
        List<RuleSet> out = new ArrayList<>(rules.size() + 1);
        for (RuleSet c : rules) {
            if (c.kind() != config.kind()) {
                out.add(c);
            }
        }
        out.add(config);
        return new EffectivePolicy(defaults, out, exemptions, namespaceLabels, namespaceResources);
    }

    private static List<RuleSet> kept(List<RuleSet> rules, java.util.function.Function<RuleSet, @Nullable RuleSet> map) {
        List<RuleSet> out = new ArrayList<>(rules.size());
        for (RuleSet c : rules) {
            RuleSet kept = map.apply(c);
            if (kept != null) {
                out.add(kept);
            }
        }
        return out;
    }

    /** The same policy with other defaults. */
    public EffectivePolicy withDefaults(DefaultsConfig other) {
        return new EffectivePolicy(other, rules, exemptions, namespaceLabels, namespaceResources);
    }
}

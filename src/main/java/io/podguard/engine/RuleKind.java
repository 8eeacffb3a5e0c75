package io.podguard.engine;

import java.util.Set;

/**
 * A kind of rule the engine judges pods by: the Pod Security Standards checks, resource rules,
 * PodSecurityPolicies, and whatever comes next. A new kind is one implementation of this
 * interface, its {@link RuleSet}, and one line in {@link RuleKinds}; the engine does the
 * rest (defaults first, then every kind, exemptions, the outcome per mode), and every caller —
 * the webhook, {@code review}, {@code check}, {@code audit}, reports and metrics — sees it.
 * Implementations are stateless and thread-safe.
 *
 * @param <C> its configuration
 */
public interface RuleKind<C extends RuleSet> {

    /** Stable id, as violations, PolicyReports and metrics name the kind ({@code podSecurity}, {@code resources}, {@code psp}). */
    String id();

    /** Every rule id this kind can report, for the policy's exemptions to name; empty when its ids come from the policy. */
    Set<String> ruleIds();

    /**
     * Judges {@code pod}: one {@link Findings#add verdict} per mode {@code config} judges in,
     * naming every rule it ran (for metrics and reports) and the violations, empty when the pod
     * passes. Never throws for a pod the apiserver could store.
     */
    void evaluate(C config, PodObject pod, RequestInfo request, Findings out);

    /**
     * True (most kinds): judges the pods an object makes, a workload's template after the
     * defaults its pods will get. False: judges the object as the apiserver stores it, a workload
     * as sent (a ValidatingAdmissionPolicy sees what the apiserver's would).
     */
    default boolean judgesPods() {
        return true;
    }

    /** Whether {@link #mutate} may change a pod under {@code config}. */
    default boolean mutates(C config) {
        return false;
    }

    /**
     * What this kind sets on a pod before it is judged, after podguard's defaults (PodSecurityPolicy
     * defaults, say): a JSON Patch against {@code pod}'s object as given, and audit annotations.
     */
    default Mutation mutate(C config, PodObject pod, RequestInfo request) {
        return Mutation.NONE;
    }
}

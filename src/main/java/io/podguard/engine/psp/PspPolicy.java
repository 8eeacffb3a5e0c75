package io.podguard.engine.psp;

import io.podguard.engine.Evaluation;
import io.podguard.engine.Violation;
import io.podguard.policy.Mode;
import java.util.ArrayList;
import java.util.List;

/**
 * The PodSecurityPolicies in force for a request and what a refusal does: enforce denies
 * (and /mutate applies the chosen policy's defaults), audit records, warn tells the client.
 */
public record PspPolicy(PspSet policies, Mode mode) {

    /** {@code evaluation} with the decision's violations added under this policy's mode. */
    public Evaluation addTo(Evaluation evaluation, PspDecision decision) {
        List<Violation> violations = decision.violations();
        if (violations.isEmpty()) {
            return evaluation;
        }
        return new Evaluation(
                mode == Mode.ENFORCE ? concat(evaluation.enforce(), violations) : evaluation.enforce(),
                mode == Mode.AUDIT ? concat(evaluation.audit(), violations) : evaluation.audit(),
                mode == Mode.WARN ? concat(evaluation.warn(), violations) : evaluation.warn());
    }

    private static List<Violation> concat(List<Violation> a, List<Violation> b) {
        List<Violation> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return all;
    }
}

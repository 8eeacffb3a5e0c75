package io.podguard.engine.rules;

import io.podguard.engine.RuleSet;

/**
 * A rule set judged by CEL over the object as sent ({@link CelJson}) rather than the typed pod:
 * {@link CelRules} and {@link AdmissionPolicies}.
 */
public interface CelReading extends RuleSet {

    /** What its expressions read of a Pod ({@link CelReads}), built while the Pod is typed. */
    CelProjection reads();
}

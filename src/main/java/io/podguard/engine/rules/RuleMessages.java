package io.podguard.engine.rules;

import io.podguard.engine.Violation;

/**
 * The sentences of a CEL rule's violation, in the style of Pod Security Admission's:
 * {@code violates rule "no-latest": image nginx:latest uses the latest tag} when denied,
 * {@code would violate rule "no-latest": …} in warnings and audit annotations.
 */
public final class RuleMessages {

    private RuleMessages() {
    }

    public static boolean isRule(Violation v) {
        return v.reason().startsWith(CelRule.REASON) || isAdmissionPolicy(v);
    }

    /** A ValidatingAdmissionPolicy's violation, whose detail is already the apiserver's sentence. */
    public static boolean isAdmissionPolicy(Violation v) {
        return v.reason().startsWith(AdmissionPolicyBinding.REASON);
    }

    public static String denial(Violation v) {
        if (isAdmissionPolicy(v)) {
            return v.detail();
        }
        return "violates rule \"" + v.rule() + "\": " + v.detail();
    }

    public static String warning(Violation v) {
        if (isAdmissionPolicy(v)) {
            return v.detail();
        }
        return "would violate rule \"" + v.rule() + "\": " + v.detail();
    }
}

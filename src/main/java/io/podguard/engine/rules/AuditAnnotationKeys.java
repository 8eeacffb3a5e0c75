package io.podguard.engine.rules;

/**
 * The audit annotation keys ValidatingAdmissionPolicies record in podguard's answer. The
 * apiserver records a policy's audit annotation as {@code POLICY/KEY} and its Audit failures as
 * {@code validation.policy.admission.k8s.io/validation_failure}; a webhook's keys are prefixed
 * with the webhook's name and may hold no other {@code /}, and their name part is at most 63
 * characters. So podguard records {@code POLICY_KEY} (a policy's name holds no {@code _}: the
 * first one separates the two) and {@code validation_failure}: in the audit log,
 * {@code WEBHOOK/POLICY_KEY} and {@code WEBHOOK/validation_failure}.
 */
public final class AuditAnnotationKeys {

    /** The Audit action's failures, the apiserver's JSON list. */
    public static final String VALIDATION_FAILURE = "validation_failure";
    /** The longest name part the apiserver accepts in an audit annotation key. */
    static final int MAX_KEY = 63;

    private AuditAnnotationKeys() {
    }

    /** The key podguard records the audit annotation {@code key} of policy {@code policy} under. */
    public static String recorded(String policy, String key) {
        return policy + "_" + key;
    }
}

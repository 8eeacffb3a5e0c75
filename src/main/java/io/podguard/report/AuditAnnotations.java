package io.podguard.report;

/**
 * The AdmissionResponse {@code auditAnnotations} keys, PSA's own: the apiserver prefixes them
 * with the webhook's name ({@code pods.podguard.io/audit-violations}), so the audit log reads
 * like PSA's ({@code pod-security.kubernetes.io/audit-violations}) and the same queries work.
 */
public final class AuditAnnotations {

    /** The level the pod was judged at for enforcement: {@code restricted:latest}. Pods only, as PSA. */
    public static final String ENFORCE_POLICY = io.podguard.engine.pss.PodSecurityKind.ENFORCE_POLICY;
    /** {@code would violate PodSecurity "restricted:latest": reason (detail), …}: the audit mode's findings. */
    public static final String AUDIT_VIOLATIONS = io.podguard.engine.Wording.AUDIT_VIOLATIONS;
    /** Why the request was not judged: {@code namespace}, {@code user} or {@code runtimeClass}. */
    public static final String EXEMPT = "exempt";
    /** Why the request could not be judged, as PSA: {@code Internal error occurred: failed to lookup namespace "x": …}. */
    public static final String ERROR = "error";

    private AuditAnnotations() {
    }
}

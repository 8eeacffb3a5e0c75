package io.podguard.engine;

import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The compiled configuration of one rule kind for one request: what the policy in force says
 * of that kind (levels, quantities, PodSecurityPolicies …) and the modes its violations go to.
 * {@code policy/} builds it from the policy document; the engine hands it to its {@link #kind()}.
 */
public interface RuleSet {

    /** The kind that judges by this configuration. */
    RuleKind<?> kind();

    /** The modes this configuration judges in; empty when it judges nothing. */
    Set<Mode> modes();

    /**
     * This configuration with {@code mode} in force instead of its own, as a namespace's
     * {@code podguard.io/mode} label asks: {@code audit} or {@code warn} enforce nothing and
     * record or warn what would have been enforced; {@code enforce} enforces.
     */
    RuleSet withMode(Mode mode);

    /**
     * This configuration with enforcement switched on, for the audit of a policy that enforces
     * nothing yet: by default, {@link #withMode} enforce.
     */
    default RuleSet enforcing() {
        return modes().contains(Mode.ENFORCE) || modes().isEmpty() ? this : withMode(Mode.ENFORCE);
    }

    /**
     * What of this configuration stays in force for a request an exemption exempts as a whole:
     * by default nothing (null). A kind whose configuration also drives podguard's defaulters may
     * keep what they set while judging nothing (placement's node selector and tolerations).
     */
    default @Nullable RuleSet exemptWholeRequest() {
        return null;
    }

    /**
     * What judges an UPDATE of a running Pod: by default this configuration when the update is
     * {@code significant} (it changes what Pod Security's checks read, as PSA's
     * {@code isSignificantPodUpdate} decides), nothing (null) otherwise. A kind that judges other
     * fields a running pod may change answers for itself from the pod and the request's old object.
     */
    default @Nullable RuleSet forPodUpdate(PodObject pod, RequestInfo request, boolean significant) {
        return significant ? this : null;
    }
}

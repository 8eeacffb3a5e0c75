package io.podguard.engine.psp;

import io.podguard.engine.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;

/**
 * What the PodSecurityPolicies say of one pod.
 *
 * @param policy the policy that admits the pod; null when none does
 * @param mutated whether that policy had to change the pod (its defaults)
 * @param patch RFC 6902 operations against the object as sent: the chosen policy's defaults
 *              and the {@code kubernetes.io/psp} annotation; empty when mutation was not allowed
 * @param errors each policy tried, by name in the order tried, with the errors that made it refuse the pod
 * @param noPolicy true when no policy applies to the pod at all
 */
public record PspDecision(
        @Nullable String policy,
        boolean mutated,
        ArrayNode patch,
        Map<String, List<FieldError>> errors,
        boolean noPolicy) {

    public boolean allowed() {
        return policy != null;
    }

    /** Every error of every policy tried, in order: what {@code field.ErrorList} held upstream. */
    public List<FieldError> allErrors() {
        List<FieldError> all = new ArrayList<>();
        errors.values().forEach(all::addAll);
        return all;
    }

    /** The errors as podguard violations: rule {@code psp.<field>}, the field path, upstream's text after the path as the reason. */
    public List<Violation> violations() {
        if (allowed()) {
            return List.of();
        }
        if (noPolicy) {
            return List.of(new Violation(PspRules.NO_POLICY, "", "no PodSecurityPolicy applies to the pod", ""));
        }
        List<Violation> out = new ArrayList<>();
        for (FieldError e : allErrors()) {
            out.add(new Violation(e.rule(), e.field(), e.body(), ""));
        }
        if (out.isEmpty()) {
            // Refused without a field error: every policy would have to change the pod.
            out.add(new Violation(PspRules.NEEDS_DEFAULTS, "", "a PodSecurityPolicy would admit the pod only after its defaults", ""));
        }
        return out;
    }

    /** Said after upstream's empty {@code unable to validate pod: []}, which names no cause. */
    public static final String MISSING_DEFAULTS_HINT = " (no PodSecurityPolicy admits the pod as it is, and one would after setting "
            + "its defaults: the pod was not defaulted; is podguard's mutating webhook (/mutate) registered? see docs/psp.md)";

    /**
     * The admission plugin's refusal: {@code PodSecurityPolicy: unable to admit pod: [e1 e2]}
     * when mutation was allowed, {@code … unable to validate pod: […]} when it was not. Upstream's
     * words, except that an empty list on /validate (a PSP would have admitted the pod with its
     * defaults, which only the mutating webhook sets) gets {@link #MISSING_DEFAULTS_HINT}.
     */
    public String message(boolean mutationAllowed) {
        return new PspKind.PspWording(mutationAllowed).message(violations(), true);
    }
}

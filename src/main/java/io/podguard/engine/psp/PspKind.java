package io.podguard.engine.psp;

import io.podguard.engine.Findings;
import io.podguard.engine.Mode;
import io.podguard.engine.Mutation;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.RuleKind;
import io.podguard.engine.Violation;
import io.podguard.engine.Wording;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PodSecurityPolicy as a rule kind, with the admission plugin's semantics ({@link PspEngine}).
 * Mutation (enforce mode): the chosen policy's defaults and the {@code kubernetes.io/psp}
 * annotation, on the pod the other defaults left. Judgement: the pod must be admitted by a
 * policy without change (enforce, Pods), or would have been admitted after its defaults (audit
 * and warn, where nothing was defaulted, and workload templates, whose pods will be). As
 * upstream, subresources and updates that only the garbage collector makes are not judged.
 */
public final class PspKind implements RuleKind<PspPolicy> {

    public static final String ID = "psp";
    public static final PspKind INSTANCE = new PspKind();

    /** Audit annotation of the mutating webhook: the policy that admitted the pod. */
    public static final String ADMIT_POLICY = "psp-admit-policy";
    /** Audit annotation of the validating webhook: the policy that admits (or would admit) the pod. */
    public static final String VALIDATE_POLICY = "psp-validate-policy";
    /** Audit annotation in audit mode: why no policy would admit the pod. */
    public static final String AUDIT_VIOLATIONS = "psp-audit-violations";

    private static final List<String> RULES = PspRules.ALL.stream()
            .filter(id -> !id.equals(PspRules.NO_POLICY) && !id.equals(PspRules.NEEDS_DEFAULTS)).sorted().toList();

    private PspKind() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> ruleIds() {
        return PspRules.ALL;
    }

    @Override
    public boolean mutates(PspPolicy config) {
        // Audit and warn change nothing: the pod is judged as PSP would have defaulted it.
        return config.mode() == Mode.ENFORCE;
    }

    @Override
    public Mutation mutate(PspPolicy config, PodObject pod, RequestInfo request) {
        PspDecision decision = PspEngine.admit(config.policies(), pod, request, true);
        if (!decision.allowed()) {
            return Mutation.NONE;
        }
        return new Mutation(decision.patch(), Map.of(ADMIT_POLICY, decision.policy()));
    }

    @Override
    public void evaluate(PspPolicy config, PodObject pod, RequestInfo request, Findings out) {
        // PSP judged pods themselves only: no subresource, no update that only the garbage collector makes.
        if (!request.subResource().isEmpty()
                || request.update() && PspEngine.onlyGarbageCollectionFields(pod.object(), request.oldObject())) {
            return;
        }
        boolean mutationAllowed = config.mode() != Mode.ENFORCE || !pod.isPod();
        PspDecision decision = PspEngine.admit(config.policies(), pod, request, mutationAllowed);
        if (decision.allowed()) {
            out.annotate(VALIDATE_POLICY, decision.policy());
        }
        List<String> rules = new ArrayList<>(RULES);
        if (decision.noPolicy()) {
            rules.add(PspRules.NO_POLICY);
        } else if (!mutationAllowed) {
            rules.add(PspRules.NEEDS_DEFAULTS);
        }
        out.add(config.mode(), null, rules, decision.violations(), new PspWording(mutationAllowed));
    }

    /**
     * The admission plugin's refusal, the same sentence in every mode:
     * {@code PodSecurityPolicy: unable to admit pod: [e1 e2]} when mutation was allowed,
     * {@code … unable to validate pod: […]} when it was not; upstream's words, except that an
     * empty list on /validate gets {@link PspDecision#MISSING_DEFAULTS_HINT}.
     */
    record PspWording(boolean mutationAllowed) implements Wording {

        @Override
        public String message(List<Violation> violations, boolean denied) {
            if (violations.size() == 1 && violations.getFirst().rule().equals(PspRules.NO_POLICY)) {
                return "PodSecurityPolicy: no providers available to validate pod request";
            }
            StringBuilder sb = new StringBuilder("PodSecurityPolicy: unable to ")
                    .append(mutationAllowed ? "admit" : "validate").append(" pod: [");
            boolean first = true;
            for (Violation v : violations) {
                if (v.rule().equals(PspRules.NEEDS_DEFAULTS)) {
                    continue; // upstream lists no error for it
                }
                if (!first) {
                    sb.append(' ');
                }
                sb.append(v.path()).append(": ").append(v.reason());
                first = false;
            }
            sb.append(']');
            if (!mutationAllowed && first) {
                sb.append(PspDecision.MISSING_DEFAULTS_HINT);
            }
            return sb.toString();
        }

        @Override
        public List<String> warnings(List<Violation> violations) {
            return List.of(message(violations, false));
        }

        @Override
        public String auditAnnotation() {
            return PspKind.AUDIT_VIOLATIONS;
        }
    }
}

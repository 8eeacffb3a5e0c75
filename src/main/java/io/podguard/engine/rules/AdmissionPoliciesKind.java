package io.podguard.engine.rules;

import io.podguard.engine.Findings;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.RuleKind;
import io.podguard.engine.Violation;
import io.podguard.engine.Wording;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * ValidatingAdmissionPolicies as a rule kind, with the apiserver's matching, actions and words:
 * each binding's validations, in the modes of its {@code validationActions}. They judge the
 * object as the apiserver stores it (a workload as sent, not its template after defaults).
 */
public final class AdmissionPoliciesKind implements RuleKind<AdmissionPolicies> {

    public static final String ID = "validatingAdmissionPolicies";
    public static final AdmissionPoliciesKind INSTANCE = new AdmissionPoliciesKind();

    /** As the apiserver: the first denial is the message; warnings and audit records are each their own. */
    private static final Wording WORDING = new Wording() {
        @Override
        public String message(List<Violation> violations, boolean denied) {
            if (denied) {
                return RuleMessages.denial(violations.getFirst());
            }
            return String.join("; ", violations.stream().map(RuleMessages::warning).toList());
        }
    };

    private AdmissionPoliciesKind() {
    }

    @Override
    public String id() {
        return ID;
    }

    /** Rule ids are the policies' names, from the policy file. */
    @Override
    public Set<String> ruleIds() {
        return Set.of();
    }

    @Override
    public boolean judgesPods() {
        return false;
    }

    @Override
    public void evaluate(AdmissionPolicies config, PodObject pod, RequestInfo request, Findings out) {
        RuleInput input = RuleInput.of(pod, request);
        for (AdmissionPolicyBinding.Action action : AdmissionPolicyBinding.Action.values()) {
            List<String> ids = new ArrayList<>(0);
            List<Violation> violations = new ArrayList<>(0);
            for (AdmissionPolicyBinding b : config.bindings()) {
                if (b.actions().contains(action)) {
                    ids.add(b.policyName());
                    violations.addAll(b.evaluate(input, action));
                }
            }
            if (!ids.isEmpty()) {
                out.add(AdmissionPolicies.mode(action), null, ids.stream().distinct().toList(), violations, WORDING);
            }
        }
    }
}

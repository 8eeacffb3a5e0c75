package io.podguard.engine.rules;

import io.podguard.engine.Findings;
import io.podguard.engine.Mode;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.RuleKind;
import io.podguard.engine.Violation;
import io.podguard.engine.Wording;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ValidatingAdmissionPolicies as a rule kind, with the apiserver's dispatcher's matching,
 * actions, words and audit annotations: each binding's failed validations, for each of its
 * {@code validationActions} in the binding's order — Deny denies ({@code ValidatingAdmissionPolicy
 * 'P' with binding 'B' denied request: …}, the first denial is the message, its validation's
 * {@code reason} the status), Warn warns ({@code Validation failed for ValidatingAdmissionPolicy
 * 'P' with binding 'B': …}), Audit records the apiserver's {@code validation_failure} JSON; the
 * policies' audit annotations are recorded as {@code POLICY_KEY}
 * ({@link AuditAnnotationKeys}). They judge the object as the apiserver stores it (a workload as
 * sent, not its template after defaults).
 */
public final class AdmissionPoliciesKind implements RuleKind<AdmissionPolicies> {

    public static final String ID = "validatingAdmissionPolicies";
    public static final AdmissionPoliciesKind INSTANCE = new AdmissionPoliciesKind();

    /** The apiserver's limit on the failures one {@code validation_failure} annotation lists. */
    static final int MAX_VALIDATION_FAILURES = 50;

    /**
     * As the apiserver: the first denial is the message, and its reason the status; warnings
     * are each their own; Audit findings are recorded by the kind itself, as JSON.
     */
    private record AdmissionPolicyWording(int code) implements Wording {
        @Override
        public String message(List<Violation> violations, boolean denied) {
            if (denied) {
                return RuleMessages.denial(violations.getFirst());
            }
            return String.join("; ", violations.stream().map(RuleMessages::warning).toList());
        }

        @Override
        public String auditAnnotation() {
            return null;
        }

        @Override
        public int denialCode(List<Violation> violations) {
            return code;
        }
    }

    /** The apiserver's {@code reasonToCode}. */
    private static final Map<String, AdmissionPolicyWording> WORDINGS = Map.of(
            "Forbidden", new AdmissionPolicyWording(403),
            "Unauthorized", new AdmissionPolicyWording(401),
            "RequestEntityTooLarge", new AdmissionPolicyWording(413),
            "Invalid", new AdmissionPolicyWording(422));

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
        CostBound.Size sizes = null;
        Map<Mode, Set<String>> ran = new EnumMap<>(Mode.class);
        Map<Mode, List<Violation>> found = new EnumMap<>(Mode.class);
        String denialReason = null;
        List<String> failures = new ArrayList<>(0);
        Map<String, Map<String, List<String>>> annotations = new LinkedHashMap<>(0);
        for (AdmissionPolicyBinding b : config.bindings()) {
            for (AdmissionPolicyBinding.Action a : b.actions()) {
                ran.computeIfAbsent(AdmissionPolicies.mode(a), m -> new LinkedHashSet<>()).add(b.policyName());
            }
            if (b.deniesOnAnnotationErrors()) {
                ran.computeIfAbsent(Mode.ENFORCE, m -> new LinkedHashSet<>()).add(b.policyName());
            }
            if (sizes == null) {
                sizes = input.sizes(config.reads());
            }
            AdmissionPolicyBinding.Outcome outcome = b.evaluate(input, sizes, config.reads());
            if (outcome == null) {
                continue;
            }
            for (AdmissionPolicyBinding.Denial d : outcome.failures()) {
                for (AdmissionPolicyBinding.Action a : b.actions()) {
                    found.computeIfAbsent(AdmissionPolicies.mode(a), m -> new ArrayList<>(1)).add(violation(a, b, d.message()));
                    if (a == AdmissionPolicyBinding.Action.DENY && denialReason == null) {
                        denialReason = d.reason();
                    }
                    if (a == AdmissionPolicyBinding.Action.AUDIT) {
                        failures.add(failure(b, d));
                    }
                }
            }
            for (AdmissionPolicyBinding.Denial d : outcome.annotationErrors()) {
                // an audit annotation that fails closed denies whatever the binding's actions, as in the apiserver
                found.computeIfAbsent(Mode.ENFORCE, m -> new ArrayList<>(1)).add(violation(AdmissionPolicyBinding.Action.DENY, b, d.message()));
                if (denialReason == null) {
                    denialReason = d.reason();
                }
            }
            // per policy: the distinct values of its bindings, in order
            outcome.annotations().forEach((key, value) -> {
                List<String> values = annotations.computeIfAbsent(b.policyName(), p -> new LinkedHashMap<>())
                        .computeIfAbsent(key, k -> new ArrayList<>(1));
                if (!values.contains(value)) {
                    values.add(value);
                }
            });
        }
        Wording wording = WORDINGS.getOrDefault(denialReason == null || denialReason.isEmpty() ? "Invalid" : denialReason, WORDINGS.get("Invalid"));
        for (Mode mode : List.of(Mode.ENFORCE, Mode.AUDIT, Mode.WARN)) {
            Set<String> ids = ran.get(mode);
            if (ids != null) {
                out.add(mode, null, List.copyOf(ids), found.getOrDefault(mode, List.of()), wording);
            }
        }
        if (!failures.isEmpty()) {
            List<String> listed = failures.size() > MAX_VALIDATION_FAILURES ? failures.subList(0, MAX_VALIDATION_FAILURES) : failures;
            out.annotate(AuditAnnotationKeys.VALIDATION_FAILURE, "[" + String.join(",", listed) + "]");
        }
        annotations.forEach((policy, keys) -> keys.forEach((key, values) ->
                out.annotate(AuditAnnotationKeys.recorded(policy, key), String.join(", ", values))));
    }

    /** The apiserver's sentence for one action. */
    private static Violation violation(AdmissionPolicyBinding.Action action, AdmissionPolicyBinding b, String message) {
        String text = switch (action) {
            case DENY -> "ValidatingAdmissionPolicy '" + b.policyName() + "' with binding '" + b.bindingName() + "' denied request: " + message;
            case WARN -> "Validation failed for ValidatingAdmissionPolicy '" + b.policyName() + "' with binding '" + b.bindingName() + "': " + message;
            case AUDIT -> message;
        };
        return new Violation(b.policyName(), "", AdmissionPolicyBinding.REASON + b.policyName(), text);
    }

    /** One entry of the apiserver's {@code validation_failure} list ({@code ValidationFailureValue}), as Go encodes it. */
    private static String failure(AdmissionPolicyBinding b, AdmissionPolicyBinding.Denial d) {
        StringBuilder actions = new StringBuilder();
        for (AdmissionPolicyBinding.Action a : b.actions()) {
            actions.append(actions.isEmpty() ? "" : ",").append(GoJson.quote(a.id()));
        }
        return "{\"message\":" + GoJson.quote(d.message()) + ",\"policy\":" + GoJson.quote(b.policyName()) + ",\"binding\":"
                + GoJson.quote(b.bindingName()) + ",\"expressionIndex\":" + d.expressionIndex() + ",\"validationActions\":[" + actions + "]}";
    }
}

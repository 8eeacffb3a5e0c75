package io.podguard.engine.rules;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchResources;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.NamedRuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.podguard.engine.Text;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A compiled ValidatingAdmissionPolicy with one of its bindings, judged as the apiserver's
 * validating admission policy plugin judges (k8s.io/apiserver
 * {@code pkg/admission/plugin/policy/validating}): the policy's {@code matchConstraints} and the
 * binding's {@code matchResources} (resource rules, namespace and object selectors), then
 * {@code matchConditions}, then the validations, their message expressions and the audit
 * annotations, each a batch with its own budget. {@code object} is the object as sent (a
 * Deployment is a Deployment), as in the apiserver. What the binding's
 * {@code validationActions} make of the outcome is {@link AdmissionPoliciesKind}'s.
 */
public final class AdmissionPolicyBinding {

    /** The start of a violation's reason that tells it comes from a ValidatingAdmissionPolicy. */
    public static final String REASON = "ValidatingAdmissionPolicy ";

    /** What a failed validation does, from the binding's validationActions. */
    public enum Action {
        DENY("Deny"), WARN("Warn"), AUDIT("Audit");

        private final String id;

        Action(String id) {
            this.id = id;
        }

        /** As the binding spells it. */
        public String id() {
            return id;
        }
    }

    /**
     * A denial of the request by this binding: a failed validation, or an error.
     *
     * @param message the apiserver's message (what follows {@code denied request: })
     * @param reason the status reason ({@code Invalid} unless the validation gives one)
     * @param expressionIndex the validation's index (0 for an error of the whole binding)
     */
    public record Denial(String message, String reason, int expressionIndex) {
    }

    /**
     * What the binding made of a request it matched.
     *
     * @param failures the failed validations (and errors), each one for every action of the binding
     * @param annotationErrors audit annotations that failed under {@code failurePolicy: Fail}: they
     *     deny whatever the binding's actions, as in the apiserver
     * @param annotations the audit annotations to record, key to value
     */
    public record Outcome(List<Denial> failures, List<Denial> annotationErrors, Map<String, String> annotations) {
    }

    /** The longest audit annotation value the apiserver records; longer ones are cut. */
    static final int MAX_ANNOTATION_VALUE = 10 * 1024;

    private final CompiledAdmissionPolicy policy;
    private final String bindingName;
    private final List<Action> actions;
    private final @Nullable MatchResources bindingMatch;
    /** The largest input the policy provably judges within its limits and budgets, so unmetered ({@link CostProof}); null: none. */
    private final CostBound.@Nullable Size untrackedUpTo;
    private final CelProjection reads;

    private AdmissionPolicyBinding(CompiledAdmissionPolicy policy, String bindingName, List<Action> actions,
                                   @Nullable MatchResources bindingMatch) {
        this.policy = policy;
        this.bindingName = bindingName;
        this.actions = actions;
        this.bindingMatch = bindingMatch;
        this.untrackedUpTo = CostProof.largest(this::provablyWithinLimits);
        CelReads r = new CelReads();
        policy.variables().forEach(v -> r.variable(v.name(), v.expression()));
        policy.matchConditions().compiled().forEach(r::expression);
        for (CompiledAdmissionPolicy.CompiledValidation v : policy.validations()) {
            r.expression(v.expression());
            if (v.messageExpression() != null) {
                r.expression(v.messageExpression());
            }
        }
        policy.auditAnnotations().forEach(a -> r.expression(a.valueExpression()));
        this.reads = r.projection();
    }

    /** What the policy's expressions read of the object as sent ({@link CelReads}). */
    CelProjection reads() {
        return reads;
    }

    /**
     * Whether, for any input within {@code box}, no expression of the policy can pass the
     * per-expression limit, nor its match conditions, its validations with their message
     * expressions, or its audit annotations their budgets (each batch paying for the variables).
     */
    boolean provablyWithinLimits(CostBound.Size box) {
        List<CompiledExpression> validation = new ArrayList<>(2 * policy.validations().size());
        for (CompiledAdmissionPolicy.CompiledValidation v : policy.validations()) {
            validation.add(v.expression());
            validation.add(v.messageExpression());
        }
        List<CompiledExpression> annotations = new ArrayList<>(policy.auditAnnotations().size());
        policy.auditAnnotations().forEach(a -> annotations.add(a.valueExpression()));
        return CostProof.withinLimits(box, policy.variables(), List.of(
                new CostProof.Batch(new ArrayList<>(policy.matchConditions().compiled()), KubernetesCel.MATCH_CONDITIONS_BUDGET, 1),
                new CostProof.Batch(validation, KubernetesCel.RUNTIME_BUDGET, 2),
                new CostProof.Batch(annotations, KubernetesCel.RUNTIME_BUDGET, 1)));
    }

    /** Whether this binding judges an input of {@code sizes} without the cost tracker. */
    boolean untracked(CostBound.Size sizes) {
        return untrackedUpTo != null && sizes.within(untrackedUpTo);
    }

    public String policyName() {
        return policy.name();
    }

    public String bindingName() {
        return bindingName;
    }

    /** The binding's validationActions, in its order. */
    public List<Action> actions() {
        return actions;
    }

    /** Whether the binding may deny although its actions do not say Deny (an audit annotation that fails closed). */
    public boolean deniesOnAnnotationErrors() {
        return policy.failClosed() && !policy.auditAnnotations().isEmpty();
    }

    /**
     * Compiles a policy with one binding; every error is reported with its field path, the
     * binding's starting with {@code binding NAME: }.
     *
     * @throws RuleCompileException listing every error
     */
    public static AdmissionPolicyBinding compile(io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy policy,
                                                 ValidatingAdmissionPolicyBinding binding) {
        List<String> errors = new ArrayList<>();
        CompiledAdmissionPolicy compiled = null;
        try {
            compiled = CompiledAdmissionPolicy.compile(policy);
        } catch (RuleCompileException e) {
            errors.addAll(e.errors());
        }
        try {
            AdmissionPolicyBinding b = bind(compiled, binding);
            if (errors.isEmpty()) {
                return b;
            }
        } catch (RuleCompileException e) {
            errors.addAll(e.errors());
        }
        throw new RuleCompileException(errors);
    }

    /**
     * Binds a compiled policy ({@code null}: it did not compile, only the binding is checked).
     *
     * @throws RuleCompileException listing the binding's errors, each starting with {@code binding NAME: }
     */
    public static AdmissionPolicyBinding bind(@Nullable CompiledAdmissionPolicy policy, ValidatingAdmissionPolicyBinding binding) {
        List<String> errors = new ArrayList<>();
        String bname = binding.getMetadata() == null ? "" : Text.orEmpty(binding.getMetadata().getName());
        var spec = binding.getSpec();
        if (spec == null) {
            throw new RuleCompileException(List.of("binding " + bname + ": spec: Required value"));
        }
        if (spec.getParamRef() != null) {
            errors.add("binding " + bname + ": spec.paramRef: parameters are not supported: podguard reads no objects from the cluster "
                    + "to judge; put the values in variables instead");
        }
        List<String> given = Text.orEmpty(spec.getValidationActions());
        Set<String> seen = new LinkedHashSet<>();
        List<Action> actions = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            String a = given.get(i);
            Action action = switch (a) {
                case "Deny" -> Action.DENY;
                case "Warn" -> Action.WARN;
                case "Audit" -> Action.AUDIT;
                default -> null;
            };
            if (action == null) {
                errors.add("binding " + bname + ": spec.validationActions[" + i + "]: Unsupported value: \"" + a
                        + "\": supported values: \"Audit\", \"Deny\", \"Warn\"");
            }
            if (!seen.add(a)) {
                errors.add("binding " + bname + ": spec.validationActions[" + i + "]: Duplicate value: \"" + a + "\"");
            } else if (action != null) {
                actions.add(action);
            }
        }
        if (seen.contains("Deny") && seen.contains("Warn")) {
            errors.add("binding " + bname + ": spec.validationActions: Invalid value: must not contain both Deny and Warn "
                    + "(repeating the same validation failure information in the API response and headers serves no purpose)");
        }
        if (seen.isEmpty()) {
            errors.add("binding " + bname + ": spec.validationActions: Required value: at least one validation action is required");
        }
        if (!errors.isEmpty() || policy == null) {
            throw new RuleCompileException(errors);
        }
        return new AdmissionPolicyBinding(policy, bname, List.copyOf(actions), spec.getMatchResources());
    }

    /** Whether the request is in scope of the policy and the binding (resources, namespace, object labels). */
    public boolean matches(RuleInput input) {
        return matches(policy.constraints(), input, true) && matches(bindingMatch, input, false);
    }

    private static boolean matches(@Nullable MatchResources m, RuleInput input, boolean required) {
        if (m == null) {
            return !required;
        }
        String[] gvr = RuleInput.groupVersionResource(input.kind());
        List<NamedRuleWithOperations> rules = m.getResourceRules();
        if (rules != null && !rules.isEmpty() && rules.stream().noneMatch(r -> ruleMatches(r, gvr, input.operation()))) {
            return false;
        }
        if (required && (rules == null || rules.isEmpty())) {
            return false;
        }
        if (m.getExcludeResourceRules() != null && m.getExcludeResourceRules().stream().anyMatch(r -> ruleMatches(r, gvr, input.operation()))) {
            return false;
        }
        if (m.getNamespaceSelector() != null && input.namespace() != null && !input.namespace().isEmpty()
                && !selects(m.getNamespaceSelector(), input.namespaceLabels() == null ? Map.of() : input.namespaceLabels())) {
            return false;
        }
        if (m.getObjectSelector() != null) {
            var meta = input.pod().object().get("metadata");
            Map<String, String> labels = new java.util.HashMap<>();
            if (meta != null && meta.get("labels") instanceof tools.jackson.databind.node.ObjectNode l) {
                l.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
            }
            return selects(m.getObjectSelector(), labels);
        }
        return true;
    }

    private static boolean ruleMatches(NamedRuleWithOperations r, String[] gvr, String operation) {
        if (r.getResourceNames() != null && !r.getResourceNames().isEmpty()) {
            return false; // by name only: podguard judges creates, whose names may not be known yet
        }
        return any(r.getApiGroups(), gvr[0]) && any(r.getApiVersions(), gvr[1]) && any(r.getResources(), gvr[2])
                && any(r.getOperations(), operation);
    }

    private static boolean any(@Nullable List<String> values, String value) {
        return values != null && (values.contains("*") || values.contains(value));
    }

    /** A Kubernetes label selector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist), all must hold. */
    static boolean selects(LabelSelector s, Map<String, String> labels) {
        if (s.getMatchLabels() != null) {
            for (Map.Entry<String, String> e : s.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (s.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : s.getMatchExpressions()) {
                String v = labels.get(r.getKey());
                List<String> values = r.getValues() == null ? List.of() : r.getValues();
                boolean ok = switch (r.getOperator()) {
                    case "In" -> v != null && values.contains(v);
                    case "NotIn" -> v == null || !values.contains(v);
                    case "Exists" -> v != null;
                    case "DoesNotExist" -> v == null;
                    default -> false;
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The binding's judgement of a request: null when out of its scope or its match conditions
     * say it does not apply; else the failed validations, the audit annotations and their
     * errors, as the apiserver's validator makes them.
     */
    public @Nullable Outcome evaluate(RuleInput input) {
        return evaluate(input, input.sizes(reads), reads);
    }

    /** The same, for an input of {@code sizes} ({@link RuleInput#sizes()}): unmetered when {@link #untracked} says so. */
    @Nullable Outcome evaluate(RuleInput input, CostBound.Size sizes, CelProjection read) {
        if (!matches(input)) {
            return null;
        }
        boolean tracked = !untracked(sizes);
        var base = input.variablesAsSent(read);
        MatchConditions.Decision match = policy.matchConditions().decide(policy.variables(), base, tracked);
        if (match.error() != null) {
            return policy.failClosed() ? new Outcome(List.of(new Denial(match.error(), "", 0)), List.of(), Map.of()) : null;
        }
        if (!match.matches()) {
            return null;
        }
        List<Denial> failures = validate(base, tracked);
        if (failures == null) {
            return new Outcome(policy.failClosed() ? List.of(new Denial(ExpressionBatch.OUT_OF_BUDGET, "", 0)) : List.of(), List.of(), Map.of());
        }
        if (policy.auditAnnotations().isEmpty()) {
            return new Outcome(failures, List.of(), Map.of());
        }
        List<CompiledExpression> values = new ArrayList<>(policy.auditAnnotations().size());
        policy.auditAnnotations().forEach(a -> values.add(a.valueExpression()));
        ExpressionBatch.Outcome batch = ExpressionBatch.run(values, policy.variables(), base, KubernetesCel.RUNTIME_BUDGET, tracked);
        if (batch.outOfBudget()) {
            // the apiserver's validator gives up on the whole binding: this error is all it says
            return new Outcome(policy.failClosed() ? List.of(new Denial(ExpressionBatch.OUT_OF_BUDGET, "", 0)) : List.of(), List.of(), Map.of());
        }
        List<Denial> errors = new ArrayList<>(0);
        Map<String, String> annotations = new LinkedHashMap<>();
        for (int i = 0; i < batch.results().size(); i++) {
            CompiledAdmissionPolicy.CompiledAuditAnnotation a = policy.auditAnnotations().get(i);
            ExpressionBatch.Result r = batch.results().get(i);
            if (r == null) {
                continue;
            }
            String error = r.error();
            if (error == null && r.value() instanceof String s) {
                String value = GoStrings.trimSpace(s);
                if (!value.isEmpty()) {
                    annotations.put(a.key(), GoStrings.truncateBytes(value, MAX_ANNOTATION_VALUE));
                }
                continue;
            }
            if (error == null && r.value() instanceof dev.cel.common.values.NullValue) {
                continue;
            }
            if (error == null) {
                error = "valueExpression '" + a.valueExpression().source() + "' resulted in unsupported return type: "
                        + CelValueTypes.name(r.value()) + ". Return type must be either string or null.";
            }
            if (policy.failClosed()) {
                errors.add(new Denial(error, "", 0));
            }
        }
        return new Outcome(failures, errors, annotations);
    }

    /** The failed validations, or null when the validations ran out of their budget. */
    private @Nullable List<Denial> validate(dev.cel.runtime.CelVariableResolver base, boolean tracked) {
        List<CompiledAdmissionPolicy.CompiledValidation> validations = policy.validations();
        if (validations.isEmpty()) {
            return List.of();
        }
        List<CompiledExpression> expressions = new ArrayList<>(validations.size());
        List<CompiledExpression> messages = new ArrayList<>(validations.size());
        for (CompiledAdmissionPolicy.CompiledValidation v : validations) {
            expressions.add(v.expression());
            messages.add(v.messageExpression());
        }
        ExpressionBatch.Outcome results = ExpressionBatch.run(expressions, policy.variables(), base, KubernetesCel.RUNTIME_BUDGET, tracked);
        if (results.outOfBudget()) {
            return null;
        }
        // every message expression is evaluated, whatever its validation's outcome, with what the validations left
        boolean anyMessage = messages.stream().anyMatch(java.util.Objects::nonNull);
        ExpressionBatch.Outcome messageResults = anyMessage
                ? ExpressionBatch.run(messages, policy.variables(), base, results.remaining(), tracked)
                : new ExpressionBatch.Outcome(List.of(), results.remaining(), false);
        List<Denial> out = new ArrayList<>(0);
        for (int i = 0; i < validations.size(); i++) {
            CompiledAdmissionPolicy.CompiledValidation v = validations.get(i);
            ExpressionBatch.Result r = results.results().get(i);
            if (r.failed()) {
                if (policy.failClosed()) {
                    out.add(new Denial(r.error(), "", i));
                }
            } else if (messageResults.outOfBudget()) {
                // as the apiserver: the message expressions' budget error fails every validation, passed or not
                if (policy.failClosed()) {
                    out.add(new Denial("failed messageExpression: " + ExpressionBatch.OUT_OF_BUDGET, "", i));
                }
            } else if (!Boolean.TRUE.equals(r.value())) {
                ExpressionBatch.Result m = messageResults.results().isEmpty() ? null : messageResults.results().get(i);
                out.add(new Denial(FailureMessage.of(m, v.message(), v.expression().source()), v.reason(), i));
            }
        }
        return out;
    }
}

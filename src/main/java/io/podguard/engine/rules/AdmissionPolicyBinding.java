package io.podguard.engine.rules;

import dev.cel.runtime.CelVariableResolver;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchResources;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.NamedRuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.Validation;
import io.podguard.engine.Violation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A ValidatingAdmissionPolicy with one of its bindings, compiled once, judged as the apiserver's
 * validating admission policy plugin judges (k8s.io/apiserver
 * {@code pkg/admission/plugin/policy/validating}): the policy's {@code matchConstraints} and the
 * binding's {@code matchResources} (resource rules, namespace and object selectors), then
 * {@code matchConditions}, then each validation with {@code variables}; a failed validation
 * produces the apiserver's words for each of the binding's {@code validationActions}.
 * {@code object} is the object as sent (a Deployment is a Deployment), as in the apiserver.
 */
public final class AdmissionPolicyBinding {

    /** The start of a violation's reason that tells it comes from a ValidatingAdmissionPolicy. */
    public static final String REASON = "ValidatingAdmissionPolicy ";

    /** What a failed validation does, from the binding's validationActions. */
    public enum Action {
        DENY, WARN, AUDIT
    }

    private record CompiledValidation(CompiledExpression expression, @Nullable String message,
                                      @Nullable CompiledExpression messageExpression) {
    }

    private final String policyName;
    private final String bindingName;
    private final boolean failClosed;
    private final Set<Action> actions;
    private final @Nullable MatchResources constraints;
    private final @Nullable MatchResources bindingMatch;
    private final List<CelRule.Named> matchConditionSources;
    private final List<CompiledExpression> matchConditions;
    private final List<LazyVariables.Variable> variables;
    private final List<CompiledValidation> validations;

    private AdmissionPolicyBinding(String policyName, String bindingName, boolean failClosed, Set<Action> actions,
                                   @Nullable MatchResources constraints, @Nullable MatchResources bindingMatch,
                                   List<CelRule.Named> matchConditionSources, List<CompiledExpression> matchConditions,
                                   List<LazyVariables.Variable> variables, List<CompiledValidation> validations) {
        this.policyName = policyName;
        this.bindingName = bindingName;
        this.failClosed = failClosed;
        this.actions = actions;
        this.constraints = constraints;
        this.bindingMatch = bindingMatch;
        this.matchConditionSources = matchConditionSources;
        this.matchConditions = matchConditions;
        this.variables = variables;
        this.validations = validations;
    }

    public String policyName() {
        return policyName;
    }

    public String bindingName() {
        return bindingName;
    }

    public Set<Action> actions() {
        return actions;
    }

    /**
     * Compiles a policy with one binding; every error is reported with its field path.
     *
     * @throws RuleCompileException listing every error
     */
    public static AdmissionPolicyBinding compile(ValidatingAdmissionPolicy policy, ValidatingAdmissionPolicyBinding binding) {
        List<String> errors = new ArrayList<>();
        var spec = policy.getSpec();
        String name = policy.getMetadata() == null ? null : policy.getMetadata().getName();
        String bname = binding.getMetadata() == null ? null : binding.getMetadata().getName();
        if (spec == null) {
            throw new RuleCompileException(List.of("spec: required"));
        }
        if (spec.getParamKind() != null || binding.getSpec().getParamRef() != null) {
            errors.add((spec.getParamKind() != null ? "spec.paramKind" : "binding " + bname + ": spec.paramRef")
                    + ": parameters are not supported: podguard reads no objects from the cluster to judge; "
                    + "put the values in variables instead");
        }
        Set<Action> actions = new LinkedHashSet<>();
        List<String> given = binding.getSpec().getValidationActions() == null ? List.of() : binding.getSpec().getValidationActions();
        if (given.isEmpty()) {
            errors.add("binding " + bname + ": spec.validationActions: Required value");
        }
        for (String a : given) {
            switch (a) {
                case "Deny" -> actions.add(Action.DENY);
                case "Warn" -> actions.add(Action.WARN);
                case "Audit" -> actions.add(Action.AUDIT);
                default -> errors.add("binding " + bname + ": spec.validationActions: Unsupported value: \"" + a
                        + "\": supported values: \"Audit\", \"Deny\", \"Warn\"");
            }
        }
        KubernetesCel cel = KubernetesCel.get();
        Set<String> declared = new LinkedHashSet<>();
        List<LazyVariables.Variable> vars = new ArrayList<>();
        var specVars = spec.getVariables() == null ? List.<io.fabric8.kubernetes.api.model.admissionregistration.v1.Variable>of() : spec.getVariables();
        for (int i = 0; i < specVars.size(); i++) {
            try {
                vars.add(new LazyVariables.Variable(specVars.get(i).getName(),
                        cel.compile(specVars.get(i).getExpression(), Set.copyOf(declared), KubernetesCel.Result.ANY)));
            } catch (CelRuleException e) {
                errors.add("spec.variables[" + i + "].expression: " + CelRule.oneLine(e.getMessage()));
            }
            declared.add(specVars.get(i).getName());
        }
        List<CelRule.Named> conditionSources = new ArrayList<>();
        List<CompiledExpression> conditions = new ArrayList<>();
        var specConditions = spec.getMatchConditions() == null
                ? List.<io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition>of() : spec.getMatchConditions();
        for (int i = 0; i < specConditions.size(); i++) {
            conditionSources.add(new CelRule.Named(specConditions.get(i).getName(), specConditions.get(i).getExpression()));
            try {
                conditions.add(cel.compile(specConditions.get(i).getExpression(), Set.of(), KubernetesCel.Result.BOOL));
            } catch (CelRuleException e) {
                errors.add("spec.matchConditions[" + i + "].expression: " + CelRule.oneLine(e.getMessage()));
            }
        }
        List<CompiledValidation> validations = new ArrayList<>();
        List<Validation> specValidations = spec.getValidations() == null ? List.of() : spec.getValidations();
        for (int i = 0; i < specValidations.size(); i++) {
            Validation v = specValidations.get(i);
            CompiledExpression e = null;
            CompiledExpression m = null;
            try {
                e = cel.compile(v.getExpression(), declared, KubernetesCel.Result.BOOL);
            } catch (CelRuleException x) {
                errors.add("spec.validations[" + i + "].expression: " + CelRule.oneLine(x.getMessage()));
            }
            if (v.getMessageExpression() != null) {
                try {
                    m = cel.compile(v.getMessageExpression(), declared, KubernetesCel.Result.STRING);
                } catch (CelRuleException x) {
                    errors.add("spec.validations[" + i + "].messageExpression: " + CelRule.oneLine(x.getMessage()));
                }
            }
            validations.add(new CompiledValidation(e, v.getMessage(), m));
        }
        if (specValidations.isEmpty()) {
            errors.add("spec.validations: Required value: validations or auditAnnotations must contain at least one item");
        }
        if (!errors.isEmpty()) {
            throw new RuleCompileException(errors);
        }
        boolean failClosed = !"Ignore".equals(spec.getFailurePolicy());
        return new AdmissionPolicyBinding(name, bname, failClosed, Set.copyOf(actions), spec.getMatchConstraints(),
                binding.getSpec().getMatchResources(), List.copyOf(conditionSources), List.copyOf(conditions), List.copyOf(vars),
                List.copyOf(validations));
    }

    /** Whether the request is in scope of the policy and the binding (resources, namespace, object labels). */
    public boolean matches(RuleInput input) {
        return matches(constraints, input, true) && matches(bindingMatch, input, false);
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

    /** The violations of one request, one per failed validation and action, in the apiserver's words; empty when admitted. */
    public List<Violation> evaluate(RuleInput input, Action action) {
        if (!actions.contains(action) || !matches(input)) {
            return List.of();
        }
        LazyVariables vars = new LazyVariables(variables, input.variablesAsSent());
        CelVariableResolver resolver = vars.resolver();
        KubernetesCel cel = KubernetesCel.get();
        long budget = KubernetesCel.MATCH_CONDITIONS_BUDGET;
        for (int i = 0; i < matchConditions.size(); i++) {
            KubernetesCel.Outcome o = cel.evaluate(matchConditions.get(i), resolver, KubernetesCel.PER_CALL_LIMIT);
            budget -= o.cost();
            if (o.failed()) {
                return failClosed ? List.of(violation(action, "failed to evaluate match condition '"
                        + matchConditionSources.get(i).name() + "': expression '" + matchConditionSources.get(i).expression()
                        + "' resulted in error: " + o.error())) : List.of();
            }
            if (!Boolean.TRUE.equals(o.value())) {
                return List.of();
            }
        }
        budget = KubernetesCel.RUNTIME_BUDGET;
        List<Violation> out = new ArrayList<>(0);
        for (CompiledValidation v : validations) {
            KubernetesCel.Outcome o = cel.evaluate(v.expression(), resolver, KubernetesCel.PER_CALL_LIMIT);
            budget -= o.cost() + vars.takeCost();
            if (budget < 0 || o.outOfBudget()) {
                if (failClosed) {
                    out.add(violation(action, "validation failed due to running out of cost budget, no further validation rules will be run"));
                }
                break;
            }
            if (o.failed()) {
                if (failClosed) {
                    out.add(violation(action, "expression '" + v.expression().source() + "' resulted in error: " + o.error()));
                }
                continue;
            }
            if (Boolean.TRUE.equals(o.value())) {
                continue;
            }
            out.add(violation(action, message(v, resolver, vars)));
        }
        return out;
    }

    private static String message(CompiledValidation v, CelVariableResolver resolver, LazyVariables vars) {
        if (v.messageExpression() != null) {
            KubernetesCel.Outcome m = KubernetesCel.get().evaluate(v.messageExpression(), resolver, KubernetesCel.PER_CALL_LIMIT);
            vars.takeCost();
            if (!m.failed() && m.value() instanceof String s) {
                String text = s.strip();
                if (!text.isEmpty() && text.length() <= KubernetesCel.MAX_MESSAGE_BYTES && text.indexOf('\n') < 0) {
                    return text;
                }
            }
        }
        if (v.message() != null && !v.message().isBlank()) {
            return v.message().strip();
        }
        return "failed expression: " + v.expression().source().strip();
    }

    /** The apiserver's sentence: a denial, a warning, or an audit record. */
    private Violation violation(Action action, String message) {
        String text = switch (action) {
            case DENY -> "ValidatingAdmissionPolicy '" + policyName + "' with binding '" + bindingName + "' denied request: " + message;
            case WARN -> "Validation failed for ValidatingAdmissionPolicy '" + policyName + "' with binding '" + bindingName + "': " + message;
            case AUDIT -> message;
        };
        return new Violation(policyName, "", REASON + policyName, text);
    }
}

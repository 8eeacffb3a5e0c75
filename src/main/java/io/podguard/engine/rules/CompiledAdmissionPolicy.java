package io.podguard.engine.rules;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.AuditAnnotation;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchResources;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.Validation;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.Variable;
import io.podguard.engine.Text;
import java.util.ArrayList;
import dev.cel.common.types.CelType;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A ValidatingAdmissionPolicy compiled once, and refused as the apiserver refuses it when it is
 * created (k8s.io/kubernetes {@code pkg/apis/admissionregistration/validation}): every
 * expression compiled and type-checked (variables, match conditions, validations, message
 * expressions, audit annotations' value expressions), and the fields the apiserver checks
 * beside them (failure policy, reasons, messages, audit annotation keys, variable and condition
 * names). What one request makes of it is {@link AdmissionPolicyBinding}'s.
 *
 * @param name the policy's name
 * @param failClosed {@code failurePolicy: Fail} (the default): an expression that fails denies
 */
public record CompiledAdmissionPolicy(String name, boolean failClosed, @Nullable MatchResources constraints,
                                      MatchConditions matchConditions, List<LazyVariables.Variable> variables,
                                      List<CompiledValidation> validations, List<CompiledAuditAnnotation> auditAnnotations) {

    /** The reasons a validation may give, as the apiserver allows them. */
    static final List<String> REASONS = List.of("Forbidden", "Invalid", "RequestEntityTooLarge");
    /** The apiserver's limits on audit annotations. */
    static final int MAX_AUDIT_ANNOTATIONS = 20;
    static final int MAX_VALUE_EXPRESSION_LENGTH = 5 * 1024;
    static final int MAX_MATCH_CONDITIONS = 64;

    private static final Pattern CEL_IDENT = Pattern.compile("[_a-zA-Z][_a-zA-Z0-9]*");
    private static final Set<String> CEL_RESERVED = Set.of("true", "false", "null", "in", "as", "break", "const", "continue", "else",
            "for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while");

    /**
     * A validation.
     *
     * @param reason the status reason of its denial ({@code Invalid} when unset)
     */
    public record CompiledValidation(CompiledExpression expression, @Nullable String message,
                                     @Nullable CompiledExpression messageExpression, String reason) {
    }

    /** An audit annotation: its key and value expression. */
    public record CompiledAuditAnnotation(String key, CompiledExpression valueExpression) {
    }

    public CompiledAdmissionPolicy {
        variables = List.copyOf(variables);
        validations = List.copyOf(validations);
        auditAnnotations = List.copyOf(auditAnnotations);
    }

    /**
     * Compiles {@code policy}.
     *
     * @throws RuleCompileException with every error, each starting with its field path
     */
    public static CompiledAdmissionPolicy compile(ValidatingAdmissionPolicy policy) {
        List<String> errors = new ArrayList<>();
        var spec = policy.getSpec();
        String name = policy.getMetadata() == null ? "" : Text.orEmpty(policy.getMetadata().getName());
        if (spec == null) {
            throw new RuleCompileException(List.of("spec: Required value"));
        }
        if (spec.getParamKind() != null) {
            errors.add("spec.paramKind: parameters are not supported: podguard reads no objects from the cluster to judge; "
                    + "put the values in variables instead");
        }
        String failurePolicy = spec.getFailurePolicy();
        if (failurePolicy != null && !failurePolicy.equals("Fail") && !failurePolicy.equals("Ignore")) {
            errors.add("spec.failurePolicy: Unsupported value: \"" + failurePolicy + "\": supported values: \"Fail\", \"Ignore\"");
        }
        if (spec.getMatchConstraints() == null) {
            errors.add("spec.matchConstraints: Required value");
        } else if (Text.orEmpty(spec.getMatchConstraints().getResourceRules()).isEmpty()) {
            errors.add("spec.matchConstraints.resourceRules: Required value");
        }
        KubernetesCel cel = KubernetesCel.get();
        MatchConditions conditions = matchConditions(Text.orEmpty(spec.getMatchConditions()), "spec.matchConditions", errors);

        // a policy without variables has no `variables` at all; with some, each sees those before it, typed
        Map<String, CelType> declared = new LinkedHashMap<>();
        List<LazyVariables.Variable> vars = new ArrayList<>();
        List<Variable> specVars = Text.orEmpty(spec.getVariables());
        for (int i = 0; i < specVars.size(); i++) {
            Variable v = specVars.get(i);
            String path = "spec.variables[" + i + "]";
            String vname = Text.orEmpty(v.getName());
            if (vname.isBlank()) {
                errors.add(path + ".name: Required value: name is not specified");
            } else if (!CEL_IDENT.matcher(vname).matches() || CEL_RESERVED.contains(vname)) {
                errors.add(path + ".name: Invalid value: \"" + vname + "\": must be a valid CEL identifier");
            }
            if (Text.orEmpty(v.getExpression()).isBlank()) {
                errors.add(path + ".expression: Required value: expression is not specified");
            } else {
                try {
                    CompiledExpression compiled = cel.compile(v.getExpression(), KubernetesCel.Scope.of(declared), KubernetesCel.Result.ANY);
                    vars.add(new LazyVariables.Variable(vname, compiled));
                    declared.put(vname, KubernetesTypes.variableType(compiled.type()));
                    continue;
                } catch (CelRuleException e) {
                    errors.add(path + ".expression: " + CelRule.oneLine(e.getMessage()));
                }
            }
            declared.put(vname, dev.cel.common.types.SimpleType.DYN);
        }
        KubernetesCel.Scope scope = KubernetesCel.Scope.of(specVars.isEmpty() ? null : declared);

        List<Validation> specValidations = Text.orEmpty(spec.getValidations());
        List<AuditAnnotation> specAnnotations = Text.orEmpty(spec.getAuditAnnotations());
        if (specValidations.isEmpty() && specAnnotations.isEmpty()) {
            errors.add("spec.validations: Required value: validations or auditAnnotations must contain at least one item");
            errors.add("spec.auditAnnotations: Required value: validations or auditAnnotations must contain at least one item");
        }
        List<CompiledValidation> validations = new ArrayList<>();
        for (int i = 0; i < specValidations.size(); i++) {
            CompiledValidation v = validation(specValidations.get(i), "spec.validations[" + i + "]", scope, errors);
            if (v != null) {
                validations.add(v);
            }
        }
        List<CompiledAuditAnnotation> annotations = new ArrayList<>();
        if (specAnnotations.size() > MAX_AUDIT_ANNOTATIONS) {
            errors.add("spec.auditAnnotations: Invalid value: must not have more than " + MAX_AUDIT_ANNOTATIONS + " auditAnnotations");
        }
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < specAnnotations.size(); i++) {
            AuditAnnotation a = specAnnotations.get(i);
            String path = "spec.auditAnnotations[" + i + "]";
            String key = Text.orEmpty(a.getKey());
            for (String m : KubernetesFormats.qualifiedName(name + "/" + key)) {
                errors.add(path + ".key: Invalid value: \"" + name + "/" + key + "\": " + m);
            }
            String recorded = AuditAnnotationKeys.recorded(name, key);
            if (recorded.length() > AuditAnnotationKeys.MAX_KEY) {
                errors.add(path + ".key: podguard records this annotation as \"" + recorded + "\" (the policy's name, '_', the key), "
                        + "which the apiserver allows at most " + AuditAnnotationKeys.MAX_KEY + " characters: shorten the key or the policy's name");
            }
            if (!keys.add(key)) {
                errors.add(path + ".key: Duplicate value: \"" + key + "\"");
            }
            String value = Text.orEmpty(a.getValueExpression());
            String trimmed = GoStrings.trimSpace(value);
            if (trimmed.isEmpty()) {
                errors.add(path + ".valueExpression: Required value: valueExpression is not specified");
            } else if (GoStrings.byteLength(trimmed) > MAX_VALUE_EXPRESSION_LENGTH) {
                errors.add(path + ".valueExpression: Required value: must not exceed " + MAX_VALUE_EXPRESSION_LENGTH + " bytes in length");
            } else {
                try {
                    // refused as the apiserver refuses it (trimmed: its positions), run as it runs it (as written: its words)
                    CompiledExpression compiled = cel.compile(trimmed, scope, KubernetesCel.Result.STRING_OR_NULL);
                    annotations.add(new CompiledAuditAnnotation(key, trimmed.equals(value) ? compiled
                            : cel.compile(value, scope, KubernetesCel.Result.STRING_OR_NULL)));
                } catch (CelRuleException e) {
                    errors.add(path + ".valueExpression: " + CelRule.oneLine(e.getMessage()));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new RuleCompileException(errors);
        }
        return new CompiledAdmissionPolicy(name, !"Ignore".equals(failurePolicy), spec.getMatchConstraints(), conditions, vars,
                validations, annotations);
    }

    private static @Nullable CompiledValidation validation(Validation v, String path, KubernetesCel.Scope scope, List<String> errors) {
        KubernetesCel cel = KubernetesCel.get();
        CompiledExpression expression = null;
        CompiledExpression messageExpression = null;
        int before = errors.size();
        if (GoStrings.trimSpace(Text.orEmpty(v.getExpression())).isEmpty()) {
            errors.add(path + ".expression: Required value: expression is not specified");
        } else {
            try {
                expression = cel.compile(v.getExpression(), scope, KubernetesCel.Result.BOOL);
            } catch (CelRuleException x) {
                errors.add(path + ".expression: " + CelRule.oneLine(x.getMessage()));
            }
        }
        String messageExpressionSource = Text.orEmpty(v.getMessageExpression());
        if (!messageExpressionSource.isEmpty() && GoStrings.trimSpace(messageExpressionSource).isEmpty()) {
            errors.add(path + ".messageExpression: Invalid value: must be non-empty if specified");
        } else if (!messageExpressionSource.isEmpty()) {
            try {
                messageExpression = cel.compile(messageExpressionSource, scope.withoutAuthorizer(), KubernetesCel.Result.STRING);
            } catch (CelRuleException x) {
                errors.add(path + ".messageExpression: " + CelRule.oneLine(x.getMessage()));
            }
        }
        String message = Text.orEmpty(v.getMessage());
        String trimmedMessage = GoStrings.trimSpace(message);
        if (!message.isEmpty() && trimmedMessage.isEmpty()) {
            errors.add(path + ".message: Invalid value: must be non-empty if specified");
        } else if (trimmedMessage.indexOf('\n') >= 0 || trimmedMessage.indexOf('\r') >= 0) {
            errors.add(path + ".message: Invalid value: must not contain line breaks");
        }
        String reason = v.getReason();
        if (reason != null && !REASONS.contains(reason)) {
            errors.add(path + ".reason: Unsupported value: \"" + reason + "\": supported values: \"Forbidden\", \"Invalid\", \"RequestEntityTooLarge\"");
        }
        if (errors.size() > before || expression == null) {
            return null;
        }
        return new CompiledValidation(expression, v.getMessage(), messageExpression, reason == null ? "Invalid" : reason);
    }

    /** A policy's match conditions, compiled, with the apiserver's checks of their names and number. */
    static MatchConditions matchConditions(List<MatchCondition> given, String path, List<String> errors) {
        if (given.size() > MAX_MATCH_CONDITIONS) {
            errors.add(path + ": Too many: " + given.size() + ": must have at most " + MAX_MATCH_CONDITIONS + " items");
        }
        List<CelRule.Named> sources = new ArrayList<>();
        List<CompiledExpression> compiled = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < given.size(); i++) {
            MatchCondition c = given.get(i);
            String at = path + "[" + i + "]";
            String cname = Text.orEmpty(c.getName());
            String expression = GoStrings.trimSpace(Text.orEmpty(c.getExpression()));
            if (expression.isEmpty()) {
                errors.add(at + ".expression: Required value");
            } else {
                try {
                    // as the apiserver checks a new policy's match conditions: without its variables
                    compiled.add(KubernetesCel.get().compile(expression, KubernetesCel.Scope.NONE, KubernetesCel.Result.BOOL));
                    sources.add(new CelRule.Named(cname, c.getExpression()));
                } catch (CelRuleException e) {
                    errors.add(at + ".expression: " + CelRule.oneLine(e.getMessage()));
                }
            }
            if (cname.isEmpty()) {
                errors.add(at + ".name: Required value");
            } else {
                for (String m : KubernetesFormats.qualifiedName(cname)) {
                    errors.add(at + ".name: Invalid value: \"" + cname + "\": " + m);
                }
                if (!names.add(cname)) {
                    errors.add(at + ".name: Duplicate value: \"" + cname + "\"");
                }
            }
        }
        return new MatchConditions(sources, compiled);
    }
}

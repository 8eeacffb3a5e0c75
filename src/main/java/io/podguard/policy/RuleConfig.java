package io.podguard.policy;

import io.podguard.engine.Mode;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One entry of {@code rules}: a CEL expression that must be true of every pod (and of the pod
 * template of every workload), in the language and with the composition of a
 * ValidatingAdmissionPolicy's validation. docs/rules.md describes it.
 *
 * @param id the rule's id: in messages ({@code violates rule "no-latest": …}), metrics, reports
 *     and exemptions ({@code checks: [no-latest]})
 * @param expression CEL over {@code object}, {@code oldObject}, {@code request},
 *     {@code namespaceObject} and {@code variables}; true means allowed
 * @param message what a violation says; default {@code failed expression: EXPRESSION}
 * @param messageExpression CEL giving the message; used when it yields a non-empty single line
 * @param variables named CEL expressions the others read as {@code variables.NAME}
 * @param matchConditions CEL expressions that must all be true for the rule to apply
 * @param mode the mode the rule judges in; default: the policy's {@code mode}
 */
public record RuleConfig(
        String id,
        String expression,
        @Nullable String message,
        @Nullable String messageExpression,
        @Nullable List<NamedExpression> variables,
        @Nullable List<NamedExpression> matchConditions,
        @Nullable Mode mode) {

    public RuleConfig {
        variables = variables == null ? List.of() : List.copyOf(variables);
        matchConditions = matchConditions == null ? List.of() : List.copyOf(matchConditions);
    }

    /** A named CEL expression: a variable or a match condition. */
    public record NamedExpression(String name, String expression) {
    }
}

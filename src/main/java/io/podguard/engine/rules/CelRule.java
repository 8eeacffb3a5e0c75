package io.podguard.engine.rules;

import dev.cel.runtime.CelVariableResolver;
import io.podguard.engine.Violation;
import java.util.ArrayList;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A policy rule in CEL: an expression that must be true of a pod, compiled once when the policy
 * loads, with the composition of a ValidatingAdmissionPolicy (variables, match conditions, a
 * message or message expression). Its evaluation follows the apiserver's: match conditions first
 * (all true, or the rule does not apply), then the expression; an error fails the rule (as
 * {@code failurePolicy: Fail}) with the apiserver's words.
 *
 * @param id the rule's id, as exemptions ({@code checks: [id]}), messages and metrics name it
 */
public final class CelRule {

    /** The start of a rule's violation reason ({@code rule "no-latest"}), which tells them from Pod Security Standards ones. */
    public static final String REASON = "rule \"";

    /** A named expression of the policy (a variable or a match condition). */
    public record Named(String name, String expression) {
    }

    private final String id;
    private final CompiledExpression expression;
    private final List<LazyVariables.Variable> variables;
    private final List<Named> matchConditionSources;
    private final List<CompiledExpression> matchConditions;
    /** The two, made once. */
    private final MatchConditions conditions;
    /** The expression and the message expression, each a batch of one, made once. */
    private final List<CompiledExpression> expressionBatch;
    private final @Nullable List<CompiledExpression> messageBatch;
    private final @Nullable String message;
    private final @Nullable CompiledExpression messageExpression;
    /**
     * The largest input ({@link RuleInput#sizes()}) this rule provably runs within the apiserver's
     * cost limit and budgets for, so without the cost tracker ({@link CostBound}); null: always tracked.
     */
    private final CostBound.@Nullable Size untrackedUpTo;
    /** What the rule's expressions read of the pod ({@link CelReads}). */
    private final CelProjection reads;

    private CelRule(String id, CompiledExpression expression, List<LazyVariables.Variable> variables, List<Named> matchConditionSources,
                    List<CompiledExpression> matchConditions, @Nullable String message, @Nullable CompiledExpression messageExpression) {
        this.id = id;
        this.expression = expression;
        this.variables = variables;
        this.matchConditionSources = matchConditionSources;
        this.matchConditions = matchConditions;
        this.conditions = new MatchConditions(matchConditionSources, matchConditions);
        this.expressionBatch = List.of(expression);
        this.messageBatch = messageExpression == null ? null : List.of(messageExpression);
        this.message = message;
        this.messageExpression = messageExpression;
        this.untrackedUpTo = untrackedUpTo();
        CelReads r = new CelReads();
        variables.forEach(v -> r.variable(v.name(), v.expression()));
        matchConditions.forEach(r::expression);
        r.expression(expression);
        if (messageExpression != null) {
            r.expression(messageExpression);
        }
        this.reads = r.projection();
    }

    /** The rule's variables, in order. */
    List<LazyVariables.Variable> variables() {
        return variables;
    }

    /** The rule's compiled expressions other than its variables': match conditions, the expression, its message expression. */
    List<CompiledExpression> judging() {
        List<CompiledExpression> out = deciding();
        if (messageExpression != null) {
            out.add(messageExpression);
        }
        return out;
    }

    /** The expressions that decide whether the rule holds: its match conditions, then its expression. */
    List<CompiledExpression> deciding() {
        List<CompiledExpression> out = new ArrayList<>(matchConditions);
        out.add(expression);
        return out;
    }

    /** What the rule's expressions read of the pod, {@code object} (a workload's template dressed as a Pod). */
    CelProjection reads() {
        return reads;
    }

    /** The largest input within which nothing of this rule can reach a limit ({@link CostProof}); null: none. */
    private CostBound.@Nullable Size untrackedUpTo() {
        return CostProof.largest(this::provablyWithinLimits);
    }

    /**
     * Whether, for any input within {@code box}, no expression of this rule can pass the
     * per-expression limit, the match conditions their budget, nor the expression and its
     * message expression theirs (each batch pays for the variables it reads, so twice for the two).
     */
    boolean provablyWithinLimits(CostBound.Size box) {
        java.util.List<CompiledExpression> validation = new java.util.ArrayList<>(2);
        validation.add(expression);
        validation.add(messageExpression);
        return CostProof.withinLimits(box, variables, List.of(
                new CostProof.Batch(new java.util.ArrayList<>(matchConditions), KubernetesCel.MATCH_CONDITIONS_BUDGET, 1),
                new CostProof.Batch(validation, KubernetesCel.RUNTIME_BUDGET, 2)));
    }

    /** Whether this rule judges an input of {@code sizes} without the cost tracker. */
    boolean untracked(CostBound.Size sizes) {
        return untrackedUpTo != null && sizes.within(untrackedUpTo);
    }

    /**
     * Compiles a rule; every error is reported, each with its field ({@code expression},
     * {@code variables[1].expression}, …) and CEL's message.
     *
     * @throws RuleCompileException listing every error
     */
    public static CelRule compile(String id, String expression, List<Named> variables, List<Named> matchConditions,
                                  @Nullable String message, @Nullable String messageExpression) {
        List<String> errors = new ArrayList<>();
        KubernetesCel cel = KubernetesCel.get();
        // as in a ValidatingAdmissionPolicy: no variables, no `variables`; else each sees those before it, typed
        Map<String, CelType> declared = new LinkedHashMap<>();
        List<LazyVariables.Variable> vars = new ArrayList<>();
        for (int i = 0; i < variables.size(); i++) {
            Named v = variables.get(i);
            CelType type = SimpleType.DYN;
            try {
                CompiledExpression c = compileBounded(cel, v.expression(), KubernetesCel.Scope.of(declared), KubernetesCel.Result.ANY);
                vars.add(new LazyVariables.Variable(v.name(), c));
                type = KubernetesTypes.variableType(c.type());
            } catch (CelRuleException e) {
                errors.add("variables[" + i + "].expression: " + oneLine(e.getMessage()));
            }
            declared.put(v.name(), type);
        }
        KubernetesCel.Scope scope = KubernetesCel.Scope.of(variables.isEmpty() ? null : declared);
        List<CompiledExpression> conditions = new ArrayList<>();
        for (int i = 0; i < matchConditions.size(); i++) {
            try {
                // unlike a ValidatingAdmissionPolicy's, a rule's match conditions may read its variables
                conditions.add(compileBounded(cel, matchConditions.get(i).expression(), scope, KubernetesCel.Result.BOOL));
            } catch (CelRuleException e) {
                errors.add("matchConditions[" + i + "].expression: " + oneLine(e.getMessage()));
            }
        }
        CompiledExpression compiled = null;
        try {
            compiled = compileBounded(cel, expression, scope, KubernetesCel.Result.BOOL);
        } catch (CelRuleException e) {
            errors.add("expression: " + oneLine(e.getMessage()));
        }
        CompiledExpression messageCompiled = null;
        if (messageExpression != null) {
            try {
                messageCompiled = compileBounded(cel, messageExpression, scope.withoutAuthorizer(), KubernetesCel.Result.STRING);
            } catch (CelRuleException e) {
                errors.add("messageExpression: " + oneLine(e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw new RuleCompileException(errors);
        }
        return new CelRule(id, compiled, List.copyOf(vars), List.copyOf(matchConditions), List.copyOf(conditions), message, messageCompiled);
    }

    /** A rule's expression: at most {@value KubernetesCel#MAX_EXPRESSION_LENGTH} characters, then compiled. */
    private static CompiledExpression compileBounded(KubernetesCel cel, String expression, KubernetesCel.Scope scope,
                                                     KubernetesCel.Result result) {
        if (expression.length() > KubernetesCel.MAX_EXPRESSION_LENGTH) {
            throw new CelRuleException("expression is " + expression.length() + " characters long, the limit is "
                    + KubernetesCel.MAX_EXPRESSION_LENGTH);
        }
        return cel.compile(expression, scope, result);
    }

    /**
     * CEL's report as one line per error, for a policy's field paths: {@code compilation failed:
     * ERROR: <input>:1:1: undeclared reference to 'objct' (in container '') | objct | ^} becomes
     * {@code undeclared reference to 'objct' (at 1:1)}.
     */
    static String oneLine(String message) {
        String m = message.startsWith("compilation failed: ") ? message.substring("compilation failed: ".length()) : message;
        List<String> out = new ArrayList<>();
        for (String line : m.split("\n")) {
            java.util.regex.Matcher e = ERROR_LINE.matcher(line);
            if (e.matches()) {
                out.add(e.group(3).replace(" (in container '')", "") + " (at " + e.group(1) + ":" + e.group(2) + ")");
            } else if (!line.startsWith(" |")) {
                out.add(line);
            }
        }
        return String.join("; ", out);
    }

    private static final java.util.regex.Pattern ERROR_LINE = java.util.regex.Pattern.compile("^ERROR: <input>:(\\d+):(\\d+): (.*)$");

    public String id() {
        return id;
    }

    public String expression() {
        return expression.source();
    }

    /** The rule's judgement of one request: null when it passes or does not apply, else its violation. */
    public @Nullable Violation evaluate(RuleInput input) {
        CelProjection sent = reads.asSent(input.pod().podPointer());
        return evaluate(input.variables(sent), input.sizes(sent));
    }

    /**
     * The rule's judgement with the variables of {@link RuleInput#variables()}, built once for
     * all rules: the match conditions, the expression and its message expression, each a batch
     * with its own budget as the apiserver evaluates a validation ({@link ExpressionBatch}).
     */
    public @Nullable Violation evaluate(CelVariableResolver base) {
        return evaluate(base, CostBound.Size.UNKNOWN);
    }

    /**
     * The same, for an input of {@code sizes} ({@link RuleInput#sizes()}): without the cost
     * tracker when the rule's {@link CostBound} proves no limit can be reached for it.
     */
    @Nullable Violation evaluate(CelVariableResolver base, CostBound.Size sizes) {
        boolean tracked = !untracked(sizes);
        if (!tracked) {
            // the common case, unmetered: the match conditions and the expression without batches
            // around them, the variables shared (each is evaluated once either way, and costs
            // nothing here); an error takes the general path below, which words it
            CelVariableResolver r = variables.isEmpty() ? base : new LazyVariables(variables, base, false).resolver();
            boolean undecided = false;
            for (int i = 0; i < matchConditions.size(); i++) {
                Object v = quietly(matchConditions.get(i), r);
                if (Boolean.FALSE.equals(v)) {
                    // any false: the rule does not apply, whatever the others gave
                    return null;
                }
                undecided |= !Boolean.TRUE.equals(v);
            }
            if (!undecided) {
                Object value = quietly(expression, r);
                if (Boolean.TRUE.equals(value)) {
                    return null;
                }
                if (Boolean.FALSE.equals(value)) {
                    return denied(base, KubernetesCel.RUNTIME_BUDGET, false);
                }
            }
        }
        MatchConditions.Decision match = conditions.decide(variables, base, tracked);
        if (match.error() != null) {
            String why = match.failedCondition() == null ? match.error()
                    : "failed to evaluate match condition '" + match.failedCondition() + "': " + match.error();
            return violation(why);
        }
        if (!match.matches()) {
            return null;
        }
        ExpressionBatch.Outcome result = ExpressionBatch.run(expressionBatch, variables, base, KubernetesCel.RUNTIME_BUDGET, tracked);
        if (result.outOfBudget()) {
            return violation(ExpressionBatch.OUT_OF_BUDGET);
        }
        ExpressionBatch.Result r = result.results().getFirst();
        if (r.failed()) {
            return violation(r.error());
        }
        if (Boolean.TRUE.equals(r.value())) {
            // unlike the apiserver, a passing rule's message expression is not evaluated: its cost is spared
            return null;
        }
        return denied(base, result.remaining(), tracked);
    }

    /** The value of {@code e} without the cost tracker, null when it fails. */
    private static @Nullable Object quietly(CompiledExpression e, CelVariableResolver vars) {
        KubernetesCel.Outcome o = KubernetesCel.get().evaluate(e, vars, KubernetesCel.PER_CALL_LIMIT, false);
        return o.failed() ? null : o.value();
    }

    /** The violation of a rule whose expression is false: its message expression's, else its message, else CEL's words. */
    private Violation denied(CelVariableResolver base, long remaining, boolean tracked) {
        ExpressionBatch.Result m = null;
        if (messageBatch != null) {
            ExpressionBatch.Outcome message = ExpressionBatch.run(messageBatch, variables, base, remaining, tracked);
            if (message.outOfBudget()) {
                return violation("failed messageExpression: " + ExpressionBatch.OUT_OF_BUDGET);
            }
            m = message.results().getFirst();
        }
        return violation(FailureMessage.of(m, message, expression.source()));
    }

    private Violation violation(String text) {
        return new Violation(id, "spec", REASON + id + "\"", text);
    }
}

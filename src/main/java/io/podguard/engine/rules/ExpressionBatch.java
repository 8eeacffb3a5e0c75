package io.podguard.engine.rules;

import dev.cel.runtime.CelVariableResolver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A list of expressions evaluated in turn against one cost budget, as the apiserver's
 * {@code ConditionEvaluator.ForInput} does for a policy's match conditions, its validations,
 * its message expressions and its audit annotations: the variables the expressions read are
 * evaluated once for the batch and paid for from its budget; each expression runs under the
 * per-expression limit ({@code operation cancelled: actual cost limit exceeded} is an error of
 * that expression); when what was spent passes the budget, the whole batch stops with
 * {@value #OUT_OF_BUDGET}.
 */
final class ExpressionBatch {

    /** The apiserver's words when a batch runs out of its budget. */
    static final String OUT_OF_BUDGET = "validation failed due to running out of cost budget, no further validation rules will be run";

    /**
     * One expression's evaluation: its value, or its error in the apiserver's words
     * ({@code expression 'X' resulted in error: …}). Null in {@link Outcome#results()} for an
     * empty slot (a validation without a message expression).
     */
    record Result(@Nullable Object value, @Nullable String error) {
        boolean failed() {
            return error != null;
        }
    }

    /**
     * The batch: a result per expression and the budget left; or, when the budget ran out,
     * {@link #outOfBudget()} and no results.
     */
    record Outcome(List<@Nullable Result> results, long remaining, boolean outOfBudget) {
    }

    private ExpressionBatch() {
    }

    /**
     * Evaluates {@code expressions} (null entries are skipped) with fresh {@code variables} over
     * {@code base}, spending at most {@code budget}.
     */
    static Outcome run(List<@Nullable CompiledExpression> expressions, List<LazyVariables.Variable> variables,
                       CelVariableResolver base, long budget) {
        return run(expressions, variables, base, budget, true);
    }

    /**
     * The same; {@code tracked} false runs the expressions and variables without the cost
     * tracker, each costing 0: only when {@link CostBound} proves that neither the per-expression
     * limit nor the budget can be reached ({@link CelRule}).
     */
    static Outcome run(List<@Nullable CompiledExpression> expressions, List<LazyVariables.Variable> variables,
                       CelVariableResolver base, long budget, boolean tracked) {
        if (expressions.isEmpty()) {
            return new Outcome(List.of(), budget, false);
        }
        // without variables no expression can read `variables` (the checker refuses it): none made
        LazyVariables vars = variables.isEmpty() ? null : new LazyVariables(variables, base, tracked);
        CelVariableResolver resolver = vars == null ? base : vars.resolver();
        KubernetesCel cel = KubernetesCel.get();
        List<@Nullable Result> results = new ArrayList<>(expressions.size());
        long remaining = budget;
        for (CompiledExpression e : expressions) {
            if (e == null) {
                results.add(null);
                continue;
            }
            KubernetesCel.Outcome o = cel.evaluate(e, resolver, KubernetesCel.PER_CALL_LIMIT, tracked);
            long composition = vars == null ? 0 : vars.takeCost();
            if (composition > remaining) {
                return new Outcome(List.of(), -1, true);
            }
            remaining -= composition;
            if (o.cost() > remaining) {
                return new Outcome(List.of(), -1, true);
            }
            remaining -= o.cost();
            results.add(o.failed() ? new Result(null, "expression '" + e.source() + "' resulted in error: " + o.error())
                    : new Result(o.value(), null));
        }
        return new Outcome(Collections.unmodifiableList(results), remaining, false);
    }
}

package io.podguard.engine.rules;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Whether a composition of expressions (a rule, or a ValidatingAdmissionPolicy) can run without
 * the cost tracker: for every input within a size, {@link CostBound} proves that no expression
 * reaches the apiserver's per-expression limit and no batch its budget, so that metering could
 * change no outcome. The size is the largest step of a ladder for which the proof holds.
 */
final class CostProof {

    /**
     * One batch of expressions evaluated against one budget ({@link ExpressionBatch}), which pays
     * for the variables it reads: {@code variablePayments} times, where batches share a budget
     * (validations and their message expressions).
     */
    record Batch(List<@Nullable CompiledExpression> expressions, long budget, int variablePayments) {
    }

    private static final int STEPS = 20;

    private CostProof() {
    }

    /**
     * Step {@code k} of the ladder: from 8 entries per list or map, 128 bytes per string and a
     * traversal cost of 2,048 (a 3 KB pod with a few containers), each step twice the one before.
     */
    static CostBound.Size step(int k) {
        double f = Math.scalb(1.0, k);
        return new CostBound.Size(8 * f, 128 * f, 2048 * f);
    }

    /** The largest step of the ladder within which the composition provably stays within its limits; null: none. */
    static CostBound.@Nullable Size untrackedUpTo(List<LazyVariables.Variable> variables, List<Batch> batches) {
        return largest(box -> withinLimits(box, variables, batches));
    }

    static CostBound.@Nullable Size largest(Predicate<CostBound.Size> holds) {
        CostBound.Size found = null;
        for (int k = 0; k < STEPS; k++) {
            CostBound.Size box = step(k);
            if (!holds.test(box)) {
                break;
            }
            found = box;
        }
        return found;
    }

    /**
     * Whether, for any input within {@code box}, each variable and each expression stays within
     * the per-expression limit and each batch, with the variables it pays for, within its budget.
     */
    static boolean withinLimits(CostBound.Size box, List<LazyVariables.Variable> variables, List<Batch> batches) {
        Map<String, CostBound.Size> sizes = new HashMap<>();
        double variablesCost = 0;
        for (LazyVariables.Variable v : variables) {
            double c = v.expression().bound().cost(box, sizes);
            if (!(c <= KubernetesCel.PER_CALL_LIMIT)) {
                return false;
            }
            variablesCost += c;
            sizes.put(v.name(), v.expression().bound().result(box, sizes));
        }
        for (Batch b : batches) {
            if (b.expressions().stream().allMatch(java.util.Objects::isNull)) {
                // a batch of nothing is not run
                continue;
            }
            double total = b.variablePayments() * variablesCost;
            for (CompiledExpression e : b.expressions()) {
                if (e == null) {
                    continue;
                }
                double c = e.bound().cost(box, sizes);
                if (!(c <= KubernetesCel.PER_CALL_LIMIT)) {
                    return false;
                }
                total += c;
            }
            if (!(total <= b.budget())) {
                return false;
            }
        }
        return true;
    }
}

package io.podguard.engine.rules;

import dev.cel.runtime.CelVariableResolver;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A policy's {@code matchConditions}, decided as the apiserver's {@code matchconditions.Matcher}
 * decides them: every condition is evaluated (one batch, within the match conditions' budget);
 * any {@code false} means the policy does not apply, even when another condition failed; else
 * any failure is an error (the failures' messages, Go's aggregate of them: one alone, several as
 * {@code [a, b]}); else the policy applies.
 *
 * @param sources the conditions as written, for their names
 */
record MatchConditions(List<CelRule.Named> sources, List<CompiledExpression> compiled) {

    static final MatchConditions NONE = new MatchConditions(List.of(), List.of());

    MatchConditions {
        sources = List.copyOf(sources);
        compiled = List.copyOf(compiled);
    }

    /**
     * The decision: the policy applies, does not apply, or could not be decided.
     *
     * @param error why it could not be decided (null when decided)
     * @param failedCondition the name of the first condition that failed (for podguard's own rules' words)
     */
    record Decision(boolean matches, @Nullable String error, @Nullable String failedCondition) {
        static final Decision MATCH = new Decision(true, null, null);
        static final Decision NO_MATCH = new Decision(false, null, null);
    }

    /** Decides with fresh {@code variables} over {@code base}. */
    Decision decide(List<LazyVariables.Variable> variables, CelVariableResolver base) {
        return decide(variables, base, true);
    }

    /** The same; {@code tracked} as {@link ExpressionBatch#run(List, List, CelVariableResolver, long, boolean)}. */
    Decision decide(List<LazyVariables.Variable> variables, CelVariableResolver base, boolean tracked) {
        if (compiled.isEmpty()) {
            return Decision.MATCH;
        }
        ExpressionBatch.Outcome batch = ExpressionBatch.run(compiled, variables, base,
                KubernetesCel.MATCH_CONDITIONS_BUDGET, tracked);
        if (batch.outOfBudget()) {
            return new Decision(false, ExpressionBatch.OUT_OF_BUDGET, null);
        }
        Set<String> errors = null;
        String firstFailed = null;
        for (int i = 0; i < batch.results().size(); i++) {
            ExpressionBatch.Result r = batch.results().get(i);
            if (r == null) {
                continue;
            }
            if (r.failed()) {
                if (errors == null) {
                    errors = new LinkedHashSet<>();
                }
                errors.add(r.error());
                if (firstFailed == null) {
                    firstFailed = sources.get(i).name();
                }
            } else if (Boolean.FALSE.equals(r.value())) {
                return Decision.NO_MATCH;
            }
        }
        if (errors == null) {
            return Decision.MATCH;
        }
        // utilerrors.NewAggregate: one message alone, several (without repeats) in brackets
        String error = errors.size() == 1 ? errors.iterator().next() : "[" + String.join(", ", errors) + "]";
        return new Decision(false, error, firstFailed);
    }
}

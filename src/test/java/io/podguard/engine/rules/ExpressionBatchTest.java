package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A batch of expressions against one budget: the per-expression limit is an error, the budget stops the batch. */
class ExpressionBatchTest {

    private static CompiledExpression compile(String expression, Set<String> variables) {
        Map<String, dev.cel.common.types.CelType> typed = new java.util.LinkedHashMap<>();
        variables.forEach(v -> typed.put(v, dev.cel.common.types.SimpleType.DYN));
        return KubernetesCel.get().compile(expression, KubernetesCel.Scope.of(variables.isEmpty() ? null : typed), KubernetesCel.Result.ANY);
    }

    /** 50,001 characters against a 1,000-character pattern: 5,001 × 250 = 1,250,250, past the per-expression limit, at once. */
    private static final String COSTLY = "(lists.range(10000).map(i, 'abcde').join('') + 'x').matches('" + "q".repeat(1000) + "')";

    @Test
    void runWhenOneExpressionPassesThePerExpressionLimitThenThatExpressionsError() {
        ExpressionBatch.Outcome o = ExpressionBatch.run(Arrays.asList(compile("1 + 1", Set.of()), null, compile(COSTLY, Set.of())),
                List.of(), KubernetesCel.resolver(Map.of()), KubernetesCel.RUNTIME_BUDGET);

        assertThat(o.outOfBudget()).isFalse();
        assertThat(o.results().get(0)).isEqualTo(new ExpressionBatch.Result(2L, null));
        assertThat(o.results().get(1)).isNull();
        assertThat(o.results().get(2).error())
                .isEqualTo("expression '" + COSTLY + "' resulted in error: operation cancelled: actual cost limit exceeded");
    }

    @Test
    void runWhenVariablesAreReadThenEvaluatedOnceAndPaidOnceEvenWhenTheyFail() {
        List<LazyVariables.Variable> vars = List.of(new LazyVariables.Variable("slow", compile(COSTLY, Set.of())));
        List<CompiledExpression> twice = List.of(compile("variables.slow", Set.of("slow")), compile("variables.slow", Set.of("slow")));

        ExpressionBatch.Outcome o = ExpressionBatch.run(new ArrayList<>(twice), vars, KubernetesCel.resolver(Map.of()),
                KubernetesCel.RUNTIME_BUDGET);

        assertThat(o.results()).extracting(ExpressionBatch.Result::error).containsOnly("expression 'variables.slow' resulted in error: "
                + "composited variable \"slow\" fails to evaluate: operation cancelled: actual cost limit exceeded");
        // one evaluation of the variable (just past the limit) was paid, not two
        assertThat(o.remaining()).isBetween(KubernetesCel.RUNTIME_BUDGET - 2_000_000, KubernetesCel.RUNTIME_BUDGET - 1_000_000);
    }

    @Test
    void runWhenTheBudgetIsSpentThenTheBatchStops() {
        // each about 375,000 (a 50,001-character string against a 300-character pattern): 30 of them pass 10,000,000
        List<LazyVariables.Variable> vars = List.of(new LazyVariables.Variable("s",
                compile("lists.range(10000).map(i, 'abcde').join('') + 'x'", Set.of())));
        List<CompiledExpression> many = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            many.add(compile("variables.s.matches('" + "q".repeat(300) + "')", Set.of("s")));
        }
        ExpressionBatch.Outcome o = ExpressionBatch.run(many, vars, KubernetesCel.resolver(Map.of()), KubernetesCel.RUNTIME_BUDGET);

        assertThat(o.outOfBudget()).isTrue();
        assertThat(o.results()).isEmpty();
    }
}

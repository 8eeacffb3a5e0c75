package io.podguard.engine.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.CelType;
import dev.cel.runtime.CelRuntime;

/**
 * One CEL expression, compiled and type-checked once when the policy loads.
 *
 * @param source the expression as written
 * @param program the program cel-java evaluates: planned by its planner, or, for what the planner
 *     would judge otherwise than the apiserver, its interpreter's ({@code marks().planned()})
 * @param type the type the checker inferred ({@code dyn} when it depends on the object)
 * @param folded the expressions cel-go computes once, which cost nothing when evaluated ({@link ConstantFolding})
 * @param untracked the calls cel-go charges 1 whatever their arguments ({@link ConstantFolding#untracked})
 * @param marks the two by node id, for the cost tracker
 * @param bound the most the cost tracker can charge it, for an input of bounded size ({@link CostBound})
 * @param ast the checked tree the program runs, for what it reads of the object ({@link CelReads})
 * @param direct the same tree evaluated without cel-java where it can be ({@link DirectProgram}); null: never
 */
public record CompiledExpression(String source, CelRuntime.Program program, CelType type, java.util.Set<Long> folded,
                                 java.util.Set<Long> untracked, CostMarks marks, CostBound bound, CelAbstractSyntaxTree ast,
                                 @org.jspecify.annotations.Nullable DirectProgram direct) {

    public CompiledExpression {
        folded = java.util.Set.copyOf(folded);
        untracked = java.util.Set.copyOf(untracked);
    }

    /**
     * The value of an evaluation without the cost tracker: the direct program's, else the
     * planned program's (which answers whatever the direct one gives up on, errors included).
     */
    Object evalUntracked(dev.cel.runtime.CelVariableResolver vars) throws dev.cel.runtime.CelEvaluationException {
        if (direct != null) {
            Object v = direct.eval(vars);
            if (v != DirectProgram.GAVE_UP) {
                return v;
            }
        }
        return program.eval(vars);
    }
}

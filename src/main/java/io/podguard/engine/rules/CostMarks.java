package io.podguard.engine.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.CelKind;
import java.util.Set;

/**
 * What {@link CostTracker} needs to know of each node of one compiled expression, by node id (a
 * parser's ids are small and dense): what evaluating it costs, fixed by its kind (an identifier
 * or a field 1, a list literal 10 …), nothing when cel-go folds it ({@link ConstantFolding#folded}),
 * 1 for a call cel-go charges 1 whatever its arguments ({@link ConstantFolding#untracked}), or
 * computed from its arguments; and how many ids there are, so that one evaluation's values fit in
 * an array. Built once with the expression, so that the tracker, called for every node of every
 * evaluation, neither boxes an id, nor hashes one, nor looks at a function's name but for the
 * calls whose cost depends on their arguments.
 */
final class CostMarks {

    static final byte FOLDED = 1;
    static final byte UNTRACKED = 2;

    /** {@link #cost}: a node cel-go computes once, free when evaluated. */
    static final int FREE = -2;
    /** {@link #cost}: a call whose cost depends on its arguments and result (CostTracker computes it). */
    static final int COMPUTED = -1;
    /** {@link #cost}: a node these marks do not know (none should be; CostTracker costs it by its kind). */
    static final int UNKNOWN = -3;

    /** What evaluating each node costs, by node id: the figure, {@link #FREE} or {@link #COMPUTED}. */
    private final int[] cost;
    private final boolean planned;

    private CostMarks(int[] cost, boolean planned) {
        this.cost = cost;
        this.planned = planned;
    }

    /** Whether cel-java's planner runs the expression (else its interpreter). */
    boolean planned() {
        return planned;
    }

    /**
     * The marks of {@code run}.
     *
     * @param planned cel-java's planner runs it (which reads a chain of field selections as one
     *     attribute, and reports a presence test and an optional field twice); else its interpreter
     */
    static CostMarks of(CelAbstractSyntaxTree run, Set<Long> folded, Set<Long> untracked, boolean planned) {
        long max = CelNavigableAst.fromAst(run).getRoot().allNodes().mapToLong(n -> n.id()).max().orElse(0);
        for (long id : folded) {
            max = Math.max(max, id);
        }
        for (long id : untracked) {
            max = Math.max(max, id);
        }
        byte[] marks = new byte[(int) Math.min(max + 1, Integer.MAX_VALUE - 8)];
        folded.forEach(id -> marks[(int) (long) id] |= FOLDED);
        untracked.forEach(id -> marks[(int) (long) id] |= UNTRACKED);
        int[] cost = new int[marks.length];
        CelNavigableAst.fromAst(run).getRoot().allNodes().forEach(n -> {
            int id = (int) n.id();
            CelExpr e = n.expr();
            cost[id] = (marks[id] & FOLDED) != 0 ? FREE : switch (e.getKind()) {
                case IDENT -> 1;
                case SELECT -> planned ? attributeCost(run, e) : e.select().testOnly() ? 0 : 1;
                case CALL -> (marks[id] & UNTRACKED) != 0 ? 1 : switch (e.call().function()) {
                    // the logical operators are free in cel-go; the comprehension's loop condition costs one
                    case "_&&_", "_||_", "_?_:_" -> 0;
                    case "@not_strictly_false", "!_" -> 1;
                    default -> CostTracker.SIZED.contains(e.call().function()) ? COMPUTED : 1;
                };
                case LIST -> 10;
                case MAP -> 30;
                case STRUCT -> 40;
                default -> 0;
            };
        });
        return new CostMarks(cost, planned);
    }

    /**
     * What one evaluation of a field selection costs: 1 (a presence test 0), and when cel-java's
     * planner reads it with the selections and the identifier it stands on as one attribute
     * ({@code object.spec.containers} is evaluated once, not as an identifier and two
     * selections), theirs too, one each, as cel-go and cel-java's interpreter count them.
     */
    private static int attributeCost(CelAbstractSyntaxTree ast, CelExpr select) {
        int cost = 0;
        CelExpr e = select;
        while (true) {
            if (e.getKind() == CelExpr.ExprKind.Kind.SELECT) {
                cost += e.select().testOnly() ? 0 : 1;
                CelExpr operand = e.select().operand();
                boolean joined = operand.getKind() == CelExpr.ExprKind.Kind.SELECT && !operand.select().testOnly()
                        || operand.getKind() == CelExpr.ExprKind.Kind.IDENT && readAsAttribute(ast, operand);
                if (!joined) {
                    return cost;
                }
                e = operand;
            } else {
                // an identifier read as the attribute's start
                return cost + 1;
            }
        }
    }

    /** An identifier the planner reads as a variable: not a type name nor a constant (an enum value). */
    private static boolean readAsAttribute(CelAbstractSyntaxTree ast, CelExpr ident) {
        if (ast.getReference(ident.id()).map(r -> r.value().isPresent()).orElse(false)) {
            return false;
        }
        return ast.getType(ident.id()).map(t -> t.kind() != CelKind.TYPE).orElse(true);
    }

    /** The number of ids: one more than the largest. */
    int size() {
        return cost.length;
    }

    /** What evaluating node {@code id} costs: a figure, {@link #FREE}, {@link #COMPUTED} or {@link #UNKNOWN}. */
    int cost(long id) {
        return id >= 0 && id < cost.length ? cost[(int) id] : UNKNOWN;
    }
}

package io.podguard.engine.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What cel-go computes once, when it builds a program with the apiserver's options
 * ({@code OptOptimize}'s decorator): a list or map literal of constants, and a type conversion
 * ({@code int}, {@code string}, {@code duration} …) of a constant — recursively. Such an
 * expression costs nothing when evaluated (CostTracker), and a conversion that fails refuses
 * the program (KubernetesCel).
 */
final class ConstantFolding {

    private static final Set<String> CONVERSIONS = Set.of("bool", "bytes", "double", "duration", "dyn", "int", "string", "timestamp",
            "type", "uint");

    private ConstantFolding() {
    }

    /** The ids of the expressions of {@code ast} cel-go folds into constants (constants themselves excluded). */
    static Set<Long> folded(CelAbstractSyntaxTree ast) {
        Set<Long> folded = new HashSet<>();
        List<CelNavigableExpr> nodes = CelNavigableAst.fromAst(ast).getRoot().allNodes().toList();
        // until nothing more folds: a literal of folded literals and conversions folds too
        for (int before = -1; before != folded.size(); ) {
            before = folded.size();
            foldOnce(nodes, folded);
        }
        return folded;
    }

    private static void foldOnce(List<CelNavigableExpr> nodes, Set<Long> folded) {
        for (CelNavigableExpr node : nodes) {
            CelExpr e = node.expr();
            if (folded.contains(e.id())) {
                continue;
            }
            boolean fold = switch (e.getKind()) {
                case LIST -> e.list().elements().stream().allMatch(x -> constant(x, folded)) && e.list().optionalIndices().isEmpty();
                case MAP -> e.map().entries().stream().allMatch(x -> !x.optionalEntry() && constant(x.key(), folded)
                        && constant(x.value(), folded));
                case CALL -> CONVERSIONS.contains(e.call().function()) && e.call().target().isEmpty() && e.call().args().size() == 1
                        && constant(e.call().args().getFirst(), folded);
                default -> false;
            };
            if (fold) {
                folded.add(e.id());
            }
        }
    }

    /**
     * The calls of {@code checked} cel-go charges 1 whatever their arguments: those whose cost
     * it tracks per overload ({@code sort}) when the checker could not choose one (a list of
     * {@code dyn}), so no tracker applies. The ids are those of any tree parsed from the same
     * text.
     */
    static Set<Long> untracked(CelAbstractSyntaxTree checked) {
        Set<Long> out = new HashSet<>();
        CelNavigableAst.fromAst(checked).getRoot().allNodes().forEach(n -> {
            CelExpr e = n.expr();
            if (e.getKind() == CelExpr.ExprKind.Kind.CALL && e.call().function().equals("sort")
                    && checked.getReference(e.id()).map(r -> r.overloadIds().size() != 1).orElse(true)) {
                out.add(e.id());
            }
        });
        return out;
    }

    private static boolean constant(CelExpr e, Set<Long> folded) {
        return e.getKind() == CelExpr.ExprKind.Kind.CONSTANT || folded.contains(e.id());
    }
}

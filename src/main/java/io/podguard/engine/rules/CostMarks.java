package io.podguard.engine.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.navigation.CelNavigableAst;
import java.util.Set;

/**
 * What {@link CostTracker} needs to know of each node of one compiled expression, by node id (a
 * parser's ids are small and dense): whether cel-go folds it ({@link ConstantFolding#folded}),
 * whether it charges the call 1 ({@link ConstantFolding#untracked}), and how many ids there are,
 * so that one evaluation's values fit in an array. Built once with the expression, so that the
 * tracker, called for every node of every evaluation, neither boxes an id nor hashes one.
 */
final class CostMarks {

    static final byte FOLDED = 1;
    static final byte UNTRACKED = 2;

    private final byte[] marks;

    private CostMarks(byte[] marks) {
        this.marks = marks;
    }

    static CostMarks of(CelAbstractSyntaxTree run, Set<Long> folded, Set<Long> untracked) {
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
        return new CostMarks(marks);
    }

    /** The number of ids: one more than the largest. */
    int size() {
        return marks.length;
    }

    boolean folded(long id) {
        return id >= 0 && id < marks.length && (marks[(int) id] & FOLDED) != 0;
    }

    boolean untracked(long id) {
        return id >= 0 && id < marks.length && (marks[(int) id] & UNTRACKED) != 0;
    }
}

package io.podguard.engine.rules;

import dev.cel.runtime.CelFunctionBinding;
import java.util.ArrayList;
import java.util.List;

/**
 * CEL's list concatenation ({@code a + b}) for cel-java's planner, in amortised constant time
 * per element appended. The planner adapts what a function returns by walking it, and copies a
 * list it cannot index, which cel-java's own concatenation returns inside a comprehension: a
 * {@code map()} or {@code filter()} over n elements then costs n² steps, long before the cost
 * limit stops it. Here the result is a fixed-length view of a shared, append-only array: a
 * further concatenation to the newest view appends to the array, to an older one copies; no view
 * ever changes, so a list kept in a variable stays as it was.
 */
final class AppendedList extends CelListView {

    /** The overload this binds in place of cel-java's. */
    static final String OVERLOAD = "add_list";

    private final ArrayList<Object> shared;
    private final int length;

    private AppendedList(ArrayList<Object> shared, int length) {
        this.shared = shared;
        this.length = length;
    }

    static CelFunctionBinding binding() {
        return CelFunctionBinding.from(OVERLOAD, List.class, List.class, AppendedList::concat);
    }

    static List<Object> concat(List<?> first, List<?> second) {
        if (second.isEmpty() && first instanceof AppendedList a) {
            return a;
        }
        if (first instanceof AppendedList a && a.length == a.shared.size()) {
            // the newest view of its array: append, and return the longer view
            a.shared.addAll(second);
            return new AppendedList(a.shared, a.shared.size());
        }
        ArrayList<Object> copy = new ArrayList<>(Math.max(16, 2 * (first.size() + second.size())));
        copy.addAll(first);
        copy.addAll(second);
        return new AppendedList(copy, copy.size());
    }

    @Override
    public Object get(int index) {
        java.util.Objects.checkIndex(index, length);
        return shared.get(index);
    }

    @Override
    public int size() {
        return length;
    }
}

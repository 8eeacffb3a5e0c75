package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CEL's list concatenation on the planner: appends to the newest view, never changes an older one. */
class AppendedListTest {

    @Test
    void concatWhenAppendingToTheNewestViewThenOlderViewsUnchanged() {
        List<Object> a = AppendedList.concat(List.of(1L), List.of(2L));
        List<Object> b = AppendedList.concat(a, List.of(3L));
        // a is no longer the newest view of the array: appending to it copies
        List<Object> c = AppendedList.concat(a, List.of(4L));

        assertThat(a).containsExactly(1L, 2L);
        assertThat(b).containsExactly(1L, 2L, 3L);
        assertThat(c).containsExactly(1L, 2L, 4L);
        assertThat(b).isEqualTo(List.of(1L, 2L, 3L));
        assertThatThrownBy(() -> a.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.add(5L)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void evaluateWhenComprehensionBuildsABigListThenEveryElementOnceAndKeptValuesIntact() {
        KubernetesCel cel = KubernetesCel.get();
        CompiledExpression big = cel.compile("lists.range(20000).map(i, i * 2)", KubernetesCel.Scope.NONE, KubernetesCel.Result.ANY);
        KubernetesCel.Outcome o = cel.evaluate(big, KubernetesCel.resolver(Map.of()), KubernetesCel.PER_CALL_LIMIT);
        List<?> doubled = (List<?>) o.value();
        assertThat(doubled).hasSize(20000);
        assertThat(List.of(doubled.get(0), doubled.get(1), doubled.get(19999))).isEqualTo(List.of(0L, 2L, 39998L));

        CompiledExpression kept = cel.compile("[[1], [2]].map(l, l + [3]) + [[1] + [2]]", KubernetesCel.Scope.NONE, KubernetesCel.Result.ANY);
        assertThat(cel.evaluate(kept, KubernetesCel.resolver(Map.of()), KubernetesCel.PER_CALL_LIMIT).value())
                .isEqualTo(List.of(List.of(1L, 3L), List.of(2L, 3L), List.of(1L, 2L)));
    }
}

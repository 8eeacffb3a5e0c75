package io.podguard.engine.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Kubernetes' toleration algebra, case by case (PlacementPluginsIT compares it with the plugins run). */
class TolerationsTest {

    private static final Toleration T = t("testKey", "Equal", "testValue", "NoSchedule", null);
    private static final Toleration T1 = t("testKey", "Equal", "testValue1", "NoSchedule", null);
    private static final Toleration ALL = t("", "Exists", "", "", null);

    @Test
    void isSupersetWhenEqualThenTrue() {
        assertThat(Tolerations.isSuperset(T, T)).isTrue();
    }

    @Test
    void isSupersetWhenExistsOnSameKeyThenCoversEveryValue() {
        assertThat(Tolerations.isSuperset(t("testKey", "Exists", "", "NoSchedule", null), T)).isTrue();
        assertThat(Tolerations.isSuperset(T, t("testKey", "Exists", "", "NoSchedule", null))).isFalse();
    }

    @Test
    void isSupersetWhenEmptyKeyExistsThenCoversEveryKey() {
        assertThat(Tolerations.isSuperset(ALL, T)).isTrue();
        assertThat(Tolerations.isSuperset(t("", "Equal", "", "", null), T)).isFalse();
    }

    @Test
    void isSupersetWhenEffectDiffersThenOnlyTheEmptyEffectCovers() {
        assertThat(Tolerations.isSuperset(t("testKey", "Exists", "", "NoExecute", null), T)).isFalse();
        assertThat(Tolerations.isSuperset(t("testKey", "Exists", "", "", null), T)).isTrue();
    }

    @Test
    void isSupersetWhenOperatorOmittedThenItIsEqualForTheCoveringOneOnly() {
        // The covering toleration's empty operator means Equal; the covered one's must say Equal.
        assertThat(Tolerations.isSuperset(t("testKey", "", "testValue", "NoSchedule", null), T)).isTrue();
        assertThat(Tolerations.isSuperset(T, t("testKey", "", "testValue", "NoSchedule", null))).isFalse();
    }

    @Test
    void isSupersetWhenNoExecuteWithSecondsThenOnlyShorterOrEqualSecondsCovered() {
        Toleration ss = t("k", "Exists", "", "NoExecute", 300L);
        assertThat(Tolerations.isSuperset(ss, t("k", "Exists", "", "NoExecute", 300L))).isTrue();
        assertThat(Tolerations.isSuperset(ss, t("k", "Exists", "", "NoExecute", 60L))).isTrue();
        assertThat(Tolerations.isSuperset(ss, t("k", "Exists", "", "NoExecute", 301L))).isFalse();
        assertThat(Tolerations.isSuperset(ss, t("k", "Exists", "", "NoExecute", null))).isFalse();
    }

    @Test
    void isSupersetWhenUnknownOperatorThenFalse() {
        assertThat(Tolerations.isSuperset(t("k", "Gt", "5", "", null), t("k", "Gt", "6", "", null))).isFalse();
    }

    @Test
    void mergeWhenPodAndDefaultsDifferInValueThenBothKeptPodFirst() {
        assertThat(Tolerations.merge(List.of(T1), List.of(T))).containsExactly(0, 1);
    }

    @Test
    void mergeWhenDefaultEqualsPodsThenTheFirstIsKept() {
        assertThat(Tolerations.merge(List.of(T), List.of(T))).containsExactly(0);
    }

    @Test
    void mergeWhenADefaultCoversThePodsThenOnlyTheDefaultIsKept() {
        Toleration exists = t("testKey", "Exists", "", "", null);
        assertThat(Tolerations.merge(List.of(T, T1), List.of(exists))).containsExactly(2);
    }

    @Test
    void mergeWhenThePodsOwnAreRedundantThenTheCoveredOneLeavesToo() {
        Toleration exists = t("testKey", "Exists", "", "NoSchedule", null);
        assertThat(Tolerations.merge(List.of(T, exists), List.of(Toleration.MEMORY_PRESSURE))).containsExactly(1, 2);
    }

    @Test
    void verifyAgainstWhitelistWhenEmptyWhitelistOrNoTolerationsThenTrue() {
        assertThat(Tolerations.verifyAgainstWhitelist(List.of(T), List.of())).isTrue();
        assertThat(Tolerations.verifyAgainstWhitelist(List.of(), List.of(T1))).isTrue();
        assertThat(Tolerations.verifyAgainstWhitelist(List.of(T), List.of(T1))).isFalse();
        assertThat(Tolerations.firstNotCovered(List.of(T1, T), List.of(T1))).isEqualTo(1);
        assertThat(Tolerations.verifyAgainstWhitelist(List.of(T, T1), List.of(ALL))).isTrue();
    }

    @Test
    void addOrUpdateWhenSameButSecondsThenReplacedInPlaceElseAppended() {
        Toleration gpu = t("nvidia.com/gpu", "Exists", "", "NoSchedule", null);
        Toleration withSeconds = t("nvidia.com/gpu", "Exists", "", "NoSchedule", 5L);
        assertThat(Tolerations.addOrUpdate(List.of(T, withSeconds, T1), gpu)).containsExactly(T, gpu, T1);
        assertThat(Tolerations.addOrUpdate(List.of(T), gpu)).containsExactly(T, gpu);
        assertThat(Tolerations.addOrUpdate(List.of(ALL), gpu)).containsExactly(ALL, gpu);
    }

    @Test
    void mergeWhenAThousandDistinctTolerationsThenQuadraticButBounded() {
        // The most a pod may carry: merging is quadratic, as upstream's; this is its worst case.
        List<Toleration> own = new ArrayList<>();
        for (int i = 0; i < Tolerations.MAX; i++) {
            own.add(t("key-" + i, "Equal", "v", "NoSchedule", null));
        }
        assertThat(Tolerations.merge(own, List.of(Toleration.MEMORY_PRESSURE))).hasSize(Tolerations.MAX + 1);
    }

    @Test
    void toStringWhenEachShapeThenTaintNotation() {
        assertThat(T).hasToString("testKey=testValue:NoSchedule");
        assertThat(t("nvidia.com/gpu", "Exists", "", "NoSchedule", null)).hasToString("nvidia.com/gpu:NoSchedule");
        assertThat(ALL).hasToString("*");
        assertThat(t("k", "Exists", "", "NoExecute", 300L)).hasToString("k:NoExecute (300s)");
    }

    @Test
    void toJsonWhenFieldsEmptyThenLeftOutAsGoWritesThem() {
        assertThat(ALL.toJson().toString()).isEqualTo("{\"operator\":\"Exists\"}");
        assertThat(t("k", "Exists", "", "NoExecute", 300L).toJson().toString())
                .isEqualTo("{\"key\":\"k\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":300}");
    }

    static Toleration t(String key, String operator, String value, String effect, Long seconds) {
        return new Toleration(key, operator, value, effect, seconds);
    }
}

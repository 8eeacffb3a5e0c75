package io.podguard.engine.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.testing.LimitRangerCases;
import io.podguard.testing.LimitRangerCases.Case;
import io.podguard.testing.LimitRangerCases.Outcome;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * LimitRanger's own test cases, expressed in podguard policy and run through podguard's webhook:
 * every verdict upstream's tests state, and the defaults and messages they imply. (LimitRangerParityIT
 * compares the same cases, and generated ones, with the plugin itself run.)
 */
class LimitRangerCasesTest {

    private static final Map<String, Case> CASES = LimitRangerCases.upstream().stream()
            .collect(Collectors.toMap(Case::name, c -> c, (a, b) -> a, java.util.LinkedHashMap::new));

    static Stream<Case> withVerdict() {
        return CASES.values().stream().filter(c -> c.allowed() != null);
    }

    private static Outcome run(String name) {
        Case c = CASES.get(name);
        return LimitRangerCases.podguard(c, LimitRangerCases.asDecoded(c.pod()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withVerdict")
    void verdictIsUpstreams(Case c) {
        Outcome o = LimitRangerCases.podguard(c, LimitRangerCases.asDecoded(c.pod()));
        assertThat(o.refused()).as("policy of %s", c.name()).isEmpty();
        assertThat(o.allowed()).as("%s (%s): %s", c.name(), c.source(), o.message()).isEqualTo(c.allowed());
    }

    @Test
    void upstreamsCasesAreAllThere() {
        assertThat(CASES.values().stream().filter(c -> c.source().equals("TestPodLimitFunc")).count()).isEqualTo(40 + 45);
        assertThat(CASES).hasSize(85 + 4 + 7);
    }

    @Test
    void mergeSetsEveryUnsetResourceFromTheLimitRangeDefaults() {
        assertThat(resources(run("merge-empty-resources"), "containers", 0))
                .isEqualTo("{\"requests\":{\"cpu\":\"50m\",\"memory\":\"5Mi\"},\"limits\":{\"cpu\":\"75m\",\"memory\":\"10Mi\"}}");
        // a 512Mi request keeps its request and gets the 10Mi default limit anyway, as LimitRanger sets it (requestAboveDefaultLimit: limitRanger)
        Outcome memory = run("merge-limit-memory");
        for (String list : List.of("containers", "initContainers")) {
            assertThat(resources(memory, list, 0))
                    .isEqualTo("{\"requests\":{\"memory\":\"512Mi\",\"cpu\":\"50m\"},\"limits\":{\"cpu\":\"75m\",\"memory\":\"10Mi\"}}");
        }
        Outcome all = run("merge-all-set");
        assertThat(resources(all, "containers", 0)).isEqualTo("{\"requests\":{\"cpu\":\"100m\",\"memory\":\"512Mi\"},\"limits\":{\"cpu\":\"200m\",\"memory\":\"1G\"}}");
        assertThat(all.mutated().at("/metadata/annotations").isMissingNode()).isTrue();
    }

    @Test
    void applyDefaultGivesContainersAndInitContainersTheDefaults() {
        Outcome o = run("apply-default");
        for (String list : List.of("containers", "initContainers")) {
            JsonNode r = o.mutated().at("/spec/" + list + "/0/resources");
            assertThat(r.at("/limits/memory").asString()).isEqualTo("10Mi");
            assertThat(r.at("/limits/cpu").asString()).isEqualTo("75m");
            assertThat(r.at("/requests/memory").asString()).isEqualTo("5Mi");
            assertThat(r.at("/requests/cpu").asString()).isEqualTo("50m");
        }
    }

    @Test
    void messagesAreLimitRangersWords() {
        assertThat(run("error/ctr-max-cpu-no-request-limit").violations()).containsExactly("maximum cpu usage per Container is 2.  No limit is specified");
        assertThat(run("error/ctr-min-memory-request-limit").violations()).containsExactly("minimum memory usage per Container is 50Mi, but request is 40Mi");
        assertThat(run("error/ctr-max-cpu-ratio").violations())
                .containsExactly("cpu max limit to request ratio per Container is 1, but provided ratio is 2.000000");
        assertThat(run("error/pod-max-mem-ratio").violations())
                .containsExactly("memory max limit to request ratio per Pod is 1500m, but provided ratio is 2.000000");
        assertThat(run("error/ctr-max-cpu-limit-restartable-init-container").violations())
                .containsExactly("maximum cpu usage per Pod is 2, but request is 2500m");
        assertThat(run("error/pod-level-limits-exceeding-max").violations()).containsExactly("maximum memory usage per Pod is 200Mi, but limit is 300Mi");
        assertThat(run("admit-create").violations()).containsExactly(
                "maximum cpu usage per Container is 100m.  No limit is specified",
                "maximum cpu usage per Pod is 200m.  No limit is specified",
                "maximum memory usage per Container is 2Gi.  No limit is specified",
                "maximum memory usage per Pod is 4Gi.  No limit is specified",
                "minimum cpu usage per Container is 25m.  No request is specified",
                "minimum cpu usage per Pod is 50m.  No request is specified",
                "minimum memory usage per Container is 1Mi.  No request is specified",
                "minimum memory usage per Pod is 2Mi.  No request is specified");
    }

    @Test
    void aBarePodInALimitRangeAsStoredIsDefaultedWithinItAndAdmitted() {
        // validLimitRangeNoDefaults() as the apiserver stores it: default = max (100m, 2Gi), defaultRequest = default;
        // the pod then meets the Pod item too (50m..200m cpu, 2Mi..4Gi memory)
        Outcome o = run("admit-create-stored");
        assertThat(resources(o, "containers", 0)).isEqualTo("{\"requests\":{\"cpu\":\"100m\",\"memory\":\"2Gi\"},\"limits\":{\"cpu\":\"100m\",\"memory\":\"2Gi\"}}");
        assertThat(o.allowed()).as(o.message()).isTrue();
    }

    @Test
    void ratioIsComparedExactlyWhereLimitRangersFloatingPointCannotTell() {
        for (Case c : LimitRangerCases.floatingPointRatio()) {
            Outcome o = LimitRangerCases.podguard(c, LimitRangerCases.asDecoded(c.pod()));
            assertThat(o.allowed()).as(c.name()).isFalse();
            assertThat(o.violations()).hasSize(1).allMatch(v -> v.startsWith("cpu max limit to request ratio per Container is "));
        }
    }

    private static String resources(Outcome o, String list, int index) {
        return o.mutated().at("/spec/" + list + "/" + index + "/resources").toString();
    }
}

package io.podguard.engine.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.engine.Json;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceChecksTest {

    private static PodObject pod(String containers) {
        return PodExtractor.extract("Pod", Json.mapper().readTree(
                "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{" + containers + "}}")).orElseThrow();
    }

    private static PodObject deployment(String resources) {
        return PodExtractor.extract("Deployment", Json.mapper().readTree("""
                {"kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[
                  {"name":"app","image":"x","resources":%s}]}}}}""".formatted(resources))).orElseThrow();
    }

    private static ResourceRules rules(Map<String, String> min, Map<String, String> max, Map<String, String> ratio,
                                       List<String> requests, List<String> limits) {
        return ResourceRules.of(min, max, ratio, requests, limits, io.podguard.engine.Mode.ENFORCE);
    }

    @Test
    void requiredWhenMissingThenEachContainerNamedWithItsFields() {
        ResourceRules r = rules(Map.of(), Map.of(), Map.of(), List.of("memory", "cpu"), List.of("memory"));
        Violation v = new ResourcesRequiredCheck().check(pod("""
                "initContainers":[{"name":"init","image":"x","resources":{"limits":{"memory":"1Gi","cpu":"1"}}}],
                "containers":[{"name":"app","image":"x","resources":{"requests":{"cpu":"1"}}}]"""), r);
        assertThat(v).isEqualTo(new Violation("resources.required", "spec.containers[0].resources.requests.memory",
                "resources required", "container \"app\" must set requests.memory, limits.memory"));
    }

    @Test
    void requiredWhenLimitOnlyThenRequestSatisfiedAsTheApiserverDefaultsIt() {
        ResourceRules r = rules(Map.of(), Map.of(), Map.of(), List.of("cpu"), List.of());
        assertThat(new ResourcesRequiredCheck().check(pod("\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"resources\":{\"limits\":{\"cpu\":\"1\"}}}]"), r)).isNull();
    }

    @Test
    void minWhenBelowOrMissingThenViolation() {
        ResourceRules r = rules(Map.of("cpu", "100m", "memory", "64Mi"), Map.of(), Map.of(), List.of(), List.of());
        Violation v = new ResourceMinCheck().check(pod("""
                "containers":[{"name":"a","image":"x","resources":{"requests":{"cpu":"50m","memory":"64Mi"},"limits":{"cpu":"80m"}}},
                              {"name":"b","image":"x"}]"""), r);
        assertThat(v.path()).isEqualTo("spec.containers[0].resources.requests.cpu");
        assertThat(v.message()).isEqualTo("resources below minimum (container \"a\" requests cpu=50m, below 100m; "
                + "container \"a\" limits cpu=80m, below 100m; container \"b\" must request cpu (minimum 100m); "
                + "container \"b\" must request memory (minimum 64Mi))");
    }

    @Test
    void minWhenAtMinimumThenAllowed() {
        ResourceRules r = rules(Map.of("memory", "64Mi"), Map.of(), Map.of(), List.of(), List.of());
        assertThat(new ResourceMinCheck().check(pod("\"containers\":[{\"name\":\"a\",\"resources\":{\"requests\":{\"memory\":\"67108864\"}}}]"), r)).isNull();
    }

    @Test
    void maxWhenAboveOrNoLimitThenViolation() {
        ResourceRules r = rules(Map.of(), Map.of("memory", "1Gi"), Map.of(), List.of(), List.of());
        Violation v = new ResourceMaxCheck().check(pod("""
                "containers":[{"name":"a","image":"x","resources":{"requests":{"memory":"2Gi"},"limits":{"memory":"2Gi"}}},
                              {"name":"b","image":"x","resources":{"requests":{"memory":"1Gi"}}},
                              {"name":"c","image":"x","resources":{"limits":{"memory":"1Gi"}}}]"""), r);
        assertThat(v.message()).isEqualTo("resources above maximum (container \"a\" limits memory=2Gi, above 1Gi; "
                + "container \"a\" requests memory=2Gi, above 1Gi; container \"b\" must limit memory (maximum 1Gi))");
    }

    @Test
    void maxWhenWorkloadThenPathsInsideTheTemplate() {
        ResourceRules r = rules(Map.of(), Map.of("cpu", "2"), Map.of(), List.of(), List.of());
        Violation v = new ResourceMaxCheck().check(deployment("{\"limits\":{\"cpu\":\"2500m\"}}"), r);
        assertThat(v.path()).isEqualTo("spec.template.spec.containers[0].resources.limits.cpu");
        assertThat(v.detail()).isEqualTo("container \"app\" limits cpu=2500m, above 2");
    }

    @Test
    void ratioWhenAboveOrIncompleteThenViolation() {
        ResourceRules r = rules(Map.of(), Map.of(), Map.of("memory", "2"), List.of(), List.of());
        Violation v = new ResourceRatioCheck().check(pod("""
                "containers":[{"name":"a","image":"x","resources":{"requests":{"memory":"300Mi"},"limits":{"memory":"1Gi"}}},
                              {"name":"b","image":"x","resources":{"requests":{"memory":"1Gi"}}},
                              {"name":"c","image":"x","resources":{"requests":{"memory":"512Mi"},"limits":{"memory":"1Gi"}}}]"""), r);
        assertThat(v.message()).isEqualTo("limit/request ratio (container \"a\" memory limit/request ratio 3.41, above 2; "
                + "container \"b\" must request and limit memory (maximum limit/request ratio 2))");
        assertThat(v.path()).isEqualTo("spec.containers[0].resources.limits.memory");
    }

    @Test
    void evaluatorWhenSeveralRulesBreakThenFixedOrderAndOwnSentence() {
        ResourceRules r = rules(Map.of(), Map.of("cpu", "1"), Map.of(), List.of("memory"), List.of());
        List<Violation> all = ResourceRulesEvaluator.evaluate(pod("\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"resources\":{\"limits\":{\"cpu\":\"2\"}}}]"), r);
        assertThat(all).extracting(Violation::rule).containsExactly("resources.required", "resources.max");
        assertThat(ResourceRulesEvaluator.message(all, true)).isEqualTo("violates resource rules: resources required "
                + "(container \"a\" must set requests.memory), resources above maximum (container \"a\" limits cpu=2, above 1)");
    }

    @Test
    void ephemeralContainersAreNotJudged() {
        ResourceRules r = rules(Map.of(), Map.of(), Map.of(), List.of("cpu"), List.of());
        assertThat(ResourceRulesEvaluator.evaluate(pod("""
                "containers":[{"name":"a","image":"x","resources":{"requests":{"cpu":"1"}}}],
                "ephemeralContainers":[{"name":"debug","image":"busybox"}]"""), r)).isEmpty();
    }

    @Test
    void amountWhenNotAQuantityThenRefused() {
        assertThat(ResourceRules.amount("1.5Gi")).isEqualByComparingTo("1610612736");
        assertThat(ResourceRules.amount("100m")).isEqualByComparingTo("0.1");
        assertThatThrownBy(() -> ResourceRules.amount("1GB")).hasMessage("\"1GB\" is not a quantity (like 100m, 1.5, 512Mi, 2G)");
    }
}

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
        assertThat(v.message()).isEqualTo("resources below minimum (container \"a\": minimum cpu usage per Container is 100m, but request is 50m; "
                + "container \"b\": minimum cpu usage per Container is 100m.  No request is specified; "
                + "container \"b\": minimum memory usage per Container is 64Mi.  No request is specified)");
    }

    @Test
    void minWhenRequestMeetsItButLimitBelowThenTheLimitIsNamed() {
        ResourceRules r = rules(Map.of("cpu", "100m"), Map.of(), Map.of(), List.of(), List.of());
        Violation v = new ResourceMinCheck().check(pod("""
                "containers":[{"name":"a","image":"x","resources":{"requests":{"cpu":"100m"},"limits":{"cpu":"0.05"}}}]"""), r);
        assertThat(v.path()).isEqualTo("spec.containers[0].resources.limits.cpu");
        assertThat(v.detail()).isEqualTo("container \"a\": minimum cpu usage per Container is 100m, but limit is 50m");
    }

    @Test
    void minWhenAtMinimumThenAllowed() {
        ResourceRules r = rules(Map.of("memory", "64Mi"), Map.of(), Map.of(), List.of(), List.of());
        assertThat(new ResourceMinCheck().check(pod("\"containers\":[{\"name\":\"a\",\"resources\":{\"requests\":{\"memory\":\"67108864\"}}}]"), r)).isNull();
    }

    @Test
    void minWhenBelowByLessThanAThousandthThenAllowedAsLimitRangerRoundsUp() {
        ResourceRules r = rules(Map.of("cpu", "100m"), Map.of(), Map.of(), List.of(), List.of());
        assertThat(new ResourceMinCheck().check(pod("\"containers\":[{\"name\":\"a\",\"resources\":{\"requests\":{\"cpu\":\"99500u\"}}}]"), r)).isNull();
    }

    @Test
    void maxWhenAboveOrNoLimitThenViolation() {
        ResourceRules r = rules(Map.of(), Map.of("memory", "1Gi"), Map.of(), List.of(), List.of());
        Violation v = new ResourceMaxCheck().check(pod("""
                "initContainers":[{"name":"init","image":"x","resources":{"limits":{"memory":"1.5Gi"}}}],
                "containers":[{"name":"a","image":"x","resources":{"requests":{"memory":"2Gi"},"limits":{"memory":"2Gi"}}},
                              {"name":"b","image":"x","resources":{"requests":{"memory":"1Gi"}}},
                              {"name":"c","image":"x","resources":{"limits":{"memory":"1Gi"}}}]"""), r);
        assertThat(v.message()).isEqualTo("resources above maximum (container \"a\": maximum memory usage per Container is 1Gi, but limit is 2Gi; "
                + "container \"b\": maximum memory usage per Container is 1Gi.  No limit is specified; "
                + "init container \"init\": maximum memory usage per Container is 1Gi, but limit is 1536Mi)");
        assertThat(v.path()).isEqualTo("spec.containers[0].resources.limits.memory");
    }

    @Test
    void maxWhenWorkloadThenPathsInsideTheTemplate() {
        ResourceRules r = rules(Map.of(), Map.of("cpu", "2"), Map.of(), List.of(), List.of());
        Violation v = new ResourceMaxCheck().check(deployment("{\"limits\":{\"cpu\":\"2500m\"}}"), r);
        assertThat(v.path()).isEqualTo("spec.template.spec.containers[0].resources.limits.cpu");
        assertThat(v.detail()).isEqualTo("container \"app\": maximum cpu usage per Container is 2, but limit is 2500m");
    }

    @Test
    void ratioWhenAboveOrIncompleteThenViolation() {
        ResourceRules r = rules(Map.of(), Map.of(), Map.of("memory", "2"), List.of(), List.of());
        Violation v = new ResourceRatioCheck().check(pod("""
                "containers":[{"name":"a","image":"x","resources":{"requests":{"memory":"300Mi"},"limits":{"memory":"1Gi"}}},
                              {"name":"b","image":"x","resources":{"requests":{"memory":"1Gi"}}},
                              {"name":"c","image":"x","resources":{"requests":{"memory":"512Mi"},"limits":{"memory":"1Gi"}}}]"""), r);
        assertThat(v.message()).isEqualTo("limit/request ratio (container \"a\": memory max limit to request ratio per Container is 2, "
                + "but provided ratio is 3.413333; "
                + "container \"b\": memory max limit to request ratio per Container is 2, but no limit is specified or limit is 0)");
        assertThat(v.path()).isEqualTo("spec.containers[0].resources.limits.memory");
    }

    @Test
    void ratioIsComparedExactlyNotByFloatingPointDivision() {
        // 1.1 is not a binary fraction: 1100/1000 > 1.1 in floating point can go either way; exactly, it is equal
        ResourceRules r = rules(Map.of(), Map.of(), Map.of("cpu", "1.1"), List.of(), List.of());
        assertThat(new ResourceRatioCheck().check(pod("""
                "containers":[{"name":"a","image":"x","resources":{"requests":{"cpu":"1"},"limits":{"cpu":"1100m"}}}]"""), r)).isNull();
        Violation v = new ResourceRatioCheck().check(pod("""
                "containers":[{"name":"a","image":"x","resources":{"requests":{"cpu":"1"},"limits":{"cpu":"1101m"}}}]"""), r);
        assertThat(v.detail()).isEqualTo("container \"a\": cpu max limit to request ratio per Container is 1100m, but provided ratio is 1.101000");
        // 2^62 bytes: beyond thousandths, compared in whole units, still exactly
        ResourceRules huge = rules(Map.of(), Map.of(), Map.of("memory", "3"), List.of(), List.of());
        assertThat(new ResourceRatioCheck().check(pod("""
                "containers":[{"name":"a","image":"x","resources":{"requests":{"memory":"1Ei"},"limits":{"memory":"3Ei"}}}]"""), huge)).isNull();
    }

    @Test
    void podBoundsJudgeTheEffectiveTotalWithSidecarsInitContainersAndPodLevelResources() {
        ResourceRules r = new ResourceRules(ResourceRules.Bounds.NONE,
                ResourceRules.Bounds.of(Map.of("cpu", "100m"), Map.of("cpu", "2", "memory", "1Gi"), Map.of()), List.of(), List.of(), true, io.podguard.engine.Mode.ENFORCE);
        // app 1 + sidecar 500m = 1500m; the plain init container needs 1 beside the sidecar started before it: 1500m; max 1500m
        PodObject sidecars = pod("""
                "initContainers":[{"name":"side","image":"x","restartPolicy":"Always","resources":{"limits":{"cpu":"500m","memory":"256Mi"}}},
                                  {"name":"init","image":"x","resources":{"limits":{"cpu":"1","memory":"900Mi"}}}],
                "containers":[{"name":"app","image":"x","resources":{"limits":{"cpu":"1","memory":"512Mi"}}}]""");
        Violation v = new PodResourceMaxCheck().check(sidecars, r);
        assertThat(v.detail()).isEqualTo("pod: maximum memory usage per Pod is 1Gi, but limit is 1156Mi");
        assertThat(v.path()).isEqualTo("spec.resources.limits.memory");
        assertThat(new PodResourceMinCheck().check(sidecars, r)).isNull();
        // pod-level resources stand in for the containers' sum (cpu and memory only)
        assertThat(new PodResourceMaxCheck().check(pod("""
                "resources":{"limits":{"cpu":"2","memory":"1Gi"}},
                "containers":[{"name":"a","image":"x","resources":{"requests":{"cpu":"500m"},"limits":{"cpu":"1500m"}}},
                              {"name":"b","image":"x","resources":{"requests":{"cpu":"500m"},"limits":{"cpu":"1500m"}}}]"""), r)).isNull();
        Violation none = new PodResourceMaxCheck().check(pod("\"containers\":[{\"name\":\"a\",\"image\":\"x\"}]"), r);
        assertThat(none.detail()).isEqualTo("pod: maximum cpu usage per Pod is 2.  No limit is specified; "
                + "pod: maximum memory usage per Pod is 1Gi.  No limit is specified");
    }

    @Test
    void extendedResourcesNeedALimitEqualToTheRequest() {
        ResourceRules r = new ResourceRules(ResourceRules.Bounds.NONE, ResourceRules.Bounds.NONE, List.of(), List.of(), true, io.podguard.engine.Mode.ENFORCE);
        Violation v = new ExtendedResourcesCheck().check(pod("""
                "containers":[{"name":"a","image":"x","resources":{"requests":{"nvidia.com/gpu":"1"},"limits":{"nvidia.com/gpu":"2"}}},
                              {"name":"b","image":"x","resources":{"requests":{"example.com/fpga":"1","hugepages-2Mi":"2Mi"},
                                                                    "limits":{"hugepages-2Mi":"2Mi"}}},
                              {"name":"c","image":"x","resources":{"limits":{"nvidia.com/gpu":"1"}}}]"""), r);
        assertThat(v.message()).isEqualTo("resources not overcommittable (container \"a\" requests nvidia.com/gpu=1 but limits it to 2: "
                + "nvidia.com/gpu cannot be overcommitted, request and limit must be equal; container \"b\" requests example.com/fpga=1 "
                + "without a limit: example.com/fpga cannot be overcommitted, its limit must be set and equal the request)");
        assertThat(v.path()).isEqualTo("spec.containers[0].resources.requests.nvidia.com/gpu");
    }

    @Test
    void unstorableIsARequestOtherThanTheLimitOnlyNotARequestAlone() {
        assertThat(ExtendedResourcesCheck.unstorable(pod("""
                "containers":[{"name":"a","image":"x","resources":{"requests":{"nvidia.com/gpu":"1"}}}]"""))).isNull();
        assertThat(ExtendedResourcesCheck.unstorable(pod("""
                "containers":[{"name":"a","image":"x","resources":{"requests":{"nvidia.com/gpu":"1"},"limits":{"nvidia.com/gpu":"2"}}}]""")).detail())
                .isEqualTo("container \"a\" requests nvidia.com/gpu=1 but limits it to 2: nvidia.com/gpu cannot be overcommitted, "
                        + "request and limit must be equal");
    }

    @Test
    void evaluatorWhenSeveralRulesBreakThenFixedOrderAndOwnSentence() {
        ResourceRules r = rules(Map.of(), Map.of("cpu", "1"), Map.of(), List.of("memory"), List.of());
        List<Violation> all = ResourceRulesEvaluator.evaluate(pod("\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"resources\":{\"limits\":{\"cpu\":\"2\"}}}]"), r);
        assertThat(all).extracting(Violation::rule).containsExactly("resources.required", "resources.max");
        assertThat(ResourceRulesEvaluator.message(all, true)).isEqualTo("violates resource rules: resources required "
                + "(container \"a\" must set requests.memory), resources above maximum (container \"a\": maximum cpu usage per Container is 1, but limit is 2)");
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

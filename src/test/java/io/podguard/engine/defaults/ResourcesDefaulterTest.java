package io.podguard.engine.defaults;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.podguard.engine.Json;
import io.podguard.engine.resources.NamespaceResources;
import io.podguard.engine.EffectivePolicy;
import io.podguard.policy.PolicyCompiler;
import io.podguard.policy.PolicyLoader;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The resources defaulter: defaults implied by the rules, requests above the default limit,
 * extended resources, ephemeral storage, pod-level resources, and what the namespace's
 * LimitRanges and ResourceQuotas change. Each case states the pod after the patch (applied by an
 * independent JSON Patch implementation) and the annotation's entry.
 */
class ResourcesDefaulterTest {

    private static final String BARE = "spec: {containers: [{name: app, image: app}]}";

    /** The pod after /mutate's resources defaulter, and what it recorded. */
    private record Result(JsonNode pod, String recorded) {
        JsonNode resources(int container) {
            return pod.at("/spec/containers/" + container + "/resources");
        }

        String resourcesJson(int container) {
            return resources(container).toString();
        }
    }

    private static Result mutate(String policyYaml, String podYaml, NamespaceResources namespace) {
        EffectivePolicy policy = PolicyCompiler.compile(PolicyLoader.parse(policyYaml)).withNamespaceResources(namespace);
        JsonNode pod = PatchTesting.yaml("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n" + podYaml);
        MutationResult result = new DefaultsEngine(List.of(new ResourcesDefaulter())).mutate(DefaultsPropertiesTest.extract(pod), policy);
        JsonNode after = result.patch().isEmpty() ? pod
                : PatchTesting.toJackson(PatchTesting.applyIndependently(pod, result.patch().toString()));
        return new Result(after, after.at("/metadata/annotations/podguard.io~1defaults").asString(""));
    }

    private static Result mutate(String policyYaml, String podYaml) {
        return mutate(policyYaml, podYaml, NamespaceResources.NONE);
    }

    private static NamespaceResources namespace(@Nullable String limitRangeYaml, @Nullable String quotaYaml) {
        List<LimitRange> lrs = limitRangeYaml == null ? List.of()
                : List.of(Json.mapper().treeToValue(PatchTesting.yaml(limitRangeYaml), LimitRange.class));
        List<ResourceQuota> qs = quotaYaml == null ? List.of()
                : List.of(Json.mapper().treeToValue(PatchTesting.yaml(quotaYaml), ResourceQuota.class));
        return NamespaceResources.of(lrs, qs);
    }

    @Test
    void bareContainerGetsTheConfiguredDefaults() {
        Result r = mutate("mode: enforce\n", BARE);
        assertThat(r.resourcesJson(0)).isEqualTo("{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},\"limits\":{\"memory\":\"256Mi\"}}");
        assertThat(r.recorded()).isEqualTo("resources (container app)");
    }

    @Test
    void maxImpliesTheDefaultLimitAndRequestAsALimitRangeDoes() {
        // max cpu 2 and nothing configured for cpu: limit 2, request 2 (SetDefaults_LimitRangeItem)
        Result r = mutate("""
                defaults: {resources: {requests: {memory: 64Mi}, limits: {memory: 128Mi}}}
                resources: {max: {cpu: "2", memory: 1Gi}, min: {ephemeral-storage: 1Gi}}
                """, BARE);
        assertThat(r.resourcesJson(0)).isEqualTo(
                "{\"requests\":{\"cpu\":\"2\",\"ephemeral-storage\":\"1Gi\",\"memory\":\"64Mi\"},\"limits\":{\"cpu\":\"2\",\"memory\":\"128Mi\"}}");
    }

    @Test
    void impliedDefaultsCanBeTurnedOff() {
        Result r = mutate("""
                defaults: {resources: {impliedByRules: false}}
                resources: {max: {cpu: "2"}}
                """, BARE);
        assertThat(r.resourcesJson(0)).isEqualTo("{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},\"limits\":{\"memory\":\"256Mi\"}}");
    }

    @Test
    void requestAboveTheDefaultLimitRaisesTheLimitOrTakesLimitRangersWay() {
        String pod = "spec: {containers: [{name: app, image: app, resources: {requests: {memory: 1Gi}}}]}";
        Result raised = mutate("mode: enforce\n", pod);
        assertThat(raised.resources(0).at("/limits/memory").asString()).isEqualTo("1Gi");
        assertThat(raised.recorded()).isEqualTo("resources (container app: limits.memory 1Gi as its request, above the default 256Mi)");
        Result limitRanger = mutate("defaults: {resources: {requestAboveDefaultLimit: limitRanger}}\n", pod);
        assertThat(limitRanger.resources(0).at("/limits/memory").asString()).isEqualTo("256Mi");
        assertThat(limitRanger.recorded()).isEqualTo(
                "resources (container app: limits.memory 256Mi below its request 1Gi as LimitRanger sets it: the apiserver refuses the pod)");
    }

    @Test
    void extendedResourcesGetARequestEqualToTheLimitAndALimitEqualToTheRequest() {
        Result r = mutate("mode: enforce\n", """
                spec:
                  containers:
                  - {name: train, image: app, resources: {limits: {nvidia.com/gpu: "2"}}}
                  - {name: infer, image: app, resources: {requests: {example.com/fpga: "1"}}}
                """);
        assertThat(r.resources(0).at("/requests/nvidia.com~1gpu").asString()).isEqualTo("2");
        assertThat(r.resources(1).at("/limits/example.com~1fpga").asString()).isEqualTo("1");
        assertThat(r.recorded()).isEqualTo("resources (container train), resources (container infer)");
    }

    @Test
    void ephemeralStorageIsOffByDefaultAndSetWhenEnabled() {
        assertThat(mutate("mode: enforce\n", BARE).resources(0).at("/requests/ephemeral-storage").isMissingNode()).isTrue();
        Result on = mutate("defaults: {resources: {ephemeralStorage: {enabled: true, request: 100Mi, limit: 2Gi}}}\n", BARE);
        assertThat(on.resources(0).at("/requests/ephemeral-storage").asString()).isEqualTo("100Mi");
        assertThat(on.resources(0).at("/limits/ephemeral-storage").asString()).isEqualTo("2Gi");
    }

    @Test
    void podLevelResourcesKeepContainerLimitsWithinThePodsAndRequestsWithinItsRequest() {
        Result r = mutate("defaults: {resources: {limits: {memory: 256Mi, cpu: \"2\"}}}\n", """
                spec:
                  resources: {requests: {cpu: 150m}, limits: {cpu: "1", memory: 1Gi}}
                  containers: [{name: a, image: app}, {name: b, image: app}]
                """);
        // two 100m cpu requests would exceed the pod's 150m: no container cpu request; limits capped at the pod's 1
        assertThat(r.resourcesJson(0)).isEqualTo("{\"requests\":{\"memory\":\"128Mi\"},\"limits\":{\"cpu\":\"1\",\"memory\":\"256Mi\"}}");
        assertThat(r.recorded()).isEqualTo("resources (container a: limits.cpu 1, the pod's limit; "
                + "no requests.cpu: the containers' requests would exceed the pod's 150m), resources (container b: limits.cpu 1, the pod's limit; "
                + "no requests.cpu: the containers' requests would exceed the pod's 150m)");
    }

    @Test
    void quotaWithScopesFillsInOnlyForThePodsItAppliesTo() {
        // A quota for high-priority, terminating pods: the quota admission holds no other pod to its limits.cpu.
        NamespaceResources ns = namespace(null, """
                apiVersion: v1
                kind: ResourceQuota
                metadata: {name: batch-high}
                spec:
                  hard: {limits.cpu: "4"}
                  scopes: [Terminating]
                  scopeSelector: {matchExpressions: [{scopeName: PriorityClass, operator: In, values: [high]}]}
                """);
        String noLimit = "{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},\"limits\":{\"memory\":\"256Mi\"}}";
        String withLimit = "{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},\"limits\":{\"cpu\":\"100m\",\"memory\":\"256Mi\"}}";

        assertThat(mutate("mode: enforce\n", BARE, ns).resourcesJson(0)).isEqualTo(noLimit);
        assertThat(mutate("mode: enforce\n", "spec: {priorityClassName: high, containers: [{name: app, image: app}]}", ns)
                .resourcesJson(0)).isEqualTo(noLimit);
        assertThat(mutate("mode: enforce\n", "spec: {activeDeadlineSeconds: 60, priorityClassName: low, containers: [{name: app, image: app}]}", ns)
                .resourcesJson(0)).isEqualTo(noLimit);
        Result both = mutate("mode: enforce\n", "spec: {activeDeadlineSeconds: 60, priorityClassName: high, containers: [{name: app, image: app}]}", ns);
        assertThat(both.resourcesJson(0)).isEqualTo(withLimit);
        assertThat(both.recorded()).isEqualTo("resources (container app: limits.cpu for ResourceQuota batch-high)");
    }

    @Test
    void quotaScopesMatchAsTheQuotaEvaluatorMatchesThem() {
        String bare = "{\"containers\":[{\"name\":\"app\"}]}";
        List<Object[]> cases = List.of(
                new Object[] {"NotTerminating", "Exists", List.of(), bare, true},
                new Object[] {"NotTerminating", "Exists", List.of(), "{\"activeDeadlineSeconds\":0}", false},
                new Object[] {"Terminating", "Exists", List.of(), "{\"activeDeadlineSeconds\":0}", true},
                // the operator of a non-PriorityClass scope is not read upstream
                new Object[] {"Terminating", "DoesNotExist", List.of(), "{\"activeDeadlineSeconds\":5}", true},
                new Object[] {"PriorityClass", "Exists", List.of(), bare, false},
                new Object[] {"PriorityClass", "DoesNotExist", List.of(), bare, true},
                new Object[] {"PriorityClass", "NotIn", List.of("high"), bare, true},
                new Object[] {"PriorityClass", "NotIn", List.of("high"), "{\"priorityClassName\":\"high\"}", false},
                new Object[] {"PriorityClass", "In", List.of("high", "low"), "{\"priorityClassName\":\"low\"}", true},
                new Object[] {"PriorityClass", "In", List.of("high"), bare, false},
                new Object[] {"CrossNamespacePodAffinity", "Exists", List.of(), bare, false},
                new Object[] {"CrossNamespacePodAffinity", "Exists", List.of(),
                        "{\"affinity\":{\"podAntiAffinity\":{\"preferredDuringSchedulingIgnoredDuringExecution\":"
                                + "[{\"weight\":1,\"podAffinityTerm\":{\"namespaceSelector\":{},\"topologyKey\":\"k\"}}]}}}", true},
                new Object[] {"CrossNamespacePodAffinity", "Exists", List.of(),
                        "{\"affinity\":{\"podAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
                                + "[{\"namespaces\":[],\"topologyKey\":\"k\"}]}}}", false},
                new Object[] {"CrossNamespacePodAffinity", "Exists", List.of(),
                        "{\"affinity\":{\"podAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
                                + "[{\"namespaces\":[\"other\"],\"topologyKey\":\"k\"}]}}}", true});
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            NamespaceResources.Quota quota = new NamespaceResources.Quota("q", java.util.Set.of("limits.cpu"),
                    List.of(new NamespaceResources.Scope((String) c[0], (String) c[1], (List<String>) c[2])));
            assertThat(quota.appliesTo(Json.mapper().readTree((String) c[3]))).as(java.util.Arrays.toString(c)).isEqualTo(c[4]);
        }
    }

    @Test
    void quotaTrackingLimitsGetsThemFilledAndSaysWhy() {
        NamespaceResources ns = namespace(null, """
                apiVersion: v1
                kind: ResourceQuota
                metadata: {name: compute}
                spec: {hard: {limits.cpu: "4", requests.memory: 2Gi, requests.ephemeral-storage: 10Gi}}
                """);
        Result r = mutate("mode: enforce\n", BARE, ns);
        // limits.cpu: no default limit configured, so the request; ephemeral-storage: counted by the quota, so requested
        assertThat(r.resourcesJson(0)).isEqualTo("{\"requests\":{\"cpu\":\"100m\",\"ephemeral-storage\":\"256Mi\",\"memory\":\"128Mi\"},"
                + "\"limits\":{\"cpu\":\"100m\",\"memory\":\"256Mi\"}}");
        assertThat(r.recorded()).isEqualTo("resources (container app: limits.cpu for ResourceQuota compute; "
                + "requests.ephemeral-storage for ResourceQuota compute)");
        // a pod with pod-level resources is not held to per-container quota constraints
        Result podLevel = mutate("mode: enforce\n", "spec: {resources: {limits: {cpu: \"1\"}}, containers: [{name: app, image: app}]}", ns);
        assertThat(podLevel.resources(0).at("/limits/cpu").isMissingNode()).isTrue();
    }

    @Test
    void quotaNeedsAreFilledEvenWhenTheDefaultsConfigureNone() {
        NamespaceResources ns = namespace(null, """
                apiVersion: v1
                kind: ResourceQuota
                metadata: {name: q}
                spec: {hard: {requests.cpu: "4", limits.memory: 4Gi}}
                """);
        Result r = mutate("defaults: {resources: {requests: {}, limits: {}}}\n", BARE, ns);
        // podguard's own defaults then: a 100m cpu request, a 256Mi memory limit (the apiserver makes it the request too)
        assertThat(r.resourcesJson(0)).isEqualTo("{\"requests\":{\"cpu\":\"100m\"},\"limits\":{\"memory\":\"256Mi\"}}");
        assertThat(r.recorded()).isEqualTo("resources (container app: requests.cpu for ResourceQuota q; limits.memory for ResourceQuota q)");
    }

    @Test
    void defaultsStayWithinTheNamespacesLimitRangeAndItsRatio() {
        NamespaceResources ns = namespace("""
                apiVersion: v1
                kind: LimitRange
                metadata: {name: bounds}
                spec:
                  limits:
                  - type: Container
                    min: {cpu: 200m}
                    max: {memory: 200Mi}
                    maxLimitRequestRatio: {memory: "1.5"}
                """, null);
        Result r = mutate("defaults: {resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 100m, memory: 256Mi}}}\n", BARE, ns);
        // cpu raised to the min; the memory limit is 1.5 x 128Mi = 192Mi, within the max of 200Mi
        assertThat(r.resourcesJson(0)).isEqualTo("{\"requests\":{\"cpu\":\"200m\",\"memory\":\"128Mi\"},\"limits\":{\"cpu\":\"200m\",\"memory\":\"192Mi\"}}");
        assertThat(r.recorded()).isEqualTo("resources (container app: requests.cpu 200m, the min of LimitRange bounds; "
                + "limits.cpu 200m, the min of LimitRange bounds; limits.memory 200Mi, the max of LimitRange bounds; "
                + "limits.memory 192Mi for the maxLimitRequestRatio of LimitRange bounds)");
    }

    @Test
    void whatALimitRangeDefaultsIsNeverSetByPodguard() {
        NamespaceResources ns = namespace("""
                apiVersion: v1
                kind: LimitRange
                metadata: {name: defaults}
                spec:
                  limits:
                  - type: Container
                    default: {memory: 512Mi}
                    defaultRequest: {memory: 256Mi}
                """, null);
        Result r = mutate("mode: enforce\n", BARE, ns);
        assertThat(r.resourcesJson(0)).isEqualTo("{\"requests\":{\"cpu\":\"100m\"}}");
    }

    @Test
    void aRatioWithoutAnyDefaultLimitGetsALimitEqualToTheRequest() {
        NamespaceResources ns = namespace("""
                apiVersion: v1
                kind: LimitRange
                metadata: {name: ratio}
                spec: {limits: [{type: Container, maxLimitRequestRatio: {cpu: "4"}}]}
                """, null);
        Result r = mutate("mode: enforce\n", BARE, ns);
        assertThat(r.resources(0).at("/limits/cpu").asString()).isEqualTo("100m");
        assertThat(r.recorded()).isEqualTo("resources (container app: limits.cpu 100m for the maxLimitRequestRatio of LimitRange ratio)");
    }

    @Test
    void inAuditModeWhatWouldBeSetAndWhyIsSaid() {
        NamespaceResources ns = namespace(null, """
                apiVersion: v1
                kind: ResourceQuota
                metadata: {name: compute}
                spec: {hard: {limits.cpu: "4"}}
                """);
        EffectivePolicy policy = PolicyCompiler.compile(PolicyLoader.parse("defaults: {mode: audit}\n")).withNamespaceResources(ns);
        JsonNode pod = PatchTesting.yaml("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n" + BARE);
        MutationResult result = new DefaultsEngine(List.of(new ResourcesDefaulter())).mutate(DefaultsPropertiesTest.extract(pod), policy);
        assertThat(result.patch()).isEmpty();
        assertThat(DefaultsReport.warnings(result.wouldApply()))
                .containsExactly("podguard would set: resources (container app: limits.cpu for ResourceQuota compute)");
    }

    @Test
    void namespaceKnowledgeCanBeTurnedOff() {
        NamespaceResources ns = namespace(null, """
                apiVersion: v1
                kind: ResourceQuota
                metadata: {name: compute}
                spec: {hard: {limits.cpu: "4"}}
                """);
        Result r = mutate("defaults: {resources: {fromNamespace: false}}\n", BARE, ns);
        assertThat(r.resources(0).at("/limits/cpu").isMissingNode()).isTrue();
    }

    @Test
    void reviewingTheDefaultedPodAgainChangesNothing() {
        NamespaceResources ns = namespace("""
                apiVersion: v1
                kind: LimitRange
                metadata: {name: bounds}
                spec: {limits: [{type: Container, min: {cpu: 200m}, maxLimitRequestRatio: {memory: "1.5"}}]}
                """, """
                apiVersion: v1
                kind: ResourceQuota
                metadata: {name: compute}
                spec: {hard: {limits.cpu: "4", requests.ephemeral-storage: 1Gi}}
                """);
        Result once = mutate("resources: {max: {memory: 1Gi}}\n", BARE, ns);
        String again = new DefaultsEngine(List.of(new ResourcesDefaulter())).mutate(DefaultsPropertiesTest.extract(once.pod()),
                PolicyCompiler.compile(PolicyLoader.parse("resources: {max: {memory: 1Gi}}\n")).withNamespaceResources(ns)).patch().toString();
        assertThat(again).isEqualTo("[]");
    }
}

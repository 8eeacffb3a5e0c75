package io.podguard.engine.defaults;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Json;
import io.podguard.policy.PolicyLoader;
import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * The placement defaulters through /mutate, with exact patches: in the one patch after the other
 * defaults, recorded in {@code podguard.io/defaults}, idempotent, not skipped by a pod's opt-out,
 * and only said in audit and warn mode.
 */
class PlacementDefaultersTest {

    private static final String PLACEMENT = """
            defaults: {enabled: false}
            placement:
              nodeSelector: {default: {team: ml}}
              tolerations:
                default: [{key: dedicated, operator: Equal, value: ml, effect: NoSchedule}]
              extendedResourceTolerations: {resources: ["nvidia.com/*"]}
            """;
    private static final String GPU_POD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: train}
            spec:
              nodeSelector: {zone: a}
              tolerations: [{key: example.com/spot, operator: Exists, effect: NoSchedule}]
              containers:
              - name: app
                image: app
                resources: {limits: {nvidia.com/gpu: 1, example.com/fpga: 1}}
            """;

    @Test
    void mutateWhenPlacementOnThenSelectorTolerationsAndGpuTolerationInOnePatch() {
        JsonNode response = PatchTesting.mutate(handler(PLACEMENT), PatchTesting.yaml(GPU_POD));

        assertThat(PatchTesting.patchOf(response)).isEqualTo("["
                + "{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"podguard.io/defaults\":"
                + "\"placement.nodeSelector (team=ml), placement.tolerations (dedicated=ml:NoSchedule), "
                + "placement.extendedResourceTolerations (nvidia.com/gpu)\"}},"
                + "{\"op\":\"add\",\"path\":\"/spec/nodeSelector/team\",\"value\":\"ml\"},"
                + "{\"op\":\"add\",\"path\":\"/spec/tolerations/1\",\"value\":{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"ml\",\"effect\":\"NoSchedule\"}},"
                + "{\"op\":\"add\",\"path\":\"/spec/tolerations/2\",\"value\":{\"key\":\"nvidia.com/gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}}]");
    }

    @Test
    void mutateWhenReviewedAgainThenNoPatch() {
        AdmissionHandler handler = handler(PLACEMENT);
        JsonNode pod = PatchTesting.yaml(GPU_POD);
        JsonNode mutated = PatchTesting.toJackson(PatchTesting.applyIndependently(pod, PatchTesting.patchOf(PatchTesting.mutate(handler, pod))));

        assertThat(PatchTesting.mutate(handler, mutated).has("patch")).isFalse();
    }

    @Test
    void mutateWhenBurstableAfterTheResourcesDefaultThenMemoryPressureTolerationToo() {
        JsonNode response = PatchTesting.mutate(handler("""
                defaults: {readinessProbe: {enabled: false}, preStop: {enabled: false}, securityContext: {enabled: false}}
                placement: {tolerations: {}}
                """), PatchTesting.yaml("{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: app, image: app}]}}"));

        assertThat(PatchTesting.patchOf(response)).contains(
                "\"path\":\"/spec/tolerations\",\"value\":[{\"key\":\"node.kubernetes.io/memory-pressure\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]");
        assertThat(PatchTesting.patchOf(response)).contains("resources (container app), placement.tolerations (node.kubernetes.io/memory-pressure:NoSchedule)");
    }

    @Test
    void mutateWhenPodOptsOutOfAllDefaultsThenPlacementStillSet() {
        JsonNode response = PatchTesting.mutate(handler(PLACEMENT), PatchTesting.yaml("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p, annotations: {podguard.io/skip-defaults: "all, placement.nodeSelector"}}
                spec: {containers: [{name: app, image: app}]}
                """));

        assertThat(PatchTesting.patchOf(response)).contains("{\"op\":\"add\",\"path\":\"/spec/nodeSelector\",\"value\":{\"team\":\"ml\"}}");
    }

    @Test
    void mutateWhenConflictingSelectorThenLeftForTheRuleToRefuse() {
        JsonNode response = PatchTesting.mutate(handler("placement: {nodeSelector: {default: {team: ml}}}\ndefaults: {enabled: false}\n"),
                PatchTesting.yaml("{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {nodeSelector: {team: web}, containers: [{name: app, image: app}]}}"));

        assertThat(response.has("patch")).isFalse();
    }

    @Test
    void mutateWhenPlacementInAuditModeThenOtherDefaultsPatchedPlacementOnlySaid() {
        JsonNode response = PatchTesting.mutate(handler("""
                defaults: {readinessProbe: {enabled: false}, preStop: {enabled: false}, securityContext: {enabled: false}}
                placement: {mode: audit, nodeSelector: {default: {team: ml}}}
                """), PatchTesting.yaml("{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: app, image: app}]}}"));

        assertThat(PatchTesting.patchOf(response)).doesNotContain("nodeSelector").contains("/spec/containers/0/resources");
        assertThat(response.get("warnings").valueStream().map(JsonNode::asString).toList())
                .containsExactly("podguard would set: placement.nodeSelector (team=ml)");
        assertThat(response.get("auditAnnotations").get("defaults-would-apply").asString()).isEqualTo("placement.nodeSelector (team=ml)");
    }

    @Test
    void mutateWhenDefaultsInAuditModeThenPlacementStillApplied() {
        JsonNode response = PatchTesting.mutate(handler("""
                defaults: {mode: audit}
                placement: {nodeSelector: {default: {team: ml}}}
                """), PatchTesting.yaml("{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: app, image: app}]}}"));

        assertThat(PatchTesting.patchOf(response)).isEqualTo("[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":"
                + "{\"podguard.io/defaults\":\"placement.nodeSelector (team=ml)\"}},{\"op\":\"add\",\"path\":\"/spec/nodeSelector\",\"value\":{\"team\":\"ml\"}}]");
        assertThat(response.get("warnings").get(0).asString()).startsWith("podguard would set: resources (container app)");
    }

    @Test
    void mutateWhenAnExemptionNamesThePartThenNotSet() {
        JsonNode response = PatchTesting.mutate(handler(PLACEMENT + """
                exemptions:
                  - reason: the training operator places its own pods
                    usernames: [alice]
                    checks: [placement.nodeSelector, placement.tolerations]
                """), PatchTesting.yaml(GPU_POD));

        assertThat(PatchTesting.patchOf(response)).isEqualTo("["
                + "{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"podguard.io/defaults\":\"placement.extendedResourceTolerations (nvidia.com/gpu)\"}},"
                + "{\"op\":\"add\",\"path\":\"/spec/tolerations/1\",\"value\":{\"key\":\"nvidia.com/gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}}]");
    }

    @Test
    void mutateWhenTheWholeRequestIsExemptThenPlacementStillSetAndNothingJudged() throws Exception {
        AdmissionHandler handler = handler(PLACEMENT + """
                  nodeName: {}
                exemptions:
                  - {reason: break glass, usernames: [alice]}
                """);
        JsonNode pod = PatchTesting.yaml(GPU_POD.replace("spec:\n", "spec:\n  nodeName: worker-1\n"));

        JsonNode response = PatchTesting.mutate(handler, pod);

        assertThat(PatchTesting.patchOf(response)).contains("placement.nodeSelector (team=ml), placement.tolerations (dedicated=ml:NoSchedule), "
                + "placement.extendedResourceTolerations (nvidia.com/gpu)");
        JsonNode stored = PatchTesting.toJackson(PatchTesting.applyIndependently(pod, PatchTesting.patchOf(response)));
        JsonNode validate = Json.mapper().readTree(handler.handle(Endpoint.VALIDATE, PatchTesting.review(stored, false))).get("response");
        assertThat(validate.get("allowed").asBoolean()).isTrue();
        assertThat(validate.get("auditAnnotations").get("exempt").asString()).isEqualTo("break glass");
        // Without the exemption, the same pod is refused, for its node among other things.
        JsonNode refused = Json.mapper().readTree(handler(PLACEMENT + "  nodeName: {}\n").handle(Endpoint.VALIDATE, PatchTesting.review(stored, false)))
                .get("response");
        assertThat(refused.get("status").get("message").asString())
                .endsWith("; violates placement rules: nodeName (pod must not set spec.nodeName=\"worker-1\": it bypasses the scheduler and every node taint)");
    }

    @Test
    void mutateWhenMatchingTolerationWithSecondsThenReplacedAsThePlugin() {
        JsonNode response = PatchTesting.mutate(handler("defaults: {enabled: false}\nplacement: {extendedResourceTolerations: {}}\n"), PatchTesting.yaml("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule, tolerationSeconds: 5, x-unknown: kept}]
                  containers: [{name: app, image: app, resources: {requests: {nvidia.com/gpu: 1}}}]
                """));

        assertThat(PatchTesting.patchOf(response)).contains("{\"op\":\"remove\",\"path\":\"/spec/tolerations/0/tolerationSeconds\"}");
    }

    private static AdmissionHandler handler(String policy) {
        return PatchTesting.handler(PolicyLoader.parse(policy));
    }
}

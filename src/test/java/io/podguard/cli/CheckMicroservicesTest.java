package io.podguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.zjsonpatch.JsonPatch;
import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.engine.Stage;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import io.podguard.report.ReviewObserver;
import io.podguard.testing.Reviews;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code check} on a microservices demo's manifests (twelve hardened Deployments without a
 * seccomp profile) under the strict posture (enforce restricted) says what the cluster decides for each:
 * every Deployment's pods pass once podguard's own defaults set the seccomp profile, exactly as
 * {@code /mutate} then {@code /validate} decide for the pod each template creates, and it says
 * which defaults it assumed. Judged as written, every one fails {@code seccompProfile} alone.
 */
class CheckMicroservicesTest {

    private static final String SHOP = "src/test/resources/manifests/microservices/shop.yaml";
    private static final String RESTRICTED = "src/test/resources/manifests/restricted-policy.yaml";

    @Test
    void checkWhenDemoManifestsThenWhatMutateThenValidateDecidesForEachPod() throws Exception {
        PolicyResolver resolver = PolicyResolver.fixed(PolicyLoader.load(java.nio.file.Path.of(RESTRICTED)));
        List<CheckManifests.Manifest> manifests = CheckManifests.read(List.of(SHOP), System.in).manifests();
        List<CheckCommand.Result> results = CheckCommand.judge(manifests, resolver, null, Stage.CREATE).results();

        assertThat(results).hasSize(12).allSatisfy(r -> assertThat(r.kind()).isEqualTo("Deployment"));
        AdmissionHandler server = new AdmissionHandler(Engine.standard(), () -> resolver, ReviewObserver.NONE);
        for (CheckCommand.Result r : results) {
            // The pod the Deployment's template creates, through the server: /mutate, the patch applied, /validate.
            ObjectNode template = (ObjectNode) manifests.stream().filter(m -> r.name().equals(m.object().at("/metadata/name").asString()))
                    .findFirst().orElseThrow().object().at("/spec/template");
            ObjectNode pod = Json.mapper().createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
            pod.set("metadata", template.get("metadata").deepCopy());
            ((ObjectNode) pod.get("metadata")).put("name", r.name() + "-x").put("namespace", "shop");
            pod.set("spec", template.get("spec").deepCopy());
            JsonNode mutate = Reviews.response(server.handle(Endpoint.MUTATE, Reviews.create(pod.toString()).getBytes(StandardCharsets.UTF_8)));
            JsonNode stored = JsonPatch.apply(Reviews.patch(mutate), pod);
            JsonNode validate = Reviews.response(server.handle(Endpoint.VALIDATE, Reviews.create(stored.toString()).getBytes(StandardCharsets.UTF_8)));

            assertThat(r.allowed()).as(r.name()).isEqualTo(validate.path("allowed").asBoolean()).isTrue();
            assertThat(r.violations()).as(r.name()).isEmpty();
            assertThat(r.defaults()).as(r.name()).extracting(d -> d.entry()).contains("securityContext (pod)");
        }

        ReviewCommandTest.Run text = ReviewCommandTest.run("", "check", "--policy", RESTRICTED, SHOP);
        assertThat(text.code()).isZero();
        assertThat(text.out()).contains(SHOP + ": Deployment frontend: after defaults: readinessProbe (container server), "
                + "preStop (container server), preStop (terminationGracePeriodSeconds 5 to 10), securityContext (pod)\n"
                + SHOP + ": Deployment frontend: allowed\n");
        assertThat(text.out()).endsWith("12 objects judged: 0 denied; 12 objects of other kinds (Service)\n");

        ReviewCommandTest.Run asWritten = ReviewCommandTest.run("", "check", "--policy", RESTRICTED, "--no-defaults", "-o", "json", SHOP);
        assertThat(asWritten.code()).isEqualTo(1);
        JsonNode json = Json.mapper().readTree(asWritten.out());
        assertThat(json.size()).isEqualTo(12);
        for (JsonNode r : json) {
            assertThat(r.path("allowed").asBoolean()).isFalse();
            assertThat(r.path("defaults").size()).isZero();
            assertThat(r.path("violations").findValuesAsString("rule")).as(r.path("name").asString()).containsOnly("seccompProfile_restricted");
        }
    }
}

package io.podguard.engine.defaults;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Engine;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.pss.CheckRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * When defaults and validation meet: with the restricted securityContext profile, a bare pod
 * becomes restricted-compliant, judged by every restricted check podguard has.
 */
class RestrictedProfileTest {

    private static final DefaultsConfig RESTRICTED = DefaultsConfig.DEFAULT.withSecurityContext(DefaultsConfig.SecurityContext.RESTRICTED);

    @Test
    void mutateWhenBarePodWithInitAndSidecarAndRestrictedProfileThenNoRestrictedViolation() {
        ObjectNode pod = PatchTesting.yaml("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: bare
                spec:
                  initContainers:
                  - name: setup
                    image: registry.example/setup:1
                  - name: proxy
                    image: registry.example/proxy:1
                    restartPolicy: Always
                  containers:
                  - name: app
                    image: registry.example/app:1
                    ports:
                    - containerPort: 8080
                """);
        LevelVersion restricted = LevelVersion.parse("restricted", "latest");
        assertThat(io.podguard.engine.pss.PodSecurityKind.INSTANCE.evaluator().evaluate(restricted, DefaultsPropertiesTest.extract(pod)))
                .as("the bare pod itself, judged by every restricted check present")
                .hasSameSizeAs(restrictedChecksThatJudgeSecurityContexts());

        MutationResult result = new io.podguard.engine.defaults.DefaultsEngine(io.podguard.engine.defaults.Defaulters.all()).mutate(DefaultsPropertiesTest.extract(pod), new io.podguard.engine.EffectivePolicy(RESTRICTED, java.util.List.of()));
        JsonNode mutated = PatchTesting.toJackson(PatchTesting.applyIndependently(pod, result.patch().toString()));

        assertRestrictedFields(mutated);
        assertThat(io.podguard.engine.pss.PodSecurityKind.INSTANCE.evaluator().evaluate(restricted, DefaultsPropertiesTest.extract(mutated))).isEmpty();
    }

    /**
     * The restricted checks a bare pod fails before defaulting (PSA ids): as more of them land in the
     * registry, the assertion above grows with them, and the mutated pod must still pass them all.
     */
    private static List<String> restrictedChecksThatJudgeSecurityContexts() {
        CheckRegistry registry = io.podguard.engine.pss.PodSecurityKind.INSTANCE.evaluator().registry();
        return registry.plan(LevelVersion.parse("restricted", "latest")).stream()
                .map(entry -> entry.check().id())
                .filter(id -> List.of("allowPrivilegeEscalation", "runAsNonRoot", "seccompProfile_restricted",
                        "capabilities_restricted").contains(id))
                .toList();
    }

    /** The restricted fields, checked directly: what the PSS checks look at, whichever of them exist. */
    static void assertRestrictedFields(JsonNode pod) {
        JsonNode spec = pod.get("spec");
        assertThat(spec.at("/securityContext/seccompProfile/type").asString()).isEqualTo("RuntimeDefault");
        assertThat(spec.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        for (String list : List.of("initContainers", "containers")) {
            if (spec.get(list) == null) {
                continue;
            }
            for (JsonNode c : spec.get(list)) {
                assertThat(c.at("/securityContext/allowPrivilegeEscalation").isBoolean()).isTrue();
                assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
                assertThat(c.at("/securityContext/capabilities/drop").valueStream().map(JsonNode::asString)).contains("ALL");
            }
        }
    }
}

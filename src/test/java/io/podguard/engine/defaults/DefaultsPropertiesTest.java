package io.podguard.engine.defaults;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Properties of defaulting over generated pods and policies: nothing throws, the patch applies
 * with an independent RFC 6902 implementation (JSON-P), reviewing the result again sets nothing,
 * and the result is valid by the apiserver's rules for every field podguard touched.
 */
class DefaultsPropertiesTest {

    private static final DefaultsEngine ENGINE = new io.podguard.engine.defaults.DefaultsEngine(io.podguard.engine.defaults.Defaulters.all());

    @Property(tries = 200)
    void mutateWhenAnyPodThenPatchAppliesIsIdempotentAndValid(
            @ForAll("pods") ObjectNode pod, @ForAll("configs") DefaultsConfig config) {
        MutationResult first = ENGINE.mutate(extract(pod), new io.podguard.engine.EffectivePolicy(config, java.util.List.of()));

        for (JsonNode op : first.patch()) {
            assertThat(op.get("op").asString()).isIn("add", "replace");
        }
        JsonNode mutated = first.isEmpty() ? pod
                : PatchTesting.toJackson(PatchTesting.applyIndependently(pod, first.patch().toString()));
        assertThat(first.applied().isEmpty()).isEqualTo(first.isEmpty());

        MutationResult second = ENGINE.mutate(extract(mutated), new io.podguard.engine.EffectivePolicy(config, java.util.List.of()));
        assertThat(second.patch()).as("second review of %s", mutated).isEmpty();

        assertValidWhereTouched(pod, mutated, config);
    }

    @Property(tries = 50)
    void mutateWhenSkipAllThenNothing(@ForAll("pods") ObjectNode pod, @ForAll("configs") DefaultsConfig config) {
        ObjectNode skipped = pod.deepCopy();
        ((ObjectNode) skipped.get("metadata")).withObjectProperty("annotations").put(DefaultsAnnotations.SKIP_DEFAULTS, " All ");

        assertThat(ENGINE.mutate(extract(skipped), new io.podguard.engine.EffectivePolicy(config, java.util.List.of())).isEmpty()).isTrue();
    }

    @Property(tries = 100)
    void mutateWhenBarePodAndRestrictedProfileThenRestrictedCompliant(@ForAll("barePods") ObjectNode pod) {
        DefaultsConfig restricted = DefaultsConfig.DEFAULT.withSecurityContext(DefaultsConfig.SecurityContext.RESTRICTED);

        MutationResult result = ENGINE.mutate(extract(pod), new io.podguard.engine.EffectivePolicy(restricted, java.util.List.of()));
        JsonNode mutated = result.isEmpty() ? pod : PatchTesting.toJackson(PatchTesting.applyIndependently(pod, result.patch().toString()));

        RestrictedProfileTest.assertRestrictedFields(mutated);
        List<Violation> violations = io.podguard.engine.pss.PodSecurityKind.INSTANCE.evaluator().evaluate(LevelVersion.parse("restricted", "latest"), extract(mutated));
        assertThat(violations).as("restricted violations of %s", mutated).isEmpty();
    }

    /** Defaults never make a pod worse: every check the mutated pod fails, the pod as sent failed too. */
    @Property(tries = 100)
    void mutateWhenAnyPodThenNoNewPodSecurityViolation(@ForAll("pods") ObjectNode pod, @ForAll("configs") DefaultsConfig config) {
        MutationResult result = ENGINE.mutate(extract(pod), new io.podguard.engine.EffectivePolicy(config, java.util.List.of()));
        JsonNode mutated = result.isEmpty() ? pod : PatchTesting.toJackson(PatchTesting.applyIndependently(pod, result.patch().toString()));

        for (String level : List.of("baseline", "restricted")) {
            LevelVersion lv = LevelVersion.parse(level, "latest");
            Set<String> before = new HashSet<>();
            io.podguard.engine.pss.PodSecurityKind.INSTANCE.evaluator().evaluate(lv, extract(pod)).forEach(v -> before.add(v.rule()));
            List<String> after = io.podguard.engine.pss.PodSecurityKind.INSTANCE.evaluator().evaluate(lv, extract(mutated)).stream().map(Violation::rule).toList();
            assertThat(after).as("%s violations of %s", level, mutated).allMatch(before::contains);
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<ObjectNode> pods() {
        return PodArbitraries.pods();
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<ObjectNode> barePods() {
        return PodArbitraries.barePods();
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<DefaultsConfig> configs() {
        return PodArbitraries.configs();
    }

    static PodObject extract(JsonNode pod) {
        return PodExtractor.extract("Pod", pod).orElseThrow();
    }

    /** The apiserver's rules for the fields podguard sets, checked where it set them. */
    private static void assertValidWhereTouched(JsonNode before, JsonNode after, DefaultsConfig config) {
        JsonNode spec = after.get("spec");
        JsonNode specBefore = before.get("spec");
        assertThat(spec.get("x-future")).isEqualTo(specBefore.get("x-future"));
        assertThat(spec.get("ephemeralContainers")).as("ephemeral containers untouched").isEqualTo(specBefore.get("ephemeralContainers"));
        boolean windows = spec.has("os") && "windows".equals(spec.get("os").get("name").asString());
        if (windows) {
            assertThat(spec.get("securityContext")).isEqualTo(specBefore.get("securityContext"));
        }
        JsonNode grace = spec.get("terminationGracePeriodSeconds");
        long effectiveGrace = grace == null ? 30 : grace.longValue();
        JsonNode graceBefore = specBefore.get("terminationGracePeriodSeconds");
        if (graceBefore == null) {
            assertThat(grace).as("an absent grace period stays absent").isNull();
        }
        for (String list : List.of("initContainers", "containers")) {
            JsonNode containers = spec.get(list);
            if (containers == null) {
                continue;
            }
            for (int i = 0; i < containers.size(); i++) {
                JsonNode c = containers.get(i);
                JsonNode old = specBefore.get(list).get(i);
                boolean runs = list.equals("containers") || "Always".equals(text(c.get("restartPolicy")));
                assertThat(c.get("x-extra")).isEqualTo(old.get("x-extra"));
                assertThat(c.get("ports")).isEqualTo(old.get("ports"));
                assertResources(c);
                for (String probe : List.of("readinessProbe", "livenessProbe")) {
                    if (!old.has(probe) && c.has(probe)) {
                        assertThat(runs).as("%s only on containers and sidecars", probe).isTrue();
                        assertDefaultedProbe(c, c.get(probe));
                    }
                }
                JsonNode preStop = c.at("/lifecycle/preStop");
                if (old.at("/lifecycle/preStop").isMissingNode() && !preStop.isMissingNode()) {
                    assertThat(runs).as("preStop only on containers and sidecars").isTrue();
                    assertThat(preStop.properties()).hasSize(1);
                    long seconds = preStop.get("sleep").get("seconds").longValue();
                    assertThat(seconds).isPositive().isLessThanOrEqualTo(effectiveGrace);
                }
                JsonNode ape = c.at("/securityContext/allowPrivilegeEscalation");
                if (old.at("/securityContext/allowPrivilegeEscalation").isMissingNode() && !ape.isMissingNode()) {
                    assertThat(windows).isFalse();
                    assertThat(ape.asBoolean()).isFalse();
                    assertThat(c.at("/securityContext/privileged").asBoolean(false)).isFalse();
                    Set<String> added = new HashSet<>();
                    c.at("/securityContext/capabilities/add").forEach(cap -> added.add(cap.asString()));
                    assertThat(added).doesNotContain("SYS_ADMIN", "CAP_SYS_ADMIN");
                }
                if (!windows && config.securityContext().isEnabled() && config.securityContext().dropAllCapabilities()
                        && !c.at("/securityContext/privileged").asBoolean(false) && !skips(after, "securityContext")) {
                    List<String> drops = c.at("/securityContext/capabilities/drop").valueStream().map(JsonNode::asString).toList();
                    assertThat(drops).containsOnlyOnce("ALL");
                }
            }
        }
        boolean changed = !before.equals(after);
        JsonNode recorded = after.at("/metadata/annotations").get(DefaultsAnnotations.DEFAULTS);
        if (changed) {
            assertThat(recorded).as("a changed pod records what was set").isNotNull();
        }
    }

    private static boolean skips(JsonNode pod, String name) {
        String value = text(pod.at("/metadata/annotations").get(DefaultsAnnotations.SKIP_DEFAULTS));
        return value != null && (value.toLowerCase().contains(name.toLowerCase()) || value.equalsIgnoreCase("all"));
    }

    /** requests ≤ limits for every resource that has both. */
    private static void assertResources(JsonNode container) {
        JsonNode requests = container.at("/resources/requests");
        JsonNode limits = container.at("/resources/limits");
        if (!requests.isObject() || !limits.isObject()) {
            return;
        }
        for (var entry : requests.properties()) {
            JsonNode limit = limits.get(entry.getKey());
            if (limit != null) {
                BigDecimal request = io.podguard.engine.KubeQuantity.parse(entry.getValue().asString()).value();
                assertThat(request).as("%s request of %s", entry.getKey(), container).isNotNull();
                assertThat(request.compareTo(io.podguard.engine.KubeQuantity.parse(limit.asString()).value())).as("%s request ≤ limit in %s", entry.getKey(), container)
                        .isLessThanOrEqualTo(0);
            }
        }
    }

    /** Exactly one handler, tcpSocket, no host, a port that is a valid number or a name the container declares. */
    private static void assertDefaultedProbe(JsonNode container, JsonNode probe) {
        assertThat(probe.has("tcpSocket")).isTrue();
        assertThat(probe.has("httpGet") || probe.has("exec") || probe.has("grpc")).isFalse();
        assertThat(probe.get("tcpSocket").has("host")).isFalse();
        JsonNode port = probe.get("tcpSocket").get("port");
        if (port.isNumber()) {
            assertThat(port.intValue()).isBetween(1, 65535);
        } else {
            assertThat(TcpProbes.isPortName(port.asString())).isTrue();
            List<String> names = container.get("ports").valueStream().map(p -> text(p.get("name"))).toList();
            assertThat(names).contains(port.asString());
        }
    }

    private static String text(JsonNode node) {
        return node == null || !node.isString() ? null : node.asString();
    }

    static {
        // Keeps the shared mapper initialised before jqwik's first try.
        Json.mapper();
    }
}

package io.podguard.engine.defaults;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Engine;
import io.podguard.engine.Evaluation;
import io.podguard.engine.Json;
import io.podguard.engine.Judgement;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.Stage;
import io.podguard.engine.Violation;
import io.podguard.engine.placement.PlacedPod;
import io.podguard.engine.placement.PlacementPolicy;
import io.podguard.policy.PolicyCompiler;
import io.podguard.policy.PolicyLoader;
import io.podguard.testing.Judging;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Properties of placement over generated pods, with every part on: nothing throws, the patch
 * applies with JSON-P, a second review changes nothing (or, where an extended-resource toleration
 * covers a default one, only leaves that one out, and a third changes nothing), the defaults never
 * cause a refusal of their own making, and the rules judge the mutated pod as they judged the pod
 * as sent (they merge what /mutate merges).
 */
class PlacementPropertiesTest {

    private static final EffectivePolicy POLICY = PolicyCompiler.compile(PolicyLoader.parse("""
            podSecurity: {level: privileged}
            placement:
              nodeSelector: {default: {team: ml}, allowed: {team: ml, zone: a, tier: gold}}
              tolerations:
                default: [{key: dedicated, operator: Equal, value: ml, effect: NoSchedule}, {key: example.com/device, operator: Equal,
                           value: x, effect: NoSchedule}]
                allowed: [{key: dedicated, operator: Exists}, {key: node.kubernetes.io/memory-pressure, operator: Exists},
                          {key: example.com/device, operator: Exists}, {key: nvidia.com/gpu, operator: Exists}]
              extendedResourceTolerations: {}
              nodeName: {}
              nodeLabels: {restricted: {tier: [gold]}}
              dedicatedNodes: {taints: [{key: dedicated, label: team}]}
            """));

    @Property(tries = 200)
    void mutateWhenAnyPodThenAppliesConvergesAndJudgesAlike(@ForAll("pods") ObjectNode pod) {
        PodObject sent = extract(pod);
        Judgement first = mutate(sent);
        JsonNode mutated = first.patch().isEmpty() ? pod : PatchTesting.toJackson(PatchTesting.applyIndependently(pod, first.patch().toString()));

        Judgement second = mutate(extract(mutated));
        if (!second.patch().isEmpty()) {
            // Only an extended-resource toleration covering a default one, as with the plugins reinvoked.
            assertThat(second.defaults()).extracting(AppliedDefault::defaulter).containsOnly("placement.tolerations");
            JsonNode twice = PatchTesting.toJackson(PatchTesting.applyIndependently(mutated, second.patch().toString()));
            assertThat(mutate(extract(twice)).patch().isEmpty()).isTrue();
        }
        Evaluation before = Judging.evaluate(sent, POLICY);
        Evaluation after = Judging.evaluate(extract(mutated), POLICY);
        assertThat(rules(after.enforce())).isEqualTo(rules(before.enforce()));
        PlacementPolicy placement = POLICY.rule(PlacementPolicy.class);
        assertThat(PlacedPod.of(mutated, placement).nodeSelector()).isEqualTo(PlacedPod.of(pod, placement).nodeSelector());
    }

    @Property(tries = 100)
    void mutateWhenPodKeepsToThePolicyThenAdmittedAfterItsDefaults(@ForAll("pods") ObjectNode pod) {
        ObjectNode clean = pod.deepCopy();
        ObjectNode spec = (ObjectNode) clean.get("spec");
        spec.remove(List.of("nodeSelector", "tolerations", "nodeName"));
        Judgement result = mutate(extract(clean));
        JsonNode mutated = result.patch().isEmpty() ? clean : PatchTesting.toJackson(PatchTesting.applyIndependently(clean, result.patch().toString()));

        assertThat(Judging.evaluate(extract(mutated), POLICY).enforce()).isEmpty();
        // And check's judgement, which applies the defaults itself, agrees with mutate-then-validate.
        assertThat(Engine.standard().judge(extract(clean), POLICY, RequestInfo.offline(null), Stage.CREATE).evaluation().enforce()).isEmpty();
    }

    @Provide
    Arbitrary<ObjectNode> pods() {
        Arbitrary<ObjectNode> selector = Arbitraries.maps(Arbitraries.of("team", "zone", "tier", "dedicated"), Arbitraries.of("ml", "a", "gold", "web"))
                .ofMaxSize(3).map(m -> (ObjectNode) Json.mapper().valueToTree(m));
        Arbitrary<ObjectNode> toleration = Combinators.combine(
                Arbitraries.of("dedicated", "example.com/device", "nvidia.com/gpu", "", "spot"), Arbitraries.of("Equal", "Exists", ""),
                Arbitraries.of("ml", "x", ""), Arbitraries.of("NoSchedule", "NoExecute", ""), Arbitraries.of(0L, 60L).injectNull(0.7))
                .as((k, o, v, e, s) -> {
                    ObjectNode t = Json.mapper().createObjectNode();
                    if (!k.isEmpty()) {
                        t.put("key", k);
                    }
                    if (!o.isEmpty()) {
                        t.put("operator", o);
                    }
                    if (!v.isEmpty()) {
                        t.put("value", v);
                    }
                    if (!e.isEmpty()) {
                        t.put("effect", e);
                    }
                    if (s != null) {
                        t.put("tolerationSeconds", s);
                    }
                    return t;
                });
        Arbitrary<String> device = Arbitraries.of("nvidia.com/gpu", "example.com/device").injectNull(0.5);
        return Combinators.combine(PodArbitraries.pods(), selector.injectNull(0.4), toleration.list().ofMaxSize(3).injectNull(0.4), device)
                .as((pod, sel, tols, dev) -> {
                    ObjectNode spec = (ObjectNode) pod.get("spec");
                    if (sel != null) {
                        spec.set("nodeSelector", sel);
                    }
                    if (tols != null) {
                        ArrayNode list = spec.putArray("tolerations");
                        tols.forEach(list::add);
                    }
                    if (dev != null) {
                        ((ObjectNode) spec.get("containers").get(0)).withObjectProperty("resources").withObjectProperty("limits").put(dev, 1);
                    }
                    return (ObjectNode) Json.mapper().readTree(pod.toString());
                });
    }

    private static List<String> rules(List<Violation> violations) {
        return violations.stream().map(Violation::rule).toList();
    }

    /** What /mutate answers for a new pod. */
    private static Judgement mutate(PodObject pod) {
        return Engine.standard().judge(pod, POLICY, RequestInfo.offline(pod.namespace()), Stage.MUTATE);
    }

    private static PodObject extract(JsonNode pod) {
        return PodExtractor.extract("Pod", pod).orElseThrow();
    }
}

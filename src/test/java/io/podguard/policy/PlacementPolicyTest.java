package io.podguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Evaluation;
import io.podguard.engine.MatchedExemption;
import io.podguard.engine.Mode;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.Violation;
import io.podguard.engine.placement.NamespaceAnnotations;
import io.podguard.engine.placement.PlacementPolicy;
import io.podguard.engine.placement.Toleration;
import io.podguard.testing.Judging;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The placement section: validation with paths, namespace entries, annotations, the mode label, exemptions. */
class PlacementPolicyTest {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private static List<String> errors(String yaml) {
        try {
            PolicyLoader.parse(yaml);
            return List.of();
        } catch (PolicyException e) {
            return e.errors();
        }
    }

    @Test
    void parseWhenPlacementMistakesThenEveryErrorWithItsPath() {
        assertThat(errors("""
                placement:
                  mode: strict
                  nodeSelector: {default: {"Bad Key": a}, allowed: {team: "-x"}, alowed: {}}
                  tolerations:
                    default: [{key: "", operator: Equal}, {key: gpu, operator: Exists, value: a}, {key: gpu, tolerationSeconds: 5}]
                    allowed: [{key: gpu, operator: Gt, value: "1"}, {key: gpu, effect: NoAdmit}]
                  extendedResourceTolerations: {resources: ["[a"]}
                  nodeLabels: {restricted: {team: ["[x"]}}
                  dedicatedNodes: {taints: [{label: dedicated}, {key: "a/b/c"}]}
                """)).containsExactly(
                "placement.mode: \"strict\" is not one of enforce, audit, warn",
                "placement.nodeSelector.default.Bad Key: \"Bad Key\" is not a label key: the name part must consist of letters, digits, '-', '_' or '.', "
                        + "and start and end with a letter or digit",
                "placement.nodeSelector.allowed.team: \"-x\" is not a label value: a label value must consist of letters, digits, '-', '_' or '.', "
                        + "and start and end with a letter or digit",
                "placement.nodeSelector.alowed: unknown key (did you mean allowed?)",
                "placement.tolerations.default[0].operator: must be Exists when key is empty (which tolerates every taint)",
                "placement.tolerations.default[1].value: must be empty when operator is Exists",
                "placement.tolerations.default[2].tolerationSeconds: only for effect NoExecute",
                "placement.tolerations.allowed[0].operator: \"Gt\" is not one of Equal, Exists",
                "placement.tolerations.allowed[1].effect: \"NoAdmit\" is not one of NoSchedule, PreferNoSchedule, NoExecute",
                "placement.extendedResourceTolerations.resources[0]: bad pattern \"[a\": unclosed [ at position 1",
                "placement.nodeLabels.restricted.team[0]: bad pattern \"[x\": unclosed [ at position 1",
                "placement.dedicatedNodes.taints[0].key: required: the taint's key",
                "placement.dedicatedNodes.taints[1].key: \"a/b/c\" is not a taint key: a label key has at most one '/'");
    }

    @Test
    void parseWhenExemptionNamesPlacementRulesThenKnown() {
        assertThat(errors("""
                exemptions:
                  - reason: the node agents
                    groups: [system:nodes]
                    checks: [placement.nodeName, placement.tolerations, placement.extendedResourceTolerations, placement.nodeNam]
                """)).containsExactly("exemptions[0].checks[3]: unknown check \"placement.nodeNam\" (did you mean placement.nodeName?)");
    }

    @Test
    void compileWhenPartsGivenThenOnWithTheirModesElseOff() {
        PlacementPolicy p = placement(PolicyCompiler.compile(PolicyLoader.parse("""
                mode: audit
                placement:
                  nodeSelector: {mode: enforce}
                  tolerations: {}
                  nodeName: {}
                  nodeLabels: {enabled: false}
                  dedicatedNodes: {taints: [{key: dedicated}]}
                """)));
        assertThat(p.nodeSelector().mode()).isEqualTo(Mode.ENFORCE);
        assertThat(p.tolerations().mode()).isEqualTo(Mode.AUDIT);
        assertThat(p.tolerations().whitelistScope()).isEqualTo("cluster");
        assertThat(p.nodeName()).isEqualTo(Mode.AUDIT);
        assertThat(p.nodeLabels()).isNull();
        assertThat(p.extendedResourceTolerations()).isNull();
        assertThat(p.dedicatedNodes().mode()).isEqualTo(Mode.WARN);
        assertThat(PolicyCompiler.compile(PolicyLoader.parse("mode: enforce")).rule(PlacementPolicy.class)).isNull();
    }

    @Test
    void resolveWhenNamespaceEntryThenEachNodeSelectorAndTolerationsKeyReplacedAlone() {
        ConfiguredPolicyResolver r = resolver("""
                placement:
                  nodeSelector: {default: {pool: general}, allowed: {pool: general, team: ml}}
                  tolerations:
                    default: [{key: spot, operator: Exists}]
                    allowed: [{key: spot, operator: Exists}]
                  nodeName: {}
                namespaces:
                  - names: [ml]
                    placement:
                      nodeSelector: {default: {team: ml}}
                      tolerations: {allowed: [{operator: Exists}]}
                """, Map.of());
        PlacementPolicy ml = placement(r.resolve(in("ml", "alice"), pod("{containers: [{name: app, image: app}]}")));
        assertThat(ml.nodeSelector().selector()).containsExactly(Map.entry("team", "ml"));
        assertThat(ml.nodeSelector().whitelist()).containsOnly(Map.entry("pool", "general"), Map.entry("team", "ml"));
        assertThat(ml.tolerations().defaults()).containsExactly(new Toleration("spot", "Exists", "", "", null));
        assertThat(ml.tolerations().whitelist()).containsExactly(new Toleration("", "Exists", "", "", null));
        assertThat(ml.tolerations().whitelistScope()).isEqualTo("namespace");
        assertThat(ml.nodeName()).isEqualTo(Mode.ENFORCE);
        PlacementPolicy other = placement(r.resolve(in("web", "alice"), pod("{containers: [{name: app, image: app}]}")));
        assertThat(other.nodeSelector().selector()).containsExactly(Map.entry("pool", "general"));
        assertThat(other.tolerations().whitelistScope()).isEqualTo("cluster");
    }

    @Test
    void resolveWhenNamespaceAnnotationsHonouredThenTheyWinOverThePolicy() {
        String policy = """
                placement:
                  namespaceAnnotations: true
                  nodeSelector: {default: {pool: general}}
                """;
        Map<String, String> annotations = Map.of(NamespaceAnnotations.NODE_SELECTOR, "team=ml",
                NamespaceAnnotations.TOLERATIONS_WHITELIST, "[{\"key\":\"dedicated\",\"operator\":\"Exists\"}]");
        PodObject pod = pod("{nodeSelector: {team: web}, containers: [{name: app, image: app}]}");
        Evaluation e = Judging.evaluate(pod, resolver(policy, annotations).resolve(in("ml", "alice"), pod));
        assertThat(e.enforce()).extracting(Violation::message).containsExactly(
                "pod node label selector conflicts with its namespace node label selector");
        // Not honoured: the annotations are not even read.
        assertThat(Judging.evaluate(pod, resolver(policy.replace("true", "false"), annotations).resolve(in("ml", "alice"), pod))
                .enforce()).isEmpty();
        // Unknown (not in the cache, or offline): the policy's own placement.
        assertThat(placement(resolver(policy, null).resolve(in("ml", "alice"), pod)).nodeSelector().selector())
                .containsExactly(Map.entry("pool", "general"));
    }

    @Test
    void resolveWhenKubeletCreatesAMirrorPodThenNodeNameNotJudged() {
        ConfiguredPolicyResolver r = resolver("placement: {nodeName: {}}", Map.of());
        PodObject mirror = pod("{nodeName: worker-1, containers: [{name: app, image: app}]}");
        assertThat(Judging.evaluate(mirror, r.resolve(in("ml", "alice"), mirror)).enforce()).extracting(Violation::rule)
                .containsExactly("placement.nodeName");
        RequestInfo kubelet = new RequestInfo("ml", "system:node:worker-1", List.of("system:nodes", "system:authenticated"));
        assertThat(Judging.evaluate(mirror, r.resolve(kubelet, mirror)).enforce()).isEmpty();
    }

    @Test
    void resolveWhenExemptUserThenNodeNameViolationDroppedAndTheExemptionRecorded() {
        ConfiguredPolicyResolver r = resolver("""
                placement: {nodeName: {}}
                exemptions:
                  - reason: the batch scheduler binds its own pods
                    usernames: [system:serviceaccount:batch:scheduler]
                    checks: [placement.nodeName]
                """, Map.of());
        PodObject pod = pod("{nodeName: worker-1, containers: [{name: app, image: app}]}");
        EffectivePolicy exempt = r.resolve(in("ml", "system:serviceaccount:batch:scheduler"), pod);
        Evaluation e = Judging.evaluate(pod, exempt);
        assertThat(e.enforce()).isEmpty();
        assertThat(e.exemptionsApplied()).extracting(MatchedExemption::reason).containsExactly("the batch scheduler binds its own pods");
        assertThat(Judging.evaluate(pod, r.resolve(in("ml", "alice"), pod)).enforce()).hasSize(1);
    }

    @Test
    void resolveWhenModeLabelSaysWarnThenEnforcingPlacementWarns() {
        ConfiguredPolicyResolver r = new ConfiguredPolicyResolver(PolicyLoader.parse("""
                namespaceLabelOverrides: true
                podSecurity: {level: privileged}
                placement: {nodeName: {}}
                """), ns -> Map.of("podguard.io/mode", "warn"), Clock.systemUTC(), PolicyResolver.ExpiryListener.NONE);
        PodObject pod = pod("{nodeName: worker-1, containers: [{name: app, image: app}]}");
        Evaluation e = Judging.evaluate(pod, r.resolve(in("ml", "alice"), pod));
        assertThat(e.enforce()).isEmpty();
        assertThat(e.warn()).extracting(Violation::rule).containsExactly("placement.nodeName");
    }

    @Test
    void resolveWhenWholeRequestExemptThenPlacementNotJudged() {
        ConfiguredPolicyResolver r = resolver("""
                placement: {nodeName: {}}
                exemptions: [{reason: break glass, namespaces: [kube-*]}]
                """, Map.of());
        PodObject pod = pod("{nodeName: worker-1, containers: [{name: app, image: app}]}");
        EffectivePolicy e = r.resolve(in("kube-ops", "alice"), pod);
        assertThat(e.judgesNothing()).isTrue();
        assertThat(e.rule(PlacementPolicy.class)).isNull(); // nodeName sets nothing: nothing of placement is left
        assertThat(Judging.evaluate(pod, e).enforce()).isEmpty();
        assertThat(Judging.evaluate(pod, e).exemptionsApplied()).extracting(MatchedExemption::reason).containsExactly("break glass");
    }

    @Test
    void resolveWhenWholeRequestExemptThenPlacementDefaultsStayAndNothingJudges() {
        ConfiguredPolicyResolver r = resolver("""
                placement: {nodeSelector: {default: {pool: general}}, nodeName: {}}
                exemptions: [{reason: break glass, namespaces: [kube-*]}]
                """, Map.of());
        PodObject pod = pod("{nodeName: worker-1, nodeSelector: {pool: gpu}, containers: [{name: app, image: app}]}");
        EffectivePolicy e = r.resolve(in("kube-ops", "alice"), pod);
        assertThat(e.judgesNothing()).isTrue();
        assertThat(placement(e).judged()).isFalse();
        assertThat(placement(e).nodeSelector().selector()).containsExactly(Map.entry("pool", "general"));
        assertThat(placement(e).modes()).isEmpty();
        assertThat(Judging.evaluate(pod, e).verdicts()).isEmpty();
    }

    @Test
    void enforcingWhenThePolicyOnlyAuditsThenEveryPlacementKeyEnforcesForTheAudit() {
        EffectivePolicy audit = PolicyCompiler.compile(PolicyLoader.parse("""
                mode: audit
                podSecurity: {level: baseline}
                placement: {nodeSelector: {default: {team: ml}}, nodeName: {}, dedicatedNodes: {taints: [{key: dedicated}]}}
                """));
        assertThat(audit.modes()).containsExactlyInAnyOrder(Mode.AUDIT, Mode.WARN);

        PlacementPolicy enforced = placement(audit.enforcing());
        assertThat(enforced.nodeSelector().mode()).isEqualTo(Mode.ENFORCE);
        assertThat(enforced.nodeName()).isEqualTo(Mode.ENFORCE);
        assertThat(enforced.dedicatedNodes().mode()).isEqualTo(Mode.ENFORCE);
        // A policy that enforces something is audited as it is: the dedicated-nodes rule keeps warning.
        EffectivePolicy enforcing = PolicyCompiler.compile(PolicyLoader.parse("""
                placement: {nodeName: {}, dedicatedNodes: {taints: [{key: dedicated}]}}
                """));
        assertThat(placement(enforcing.enforcing()).dedicatedNodes().mode()).isEqualTo(Mode.WARN);
    }

    @Test
    void usesNamespacesWhenAnnotationsHonouredAnywhereThenTrue() {
        assertThat(PolicyLoader.parse("placement: {namespaceAnnotations: true}").usesNamespaces()).isTrue();
        assertThat(PolicyLoader.parse("namespaces: [{names: [a], placement: {namespaceAnnotations: true}}]").usesNamespaceAnnotations()).isTrue();
        assertThat(PolicyLoader.parse("placement: {nodeName: {}}").usesNamespaces()).isFalse();
    }

    @Test
    void parseWhenNotAMapThenOneLine() {
        assertThatThrownBy(() -> PolicyLoader.parse("placement: [nodeName]")).isInstanceOf(PolicyException.class)
                .hasMessageContaining("placement: expected a map, got a list");
    }

    private static ConfiguredPolicyResolver resolver(String yaml, @Nullable Map<String, String> annotations) {
        NamespaceLabels namespaces = new NamespaceLabels() {
            @Override
            public Map<String, String> labels(String namespace) {
                return Map.of();
            }

            @Override
            public @Nullable Map<String, String> annotations(String namespace) {
                return annotations;
            }
        };
        // Pod Security Standards off: only placement judges.
        return new ConfiguredPolicyResolver(PolicyLoader.parse("podSecurity: {level: privileged}\n" + yaml), namespaces, Clock.systemUTC(),
                PolicyResolver.ExpiryListener.NONE);
    }

    private static PlacementPolicy placement(EffectivePolicy policy) {
        PlacementPolicy p = policy.rule(PlacementPolicy.class);
        assertThat(p).isNotNull();
        return p;
    }

    private static RequestInfo in(String namespace, String user) {
        return new RequestInfo(namespace, user, List.of("system:authenticated"));
    }

    private static PodObject pod(String spec) {
        ObjectNode pod = (ObjectNode) YAML.readTree("{apiVersion: v1, kind: Pod, metadata: {name: p, namespace: ml}}");
        pod.set("spec", YAML.readTree(spec));
        return PodExtractor.extract("Pod", pod).orElseThrow();
    }
}

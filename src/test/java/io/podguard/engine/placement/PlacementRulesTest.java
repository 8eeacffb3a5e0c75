package io.podguard.engine.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.engine.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Each placement rule, with its exact message and path, on pods and on workload templates. */
class PlacementRulesTest {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    @Test
    void nodeNameWhenSetThenViolationNamingTheNode() {
        PlacementPolicy policy = new PlacementPolicy(null, null, null, Mode.ENFORCE, null, null);
        assertThat(PlacementRules.evaluate(pod("{nodeName: worker-1, containers: [{name: app, image: app}]}"), policy, Mode.ENFORCE))
                .containsExactly(new Violation("placement.nodeName", "spec.nodeName", "nodeName",
                        "pod must not set spec.nodeName=\"worker-1\": it bypasses the scheduler and every node taint"));
        assertThat(PlacementRules.evaluate(pod("{containers: [{name: app, image: app}]}"), policy, Mode.ENFORCE)).isEmpty();
        // A pod read back from the cluster was bound to its node: an audit of running pods does not judge it.
        PodObject running = pod("{nodeName: worker-1, containers: [{name: app, image: app}]}");
        ((ObjectNode) running.podNode()).putObject("status").putArray("conditions").addObject().put("type", "PodScheduled").put("status", "True");
        assertThat(PlacementRules.evaluate(running, policy, Mode.ENFORCE)).isEmpty();
        // On create the apiserver resets the status: phase Pending and the QoS class only.
        PodObject created = pod("{nodeName: worker-1, containers: [{name: app, image: app}]}");
        ((ObjectNode) created.podNode()).putObject("status").put("phase", "Pending").put("qosClass", "BestEffort");
        assertThat(PlacementRules.evaluate(created, policy, Mode.ENFORCE)).hasSize(1);
        // Another mode's rules do not run.
        assertThat(PlacementRules.evaluate(pod("{nodeName: worker-1, containers: [{name: app, image: app}]}"), policy, Mode.WARN)).isEmpty();
    }

    @Test
    void nodeSelectorWhenConflictOrOutsideWhitelistThenThePluginsMessages() {
        PlacementPolicy policy = selector(Map.of("team", "ml"), Map.of("team", "ml", "zone", "a"));
        assertThat(messages(policy, "{nodeSelector: {team: web}, containers: [{name: app, image: app}]}"))
                .containsExactly("pod node label selector conflicts with its namespace node label selector");
        assertThat(messages(policy, "{nodeSelector: {zone: b}, containers: [{name: app, image: app}]}"))
                .containsExactly("pod node label selector labels conflict with its namespace whitelist");
        assertThat(messages(policy, "{nodeSelector: {zone: a}, containers: [{name: app, image: app}]}")).isEmpty();
        assertThat(messages(policy, "{containers: [{name: app, image: app}]}")).isEmpty();
    }

    @Test
    void nodeSelectorWhenTheNamespaceSelectorIsOutsideTheWhitelistThenEveryPodRefused() {
        assertThat(messages(selector(Map.of("env", "dev"), Map.of("env", "prd")), "{containers: [{name: app, image: app}]}"))
                .containsExactly("pod node label selector labels conflict with its namespace whitelist");
    }

    @Test
    void tolerationsWhenMergedOnesOutsideTheWhitelistThenThePluginsMessageAtTheFirst() {
        Toleration dedicated = new Toleration("dedicated", "Equal", "ml", "NoSchedule", null);
        PlacementPolicy policy = tolerations(List.of(dedicated), List.of(dedicated), "namespace");
        PodObject pod = pod("{tolerations: [{key: dedicated, operator: Equal, value: ml, effect: NoSchedule}, {key: gpu, operator: Exists}],"
                + " containers: [{name: app, image: app}]}");
        assertThat(PlacementRules.evaluate(pod, policy, Mode.ENFORCE)).containsExactly(new Violation("placement.tolerations",
                "spec.tolerations[1]", "pod tolerations (possibly merged with namespace default tolerations) conflict with its namespace whitelist", ""));
        // The memory-pressure toleration a Burstable pod gets must be whitelisted too, as with the plugin.
        assertThat(messages(tolerations(List.of(), List.of(dedicated), "cluster"),
                "{containers: [{name: app, image: app, resources: {requests: {cpu: 1}}}]}"))
                .containsExactly("pod tolerations (possibly merged with namespace default tolerations) conflict with its cluster whitelist");
        assertThat(messages(tolerations(List.of(dedicated), List.of(dedicated), "cluster"), "{containers: [{name: app, image: app}]}")).isEmpty();
    }

    @Test
    void tolerationsWhenWhitelistUnreadableThenRefusedOnlyWithATolerationAsThePlugin() {
        PlacementPolicy policy = new PlacementPolicy(null,
                new TolerationPlacement(Mode.ENFORCE, List.of(), List.of(), "namespace", null, "namespace annotation x is broken"),
                null, null, null, null);
        assertThat(messages(policy, "{containers: [{name: app, image: app}]}")).isEmpty();
        assertThat(messages(policy, "{tolerations: [{operator: Exists}], containers: [{name: app, image: app}]}"))
                .containsExactly("namespace annotation x is broken");
    }

    @Test
    void tolerationsWhenMoreThanPodguardMergesThenRefusedInBoundedTime() {
        StringBuilder spec = new StringBuilder("{tolerations: [");
        for (int i = 0; i <= Tolerations.MAX; i++) {
            spec.append("{key: k").append(i).append(", operator: Exists},");
        }
        spec.append("], containers: [{name: app, image: app}]}");
        assertThat(messages(tolerations(List.of(Toleration.MEMORY_PRESSURE), List.of(), "cluster"), spec.toString()))
                .containsExactly("too many tolerations (pod has 1001 tolerations; podguard judges at most 1000)");
    }

    @Test
    void nodeLabelsWhenSelectorOrRequiredAffinityReachesOtherValuesThenOneViolationListingEach() {
        PlacementPolicy policy = new PlacementPolicy(null, null, null, null, new NodeLabelRestriction(Mode.ENFORCE, List.of(
                entry("team", List.of("payments")), entry("node-role.kubernetes.io/*", List.of()))), null);
        PodObject pod = pod("""
                {nodeSelector: {team: ml, zone: a},
                 affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [
                   {matchExpressions: [{key: team, operator: In, values: [payments, ml]}, {key: node-role.kubernetes.io/infra, operator: Exists}]},
                   {matchExpressions: [{key: team, operator: DoesNotExist}, {key: team, operator: In, values: [payments]}]}]}}},
                 containers: [{name: app, image: app}]}""");
        assertThat(PlacementRules.evaluate(pod, policy, Mode.ENFORCE)).containsExactly(new Violation("placement.nodeLabels",
                "spec.nodeSelector.team", "node labels",
                "spec.nodeSelector selects team=ml, pods here may select team only as payments; "
                        + "required node affinity selects team In (payments, ml), pods here may select team only as payments; "
                        + "required node affinity selects node-role.kubernetes.io/infra Exists, pods here may not select node-role.kubernetes.io/infra"));
        assertThat(messages(policy, "{nodeSelector: {team: payments, zone: b}, containers: [{name: app, image: app}]}")).isEmpty();
    }

    @Test
    void nodeLabelsWhenAnyValueAllowedThenExistsAndNotInPass() {
        PlacementPolicy policy = new PlacementPolicy(null, null, null, null,
                new NodeLabelRestriction(Mode.ENFORCE, List.of(new NodeLabelRestriction.Entry("zone", "zone"::equals, List.of("*"), v -> true, true))), null);
        assertThat(messages(policy, """
                {affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [
                  {matchExpressions: [{key: zone, operator: NotIn, values: [a]}]}]}}}, containers: [{name: app, image: app}]}""")).isEmpty();
    }

    @Test
    void nodeLabelsWhenWorkloadTemplateThenPathsIntoTheTemplate() {
        PlacementPolicy policy = new PlacementPolicy(null, null, null, null,
                new NodeLabelRestriction(Mode.WARN, List.of(entry("team", List.of("payments")))), null);
        ObjectNode deployment = (ObjectNode) YAML.readTree("""
                {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: payments},
                 spec: {template: {spec: {nodeSelector: {team: ml}, containers: [{name: app, image: app}]}}}}""");
        PodObject workload = PodExtractor.extract("Deployment", deployment).orElseThrow();
        assertThat(PlacementRules.evaluate(workload, policy, Mode.WARN)).extracting(Violation::path)
                .containsExactly("spec.template.spec.nodeSelector.team");
    }

    @Test
    void dedicatedNodesWhenTolerationWithoutTheLabelThenViolationElseNone() {
        PlacementPolicy policy = new PlacementPolicy(null, null, null, null, null,
                new DedicatedNodes(Mode.WARN, List.of(new DedicatedNodes.Taint("dedicated", "dedicated"))));
        String tolerates = "tolerations: [{key: dedicated, operator: Equal, value: ml, effect: NoSchedule}], containers: [{name: app, image: app}]";
        assertThat(PlacementRules.evaluate(pod("{" + tolerates + "}"), policy, Mode.WARN)).containsExactly(new Violation(
                "placement.dedicatedNodes", "spec.tolerations[0]", "dedicated nodes",
                "pod tolerates taint dedicated=ml:NoSchedule but does not select node label dedicated=ml"));
        assertThat(messages(policy, Mode.WARN, "{nodeSelector: {dedicated: web}, " + tolerates + "}")).hasSize(1);
        assertThat(messages(policy, Mode.WARN, "{nodeSelector: {dedicated: ml}, " + tolerates + "}")).isEmpty();
        assertThat(messages(policy, Mode.WARN, "{affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: ["
                + "{matchExpressions: [{key: dedicated, operator: In, values: [ml]}]}]}}}, " + tolerates + "}")).isEmpty();
        // A term that does not constrain the label lets the pod run anywhere.
        assertThat(messages(policy, Mode.WARN, "{affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: ["
                + "{matchExpressions: [{key: dedicated, operator: In, values: [ml]}]}, {matchExpressions: [{key: zone, operator: Exists}]}]}}}, "
                + tolerates + "}")).hasSize(1);
        // Tolerating every value needs only the label; tolerating every taint is a node agent's business.
        assertThat(messages(policy, Mode.WARN, "{nodeSelector: {dedicated: web}, tolerations: [{key: dedicated, operator: Exists}],"
                + " containers: [{name: app, image: app}]}")).isEmpty();
        assertThat(messages(policy, Mode.WARN, "{tolerations: [{operator: Exists}], containers: [{name: app, image: app}]}")).isEmpty();
    }

    @Test
    void dedicatedNodesWhenTheNamespaceDefaultsAddTheTolerationThenJudgedAfterTheMerge() {
        Toleration dedicated = new Toleration("dedicated", "Equal", "ml", "NoSchedule", null);
        PlacementPolicy policy = new PlacementPolicy(
                new NodeSelectorPlacement(Mode.ENFORCE, Map.of("dedicated", "ml"), Map.of(), null),
                new TolerationPlacement(Mode.ENFORCE, List.of(dedicated), List.of(), "cluster", null, null), null, null, null,
                new DedicatedNodes(Mode.WARN, List.of(new DedicatedNodes.Taint("dedicated", "dedicated"))));
        assertThat(messages(policy, Mode.WARN, "{containers: [{name: app, image: app}]}")).isEmpty();
        PlacementPolicy withoutSelector = new PlacementPolicy(null, policy.tolerations(), null, null, null, policy.dedicatedNodes());
        assertThat(messages(withoutSelector, Mode.WARN, "{containers: [{name: app, image: app}]}")).hasSize(1);
    }

    @Test
    void messagesWhenDeniedOrWarnedThenThePluginsWordsAloneAndPodguardsAfterAPrefix() {
        List<Violation> violations = List.of(
                new Violation("placement.nodeName", "spec.nodeName", "nodeName", "pod must not set spec.nodeName=\"n\""),
                new Violation("placement.nodeSelector", "spec.nodeSelector", NodeSelectorRule.CONFLICT, ""));
        assertThat(PlacementRules.denialMessage(violations)).isEqualTo("pod node label selector conflicts with its namespace node label selector; "
                + "violates placement rules: nodeName (pod must not set spec.nodeName=\"n\")");
        assertThat(PlacementRules.warningMessage(violations.subList(1, 2)))
                .isEqualTo("would violate placement rules: pod node label selector conflicts with its namespace node label selector");
    }

    @Test
    void relaxedToWhenAuditLabelThenEnforcingPartsAuditWarningOnesStay() {
        PlacementPolicy policy = new PlacementPolicy(selector(Map.of(), Map.of()).nodeSelector(), null, null, Mode.ENFORCE, null,
                new DedicatedNodes(Mode.WARN, List.of()));
        PlacementPolicy relaxed = policy.relaxedTo(Mode.AUDIT);
        assertThat(relaxed.nodeSelector().mode()).isEqualTo(Mode.AUDIT);
        assertThat(relaxed.nodeName()).isEqualTo(Mode.AUDIT);
        assertThat(relaxed.dedicatedNodes().mode()).isEqualTo(Mode.WARN);
        assertThat(policy.relaxedTo(Mode.ENFORCE)).isSameAs(policy);
    }

    private static PlacementPolicy selector(Map<String, String> selector, Map<String, String> whitelist) {
        return new PlacementPolicy(new NodeSelectorPlacement(Mode.ENFORCE, selector, whitelist, null), null, null, null, null, null);
    }

    private static PlacementPolicy tolerations(List<Toleration> defaults, List<Toleration> whitelist, String scope) {
        return new PlacementPolicy(null, new TolerationPlacement(Mode.ENFORCE, defaults, whitelist, scope, null, null), null, null, null, null);
    }

    private static NodeLabelRestriction.Entry entry(String key, List<String> values) {
        Predicate<String> keys = key.endsWith("*") ? k -> k.startsWith(key.substring(0, key.length() - 1)) : key::equals;
        return new NodeLabelRestriction.Entry(key, keys, values, values::contains, false);
    }

    private static List<String> messages(PlacementPolicy policy, String spec) {
        return messages(policy, Mode.ENFORCE, spec);
    }

    private static List<String> messages(PlacementPolicy policy, Mode mode, String spec) {
        List<String> out = new ArrayList<>();
        PlacementRules.evaluate(pod(spec), policy, mode).forEach(v -> out.add(v.message()));
        return out;
    }

    static PodObject pod(String spec) {
        ObjectNode pod = (ObjectNode) YAML.readTree("{apiVersion: v1, kind: Pod, metadata: {name: p, namespace: ml}}");
        pod.set("spec", YAML.readTree(spec));
        return PodExtractor.extract("Pod", pod).orElseThrow();
    }
}

package io.podguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.zjsonpatch.JsonPatch;
import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.Endpoint;
import io.podguard.audit.ClusterAudit;
import io.podguard.audit.PodResult;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.engine.Stage;
import io.podguard.policy.Policy;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import io.podguard.report.ReviewObserver;
import io.podguard.testing.GeneratedPods;
import io.podguard.testing.Reviews;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One verdict everywhere: seeded generated pods under seeded generated policies (levels,
 * versions, modes, namespace overrides, exemptions of every kind, resource rules, defaults on,
 * off and in audit mode, placement with its defaults and rules, PodSecurityPolicy documents) get
 * the same answer from the server
 * ({@code /mutate}, its patch applied, then {@code /validate}, through {@link AdmissionHandler}),
 * from {@code check} and from the audit of a cluster (fabric8's mock apiserver) — allowed or
 * denied, and when denied, the same message.
 */
@EnableKubernetesMockClient(crud = true)
class OneVerdictPropertiesTest {

    private static final int TRIES = 200;
    private static final long SEED = 15L;
    private static final List<String> NAMESPACES = List.of("team-a", "team-b", "kube-system");
    private static final List<String> IMAGES = List.of("registry.example/app:1", "registry.example/sidecar:2", "nginx");

    KubernetesClient client;

    @Test
    void serverCheckAndAuditAgreeOnEveryGeneratedPodAndPolicy() throws Exception {
        Random random = new Random(SEED);
        int denied = 0;
        int exempted = 0;
        int withPsp = 0;
        int placementFindings = 0;
        int placementDenials = 0;
        int placementDefaults = 0;
        for (int i = 0; i < TRIES; i++) {
            String policyYaml = policy(random);
            ObjectNode pod = pod(random, i);
            String label = "try " + i + "\npolicy:\n" + policyYaml + "\npod: " + pod;
            Policy policy = PolicyLoader.parse(policyYaml);
            PolicyResolver resolver = PolicyResolver.fixed(policy);
            withPsp += policy.podSecurityPolicies() != null ? 1 : 0;

            // The server: /mutate, the patch applied, then /validate, as the apiserver does.
            AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> resolver, ReviewObserver.NONE);
            JsonNode mutate = Reviews.response(handler.handle(Endpoint.MUTATE, Reviews.create(pod.toString()).getBytes(StandardCharsets.UTF_8)));
            assertThat(mutate.path("allowed").asBoolean()).as(label).isTrue();
            JsonNode patch = Reviews.patch(mutate);
            JsonNode stored = patch == null ? pod : JsonPatch.apply(patch, pod);
            JsonNode validate = Reviews.response(handler.handle(Endpoint.VALIDATE, Reviews.create(stored.toString()).getBytes(StandardCharsets.UTF_8)));
            boolean serverDenies = !validate.path("allowed").asBoolean();
            String serverMessage = validate.path("status").path("message").asString("");

            // check, as a user runs it on the manifest.
            List<CheckCommand.Result> results = CheckCommand.judge(List.of(new CheckManifests.Manifest("pod.json", pod)), resolver, null, Stage.CREATE).results();
            assertThat(results).as(label).hasSize(1);
            CheckCommand.Result check = results.getFirst();
            assertThat(check.allowed()).as("check allows; server denies=%s (%s)\n%s", serverDenies, serverMessage, label).isEqualTo(!serverDenies);
            assertThat(check.patch().toString()).as(label).isEqualTo(patch == null ? "[]" : patch.toString());
            placementDenials += check.violations().stream().anyMatch(r -> r.outcome().equals("deny") && r.violation().rule().startsWith("placement.")) ? 1 : 0;
            placementDefaults += check.defaults().stream().anyMatch(d -> d.defaulter().startsWith("placement.")) ? 1 : 0;
            placementFindings += check.violations().stream().anyMatch(r -> r.violation().rule().startsWith("placement.")) ? 1 : 0;
            for (CheckCommand.Reported r : check.violations()) {
                if (r.outcome().equals("deny")) {
                    assertThat(serverMessage).as(label).contains(r.violation().path().isEmpty() ? r.violation().reason() : r.violation().reason());
                }
            }

            // The audit of a cluster where the pod runs, judged as the webhook would judge it on create.
            String namespace = pod.at("/metadata/namespace").asString();
            Pod created = client.resource(Json.serialization().convertValue(pod, Pod.class)).create();
            try {
                List<PodResult> judged = new java.util.ArrayList<>();
                new ClusterAudit(client, Engine.standard(), 100, Clock.systemUTC())
                        .run(resolver, "p", new ClusterAudit.Scope(namespace, Set.of()), Stage.CREATE,
                                (ns, pods) -> judged.addAll(pods), ClusterAudit.Control.UNBOUNDED);
                PodResult audited = judged.getFirst();
                if (enforces(resolver, pod)) {
                    assertThat(audited.wouldBeDenied()).as("audit denies; server denies=%s (%s)\n%s", serverDenies, serverMessage, label)
                            .isEqualTo(serverDenies);
                    assertThat(audited.message()).as(label).isEqualTo(serverMessage);
                } else {
                    assertThat(serverDenies).as("nothing enforces here\n%s", label).isFalse();
                }
                exempted += audited.exemptions().isEmpty() ? 0 : 1;
            } finally {
                client.resource(created).delete();
            }
            denied += serverDenies ? 1 : 0;
        }
        // The generator reaches every outcome, or the property proves little.
        assertThat(denied).as("denied pods").isBetween(TRIES / 10, TRIES - TRIES / 10);
        assertThat(exempted).as("pods an exemption made a difference to").isGreaterThan(TRIES / 20);
        assertThat(withPsp).as("policies with PodSecurityPolicies").isGreaterThan(TRIES / 10);
        assertThat(placementFindings).as("pods a placement rule found something in").isGreaterThan(TRIES / 10);
        assertThat(placementDenials).as("pods a placement rule denies").isGreaterThan(TRIES / 20);
        assertThat(placementDefaults).as("pods placement defaults were set on").isGreaterThan(TRIES / 10);
    }

    private static boolean enforces(PolicyResolver resolver, ObjectNode pod) {
        var object = io.podguard.engine.PodExtractor.extract("Pod", pod).orElseThrow();
        return resolver.resolve(io.podguard.engine.RequestInfo.offline(object.namespace()), object).modes()
                .contains(io.podguard.engine.Mode.ENFORCE);
    }

    private static ObjectNode pod(Random r, int index) {
        ObjectNode pod = GeneratedPods.pod(r, index);
        ((ObjectNode) pod.get("metadata")).put("namespace", NAMESPACES.get(r.nextInt(NAMESPACES.size())));
        ObjectNode spec = (ObjectNode) pod.get("spec");
        if (r.nextBoolean()) {
            spec.put("serviceAccountName", r.nextBoolean() ? "builder" : "default");
        }
        if (r.nextInt(4) == 0) {
            spec.put("runtimeClassName", r.nextBoolean() ? "gvisor" : "runc");
        }
        for (String field : List.of("initContainers", "containers")) {
            if (spec.get(field) instanceof ArrayNode list) {
                for (JsonNode c : list) {
                    ((ObjectNode) c).put("image", IMAGES.get(r.nextInt(IMAGES.size())));
                    if (r.nextInt(3) == 0) {
                        ObjectNode resources = ((ObjectNode) c).putObject("resources");
                        if (r.nextBoolean()) {
                            resources.putObject("requests").put("cpu", r.nextBoolean() ? "50m" : "2").put("memory", "64Mi");
                        }
                        if (r.nextBoolean()) {
                            resources.putObject("limits").put("memory", r.nextBoolean() ? "128Mi" : "2Gi");
                        }
                        if (r.nextInt(3) == 0) {
                            // an extended resource: the apiserver copies the limit to the request
                            resources.withObjectProperty("limits").put("nvidia.com/gpu", 1);
                        }
                    }
                }
            }
        }
        placement(r, spec);
        return pod;
    }

    /** Where the pod asks to run: a node selector, tolerations, a node, required node affinity. */
    private static void placement(Random r, ObjectNode spec) {
        if (r.nextInt(4) == 0) {
            String[][] selectors = {{"pool", "gpu"}, {"team", "ml"}, {"dedicated", "ml"}, {"pool", "general"}};
            String[] s = selectors[r.nextInt(selectors.length)];
            spec.putObject("nodeSelector").put(s[0], s[1]);
        }
        if (r.nextInt(4) == 0) {
            ArrayNode tolerations = spec.putArray("tolerations");
            switch (r.nextInt(3)) {
                case 0 -> tolerations.addObject().put("key", "dedicated").put("operator", "Equal").put("value", "ml").put("effect", "NoSchedule");
                case 1 -> tolerations.addObject().put("key", "spot").put("operator", "Exists");
                default -> tolerations.addObject().put("key", "nvidia.com/gpu").put("operator", "Exists").put("effect", "NoSchedule");
            }
        }
        if (r.nextInt(6) == 0) {
            spec.put("nodeName", "worker-1");
        }
        if (r.nextInt(6) == 0) {
            ObjectNode expression = spec.putObject("affinity").putObject("nodeAffinity").putObject("requiredDuringSchedulingIgnoredDuringExecution")
                    .putArray("nodeSelectorTerms").addObject().putArray("matchExpressions").addObject();
            expression.put("key", "dedicated").put("operator", r.nextBoolean() ? "In" : "Exists");
            if ("In".equals(expression.get("operator").asString())) {
                expression.putArray("values").add(r.nextBoolean() ? "ml" : "web");
            }
        }
    }

    private static String policy(Random r) {
        String[] modes = {"enforce", "enforce", "enforce", "audit", "warn"};
        String[] levels = {"privileged", "baseline", "baseline", "restricted", "restricted"};
        StringBuilder y = new StringBuilder();
        y.append("mode: ").append(pick(r, modes)).append('\n');
        y.append("podSecurity:\n  level: ").append(pick(r, levels)).append("\n  version: ")
                .append(r.nextInt(4) == 0 ? "latest" : "v1." + (r.nextInt(38))).append('\n');
        if (r.nextInt(4) == 0) {
            y.append("  warn: {level: restricted}\n");
        }
        if (r.nextInt(5) == 0) {
            y.append("  audit: {level: ").append(pick(r, levels)).append("}\n");
        }
        y.append("defaults:\n  enabled: ").append(r.nextInt(5) != 0).append("\n  mode: ").append(r.nextInt(5) == 0 ? "audit" : "apply").append('\n');
        if (r.nextInt(3) == 0) {
            y.append("  securityContext: {runAsNonRoot: ").append(r.nextBoolean()).append(", dropAllCapabilities: ").append(r.nextBoolean()).append("}\n");
        }
        if (r.nextInt(3) == 0) {
            y.append("resources:\n  mode: ").append(pick(r, modes)).append('\n');
            y.append("  max: {memory: 1Gi}\n");
            if (r.nextBoolean()) {
                y.append("  min: {cpu: 10m}\n");
            }
            if (r.nextBoolean()) {
                y.append("  required: {requests: [memory], limits: [memory]}\n");
            }
        }
        if (r.nextInt(5) < 2) {
            placement(r, y, modes);
        }
        if (r.nextInt(3) == 0) {
            y.append("namespaces:\n  - names: [team-b]\n    mode: ").append(pick(r, modes)).append("\n    podSecurity: {level: ")
                    .append(pick(r, levels)).append("}\n");
            if (r.nextBoolean()) {
                // team-b's own selector, default toleration and whitelist, as the plugins' namespace annotations give them
                y.append("    placement:\n      nodeSelector: {default: {team: b}}\n")
                        .append("      tolerations: {default: [{key: dedicated, operator: Equal, value: b, effect: NoSchedule}], allowed: [")
                        .append(r.nextBoolean() ? "{operator: Exists}" : "{key: dedicated, operator: Exists}").append("]}\n");
            }
        }
        List<String> exemptions = new ArrayList<>();
        if (r.nextInt(3) == 0) {
            exemptions.add("  - {reason: system, namespaces: [kube-system]}\n");
        }
        if (r.nextInt(3) == 0) {
            exemptions.add("  - {reason: sidecar, images: [\"registry.example/sidecar:*\"]" + (r.nextBoolean() ? ", checks: [privileged, capabilities_baseline, runAsNonRoot, psp.privileged]" : "") + "}\n");
        }
        if (r.nextInt(3) == 0) {
            exemptions.add("  - {reason: node agent, checks: [hostNamespaces, hostPorts, resources.max, psp.hostNetwork]}\n");
        }
        if (r.nextInt(4) == 0) {
            exemptions.add("  - {reason: builder, serviceAccounts: [\"team-a:builder\"]}\n");
        }
        if (r.nextInt(5) == 0) {
            exemptions.add("  - {reason: sandboxed, runtimeClassNames: [gvisor], checks: [seccompProfile_restricted, seccompProfile_baseline]}\n");
        }
        if (r.nextInt(4) == 0) {
            exemptions.add("  - {reason: scheduler, namespaces: [team-a, team-b, kube-system], serviceAccounts: [\"*:builder\"], checks: [placement.nodeName, placement.tolerations, placement.nodeSelector]}\n");
        }
        if (!exemptions.isEmpty()) {
            y.append("exemptions:\n");
            exemptions.forEach(y::append);
        }
        if (r.nextInt(4) == 0) {
            y.append("---\n").append(RESTRICTED_PSP);
            if (r.nextBoolean()) {
                y.append("---\n").append(PRIVILEGED_PSP);
            }
        }
        return y.toString();
    }

    /** The placement section: each key on or off, in the policy's mode or its own. */
    private static void placement(Random r, StringBuilder y, String[] modes) {
        y.append("placement:\n");
        if (r.nextInt(4) == 0) {
            y.append("  mode: ").append(pick(r, modes)).append('\n');
        }
        if (r.nextBoolean()) {
            y.append("  nodeSelector: {default: {pool: general}").append(r.nextBoolean() ? ", allowed: {pool: general, team: ml}" : "")
                    .append(r.nextInt(4) == 0 ? ", mode: " + pick(r, modes) : "").append("}\n");
        }
        if (r.nextBoolean()) {
            List<String> keys = new ArrayList<>();
            if (r.nextBoolean()) {
                keys.add("default: [{key: spot, operator: Equal, value: \"yes\", effect: NoSchedule}]");
            }
            if (r.nextBoolean()) {
                keys.add("allowed: [{key: spot, operator: Exists}, {key: nvidia.com/gpu, operator: Exists}"
                        + (r.nextBoolean() ? ", {key: node.kubernetes.io/memory-pressure, operator: Exists}" : "") + "]");
            }
            if (r.nextInt(4) == 0) {
                keys.add("mode: " + pick(r, modes));
            }
            y.append("  tolerations: {").append(String.join(", ", keys)).append("}\n");
        }
        if (r.nextInt(3) == 0) {
            y.append("  extendedResourceTolerations: {").append(r.nextBoolean() ? "resources: [\"nvidia.com/*\"]" : "").append("}\n");
        }
        if (r.nextBoolean()) {
            y.append("  nodeName: {").append(r.nextInt(3) == 0 ? "mode: " + pick(r, modes) : "").append("}\n");
        }
        if (r.nextInt(3) == 0) {
            y.append("  nodeLabels: {restricted: {dedicated: ").append(r.nextBoolean() ? "[]" : "[ml]").append("}}\n");
        }
        if (r.nextInt(3) == 0) {
            y.append("  dedicatedNodes: {taints: [{key: dedicated}]").append(r.nextBoolean() ? ", mode: " + pick(r, modes) : "").append("}\n");
        }
        if (y.toString().endsWith("placement:\n")) {
            y.append("  nodeName: {}\n");
        }
    }

    private static String pick(Random r, String[] values) {
        return values[r.nextInt(values.length)];
    }

    private static final String RESTRICTED_PSP = """
            apiVersion: policy/v1beta1
            kind: PodSecurityPolicy
            metadata:
              name: restricted
            spec:
              privileged: false
              allowPrivilegeEscalation: false
              requiredDropCapabilities: [ALL]
              volumes: [configMap, emptyDir, projected, secret, downwardAPI, persistentVolumeClaim]
              runAsUser: {rule: MustRunAsNonRoot}
              seLinux: {rule: RunAsAny}
              supplementalGroups: {rule: RunAsAny}
              fsGroup: {rule: RunAsAny}
            """;

    private static final String PRIVILEGED_PSP = """
            apiVersion: policy/v1beta1
            kind: PodSecurityPolicy
            metadata:
              name: privileged
              annotations: {podguard.io/namespaces: "team-b, kube-system"}
            spec:
              privileged: true
              allowPrivilegeEscalation: true
              allowedCapabilities: ['*']
              volumes: ['*']
              hostNetwork: true
              hostIPC: true
              hostPID: true
              hostPorts: [{min: 0, max: 65535}]
              runAsUser: {rule: RunAsAny}
              seLinux: {rule: RunAsAny}
              supplementalGroups: {rule: RunAsAny}
              fsGroup: {rule: RunAsAny}
            """;
}

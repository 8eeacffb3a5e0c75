package io.podguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import io.podguard.testing.GeneratedPods;
import io.podguard.testing.PsaAdmission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The namespace label dry run answers what Pod Security Admission answers: seeded namespaces of
 * generated pods (shared violations, controllers, exempt runtime classes), label changes that
 * raise, relax, re-version, break or keep the enforce level, an exempt namespace; each compared,
 * warning for warning, with PSA's own {@code ValidateNamespace} run ({@code psa-admission}). Then
 * the limits: the pod count, the time budget, a failed list, a namespace of 100,000 pods.
 */
class PodSecurityLabelDryRunTest {

    private static final String CONFIG = """
            apiVersion: pod-security.admission.config.k8s.io/v1
            kind: PodSecurityConfiguration
            defaults: {enforce: privileged, audit: restricted, warn: baseline}
            exemptions: {namespaces: [exempt-ns], runtimeClasses: [exempt-rc]}
            """;

    private static final List<Map<String, String>[]> CHANGES = changes();

    @SuppressWarnings("unchecked")
    private static List<Map<String, String>[]> changes() {
        String e = "pod-security.kubernetes.io/enforce";
        String ev = "pod-security.kubernetes.io/enforce-version";
        return List.of(
                new Map[] {Map.of(), Map.of(e, "baseline")},
                new Map[] {Map.of(), Map.of(e, "restricted")},
                new Map[] {Map.of(e, "baseline"), Map.of(e, "restricted")},
                new Map[] {Map.of(e, "restricted"), Map.of(e, "baseline")},
                new Map[] {Map.of(e, "restricted", ev, "v1.20"), Map.of(e, "restricted")},
                new Map[] {Map.of(e, "restricted"), Map.of(e, "restricted", ev, "v1.23")},
                new Map[] {Map.of(e, "baseline"), Map.of(e, "baseline", "team", "a")},
                new Map[] {Map.of(), Map.of("pod-security.kubernetes.io/warn", "restricted")},
                new Map[] {Map.of(e, "baseline"), Map.of(e, "privileged")},
                new Map[] {Map.of(), Map.of(e, "restricted", "pod-security.kubernetes.io/audit", "baseline", "pod-security.kubernetes.io/warn", "restricted")},
                new Map[] {Map.of(), Map.of(e, "strict")},
                new Map[] {Map.of(e, "strict"), Map.of(e, "strict", "team", "b")},
                new Map[] {Map.of(e, "strict"), Map.of(e, "baseline", ev, "2")});
    }

    private final Map<String, List<ObjectNode>> podsByNamespace = new HashMap<>();
    private final PolicyResolver resolver = PolicyResolver.fixed(PolicyLoader.parse(CONFIG));

    private PodSecurityLabelDryRun dryRun(int maxPods, Duration timeout, java.util.function.LongSupplier clock) {
        return new PodSecurityLabelDryRun(Engine.standard(), () -> resolver,
                (namespace, each) -> podsByNamespace.getOrDefault(namespace, List.of()).forEach(each), maxPods, timeout, clock);
    }

    /** The oracle is built (or found) before the test's hang guard starts: a first build on a cold machine takes minutes. */
    @org.junit.jupiter.api.BeforeAll
    static void buildOracle() {
        PsaAdmission.binary();
    }

    @Test
    @Timeout(120)
    void warningsWhenLabelsChangeOverGeneratedNamespacesThenAsPodSecurityAdmission() {
        Random random = new Random(20_261_104L);
        List<String> requests = new ArrayList<>();
        List<AdmissionRequest> ours = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        int n = 0;
        for (int size : new int[] {0, 1, 2, 3, 5, 8, 13, 40, 120}) {
            for (Map<String, String>[] change : CHANGES) {
                for (String namespace : new String[] {"ns-" + n, "exempt-ns"}) {
                    List<ObjectNode> pods = pods(random, size, n);
                    requests.add(oracle(namespace, change[0], change[1], pods));
                    ours.add(request(namespace, change[0], change[1]));
                    podsByNamespace.put(namespace + "#" + ours.size(), pods);
                    labels.add(size + " pods, " + change[0] + " -> " + change[1] + " in " + namespace);
                }
                n++;
            }
        }
        List<JsonNode> upstream = PsaAdmission.answers(requests);

        List<String> differences = new ArrayList<>();
        int warned = 0;
        int invalid = 0;
        for (int i = 0; i < ours.size(); i++) {
            AdmissionRequest request = ours.get(i);
            String key = request.name() + "#" + (i + 1);
            PodSecurityLabelDryRun dryRun = new PodSecurityLabelDryRun(Engine.standard(), () -> resolver,
                    (namespace, each) -> podsByNamespace.get(key).forEach(each));
            AdmissionResponse response = dryRun.review(request);
            JsonNode psa = upstream.get(i);
            List<String> theirs = new ArrayList<>();
            if (!psa.path("allowed").asBoolean()) {
                theirs.add(psa.path("message").asString()); // PSA refuses labels it cannot read; podguard warns
                invalid++;
            }
            psa.path("warnings").forEach(w -> theirs.add(w.asString()));
            if (!response.allowed() || psa.path("allowed").asBoolean() && !response.warnings().equals(theirs)
                    || !psa.path("allowed").asBoolean() && (response.warnings().isEmpty() || !response.warnings().getFirst().equals(theirs.getFirst()))) {
                differences.add(labels.get(i) + "\n  podguard: " + response.warnings() + "\n  PSA:      " + theirs);
            }
            warned += theirs.size() > 1 ? 1 : 0;
        }
        assertThat(differences).as("%d of %d label changes answered otherwise than PSA", differences.size(), ours.size()).isEmpty();
        assertThat(warned).as("label changes that warn of existing pods").isGreaterThan(ours.size() / 5);
        assertThat(invalid).as("label changes PSA refuses").isGreaterThan(10);
    }

    @Test
    void reviewWhenMorePodsThanTheLimitThenOnePerControllerFirstAndTheCountSaid() {
        List<ObjectNode> pods = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            pods.add(pod("rs-" + i, "uid-a", true));
        }
        pods.add(pod("lone", null, false));
        pods.add(pod("other-0", "uid-b", true));
        podsByNamespace.put("team", pods);

        AdmissionResponse response = dryRun(3, Duration.ofSeconds(10), System::nanoTime)
                .review(request("team", Map.of(), Map.of("pod-security.kubernetes.io/enforce", "baseline")));

        assertThat(response.allowed()).isTrue();
        assertThat(response.warnings()).containsExactly(
                "new PodSecurity enforce level only checked against the first 3 of 8 existing pods",
                "existing pods in namespace \"team\" violate the new PodSecurity enforce level \"baseline:latest\"",
                "lone: host namespaces",
                "other-0 (and 1 other pod): host namespaces, privileged"); // rs-0 and other-0: one warning, the first name
    }

    @Test
    void reviewWhenTheTimeBudgetRunsOutThenThePodsCheckedSoFarAndHowMany() {
        List<ObjectNode> pods = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pods.add(pod("p-" + i, null, true));
        }
        podsByNamespace.put("slow", pods);
        AtomicLong now = new AtomicLong();
        // each reading of the clock is 300 ms later: the 1 s budget ends after the fourth pod
        AdmissionResponse response = dryRun(3000, Duration.ofSeconds(1), () -> now.getAndAdd(300_000_000L))
                .review(request("slow", Map.of(), Map.of("pod-security.kubernetes.io/enforce", "restricted")));

        assertThat(response.warnings()).first().isEqualTo("new PodSecurity enforce level only checked against the first 4 of 10 existing pods");
        assertThat(response.warnings().getLast()).startsWith("p-0 (and 3 other pods): host namespaces, privileged, ");
    }

    @Test
    void reviewWhenPodsCannotBeListedThenPsaWarningAndAllowed() {
        PodSecurityLabelDryRun dryRun = new PodSecurityLabelDryRun(Engine.standard(), () -> resolver, (namespace, each) -> {
            throw new java.io.IOException("connection refused");
        });

        AdmissionResponse response = dryRun.review(request("team", Map.of(), Map.of("pod-security.kubernetes.io/enforce", "baseline")));

        assertThat(response.allowed()).isTrue();
        assertThat(response.warnings()).containsExactly("failed to list pods while checking new PodSecurity enforce level");
    }

    @Test
    @Timeout(60)
    void reviewWhenAHundredThousandPodsThenAtMostTheLimitJudgedAndTheCountOfAll() {
        ObjectNode template = pod("x", null, true);
        PodSecurityLabelDryRun dryRun = new PodSecurityLabelDryRun(Engine.standard(), () -> resolver, (namespace, each) -> {
            for (int i = 0; i < 100_000; i++) {
                ObjectNode pod = template.deepCopy();
                ((ObjectNode) pod.get("metadata")).put("name", "p-" + i).putArray("ownerReferences").addObject()
                        .put("controller", true).put("uid", "rs-" + (i % 5000));
                each.accept(pod);
            }
        });

        AdmissionResponse response = dryRun.review(request("big", Map.of(), Map.of("pod-security.kubernetes.io/enforce", "baseline")));

        assertThat(response.warnings().getFirst()).matches("new PodSecurity enforce level only checked against the first \\d+ of 100000 existing pods");
        int checked = Integer.parseInt(response.warnings().getFirst().replaceAll(".*first (\\d+) of.*", "$1"));
        assertThat(checked).isBetween(1, PodSecurityLabelDryRun.MAX_PODS);
        assertThat(response.warnings().getLast()).startsWith("p-0 (and ").endsWith(" other pods): host namespaces, privileged");
    }

    @Test
    void reviewWhenNothingIsEnforcedMoreThenNoPodIsRead() {
        PodSecurityLabelDryRun dryRun = new PodSecurityLabelDryRun(Engine.standard(), () -> resolver, (namespace, each) -> {
            throw new AssertionError("no pod should be listed");
        });

        assertThat(dryRun.review(request("a", Map.of("pod-security.kubernetes.io/enforce", "restricted"),
                Map.of("pod-security.kubernetes.io/enforce", "baseline"))).warnings()).isEmpty();
        assertThat(dryRun.review(request("a", Map.of(), Map.of("pod-security.kubernetes.io/warn", "restricted"))).warnings()).isEmpty();
    }

    @Test
    void reviewWhenPodguardsOwnLabelsStartEnforcingThenTheSameDryRun() {
        PolicyResolver own = PolicyResolver.fixed(PolicyLoader.parse("""
                mode: audit
                podSecurity: {level: baseline}
                namespaceLabelOverrides: true
                namespaces:
                - selector: {matchLabels: {tier: critical}}
                  podSecurity: {enforce: {level: restricted}}
                """));
        podsByNamespace.put("shop", List.of(pod("web-1", null, false)));
        PodSecurityLabelDryRun dryRun = new PodSecurityLabelDryRun(Engine.standard(), () -> own,
                (namespace, each) -> podsByNamespace.get(namespace).forEach(each));

        // podguard.io/mode: enforce turns the audit level into the enforced one
        assertThat(dryRun.review(request("shop", Map.of(), Map.of("podguard.io/mode", "enforce"))).warnings()).containsExactly(
                "existing pods in namespace \"shop\" violate the new PodSecurity enforce level \"baseline:latest\"",
                "web-1: host namespaces");
        // a label that selects a namespaces entry enforcing restricted
        assertThat(dryRun.review(request("shop", Map.of(), Map.of("tier", "critical"))).warnings()).contains(
                "existing pods in namespace \"shop\" violate the new PodSecurity enforce level \"restricted:latest\"");
        // audit mode enforces nothing: nothing to try
        assertThat(dryRun.review(request("shop", Map.of("podguard.io/mode", "enforce"), Map.of("podguard.io/mode", "audit"))).warnings())
                .isEmpty();
    }


    @Test
    @Timeout(30)
    void reviewWhenANamespaceCarriesHugeAndHostileLabelsThenBoundedWarnings() {
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < 50_000; i++) {
            labels.put("team.example.com/l" + i, "v" + i);
        }
        labels.put("pod-security.kubernetes.io/enforce", "x".repeat(1_000_000));
        labels.put("pod-security.kubernetes.io/warn-version", "\u0000\"\u202e");
        podsByNamespace.put("big", List.of(pod("p", null, true)));

        AdmissionResponse response = dryRun(3000, Duration.ofSeconds(1), System::nanoTime).review(request("big", Map.of(), labels));

        assertThat(response.allowed()).isTrue();
        assertThat(response.warnings()).hasSize(3).allSatisfy(w -> assertThat(w.length()).isLessThan(400));
        assertThat(response.warnings().getFirst()).startsWith("Namespace \"big\" is invalid: [metadata.labels[pod-security.kubernetes.io/enforce]: "
                + "Invalid value: \"xxxx").contains("…\": must be one of privileged, baseline, restricted");
        // an enforce level that cannot be read is restricted: the pod is tried against it
        assertThat(response.warnings().get(1)).isEqualTo(
                "existing pods in namespace \"big\" violate the new PodSecurity enforce level \"restricted:latest\"");
    }

    private static ObjectNode pod(String name, @Nullable String controller, boolean privileged) {
        ObjectNode pod = (ObjectNode) Json.mapper().readTree("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},"spec":{"hostNetwork":true,
                 "containers":[{"name":"c","image":"i","securityContext":{"privileged":%s}}]}}""".formatted(name, privileged));
        if (controller != null) {
            ((ObjectNode) pod.get("metadata")).putArray("ownerReferences").addObject().put("apiVersion", "apps/v1").put("kind", "ReplicaSet")
                    .put("name", controller).put("uid", controller).put("controller", true);
        }
        return pod;
    }

    /** Generated pods; some copies of one another (a shared violation), some of one controller, some of an exempt runtime class. */
    private static List<ObjectNode> pods(Random random, int size, int seed) {
        List<ObjectNode> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            ObjectNode pod = i > 0 && random.nextInt(3) == 0 ? out.get(random.nextInt(out.size())).deepCopy() : GeneratedPods.pod(random, seed * 1000 + i);
            ObjectNode meta = (ObjectNode) pod.get("metadata");
            meta.put("name", Integer.toString(random.nextInt(1000), 36) + "-" + i);
            meta.remove("ownerReferences");
            if (random.nextInt(3) == 0) {
                meta.putArray("ownerReferences").addObject().put("apiVersion", "apps/v1").put("kind", "ReplicaSet")
                        .put("name", "rs").put("uid", "uid-" + random.nextInt(3)).put("controller", true);
            }
            ObjectNode spec = (ObjectNode) pod.get("spec");
            if (random.nextInt(8) == 0) {
                spec.put("runtimeClassName", "exempt-rc");
            } else {
                spec.remove("runtimeClassName");
            }
            out.add(pod);
        }
        return out;
    }

    private static String oracle(String namespace, Map<String, String> before, Map<String, String> after, List<ObjectNode> pods) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("config", CONFIG);
        root.putObject("namespace").put("name", namespace);
        ArrayNode list = root.putArray("pods");
        pods.forEach(list::add);
        ObjectNode request = root.putObject("request");
        request.put("resource", "namespaces").put("operation", "UPDATE").put("name", namespace);
        request.set("object", namespace(namespace, after));
        request.set("oldObject", namespace(namespace, before));
        return Json.mapper().writeValueAsString(root);
    }

    private static ObjectNode namespace(String name, Map<String, String> labels) {
        ObjectNode ns = Json.mapper().createObjectNode();
        ns.put("apiVersion", "v1").put("kind", "Namespace");
        ObjectNode meta = ns.putObject("metadata");
        meta.put("name", name);
        ObjectNode l = meta.putObject("labels");
        labels.forEach(l::put);
        return ns;
    }

    static AdmissionRequest request(String namespace, Map<String, String> before, Map<String, String> after) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = root.putObject("request");
        request.put("uid", "u");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Namespace");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "namespaces");
        request.put("name", namespace).put("namespace", namespace).put("operation", "UPDATE").put("dryRun", true);
        request.putObject("userInfo").put("username", "alice");
        request.set("object", namespace(namespace, after));
        request.set("oldObject", namespace(namespace, before));
        try {
            return AdmissionReviewCodec.decode(Json.mapper().writeValueAsBytes(root));
        } catch (BadReviewException e) {
            throw new AssertionError(e);
        }
    }
}

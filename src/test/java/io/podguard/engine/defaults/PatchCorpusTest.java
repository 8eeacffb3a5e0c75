package io.podguard.engine.defaults;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.engine.Judgement;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.Stage;
import io.podguard.engine.resources.NamespaceResources;
import io.podguard.policy.PolicyCompiler;
import io.podguard.policy.PolicyLoader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The patch corpus: generated pods under every kind of policy that sets something (each
 * defaulter, LimitRanges and ResourceQuotas, placement in enforce and in a dry run, PodSecurityPolicy
 * after the defaults and alone), with the exact patch, record entries and audit annotations
 * podguard answered for each when the corpus was written. Every case must get exactly that
 * answer again, byte for byte: a change to how patches are made may not change one.
 *
 * <p>When a change to what a defaulter sets is intended, write the corpus again with
 * {@code -Dpodguard.patchCorpus.write=true} (run this class alone) and review its diff.
 */
class PatchCorpusTest {

    static final Path DIR = Path.of("src/test/resources/patch-corpus");
    static final Path CASES = DIR.resolve("cases.jsonl.gz");
    private static final int CASES_PER_POLICY = 150;

    /** One policy of the corpus: its document and what is known of its namespace. */
    record CorpusPolicy(String name, EffectivePolicy policy) {
    }

    static List<CorpusPolicy> policies() throws IOException {
        List<CorpusPolicy> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR.resolve("policies"))) {
            for (Path file : files.filter(f -> !f.getFileName().toString().endsWith(".namespace.yaml")).sorted().toList()) {
                String name = file.getFileName().toString().replaceFirst("\\.yaml$", "");
                EffectivePolicy policy = PolicyCompiler.compile(name.equals("embedded-default")
                        ? PolicyLoader.embeddedDefault() : PolicyLoader.parse(Files.readString(file)));
                Path namespace = DIR.resolve("policies").resolve(name + ".namespace.yaml");
                if (Files.exists(namespace)) {
                    policy = policy.withNamespaceResources(namespaceResources(PatchTesting.yaml(Files.readString(namespace))));
                }
                out.add(new CorpusPolicy(name, policy));
            }
        }
        return out;
    }

    private static NamespaceResources namespaceResources(JsonNode doc) {
        List<LimitRange> lrs = new ArrayList<>();
        List<ResourceQuota> qs = new ArrayList<>();
        doc.path("limitRanges").forEach(n -> lrs.add(Json.mapper().treeToValue(n, LimitRange.class)));
        doc.path("quotas").forEach(n -> qs.add(Json.mapper().treeToValue(n, ResourceQuota.class)));
        return NamespaceResources.of(lrs, qs);
    }

    /** What podguard answers for one case: the Pod on /mutate, and the same pod as a Deployment's template in {@code check}. */
    static ObjectNode answer(EffectivePolicy policy, ObjectNode pod) {
        ObjectNode out = Json.mapper().createObjectNode();
        PodObject sent = PodExtractor.extract("Pod", pod).orElseThrow();
        Judgement mutate = Engine.standard().judge(sent, policy, RequestInfo.offline("team-a"), Stage.MUTATE);
        out.set("patch", mutate.patch());
        out.set("applied", entries(mutate.defaults()));
        out.set("wouldSet", entries(mutate.wouldSet()));
        out.set("annotations", Json.mapper().valueToTree(new java.util.TreeMap<>(mutate.mutationAnnotations())));
        ObjectNode deployment = Json.mapper().createObjectNode();
        deployment.put("apiVersion", "apps/v1").put("kind", "Deployment");
        deployment.putObject("metadata").put("name", "web").put("namespace", "team-a");
        ObjectNode template = deployment.putObject("spec").putObject("template");
        template.set("metadata", pod.get("metadata"));
        template.set("spec", pod.get("spec"));
        PodObject workload = PodExtractor.extract("Deployment", deployment).orElseThrow();
        Judgement check = Engine.standard().judge(workload, policy, RequestInfo.offline("team-a"), Stage.CREATE);
        out.set("template", check.stored().podNode());
        return out;
    }

    private static ArrayNode entries(List<AppliedDefault> applied) {
        ArrayNode out = Json.mapper().createArrayNode();
        applied.forEach(a -> out.add(a.entry()));
        return out;
    }

    static Stream<ObjectNode> cases() throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(CASES)),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                out.add((ObjectNode) Json.mapper().readTree(line));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{index}")
    @MethodSource("cases")
    void mutateWhenCorpusCaseThenTheAnswerWrittenBefore(ObjectNode c) throws IOException {
        EffectivePolicy policy = policy(c.get("policy").asString());
        JsonNode sent = c.get("pod").deepCopy();

        ObjectNode answer = answer(policy, (ObjectNode) c.get("pod"));

        assertThat(answer.get("patch").toString()).as("patch").isEqualTo(c.get("patch").toString());
        ObjectNode expected = (ObjectNode) c.get("answer").deepCopy();
        JsonNode expectedTemplate = expected.remove("template");
        JsonNode template = answer.remove("template");
        // as text: numbers read back from the corpus are typed by their size, not as podguard made them
        assertThat(answer.toString()).as("answer").isEqualTo(expected.toString());
        // the pod as stored: the same fields and values (the order of a toleration's fields podguard
        // replaced is podguard's own now, no longer the order the patch applied to the pod's own gave)
        assertThat(Json.mapper().readTree(template.toString())).as("template").isEqualTo(Json.mapper().readTree(expectedTemplate.toString()));
        assertThat(c.get("pod")).as("the object as sent is never written").isEqualTo(sent);
    }

    @Test
    void corpusCoversEveryDefaulterAndPolicy() throws IOException {
        Map<String, Integer> byPolicy = new LinkedHashMap<>();
        java.util.Set<String> defaulters = new java.util.TreeSet<>();
        java.util.Set<String> ops = new java.util.TreeSet<>();
        cases().forEach(c -> {
            byPolicy.merge(c.get("policy").asString(), 1, Integer::sum);
            c.get("answer").get("applied").forEach(e -> defaulters.add(e.asString().replaceFirst(" \\(.*", "")));
            c.get("answer").get("wouldSet").forEach(e -> defaulters.add(e.asString().replaceFirst(" \\(.*", "")));
            c.get("answer").get("patch").forEach(op -> ops.add(op.get("op").asString()));
        });
        assertThat(byPolicy.keySet()).containsExactlyInAnyOrderElementsOf(policies().stream().map(CorpusPolicy::name).toList());
        assertThat(defaulters).containsAll(Defaulters.all().stream().map(Defaulter::id).toList());
        assertThat(ops).contains("add", "replace");
    }

    private static final Map<String, EffectivePolicy> POLICIES = new LinkedHashMap<>();

    private static synchronized EffectivePolicy policy(String name) throws IOException {
        if (POLICIES.isEmpty()) {
            policies().forEach(p -> POLICIES.put(p.name(), p.policy()));
        }
        return POLICIES.get(name);
    }

    /** Writes the corpus from what podguard answers now: only when asked, to be reviewed before it is committed. */
    @net.jqwik.api.Example
    void writeCorpusWhenAsked() throws IOException {
        if (!Boolean.getBoolean("podguard.patchCorpus.write")) {
            return;
        }
        RandomGenerator<ObjectNode> pods = pods().generator(100);
        Random random = new Random(20261201L);
        try (OutputStream file = Files.newOutputStream(CASES);
             Writer out = new java.io.OutputStreamWriter(new GZIPOutputStream(file), StandardCharsets.UTF_8)) {
            for (CorpusPolicy p : policies()) {
                for (int i = 0; i < CASES_PER_POLICY; i++) {
                    ObjectNode pod = pods.next(random).value();
                    ObjectNode c = Json.mapper().createObjectNode();
                    c.put("policy", p.name());
                    c.set("pod", pod);
                    ObjectNode answer = answer(p.policy(), pod);
                    c.set("patch", answer.get("patch"));
                    c.set("answer", answer);
                    out.write(c.toString());
                    out.write('\n');
                }
            }
        }
    }

    /** Pods of every shape the defaulters care about: {@link PodArbitraries}'s, with placement, devices and pod-level resources. */
    static Arbitrary<ObjectNode> pods() {
        Arbitrary<ObjectNode> selector = Arbitraries.maps(Arbitraries.of("team", "zone", "tier"), Arbitraries.of("ml", "a", "gold", "web"))
                .ofMaxSize(2).map(m -> (ObjectNode) Json.mapper().valueToTree(m));
        Arbitrary<ObjectNode> toleration = Combinators.combine(
                Arbitraries.of("dedicated", "example.com/device", "nvidia.com/gpu", "", "spot", "node.kubernetes.io/memory-pressure"),
                Arbitraries.of("Equal", "Exists", ""), Arbitraries.of("ml", "x", ""), Arbitraries.of("NoSchedule", "NoExecute", ""),
                Arbitraries.of(0L, 60L).injectNull(0.7))
                .as((k, o, v, e, s) -> {
                    ObjectNode t = Json.mapper().createObjectNode();
                    if (!k.isEmpty()) {
                        t.put("key", k);
                    }
                    if (!o.isEmpty()) {
                        t.put("operator", o);
                    }
                    if (!v.isEmpty() && !"Exists".equals(o)) {
                        t.put("value", v);
                    }
                    if (!e.isEmpty()) {
                        t.put("effect", e);
                    }
                    if (s != null && "NoExecute".equals(e)) {
                        t.put("tolerationSeconds", s);
                    }
                    return t;
                });
        Arbitrary<String> device = Arbitraries.of("nvidia.com/gpu", "example.com/device", "hugepages-2Mi").injectNull(0.6);
        Arbitrary<String> podLevel = Arbitraries.of("requests", "limits").injectNull(0.85);
        Arbitrary<String> serviceAccount = Arbitraries.of("builder", "default").injectNull(0.7);
        return Combinators.combine(PodArbitraries.pods(), selector.injectNull(0.6), toleration.list().ofMaxSize(3).injectNull(0.5), device,
                        podLevel, serviceAccount)
                .as((pod, sel, tols, dev, level, sa) -> {
                    ObjectNode spec = (ObjectNode) pod.get("spec");
                    if (sel != null) {
                        spec.set("nodeSelector", sel);
                    }
                    if (tols != null) {
                        ArrayNode list = spec.putArray("tolerations");
                        tols.forEach(list::add);
                    }
                    if (dev != null) {
                        ObjectNode resources = ((ObjectNode) spec.get("containers").get(0)).withObjectProperty("resources");
                        resources.withObjectProperty(dev.startsWith("hugepages") ? "requests" : "limits").put(dev, dev.startsWith("hugepages") ? "4Mi" : "1");
                    }
                    if (level != null) {
                        spec.putObject("resources").putObject(level).put("cpu", "2").put("memory", "2Gi");
                    }
                    if (sa != null) {
                        spec.put("serviceAccountName", sa);
                    }
                    return (ObjectNode) Json.mapper().readTree(pod.toString());
                });
    }
}

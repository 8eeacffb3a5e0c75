package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Json;
import io.podguard.engine.ObjectJson;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.testing.TextEdit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The cookbook's rules judge a Pod alike whether what they read of it is built whole (a pod
 * without bytes: {@code check}, {@code audit}), built as their projection says from the bytes
 * ({@link CelProjection}), or built while the pod is typed from its bytes ({@link CelJson.OnePass},
 * the server's /validate): the same violations, messages and sizes, on the benchmark's pod and
 * on random edits of it. With assertions on, a value the projection left out and a rule read
 * fails here.
 */
class CelOnePassTest {

    private static final String POD = io.podguard.testing.Reviews.benchmarkPod();
    static final List<CelRule> COOKBOOK = cookbook();
    private static final CelProjection READS = new CelRules(COOKBOOK.stream().map(r -> new CelRules.Entry(r, io.podguard.engine.Mode.ENFORCE))
            .toList()).reads();

    @Test
    void onePassWhenBenchmarkPodThenSameJudgementAndReadBuiltWhileTyped() {
        byte[] bytes = POD.getBytes(StandardCharsets.UTF_8);
        ObjectJson sent = ObjectJson.ofObjectBytes(bytes, 0, bytes.length);
        CelJson.OnePass onePass = new CelJson.OnePass(READS, sent::parserAt);
        PodObject pod = PodExtractor.extract("Pod", sent, false, onePass::through).orElseThrow();
        onePass.give(pod);
        CelJson.Read given = RuleInput.read(pod, READS);

        assertThat(given.projection()).isSameAs(READS);
        assertThat(judge(pod)).isEqualTo(judge(PodExtractor.extract("Pod", Json.mapper().readTree(POD)).orElseThrow()));
        assertThat(judge(pod)).hasSize(COOKBOOK.size());
        // the typed pod is the one typed without the tee
        PodObject plain = PodExtractor.extract("Pod", ObjectJson.ofObjectBytes(bytes, 0, bytes.length)).orElseThrow();
        assertThat(pod.podSpec()).isEqualTo(plain.podSpec());
        assertThat(pod.podMeta()).isEqualTo(plain.podMeta());
        // read once: the rules found what the typing built
        assertThat(RuleInput.read(pod, READS)).isSameAs(given);
        assertThat(READS.toString()).isEqualTo("metadata.labels, spec.containers.*.env.*.valueFrom (shape), spec.containers.*.image, "
                + "spec.containers.*.imagePullPolicy, spec.containers.*.name, spec.containers.*.resources.limits.memory, "
                + "spec.containers.*.resources.requests.cpu, spec.hostAliases, spec.initContainers.*.image, spec.serviceAccountName");
    }

    @Property(tries = 300)
    void onePassWhenPodEditedThenSameJudgementAsWhole(@ForAll("edits") TextEdit edit) {
        String json = edit.apply(POD);
        JsonNode tree;
        try {
            tree = Json.mapper().readTree(json);
        } catch (JacksonException e) {
            return;
        }
        Optional<PodObject> whole;
        try {
            whole = PodExtractor.extract("Pod", tree);
        } catch (IllegalArgumentException e) {
            return;
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        PodObject projected = PodExtractor.extract("Pod", ObjectJson.ofObjectBytes(bytes, 0, bytes.length)).orElseThrow();
        ObjectJson sent = ObjectJson.ofObjectBytes(bytes, 0, bytes.length);
        CelJson.OnePass onePass = new CelJson.OnePass(READS, sent::parserAt);
        PodObject teed = PodExtractor.extract("Pod", sent, false, onePass::through).orElseThrow();
        onePass.give(teed);

        List<String> expected = judge(whole.orElseThrow());
        assertThat(judge(projected)).isEqualTo(expected);
        assertThat(judge(teed)).isEqualTo(expected);
    }

    @Provide
    Arbitrary<TextEdit> edits() {
        return TextEdit.of(POD, 12, "", "1", "true", "null", "\"x\"", "{}", "[]", "-7", "\"image\":\"a:latest\",", "\"env\":null,",
                "\"labels\":{\"env\":\"production\"},", "\"hostAliases\":[{}],", "{\"k\":1,\"k\":2}", "\"resources\":{},",
                "\"readinessProbe\":{},", "\"valueFrom\":{\"secretKeyRef\":{}},");
    }

    /** Each rule's violation (or pass) as the server renders it, and the sizes the cost bound used. */
    private static List<String> judge(PodObject pod) {
        RuleInput input = RuleInput.offline(pod);
        CelProjection reads = READS.asSent(pod.podPointer());
        var vars = input.variables(reads);
        CostBound.Size sizes = input.sizes(reads);
        List<String> out = new ArrayList<>();
        for (CelRule rule : COOKBOOK) {
            Violation v = rule.evaluate(vars, sizes);
            out.add(rule.id() + ": " + (v == null ? "passes" : v.message()) + " (tracked " + !rule.untracked(sizes) + ")");
        }
        return out;
    }

    private static List<CelRule> cookbook() {
        try {
            JsonNode doc = Json.yaml().readTree(Files.readString(Path.of("docs/examples/rules-cookbook.yaml")));
            List<CelRule> rules = new ArrayList<>();
            for (JsonNode r : doc.get("rules")) {
                rules.add(CelRule.compile(r.get("id").asString(), r.get("expression").asString(), named(r.get("variables")),
                        named(r.get("matchConditions")), r.path("message").asString(null), r.path("messageExpression").asString(null)));
            }
            return rules;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<CelRule.Named> named(JsonNode list) {
        List<CelRule.Named> out = new ArrayList<>();
        if (list != null) {
            list.forEach(n -> out.add(new CelRule.Named(n.get("name").asString(), n.get("expression").asString())));
        }
        return out;
    }
}

package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.cel.common.values.NullValue;
import io.podguard.engine.Json;
import io.podguard.engine.rules.CelRuleException;
import io.podguard.engine.rules.CelValues;
import io.podguard.engine.rules.CompiledExpression;
import io.podguard.engine.rules.KubernetesCel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * podguard's CEL environment against kube-apiserver's, run: every expression of
 * {@code src/test/resources/cel/corpus.json} is evaluated by {@code celeval} (k8s.io/apiserver
 * v0.37.2's admission-policy compiler and cost tracking, built by {@code build.sh}) and by
 * {@link KubernetesCel}. Both must agree on whether it compiles, whether it evaluates, its value,
 * and whether the cost limit stopped it; error wording must agree too, except for the few
 * differences listed in {@link #KNOWN_WORDING}, each with its reason.
 */
class CelDifferentialIT {

    /** Why an expression's error wording may differ; null when it may not. Every other error must read the same. */
    private static String knownWording(String expression) {
        if (expression.startsWith("authorizer.")) {
            return "podguard says why authorizer is missing rather than 'undeclared reference'";
        }
        if (expression.contains("TestAllTypes{")) {
            return "a message of an undeclared type: both refuse it; cel-java also reports each of its fields";
        }
        return null;
    }

    /** Expressions judged differently, and why. */
    private static final Map<String, String> KNOWN_VERDICTS = Map.of();

    @Test
    void podguardEvaluatesTheCorpusAsTheApiserverDoes() throws Exception {
        Path corpus = Path.of("src/test/resources/cel/corpus.json");
        ArrayNode cases = (ArrayNode) Json.mapper().readTree(Files.readString(corpus));
        ArrayNode upstream = celeval(corpus);
        assertThat(upstream.size()).isEqualTo(cases.size());
        List<String> disagreements = new ArrayList<>();
        List<String> wording = new ArrayList<>();
        List<String> costs = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            String expression = c.get("expression").asString();
            JsonNode want = upstream.get(i);
            Map<String, String> got = podguard(c);
            String wantKind = want.has("compileError") ? "compile error" : want.has("error") ? "error" : "value";
            String gotKind = got.get("kind");
            boolean wantLimit = want.path("error").asString("").contains("cost limit exceeded")
                    || want.path("error").asString("").contains("exceeds maximum allowed");
            boolean gotLimit = got.getOrDefault("error", "").contains("cost limit exceeded");
            if (wantLimit != gotLimit) {
                disagreements.add(expression + ": cost limit upstream " + wantLimit + ", podguard " + gotLimit
                        + " (upstream cost " + want.path("cost").asLong() + ", podguard " + got.get("cost") + ")");
                continue;
            }
            boolean wantFails = !wantKind.equals("value");
            boolean gotFails = !gotKind.equals("value");
            if (wantFails != gotFails && !KNOWN_VERDICTS.containsKey(expression)) {
                disagreements.add(expression + ": upstream " + wantKind + " " + describe(want) + ", podguard " + got);
                continue;
            }
            if (wantFails != gotFails) {
                continue;
            }
            if (!wantFails) {
                costs.add(want.path("cost").asLong() + "\t" + got.get("cost") + "\t" + expression);
                String wantValue = canonical(want.get("value"));
                if (!wantValue.equals(got.get("value")) && !(wantValue.startsWith("{\"opaque\"") && got.get("value").startsWith("{\"opaque\""))) {
                    disagreements.add(expression + ": upstream " + wantValue + ", podguard " + got.get("value"));
                }
                continue;
            }
            String wantMessage = want.has("compileError") ? want.get("compileError").asString() : want.get("error").asString();
            String gotMessage = got.get("error");
            if (!wantMessage.equals(gotMessage) && !wantLimit && knownWording(expression) == null) {
                wording.add(expression + "\n    upstream: " + wantMessage + "\n    podguard: " + gotMessage);
            }
        }
        writeCostFigures(costs);
        assertThat(disagreements).as("verdicts that differ from kube-apiserver's").isEmpty();
        assertThat(wording).as("error messages that differ from kube-apiserver's").isEmpty();
    }

    /**
     * The runtime costs of the expressions both evaluate, upstream's and podguard's, into
     * target/cel-costs.txt: how many agree exactly, how many within 10%, the rest listed. The
     * limit itself is asserted above; these are figures.
     */
    private static void writeCostFigures(List<String> costs) throws IOException {
        int exact = 0;
        int close = 0;
        List<String> apart = new ArrayList<>();
        for (String line : costs) {
            String[] f = line.split("\t", 3);
            long want = Long.parseLong(f[0]);
            long got = Long.parseLong(f[1]);
            if (want == got) {
                exact++;
            } else if (Math.abs(want - got) <= Math.max(1, want / 10)) {
                close++;
            } else {
                apart.add(line);
            }
        }
        List<String> out = new ArrayList<>();
        out.add("# runtime cost: upstream (k8s.io/apiserver v0.37.2) and podguard, of the corpus' expressions both evaluate");
        out.add("# " + costs.size() + " expressions: " + exact + " equal, " + close + " within 10%, " + apart.size() + " further apart");
        out.add("# upstream\tpodguard\texpression");
        out.addAll(apart);
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target/cel-costs.txt"), out);
    }

    private static String describe(JsonNode upstream) {
        return upstream.has("compileError") ? upstream.get("compileError").asString()
                : upstream.has("error") ? upstream.get("error").asString() : canonical(upstream.get("value"));
    }

    private static Map<String, String> podguard(JsonNode c) {
        Map<String, String> out = new HashMap<>();
        CompiledExpression compiled;
        try {
            compiled = KubernetesCel.get().compile(c.get("expression").asString(), KubernetesCel.Scope.NONE, KubernetesCel.Result.ANY);
        } catch (CelRuleException e) {
            out.put("kind", "compile error");
            out.put("error", e.getMessage());
            out.put("cost", "0");
            return out;
        }
        Map<String, Object> vars = new HashMap<>();
        for (String name : List.of("object", "oldObject", "params")) {
            Object v = CelValues.of(c.get(name));
            vars.put(name, v == null ? NullValue.NULL_VALUE : v);
        }
        KubernetesCel.Outcome outcome = KubernetesCel.get().evaluate(compiled, KubernetesCel.resolver(vars), KubernetesCel.PER_CALL_LIMIT);
        out.put("cost", Long.toString(outcome.cost()));
        if (outcome.failed()) {
            out.put("kind", "error");
            out.put("error", outcome.error());
        } else {
            out.put("kind", "value");
            out.put("value", canonical(Json.mapper().valueToTree(toJson(outcome.value()))));
        }
        return out;
    }

    /** A CEL value as the JSON celeval writes (structpb's), opaque values as {"opaque": …}. */
    private static Object toJson(Object v) {
        if (v instanceof NullValue) {
            return null;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object e : l) {
                out.add(toJson(e));
            }
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(String.valueOf(e.getKey()), toJson(e.getValue()));
            }
            return out;
        }
        if (v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double) {
            return v;
        }
        if (v instanceof com.google.common.primitives.UnsignedLong u) {
            return u.bigIntegerValue();
        }
        if (v instanceof Optional<?> o && o.isPresent()) {
            return toJson(o.get());
        }
        return Map.of("opaque", String.valueOf(v));
    }

    /** Numbers as doubles where they are not integral, keys sorted: the two sides' JSON compared as values. */
    private static String canonical(JsonNode node) {
        if (node == null) {
            return "null";
        }
        if (node.isNumber()) {
            double d = node.asDouble();
            return d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
        }
        if (node.isArray()) {
            List<String> parts = new ArrayList<>();
            node.forEach(e -> parts.add(canonical(e)));
            return "[" + String.join(",", parts) + "]";
        }
        if (node.isObject()) {
            TreeMap<String, String> parts = new TreeMap<>();
            node.properties().forEach(e -> parts.put(e.getKey(), canonical(e.getValue())));
            List<String> kv = new ArrayList<>();
            parts.forEach((k, v) -> kv.add("\"" + k + "\":" + v));
            return "{" + String.join(",", kv) + "}";
        }
        return node.toString();
    }

    private static ArrayNode celeval(Path corpus) throws IOException, InterruptedException {
        Path binary = Path.of(System.getProperty("podguard.e2e.celeval", "target/e2e-bin/celeval")).toAbsolutePath();
        if (!Files.isExecutable(binary)) {
            fail("celeval not found at " + binary + ": build it with src/test/cluster/build.sh");
        }
        Path out = Files.createTempFile("celeval", ".json");
        Path err = Files.createTempFile("celeval", ".err");
        try {
            Process p = new ProcessBuilder(binary.toString()).redirectInput(corpus.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("celeval did not finish in 120 s");
            }
            if (p.exitValue() != 0) {
                fail("celeval failed: " + Files.readString(err));
            }
            return (ArrayNode) Json.mapper().readTree(Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}

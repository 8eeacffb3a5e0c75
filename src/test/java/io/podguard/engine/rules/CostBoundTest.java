package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Json;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * CostBound is an upper bound of what the cost tracker charges: for every expression below and
 * the cookbook's, on generated pods of every shape, the tracked cost never passes the bound for
 * the pod's sizes. Where it could, a rule running untracked could run past the apiserver's limit.
 */
class CostBoundTest {

    /** Expressions of every construct the bound knows, and some it does not (which must be unbounded, not wrong). */
    private static final List<String> EXPRESSIONS = List.of(
            "object.spec.containers.all(c, !c.image.endsWith(':latest'))",
            "object.spec.containers.map(c, c.image).join(', ').size() > 0",
            "object.spec.containers.map(c, c.name + '/' + c.image).join(', ').startsWith(object.metadata.name)",
            "object.spec.containers.filter(c, c.image.contains('nginx')).size() >= 0",
            "object.spec.containers.exists_one(c, c.name == 'app')",
            "object.spec.containers.exists(c, c.image.matches('^[a-z.]+/[a-z]+:v[0-9]+$'))",
            "object.spec.containers.all(c, c.?env.orValue([]).all(e, e.name.matches('^[A-Z_]+$') && e.?value.orValue('') != ''))",
            "object.metadata.name + '-' + object.metadata.namespace != object.metadata.?labels.?team.orValue('')",
            "object.spec.containers.all(c, c.image.lastIndexOf(':') > c.image.lastIndexOf('/'))",
            "object.spec.containers.all(c, c.image.indexOf('@') < 0 || c.image.contains('@sha256:'))",
            "'team' in object.metadata.labels && object.metadata.labels.team in ['payments', 'search', 'ads']",
            "object.spec.containers.all(c, object.spec.containers.all(d, c.name != d.name || c.image == d.image))",
            "object.spec.containers.all(c, c.image.split('/').size() <= 3)",
            "object.spec.containers.map(c, c.name).all(n, n.lowerAscii() == n)",
            "object.spec.containers.map(c, c.?env.orValue([]).map(e, e.name)).all(l, l.size() < 100)",
            "object.spec.containers.all(c, string(c.?resources.?limits.?memory.orValue('1Gi')).size() < 20)",
            "object.spec.containers.all(c, !has(c.resources) || !has(c.resources.limits) || !has(c.resources.limits.memory) || "
                    + "quantity(string(c.resources.limits.memory)).compareTo(quantity('2Gi')) <= 0)",
            "!format.dns1123Label().validate(object.metadata.name).hasValue()",
            "object.spec.containers.map(c, c.image).sort() == object.spec.containers.map(c, c.image).sort()",
            "sets.contains(object.spec.containers.map(c, c.name), ['app'])",
            "object.spec.containers.all(c, c.image.replace(':', '/').size() > 0)",
            "request.userInfo.groups.all(g, g.startsWith('system:')) || request.operation == 'CREATE'",
            "object.spec.containers.map(c, c.image).join(', ').replace(', ', ',').size() > 0",
            "lists.range(size(object.spec.containers)).all(i, i >= 0)");

    private static PodObject pod(JsonNode json) {
        return PodExtractor.extract("Pod", json).orElseThrow();
    }

    /** A pod of {@code containers} containers, each with some env, images and names of random lengths. */
    private static PodObject generated(Random random, int containers) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode meta = root.putObject("metadata");
        meta.put("name", "p".repeat(1 + random.nextInt(40))).put("namespace", "ns");
        ObjectNode labels = meta.putObject("labels");
        for (int i = 0; i < random.nextInt(6); i++) {
            labels.put(i == 0 ? "team" : "l" + i, "v".repeat(random.nextInt(30)));
        }
        ArrayNode list = root.putObject("spec").putArray("containers");
        for (int i = 0; i < containers; i++) {
            ObjectNode c = list.addObject();
            c.put("name", random.nextInt(3) == 0 ? "app" : "c" + i + "x".repeat(random.nextInt(20)));
            c.put("image", "registry.example.com/" + "a".repeat(random.nextInt(60)) + (random.nextBoolean() ? ":v1" : ":latest"));
            if (random.nextBoolean()) {
                ArrayNode env = c.putArray("env");
                for (int e = 0; e < random.nextInt(12); e++) {
                    env.addObject().put("name", "E" + e).put("value", "x".repeat(random.nextInt(100)));
                }
            }
            if (random.nextBoolean()) {
                c.putObject("resources").putObject("limits").put("memory", random.nextBoolean() ? "1Gi" : "3Gi");
            }
        }
        return pod(root);
    }

    @Test
    void boundWhenGeneratedPodsThenNeverBelowTheTrackedCost() throws Exception {
        List<String> expressions = new ArrayList<>(EXPRESSIONS);
        expressions.addAll(cookbookExpressions());
        KubernetesCel cel = KubernetesCel.get();
        Random random = new Random(22);
        int bounded = 0;
        for (int n = 0; n < 60; n++) {
            RuleInput input = RuleInput.offline(generated(random, n % 3 == 0 ? random.nextInt(40) : random.nextInt(6)));
            CostBound.Size sizes = input.sizes();
            for (String source : expressions) {
                CompiledExpression e = cel.compile(source, KubernetesCel.Scope.NONE, KubernetesCel.Result.ANY);
                KubernetesCel.Outcome tracked = cel.evaluate(e, input.variables(), KubernetesCel.PER_CALL_LIMIT);
                double bound = e.bound().cost(sizes, Map.of());
                assertThat(bound).as("%s on a pod of sizes %s (cost %d)", source, sizes, tracked.cost()).isGreaterThanOrEqualTo(tracked.cost());
                if (bound < CostBound.UNBOUNDED) {
                    bounded++;
                    // untracked: the same value, or the same error
                    KubernetesCel.Outcome untracked = cel.evaluate(e, input.variables(), KubernetesCel.PER_CALL_LIMIT, false);
                    assertThat(untracked.value()).as(source).isEqualTo(tracked.value());
                    assertThat(untracked.error()).as(source).isEqualTo(tracked.error());
                }
            }
        }
        // the bound knows most of them: all but replace's result and lists.range
        assertThat(bounded).isGreaterThan(60 * (expressions.size() - 3));
    }

    @Test
    void boundWhenResultMayOutgrowItsArgumentsThenUnbounded() {
        KubernetesCel cel = KubernetesCel.get();
        CostBound.Size small = new CostBound.Size(8, 128, 2048);
        for (String source : List.of("lists.range(size(object.spec.containers)).all(i, i >= 0)",
                "object.spec.containers.map(c, c.image).join(', ').replace(', ', ',').contains('x')",
                "type(object) == map")) {
            assertThat(cel.compile(source, KubernetesCel.Scope.NONE, KubernetesCel.Result.BOOL).bound().cost(small, Map.of()))
                    .as(source).isEqualTo(CostBound.UNBOUNDED);
        }
    }

    @Test
    void boundWhenSizesGivenThenExactFiguresOfSimpleExpressions() {
        KubernetesCel cel = KubernetesCel.get();
        CostBound.Size sizes = new CostBound.Size(10, 100, 1000);
        // object.metadata.name (an attribute of 3) == 'x' (min(100, 1) × 0.1, at least 1)
        assertThat(cel.compile("object.metadata.name == 'x'", KubernetesCel.Scope.NONE, KubernetesCel.Result.BOOL).bound()
                .cost(sizes, Map.of())).isEqualTo(3 + 2 + 1 + 1);
        // over at most 10 containers: the range (3 + 2 + 1), 11 loop conditions (2 each), 10 steps (@result 1, c 1,
        // c.image 2, endsWith 1, ! 1), the result 1
        assertThat(cel.compile("object.spec.containers.all(c, !c.image.endsWith(':latest'))", KubernetesCel.Scope.NONE,
                KubernetesCel.Result.BOOL).bound().cost(sizes, Map.of())).isEqualTo(6 + 11 * 2 + 10 * 6 + 1);
    }

    @Test
    void sizesWhenPodThenItsLongestListLongestStringAndTraversal() {
        PodObject p = pod(Json.mapper().readTree("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns"},
                 "spec":{"containers":[{"name":"a","image":"nginx"},{"name":"b","image":"%s"}]}}""".formatted("i".repeat(300))));
        CostBound.Size s = RuleInput.offline(p).sizes();
        // the request's 16 fields at least; 900 bytes: 300 UTF-16 units, up to three bytes each
        assertThat(s.lists()).isEqualTo(16);
        assertThat(s.strings()).isEqualTo(900);
        assertThat(s.traversal()).isGreaterThan(90);
    }

    private static List<String> cookbookExpressions() throws Exception {
        JsonNode cookbook = io.podguard.engine.Json.yaml().readTree(Files.readString(Path.of("docs/examples/rules-cookbook.yaml")));
        List<String> out = new ArrayList<>();
        Map<String, String> registries = new HashMap<>();
        for (JsonNode rule : cookbook.get("rules")) {
            if (rule.has("variables")) {
                // the one variable of the cookbook, inlined: the bound of variables is CelRuleTest's
                registries.put("variables.registries", rule.get("variables").get(0).get("expression").asString());
            }
            for (String field : List.of("expression", "messageExpression")) {
                if (rule.has(field)) {
                    String e = rule.get(field).asString();
                    for (Map.Entry<String, String> v : registries.entrySet()) {
                        e = e.replace(v.getKey(), v.getValue());
                    }
                    out.add(e);
                }
            }
            for (JsonNode c : rule.path("matchConditions")) {
                out.add(c.get("expression").asString());
            }
        }
        return out;
    }
}

package io.podguard.e2e;

import static io.podguard.e2e.PlacementCase.Plugin.EXTENDED_RESOURCE_TOLERATION;
import static io.podguard.e2e.PlacementCase.Plugin.POD_NODE_SELECTOR;
import static io.podguard.e2e.PlacementCase.Plugin.POD_TOLERATION_RESTRICTION;
import static io.podguard.e2e.PlacementCase.annotations;
import static io.podguard.e2e.PlacementCase.pod;
import static io.podguard.e2e.PlacementCase.tolerations;
import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.admission.AdmissionHandler;
import io.podguard.report.ReviewObserver;
import io.podguard.admission.BadReviewException;
import io.podguard.admission.Endpoint;
import io.podguard.e2e.PlacementCase.Plugin;
import io.podguard.e2e.PlacementCase.Variant;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.engine.placement.NamespaceAnnotations;
import io.podguard.engine.placement.PlacedPod;
import io.podguard.policy.ConfiguredPolicyResolver;
import io.podguard.policy.NamespaceLabels;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import jakarta.json.JsonArray;
import jakarta.json.JsonStructure;
import java.io.StringReader;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * podguard's placement against kube-apiserver's own PodNodeSelector, PodTolerationRestriction and
 * ExtendedResourceToleration plugins, run ({@link UpstreamPrograms}): on the cases of the plugins'
 * own {@code admission_test.go}, then on generated ones. Each case is expressed for podguard twice
 * (the namespace's annotations read with {@code namespaceAnnotations: true}, and the same values
 * written as policy); the pod the plugins were given (with the apiserver's defaults) goes through
 * podguard's /mutate, its patch is applied by an independent JSON Patch implementation, and the
 * result goes through /validate. Where a plugin admits, podguard admits and leaves the same node
 * selector and tolerations, in the same order, and mutating again changes nothing; where a plugin
 * refuses, podguard refuses with the same message (a namespace annotation that cannot be read:
 * with a message of podguard's own that names it).
 */
class PlacementPluginsIT {

    /** The plugins' refusals that podguard repeats word for word. */
    private static final Pattern PLUGIN_MESSAGE = Pattern.compile(
            "pod node label selector (conflicts with its namespace node label selector|labels conflict with its namespace whitelist)"
                    + "|pod tolerations \\(possibly merged with namespace default tolerations\\) conflict with its (namespace|cluster) whitelist");
    /** How a StatusError of the plugins starts: {@code pods "name" is forbidden: }. */
    private static final Pattern FORBIDDEN = Pattern.compile("^pods( \"[^\"]*\")? is forbidden: ");
    private static final int GENERATED = 500;

    @Test
    void upstreamCasesWhenJudgedByPodguardThenSameOutcomeSelectorsTolerationsAndMessages() {
        List<PlacementCase> cases = upstream();
        assertThat(cases).hasSize(34);
        Tally tally = compare(cases);
        // Both outcomes are covered: the plugins' own cases admit and refuse.
        assertThat(tally.admitted).isGreaterThan(40);
        assertThat(tally.refused).isGreaterThan(8);
    }

    @Test
    void generatedCasesWhenJudgedByPodguardThenSameOutcomeSelectorsTolerationsAndMessages() {
        Tally tally = compare(generated(new Random(20260118L), GENERATED));
        assertThat(tally.admitted).isGreaterThan(GENERATED / 5);
        assertThat(tally.refused).isGreaterThan(GENERATED / 5);
        assertThat(tally.changed).isGreaterThan(GENERATED / 5);
        assertThat(tally.ownMessages).isGreaterThan(10);
    }

    private static final class Tally {
        int admitted;
        int refused;
        int changed;
        int ownMessages;
        int reinvocationChanged;
    }

    private static Tally compare(List<PlacementCase> cases) {
        List<PlacementCase> expressed = new ArrayList<>();
        List<Variant> variants = new ArrayList<>();
        ArrayNode goCases = Json.mapper().createArrayNode();
        for (PlacementCase c : cases) {
            for (Variant v : Variant.values()) {
                if (c.expressible(v)) {
                    expressed.add(c);
                    variants.add(v);
                    goCases.add(c.toGo(v));
                }
            }
        }
        ArrayNode results = UpstreamPrograms.run("placement-plugins", goCases);
        Tally tally = new Tally();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            String failure = compare(expressed.get(i), variants.get(i), results.get(i), tally);
            if (failure != null) {
                failures.add(failure);
            }
        }
        assertThat(failures).as("cases where podguard and the plugins disagree").isEmpty();
        System.out.printf("%d cases, %d expressions: %d admitted (%d changed, %d changed again when reinvoked), %d refused (%d in podguard's own words)%n",
                cases.size(), results.size(), tally.admitted, tally.changed, tally.reinvocationChanged, tally.refused, tally.ownMessages);
        return tally;
    }

    /** Null when podguard agrees with the plugins' {@code result}; else what differs. */
    private static @Nullable String compare(PlacementCase c, Variant variant, JsonNode result, Tally tally) {
        String policy = c.policy(variant);
        String context = result.path("name").asString() + "\n  policy: " + policy + "\n  pod: " + result.path("input") + "\n  plugins: "
                + (result.path("allowed").asBoolean() ? "admitted " + result.path("output").path("spec") : "refused: " + result.path("message").asString());
        AdmissionHandler handler = handler(policy, c.annotations());
        ObjectNode input = (ObjectNode) result.path("input");
        input.put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode mutated = applied(input, call(handler, Endpoint.MUTATE, input));
        JsonNode validation = call(handler, Endpoint.VALIDATE, mutated);
        boolean allowed = validation.path("allowed").asBoolean();
        String message = validation.path("status").path("message").asString("");
        if (result.path("allowed").asBoolean()) {
            tally.admitted++;
            if (!allowed) {
                return context + "\n  podguard refused: " + message;
            }
            JsonNode expected = result.path("output");
            Map<String, String> selector = PlacedPod.nodeSelector(mutated);
            List<?> tolerations = PlacedPod.tolerations(mutated);
            if (!selector.equals(PlacedPod.nodeSelector(expected)) || !tolerations.equals(PlacedPod.tolerations(expected))) {
                return context + "\n  podguard set nodeSelector " + selector + ", tolerations " + tolerations;
            }
            if (!selector.equals(PlacedPod.nodeSelector(input)) || !tolerations.equals(PlacedPod.tolerations(input))) {
                tally.changed++;
            }
            // Reinvoked, podguard does what the plugins do when kube-apiserver reinvokes them: nothing,
            // except where an extended-resource toleration now covers a default one, which a second
            // merge leaves out. A third review changes nothing.
            ObjectNode twice = applied(mutated, call(handler, Endpoint.MUTATE, mutated));
            JsonNode reinvoked = result.path("reinvoked");
            if (!PlacedPod.nodeSelector(twice).equals(PlacedPod.nodeSelector(reinvoked))
                    || !PlacedPod.tolerations(twice).equals(PlacedPod.tolerations(reinvoked))) {
                return context + "\n  reinvoked, podguard set " + PlacedPod.tolerations(twice) + ", the plugins " + PlacedPod.tolerations(reinvoked);
            }
            if (!PlacedPod.tolerations(twice).equals(tolerations)) {
                tally.reinvocationChanged++;
            }
            JsonNode thrice = call(handler, Endpoint.MUTATE, twice);
            if (thrice.has("patch")) {
                return context + "\n  a third review patched " + decode(thrice);
            }
            return null;
        }
        tally.refused++;
        if (allowed) {
            return context + "\n  podguard admitted";
        }
        String expected = FORBIDDEN.matcher(result.path("message").asString()).replaceFirst("");
        List<String> said = List.of(message.split("; "));
        if (PLUGIN_MESSAGE.matcher(expected).matches()) {
            return said.contains(expected) ? null : context + "\n  podguard refused: " + message;
        }
        // The plugins' own errors for an annotation they cannot read (a Go parse error, an internal error).
        tally.ownMessages++;
        return message.contains("namespace annotation scheduler.alpha.kubernetes.io/") ? null : context + "\n  podguard refused: " + message;
    }

    private static AdmissionHandler handler(String policy, Map<String, String> annotations) {
        NamespaceLabels namespace = new NamespaceLabels() {
            @Override
            public Map<String, String> labels(String name) {
                return Map.of();
            }

            @Override
            public Map<String, String> annotations(String name) {
                return annotations;
            }
        };
        PolicyResolver resolver = new ConfiguredPolicyResolver(PolicyLoader.parse(policy), namespace, Clock.systemUTC(),
                PolicyResolver.ExpiryListener.NONE);
        return new AdmissionHandler(Engine.standard(), () -> resolver, ReviewObserver.NONE);
    }

    private static JsonNode call(AdmissionHandler handler, Endpoint endpoint, ObjectNode pod) {
        ObjectNode review = Json.mapper().createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", "8b6a2f1e-placement");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("namespace", PlacementCase.NAMESPACE).put("name", "test-pod").put("operation", "CREATE");
        request.putObject("userInfo").put("username", "alice").putArray("groups").add("system:authenticated");
        request.set("object", pod);
        try {
            return Json.mapper().readTree(handler.handle(endpoint, Json.mapper().writeValueAsBytes(review))).path("response");
        } catch (BadReviewException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static String decode(JsonNode response) {
        return new String(Base64.getDecoder().decode(response.path("patch").asString()), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The pod with the response's patch applied by JSON-P (Eclipse Parsson), not zjsonpatch. */
    private static ObjectNode applied(ObjectNode pod, JsonNode response) {
        if (!response.has("patch")) {
            return pod.deepCopy();
        }
        JsonArray patch = (JsonArray) jakarta.json.Json.createReader(new StringReader(decode(response))).read();
        JsonStructure doc = jakarta.json.Json.createReader(new StringReader(pod.toString())).read();
        return (ObjectNode) Json.mapper().readTree(jakarta.json.Json.createPatch(patch).apply(doc).toString());
    }

    // ---- the plugins' own cases (plugin/pkg/admission/*/admission_test.go, Kubernetes v1.37.2) ----

    static List<PlacementCase> upstream() {
        List<PlacementCase> cases = new ArrayList<>();
        // podnodeselector TestPodAdmission: {default, namespace annotation (null: none), whitelist, pod selector}
        String[][] pns = {
            {"No node selectors", "", null, "", "{}"},
            {"Default node selector and no conflicts", "infra = false", null, "", "{}"},
            {"TestNamespace node selector with whitespaces and no conflicts", "", " infra = false ", "", "{}"},
            {"Default and namespace node selector, no conflicts", "infra = false", "infra=true", "", "{}"},
            {"Empty namespace node selector and no conflicts", "infra = false", "", "", "{}"},
            {"TestNamespace and pod node selector, no conflicts", "infra = false", "infra=true", "", "{env: test}"},
            {"Conflicting pod and namespace node selector, one label", "env = test", "infra=true", "", "{infra: 'false'}"},
            {"Conflicting pod and namespace node selector, multiple labels", "env=dev", "infra=false, env = test", "", "{env: dev, color: blue}"},
            {"Merged pod node selectors satisfy the whitelist", "env=dev", "infra=false, env = dev", "env=dev, infra=false, color=blue",
                "{env: dev, color: blue}"},
            {"Merged pod node selectors conflict with the whitelist", "env=dev", "infra=false, env = dev", "env=dev, infra=true, color=blue",
                "{env: dev, color: blue}"},
            {"Default node selector conflict with the whitelist", "env=dev", null, "env=prd", "{}"},
        };
        for (String[] t : pns) {
            cases.add(new PlacementCase("podnodeselector: " + t[0], EnumSet.of(POD_NODE_SELECTOR),
                    t[2] == null ? Map.of() : annotations(NamespaceAnnotations.NODE_SELECTOR, t[2]),
                    t[1], t[3].isEmpty() ? null : t[3], null, null,
                    pod("{nodeSelector: " + t[4] + ", containers: [{name: test, image: app}]}")));
        }
        // podtolerationrestriction TestPodAdmission: {pod, cluster default, namespace defaults, namespace whitelist, cluster whitelist, pod's}
        String t = "{\"key\":\"testKey\",\"operator\":\"Equal\",\"value\":\"testValue\",\"effect\":\"NoSchedule\"}";
        String t1 = t.replace("testValue", "testValue1");
        String t2 = t.replace("testValue", "testValue2");
        String bestEffort = "containers: [{name: test, image: app}]";
        String burstable = "containers: [{name: test, image: app, resources: {limits: {cpu: 1000m}, requests: {cpu: 500m}}}]";
        String guaranteed = "containers: [{name: test, image: app, resources: {limits: {cpu: 1000m}, requests: {cpu: 1000m}}}]";
        String[][] ptr = {
            {"default cluster tolerations with empty pod tolerations and nil namespace tolerations", bestEffort, "[" + t + "]", null, null, null, "[]"},
            {"default cluster tolerations with pod tolerations specified", bestEffort, "[" + t + "]", "[]", null, null, "[" + t + "]"},
            {"namespace tolerations", bestEffort, "[]", "[" + t + "]", null, null, "[" + t + "]"},
            {"no pod tolerations", bestEffort, "[]", "[" + t + "]", null, null, "[]"},
            {"duplicate key pod and namespace tolerations", bestEffort, "[]", "[" + t + "]", null, null, "[" + t1 + "]"},
            {"conflicting pod and default cluster tolerations but overridden by empty namespace tolerations", bestEffort, "[" + t2 + "]", "[]",
                null, null, "[" + t1 + "]"},
            {"merged pod tolerations satisfy whitelist", bestEffort, "[]", "[" + t + "]", "[" + t + "]", null, "[]"},
            {"Override default cluster toleration by empty namespace level toleration", bestEffort, "[" + t + "]", "[]", null, null, "[]"},
            {"pod toleration conflicts with default cluster white list which is overridden by empty namespace whitelist", bestEffort, null, null,
                "[]", "[" + t1 + "]", "[" + t + "]"},
            {"merged pod tolerations conflict with the whitelist", bestEffort, "[]", "[" + t + "]", "[" + t1 + "]", null, "[]"},
            {"added memoryPressure/DiskPressure for Burstable pod", burstable, "[]", "[" + t + "]", "[]", null, "[]"},
            {"Pod with duplicate key tolerations should not be modified", bestEffort, "[]", "[]", "[]", null, "[" + t + "," + t1 + "]"},
            {"added memoryPressure/DiskPressure for Guaranteed pod", guaranteed, "[]", "[" + t + "]", "[]", null, "[]"},
        };
        for (String[] c : ptr) {
            Map<String, String> ann = new LinkedHashMap<>();
            if (c[3] != null) {
                ann.put(NamespaceAnnotations.DEFAULT_TOLERATIONS, c[3]);
            }
            if (c[4] != null) {
                ann.put(NamespaceAnnotations.TOLERATIONS_WHITELIST, c[4]);
            }
            cases.add(new PlacementCase("podtolerationrestriction: " + c[0], EnumSet.of(POD_TOLERATION_RESTRICTION), ann, null, null,
                    c[2] == null ? null : tolerations(c[2]), c[5] == null ? null : tolerations(c[5]),
                    pod("{tolerations: " + c[6] + ", " + c[1] + "}")));
        }
        // extendedresourcetoleration TestAdmit: {containers, init containers, tolerations}
        String cpu = "{name: cpu, image: app, resources: {requests: {cpu: 2}}}";
        String memory = "{name: memory, image: app, resources: {requests: {memory: 2048}}}";
        String er1 = "{name: ek, image: app, resources: {requests: {example.com/device-ek: 1}}}";
        String er2 = "{name: do, image: app, resources: {requests: {example.com/device-do: 2}}}";
        String[][] ert = {
            {"empty pod without any extended resources, expect no change in tolerations", "[]", "[]", "[]"},
            {"pod with container without any extended resources, expect no change in tolerations", "[" + cpu + "]", "[]", "[]"},
            {"pod with init container without any extended resources, expect no change in tolerations", "[]", "[" + memory + "]", "[]"},
            {"pod with container with extended resource, expect toleration to be added", "[" + er1 + "]", "[]", "[]"},
            {"pod with init container with extended resource, expect toleration to be added", "[]", "[" + er2 + "]", "[]"},
            {"pod with existing tolerations and container with extended resource", "[" + cpu + "," + er1 + "]", "[]",
                "[{key: foo, operator: Equal, value: bar, effect: NoSchedule}]"},
            {"pod with multiple extended resources, expect multiple tolerations to be added", "[" + memory + "," + er1 + "]",
                "[" + cpu + "," + er2 + "]", "[]"},
            {"pod with container requesting extended resource and existing correct toleration", "[" + cpu + "," + memory + "," + er1 + "]", "[]",
                "[{key: example.com/device-ek, operator: Exists, effect: NoSchedule}]"},
            {"pod with container requesting extended resource and existing toleration with the same key but different effect and value",
                "[" + cpu + "," + memory + "," + er1 + "]", "[]", "[{key: example.com/device-ek, operator: Equal, value: foo, effect: NoExecute}]"},
            {"pod with wildcard toleration and container requesting extended resource", "[" + cpu + "," + memory + "," + er1 + "]", "[]",
                "[{operator: Exists}]"},
        };
        for (String[] c : ert) {
            cases.add(new PlacementCase("extendedresourcetoleration: " + c[0], EnumSet.of(EXTENDED_RESOURCE_TOLERATION), Map.of(), null, null,
                    null, null, pod("{containers: " + c[1] + ", initContainers: " + c[2] + ", tolerations: " + c[3] + "}")));
        }
        return cases;
    }

    // ---- generated cases ----

    private static final String[] LABEL_KEYS = {"env", "team", "infra", "example.com/tier"};
    private static final String[] LABEL_VALUES = {"a", "b", "prod", ""};
    private static final String[] TAINT_KEYS = {"dedicated", "gpu", "", "node.kubernetes.io/memory-pressure", "example.com/device"};
    private static final String[] OPERATORS = {"Equal", "Exists", ""};
    private static final String[] TAINT_VALUES = {"ml", "web", ""};
    private static final String[] EFFECTS = {"NoSchedule", "NoExecute", "PreferNoSchedule", ""};
    private static final String[] RESOURCES = {
        "",
        "resources: {requests: {cpu: 100m}}",
        "resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: 500m, memory: 1Gi}}",
        "resources: {limits: {nvidia.com/gpu: 1}}",
        "resources: {requests: {example.com/device: 2, cpu: '0'}}",
        "resources: {limits: {kubernetes.io/foo: 1, requests.example.com/x: 1}}",
        "resources: {requests: {cpu: 1}, limits: {cpu: 1000m}}",
    };

    static List<PlacementCase> generated(Random rnd, int count) {
        List<PlacementCase> cases = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Set<Plugin> plugins = EnumSet.noneOf(Plugin.class);
            for (Plugin p : Plugin.values()) {
                if (rnd.nextInt(3) > 0) {
                    plugins.add(p);
                }
            }
            if (plugins.isEmpty()) {
                plugins.add(Plugin.values()[rnd.nextInt(3)]);
            }
            Map<String, String> podSelector = new LinkedHashMap<>();
            for (int n = rnd.nextInt(3); n > 0; n--) {
                podSelector.put(pick(rnd, LABEL_KEYS), pick(rnd, LABEL_VALUES));
            }
            Map<String, String> ann = new LinkedHashMap<>();
            String nsSelector = null;
            switch (rnd.nextInt(20)) {
                case 0, 1, 2, 3, 4, 5, 6, 7 -> {
                }
                case 8, 9 -> nsSelector = "";
                case 10 -> nsSelector = pick(rnd, new String[] {"env", "env==a", "Bad Key=a", "a=b,", "team=-x"});
                default -> nsSelector = selectorText(rnd, randomLabels(rnd, 1 + rnd.nextInt(2)));
            }
            if (nsSelector != null) {
                ann.put(NamespaceAnnotations.NODE_SELECTOR, nsSelector);
            }
            String defaults = tolerationAnnotation(rnd);
            if (defaults != null) {
                ann.put(NamespaceAnnotations.DEFAULT_TOLERATIONS, defaults);
            }
            String whitelist = tolerationAnnotation(rnd);
            if (whitelist != null) {
                ann.put(NamespaceAnnotations.TOLERATIONS_WHITELIST, whitelist);
            }
            String clusterDefault = rnd.nextBoolean() ? null : selectorText(rnd, randomLabels(rnd, rnd.nextInt(3)));
            String nsWhitelist = null;
            if (rnd.nextInt(5) < 2) {
                // A whitelist that often holds what the pod and its namespace select, so that both outcomes occur.
                Map<String, String> allowed = randomLabels(rnd, rnd.nextInt(3));
                if (rnd.nextBoolean()) {
                    allowed.putAll(podSelector);
                }
                nsWhitelist = selectorText(rnd, allowed);
            }
            ArrayNode clusterDefaults = rnd.nextBoolean() ? null : validTolerations(rnd, rnd.nextInt(3));
            ArrayNode clusterAllowed = rnd.nextBoolean() ? null : validTolerations(rnd, 1 + rnd.nextInt(4));
            StringBuilder spec = new StringBuilder("{nodeSelector: ").append(Json.mapper().writeValueAsString(podSelector))
                    .append(", tolerations: ").append(anyTolerations(rnd, rnd.nextInt(4)))
                    .append(", containers: [{name: app, image: app").append(resources(rnd)).append("}]");
            if (rnd.nextInt(4) == 0) {
                spec.append(", initContainers: [{name: init, image: app").append(resources(rnd)).append("}]");
            }
            if (rnd.nextInt(12) == 0) {
                spec.append(", resources: {limits: {cpu: '1'}}");
            }
            spec.append('}');
            ObjectNode pod = pod(spec.toString());
            if (rnd.nextInt(15) == 0) {
                pod.putObject("status").put("qosClass", pick(rnd, new String[] {"BestEffort", "Burstable", "Guaranteed"}));
            }
            cases.add(new PlacementCase("generated " + i, plugins, ann, clusterDefault, nsWhitelist, clusterDefaults, clusterAllowed, pod));
        }
        return cases;
    }

    private static String resources(Random rnd) {
        String r = pick(rnd, RESOURCES);
        return r.isEmpty() ? "" : ", " + r;
    }

    private static Map<String, String> randomLabels(Random rnd, int n) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int k = 0; k < n; k++) {
            labels.put(pick(rnd, LABEL_KEYS), pick(rnd, LABEL_VALUES));
        }
        return labels;
    }

    /** {@code key=value} pairs as a person writes them, spaces and all. */
    private static String selectorText(Random rnd, Map<String, String> labels) {
        List<String> pairs = new ArrayList<>();
        labels.forEach((k, v) -> pairs.add((rnd.nextInt(4) == 0 ? " " : "") + k + (rnd.nextInt(4) == 0 ? " = " : "=") + v));
        return String.join(rnd.nextBoolean() ? "," : ", ", pairs);
    }

    /** A namespace's toleration annotation: absent (null), empty, null, a list, or something that is not a list. */
    private static @Nullable String tolerationAnnotation(Random rnd) {
        int roll = rnd.nextInt(20);
        if (roll < 8) {
            return null;
        }
        return switch (roll) {
            case 8 -> "";
            case 9 -> "null";
            case 10 -> pick(rnd, new String[] {"[{", "{}", "[{\"key\": 5}]", "[{\"tolerationSeconds\": 1.5}]", "[7]"});
            default -> anyTolerations(rnd, rnd.nextInt(4)).toString();
        };
    }

    /** Tolerations that pass the apiserver's validation, as the plugin's configuration file needs them. */
    private static ArrayNode validTolerations(Random rnd, int n) {
        ArrayNode out = Json.mapper().createArrayNode();
        for (int k = 0; k < n; k++) {
            String key = pick(rnd, TAINT_KEYS);
            String operator = key.isEmpty() ? "Exists" : pick(rnd, OPERATORS);
            ObjectNode t = out.addObject();
            if (!key.isEmpty()) {
                t.put("key", key);
            }
            if (!operator.isEmpty()) {
                t.put("operator", operator);
            }
            if (!"Exists".equals(operator)) {
                String value = pick(rnd, TAINT_VALUES);
                if (!value.isEmpty()) {
                    t.put("value", value);
                }
            }
            String effect = pick(rnd, EFFECTS);
            if (!effect.isEmpty()) {
                t.put("effect", effect);
            }
            if ("NoExecute".equals(effect) && rnd.nextBoolean()) {
                t.put("tolerationSeconds", rnd.nextBoolean() ? 60 : 300);
            }
        }
        return out;
    }

    /** Tolerations as pods and annotations may hold them: not always valid. */
    private static ArrayNode anyTolerations(Random rnd, int n) {
        ArrayNode out = Json.mapper().createArrayNode();
        for (int k = 0; k < n; k++) {
            if (rnd.nextInt(3) == 0) {
                out.addAll(validTolerations(rnd, 1));
                continue;
            }
            ObjectNode t = out.addObject();
            String key = pick(rnd, TAINT_KEYS);
            if (!key.isEmpty()) {
                t.put("key", key);
            }
            String operator = pick(rnd, OPERATORS);
            if (!operator.isEmpty()) {
                t.put("operator", operator);
            }
            String value = pick(rnd, TAINT_VALUES);
            if (!value.isEmpty()) {
                t.put("value", value);
            }
            String effect = pick(rnd, EFFECTS);
            if (!effect.isEmpty()) {
                t.put("effect", effect);
            }
            if (rnd.nextInt(4) == 0) {
                t.put("tolerationSeconds", new long[] {0, 60, 300}[rnd.nextInt(3)]);
            }
        }
        return out;
    }

    private static String pick(Random rnd, String[] values) {
        return values[rnd.nextInt(values.length)];
    }
}

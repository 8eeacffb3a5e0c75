package io.podguard.testing;

import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.BadReviewException;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.engine.KubeQuantity;
import io.podguard.policy.PolicyException;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * LimitRanger's own test cases (kubernetes v1.37.2, plugin/pkg/admission/limitranger/admission_test.go:
 * TestPodLimitFunc, TestMergePodResourceRequirements, TestPodLimitFuncApplyDefault,
 * TestLimitRangerAdmitPod, TestLimitRangerIgnoresSubresource, TestLimitRangerAllowPodResize),
 * transcribed case by case with the helpers of that file, plus generated ones; each expressed as a
 * podguard policy and run through podguard's webhook path ({@link #podguard}). The same cases, as
 * JSON, are the input of {@code src/test/cluster/cmd/limitranger}, which runs the plugin itself.
 *
 * <p>A LimitRange expressed in podguard policy: its {@code Container} item's {@code min}, {@code max},
 * {@code maxLimitRequestRatio} are {@code resources.*}, its {@code default} and {@code defaultRequest}
 * are {@code defaults.resources.limits} and {@code requests}; its {@code Pod} item is
 * {@code resources.pod}. A LimitRange as stored (defaulted by the apiserver) is expressed with
 * {@code impliedByRules: true}, podguard's own {@code SetDefaults_LimitRangeItem}; one used as
 * upstream's unit tests build it (not defaulted), with {@code impliedByRules: false}. A request
 * above the default limit is handled the LimitRanger way ({@code requestAboveDefaultLimit: limitRanger}).
 */
public final class LimitRangerCases {

    /**
     * One case.
     *
     * @param source the upstream test it comes from, or {@code generated}
     * @param limitRanges v1 LimitRanges
     * @param stored whether the LimitRanges are as the apiserver stores them (defaulted)
     * @param pod the v1 Pod as sent
     * @param oldPod the pod before an UPDATE
     * @param allowed upstream's expectation, where its test states one
     */
    public record Case(String name, String source, List<ObjectNode> limitRanges, boolean stored, ObjectNode pod, @Nullable ObjectNode oldPod,
                       String operation, String subresource, @Nullable Boolean podLevelResources, @Nullable Boolean allowed) {

        /** As the oracle reads it. */
        public ObjectNode json() {
            ObjectNode c = Json.mapper().createObjectNode();
            c.put("name", name);
            ArrayNode lrs = c.putArray("limitRanges");
            limitRanges.forEach(lrs::add);
            c.put("storedLimitRanges", stored);
            c.set("pod", pod);
            if (oldPod != null) {
                c.set("oldPod", oldPod);
            }
            c.put("operation", operation);
            c.put("subresource", subresource);
            if (podLevelResources != null) {
                c.put("podLevelResources", podLevelResources);
            }
            return c;
        }

        /** The podguard policy that says what the LimitRanges say. */
        public String policy() {
            Map<String, String> min = new TreeMap<>();
            Map<String, String> max = new TreeMap<>();
            Map<String, String> ratio = new TreeMap<>();
            Map<String, String> podMin = new TreeMap<>();
            Map<String, String> podMax = new TreeMap<>();
            Map<String, String> podRatio = new TreeMap<>();
            Map<String, String> defaultLimit = new TreeMap<>();
            Map<String, String> defaultRequest = new TreeMap<>();
            for (ObjectNode lr : limitRanges) {
                for (JsonNode item : lr.path("spec").path("limits")) {
                    boolean container = "Container".equals(item.path("type").asString());
                    boolean pod = "Pod".equals(item.path("type").asString());
                    if (container) {
                        copy(item.path("min"), min);
                        copy(item.path("max"), max);
                        copy(item.path("maxLimitRequestRatio"), ratio);
                        copy(item.path("default"), defaultLimit);
                        copy(item.path("defaultRequest"), defaultRequest);
                    } else if (pod) {
                        copy(item.path("min"), podMin);
                        copy(item.path("max"), podMax);
                        copy(item.path("maxLimitRequestRatio"), podRatio);
                    }
                }
            }
            return "mode: enforce\n"
                    + "podSecurity: {level: privileged}\n"
                    + "defaults:\n"
                    + "  resources:\n"
                    + "    requests: " + flow(defaultRequest) + "\n"
                    + "    limits: " + flow(defaultLimit) + "\n"
                    + "    impliedByRules: " + stored + "\n"
                    + "    requestAboveDefaultLimit: limitRanger\n"
                    + "  readinessProbe: {enabled: false}\n"
                    + "  preStop: {enabled: false}\n"
                    + "  securityContext: {enabled: false}\n"
                    + "resources:\n"
                    + "  min: " + flow(min) + "\n"
                    + "  max: " + flow(max) + "\n"
                    + "  maxLimitRequestRatio: " + flow(ratio) + "\n"
                    + "  pod: {min: " + flow(podMin) + ", max: " + flow(podMax) + ", maxLimitRequestRatio: " + flow(podRatio) + "}\n";
        }
    }

    /**
     * What podguard did with a case.
     *
     * @param refused the policy was refused at load (with these errors), so nothing was judged
     * @param mutated the pod after /mutate's patch
     * @param allowed /validate's verdict on it
     * @param violations each resource finding, as LimitRanger words it (the container it names dropped), sorted
     */
    public record Outcome(List<String> refused, ObjectNode mutated, boolean allowed, String message, List<String> violations) {
    }

    private LimitRangerCases() {
    }

    // ---- upstream's helpers ----

    static Map<String, String> compute(String cpu, String memory) {
        Map<String, String> r = new LinkedHashMap<>();
        if (!cpu.isEmpty()) {
            r.put("cpu", cpu);
        }
        if (!memory.isEmpty()) {
            r.put("memory", memory);
        }
        return r;
    }

    static Map<String, String> storage(String ephemeral) {
        return ephemeral.isEmpty() ? Map.of() : Map.of("ephemeral-storage", ephemeral);
    }

    static ObjectNode requirements(Map<String, String> requests, Map<String, String> limits) {
        ObjectNode r = Json.mapper().createObjectNode();
        if (!requests.isEmpty()) {
            ObjectNode q = r.putObject("requests");
            requests.forEach(q::put);
        }
        if (!limits.isEmpty()) {
            ObjectNode q = r.putObject("limits");
            limits.forEach(q::put);
        }
        return r;
    }

    static ObjectNode limitRange(String type, Map<String, String> min, Map<String, String> max, Map<String, String> defaultLimit,
                                 Map<String, String> defaultRequest, Map<String, String> ratio) {
        ObjectNode lr = Json.mapper().createObjectNode();
        lr.put("apiVersion", "v1").put("kind", "LimitRange");
        lr.putObject("metadata").put("name", "abc").put("namespace", "test");
        item(lr.putObject("spec").putArray("limits"), type, min, max, defaultLimit, defaultRequest, ratio);
        return lr;
    }

    static void item(ArrayNode limits, String type, Map<String, String> min, Map<String, String> max, Map<String, String> defaultLimit,
                     Map<String, String> defaultRequest, Map<String, String> ratio) {
        ObjectNode item = limits.addObject();
        item.put("type", type);
        put(item, "min", min);
        put(item, "max", max);
        put(item, "default", defaultLimit);
        put(item, "defaultRequest", defaultRequest);
        put(item, "maxLimitRequestRatio", ratio);
    }

    /** validLimitRange(): Pod max 200m/4Gi, min 50m/2Mi; Container max 100m/2Gi, min 25m/1Mi, default 75m/10Mi, defaultRequest 50m/5Mi. */
    static ObjectNode validLimitRange(boolean defaults) {
        ObjectNode lr = limitRange("Pod", compute("50m", "2Mi"), compute("200m", "4Gi"), Map.of(), Map.of(), Map.of());
        item((ArrayNode) lr.at("/spec/limits"), "Container", compute("25m", "1Mi"), compute("100m", "2Gi"),
                defaults ? compute("75m", "10Mi") : Map.of(), defaults ? compute("50m", "5Mi") : Map.of(), Map.of());
        return lr;
    }

    static ObjectNode validPod(String name, int containers, ObjectNode resources) {
        ObjectNode pod = Json.mapper().createObjectNode();
        pod.put("apiVersion", "v1").put("kind", "Pod");
        pod.putObject("metadata").put("name", name).put("namespace", "test");
        ArrayNode list = pod.putObject("spec").putArray("containers");
        for (int i = 0; i < containers; i++) {
            list.addObject().put("name", "foo-" + i).put("image", "foo:V" + i).set("resources", resources.deepCopy());
        }
        return pod;
    }

    static ObjectNode validPodInit(ObjectNode pod, ObjectNode... resources) {
        ArrayNode list = ((ObjectNode) pod.get("spec")).withArrayProperty("initContainers");
        for (int i = 0; i < resources.length; i++) {
            list.addObject().put("name", "foo-" + i).put("image", "foo:V" + i).set("resources", resources[i].deepCopy());
        }
        return pod;
    }

    static ObjectNode withRestartableInitContainer(Map<String, String> requests, Map<String, String> limits, ObjectNode pod) {
        ArrayNode list = ((ObjectNode) pod.get("spec")).withArrayProperty("initContainers");
        int n = list.size();
        list.addObject().put("name", "foo-" + n).put("image", "foo:V" + n).put("restartPolicy", "Always")
                .set("resources", requirements(requests, limits));
        return pod;
    }

    static ObjectNode validPodWithPodLevelResources(String name, int containers, ObjectNode resources, ObjectNode podResources) {
        ObjectNode pod = validPod(name, containers, resources);
        ((ObjectNode) pod.get("spec")).set("resources", podResources);
        return pod;
    }

    // ---- the cases ----

    /** Every upstream case, then {@code generated} generated ones (seeded: the same every run). */
    public static List<Case> all(int generated) {
        List<Case> out = new ArrayList<>(upstream());
        out.addAll(floatingPointRatio());
        out.addAll(generated(generated, 20260817L));
        return out;
    }

    /**
     * Ratios where LimitRanger's floating-point quotient and the exact comparison part: a limit one
     * thousandth above request × ratio, with values near 2^53 thousandths, where a double can no
     * longer tell them apart. LimitRanger admits these; podguard, comparing exactly, does not.
     */
    public static List<Case> floatingPointRatio() {
        List<Case> out = new ArrayList<>();
        String[][] values = {{"1.1", "7484192794013460m", "8232612073414807m"}, {"1.5", "6423331511700864m", "9634997267551297m"}};
        for (String[] v : values) {
            ObjectNode lr = limitRange("Container", Map.of(), Map.of(), Map.of(), Map.of(), Map.of("cpu", v[0]));
            out.add(create("float-ratio-" + v[0], "floating point", lr, true,
                    validPod("float-ratio", 1, requirements(Map.of("cpu", v[1]), Map.of("cpu", v[2]))), null));
        }
        return out;
    }

    public static List<Case> upstream() {
        List<Case> out = new ArrayList<>();
        podLimitFunc(out);
        // TestMergePodResourceRequirements and TestPodLimitFuncApplyDefault: the defaults of validLimitRange(), no validation verdict stated
        ObjectNode lr = validLimitRange(true);
        out.add(create("merge-empty-resources", "TestMergePodResourceRequirements", lr, false,
                validPod("empty-resources", 1, requirements(Map.of(), Map.of())), null));
        out.add(create("merge-limit-memory", "TestMergePodResourceRequirements", lr, false,
                validPodInit(validPod("limit-memory", 1, requirements(compute("", "512Mi"), Map.of())),
                        requirements(compute("", "512Mi"), Map.of())), null));
        out.add(create("merge-all-set", "TestMergePodResourceRequirements", lr, false,
                validPodInit(validPod("limit-memory", 1, requirements(compute("100m", "512Mi"), compute("200m", "1G"))),
                        requirements(compute("200m", "1G"), compute("400m", "2G"))), null));
        out.add(create("apply-default", "TestPodLimitFuncApplyDefault", lr, false,
                validPodInit(validPod("foo", 1, requirements(Map.of(), Map.of())), requirements(Map.of(), Map.of())), null));
        // TestLimitRangerAdmitPod, TestLimitRangerIgnoresSubresource, TestLimitRangerAllowPodResize: validLimitRangeNoDefaults()
        ObjectNode noDefaults = validLimitRange(false);
        ObjectNode testPod = validPod("testPod", 1, requirements(Map.of(), Map.of()));
        out.add(create("admit-create", "TestLimitRangerAdmitPod", noDefaults, false, testPod, false));
        out.add(new Case("admit-update", "TestLimitRangerAdmitPod", List.of(noDefaults), false, testPod, testPod, "UPDATE", "", null, true));
        out.add(new Case("admit-status", "TestLimitRangerIgnoresSubresource", List.of(noDefaults), false, testPod, testPod, "UPDATE", "status",
                null, true));
        out.add(new Case("admit-resize", "TestLimitRangerAllowPodResize", List.of(noDefaults), false, testPod, testPod, "UPDATE", "resize",
                null, false));
        ObjectNode terminating = validPod("terminatingPod", 1, requirements(Map.of(), Map.of()));
        ((ObjectNode) terminating.get("metadata")).put("deletionTimestamp", "2026-01-01T00:00:00Z");
        out.add(new Case("admit-terminating-update", "TestLimitRangerAdmitPod", List.of(noDefaults), false, terminating, terminating,
                "UPDATE", "", null, true));
        // the same LimitRange as the apiserver stores it (its defaults filled from max and min): the bare pod is admitted
        out.add(create("admit-create-stored", "TestLimitRangerAdmitPod (stored)", noDefaults, true, testPod, null));
        ObjectNode resized = validPod("testPod", 1, requirements(compute("50m", "100Mi"), compute("150m", "100Mi")));
        out.add(new Case("admit-resize-above-max", "TestLimitRangerAllowPodResize (resized)", List.of(noDefaults), true, resized,
                validPod("testPod", 1, requirements(compute("50m", "100Mi"), compute("100m", "100Mi"))), "UPDATE", "resize", null, false));
        return out;
    }

    private static Case create(String name, String source, ObjectNode limitRange, boolean stored, ObjectNode pod, @Nullable Boolean allowed) {
        return new Case(name, source, List.of(limitRange), stored, pod, null, "CREATE", "", null, allowed);
    }

    /** TestPodLimitFunc: successCases then errorCases, each with its own LimitRange (not defaulted), mutated then validated. */
    private static void podLimitFunc(List<Case> out) {
        Map<String, String> none = Map.of();
        record C(ObjectNode pod, ObjectNode lr, boolean podLevel) {
        }
        List<C> success = List.of(
                new C(validPod("ctr-min-cpu-request", 1, requirements(compute("100m", ""), none)), limitRange("Container", compute("50m", ""), none, none, none, none), false),
                new C(validPod("ctr-min-cpu-request-limit", 1, requirements(compute("100m", ""), compute("200m", ""))), limitRange("Container", compute("50m", ""), none, none, none, none), false),
                new C(validPod("ctr-min-memory-request", 1, requirements(compute("", "60Mi"), none)), limitRange("Container", compute("", "50Mi"), none, none, none, none), false),
                new C(validPod("ctr-min-memory-request-limit", 1, requirements(compute("", "60Mi"), compute("", "100Mi"))), limitRange("Container", compute("", "50Mi"), none, none, none, none), false),
                new C(validPod("ctr-max-cpu-request-limit", 1, requirements(compute("500m", ""), compute("1", ""))), limitRange("Container", none, compute("2", ""), none, none, none), false),
                new C(validPod("ctr-max-cpu-limit", 1, requirements(none, compute("1", ""))), limitRange("Container", none, compute("2", ""), none, none, none), false),
                new C(validPod("ctr-max-mem-request-limit", 1, requirements(compute("", "250Mi"), compute("", "500Mi"))), limitRange("Container", none, compute("", "1Gi"), none, none, none), false),
                new C(validPod("ctr-max-cpu-ratio", 1, requirements(compute("500m", ""), compute("750m", ""))), limitRange("Container", none, none, none, none, compute("1.5", "")), false),
                new C(validPod("ctr-max-mem-limit", 1, requirements(none, compute("", "500Mi"))), limitRange("Container", none, compute("", "1Gi"), none, none, none), false),
                new C(validPod("pod-min-cpu-request", 2, requirements(compute("75m", ""), none)), limitRange("Pod", compute("100m", ""), none, none, none, none), false),
                new C(validPod("pod-min-cpu-request-limit", 2, requirements(compute("75m", ""), compute("200m", ""))), limitRange("Pod", compute("100m", ""), none, none, none, none), false),
                new C(validPod("pod-min-memory-request", 2, requirements(compute("", "60Mi"), none)), limitRange("Pod", compute("", "100Mi"), none, none, none, none), false),
                new C(validPod("pod-min-memory-request-limit", 2, requirements(compute("", "60Mi"), compute("", "100Mi"))), limitRange("Pod", compute("", "100Mi"), none, none, none, none), false),
                new C(validPodInit(validPod("pod-init-min-memory-request", 2, requirements(compute("", "60Mi"), none)), requirements(compute("", "100Mi"), none)), limitRange("Pod", compute("", "100Mi"), none, none, none, none), false),
                new C(validPodInit(validPod("pod-init-min-memory-request-limit", 2, requirements(compute("", "60Mi"), compute("", "100Mi"))), requirements(compute("", "80Mi"), compute("", "100Mi"))), limitRange("Pod", compute("", "100Mi"), none, none, none, none), false),
                new C(validPod("pod-max-cpu-request-limit", 2, requirements(compute("500m", ""), compute("1", ""))), limitRange("Pod", none, compute("2", ""), none, none, none), false),
                new C(validPod("pod-max-cpu-limit", 2, requirements(none, compute("1", ""))), limitRange("Pod", none, compute("2", ""), none, none, none), false),
                new C(validPodInit(validPod("pod-init-max-cpu-request-limit", 2, requirements(compute("500m", ""), compute("1", ""))), requirements(compute("1", ""), compute("2", "")), requirements(compute("1", ""), compute("1", ""))), limitRange("Pod", none, compute("2", ""), none, none, none), false),
                new C(validPodInit(validPod("pod-init-max-cpu-limit", 2, requirements(none, compute("1", ""))), requirements(none, compute("2", "")), requirements(none, compute("2", ""))), limitRange("Pod", none, compute("2", ""), none, none, none), false),
                new C(validPod("pod-max-mem-request-limit", 2, requirements(compute("", "250Mi"), compute("", "500Mi"))), limitRange("Pod", none, compute("", "1Gi"), none, none, none), false),
                new C(validPod("pod-max-mem-limit", 2, requirements(none, compute("", "500Mi"))), limitRange("Pod", none, compute("", "1Gi"), none, none, none), false),
                new C(validPod("pod-max-mem-ratio", 3, requirements(compute("", "300Mi"), compute("", "450Mi"))), limitRange("Pod", none, compute("", "2Gi"), none, none, compute("", "1.5")), false),
                new C(validPod("ctr-1-min-local-ephemeral-storage-request", 1, requirements(storage("60Mi"), none)), limitRange("Container", storage("50Mi"), none, none, none, none), false),
                new C(validPod("ctr-1-min-local-ephemeral-storage-request-limit", 1, requirements(storage("60Mi"), storage("100Mi"))), limitRange("Container", storage("50Mi"), none, none, none, none), false),
                new C(validPod("ctr-1-max-local-ephemeral-storage-request-limit", 1, requirements(storage("250Mi"), storage("500Mi"))), limitRange("Container", none, storage("1Gi"), none, none, none), false),
                new C(validPod("ctr-1-max-local-ephemeral-storage-limit", 1, requirements(none, storage("500Mi"))), limitRange("Container", none, storage("1Gi"), none, none, none), false),
                new C(validPod("ctr-2-min-local-ephemeral-storage-request", 2, requirements(storage("60Mi"), none)), limitRange("Container", storage("50Mi"), none, none, none, none), false),
                new C(validPod("ctr-2-min-local-ephemeral-storage-request-limit", 2, requirements(storage("60Mi"), storage("100Mi"))), limitRange("Container", storage("50Mi"), none, none, none, none), false),
                new C(validPod("ctr-2-max-local-ephemeral-storage-request-limit", 2, requirements(storage("250Mi"), storage("500Mi"))), limitRange("Container", none, storage("600Mi"), none, none, none), false),
                new C(validPod("ctr-2-max-local-ephemeral-storage-limit", 2, requirements(none, storage("500Mi"))), limitRange("Container", none, storage("600Mi"), none, none, none), false),
                new C(validPod("pod-min-local-ephemeral-storage-request", 2, requirements(storage("60Mi"), none)), limitRange("Pod", storage("100Mi"), none, none, none, none), false),
                new C(validPod("pod-min-local-ephemeral-storage-request-limit", 2, requirements(storage("60Mi"), storage("100Mi"))), limitRange("Pod", storage("100Mi"), none, none, none, none), false),
                new C(validPodInit(validPod("pod-init-min-local-ephemeral-storage-request", 2, requirements(storage("60Mi"), none)), requirements(storage("100Mi"), none)), limitRange("Pod", storage("100Mi"), none, none, none, none), false),
                new C(validPodInit(validPod("pod-init-min-local-ephemeral-storage-request-limit", 2, requirements(storage("60Mi"), storage("100Mi"))), requirements(storage("80Mi"), storage("100Mi"))), limitRange("Pod", storage("100Mi"), none, none, none, none), false),
                new C(validPod("pod-max-local-ephemeral-storage-request-limit", 2, requirements(storage("250Mi"), storage("500Mi"))), limitRange("Pod", none, storage("1Gi"), none, none, none), false),
                new C(validPod("pod-max-local-ephemeral-storage-limit", 2, requirements(none, storage("500Mi"))), limitRange("Pod", none, storage("1Gi"), none, none, none), false),
                new C(validPod("pod-max-local-ephemeral-storage-ratio", 3, requirements(storage("300Mi"), storage("450Mi"))), limitRange("Pod", none, storage("2Gi"), none, none, storage("1.5")), false),
                new C(validPodWithPodLevelResources("pod-level-resources-with-min-max", 3, requirements(compute("100m", "60Mi"), compute("200m", "100Mi")), requirements(compute("200m", "180Mi"), compute("400m", "200Mi"))), limitRange("Pod", none, compute("400m", "200Mi"), none, none, none), true),
                new C(validPodWithPodLevelResources("pod-level-requests-with-min", 3, requirements(compute("50m", "60Mi"), none), requirements(compute("160m", "200Mi"), none)), limitRange("Pod", compute("160m", "200Mi"), none, none, none, none), true),
                new C(validPodWithPodLevelResources("pod-level-limits-with-max", 3, requirements(none, compute("50m", "60Mi")), requirements(none, compute("160m", "200Mi"))), limitRange("Pod", none, compute("160m", "200Mi"), none, none, none), true));
        List<C> errors = List.of(
                new C(validPod("ctr-min-cpu-request", 1, requirements(compute("40m", ""), none)), limitRange("Container", compute("50m", ""), none, none, none, none), false),
                new C(validPod("ctr-min-cpu-request-limit", 1, requirements(compute("40m", ""), compute("200m", ""))), limitRange("Container", compute("50m", ""), none, none, none, none), false),
                new C(validPod("ctr-min-cpu-no-request-limit", 1, requirements(none, none)), limitRange("Container", compute("50m", ""), none, none, none, none), false),
                new C(validPod("ctr-min-memory-request", 1, requirements(compute("", "40Mi"), none)), limitRange("Container", compute("", "50Mi"), none, none, none, none), false),
                new C(validPod("ctr-min-memory-request-limit", 1, requirements(compute("", "40Mi"), compute("", "100Mi"))), limitRange("Container", compute("", "50Mi"), none, none, none, none), false),
                new C(validPod("ctr-min-memory-no-request-limit", 1, requirements(none, none)), limitRange("Container", compute("", "50Mi"), none, none, none, none), false),
                new C(validPod("ctr-max-cpu-request-limit", 1, requirements(compute("500m", ""), compute("2500m", ""))), limitRange("Container", none, compute("2", ""), none, none, none), false),
                new C(validPod("ctr-max-cpu-limit", 1, requirements(none, compute("2500m", ""))), limitRange("Container", none, compute("2", ""), none, none, none), false),
                new C(validPod("ctr-max-cpu-no-request-limit", 1, requirements(none, none)), limitRange("Container", none, compute("2", ""), none, none, none), false),
                new C(validPod("ctr-max-cpu-ratio", 1, requirements(compute("1250m", ""), compute("2500m", ""))), limitRange("Container", none, none, none, none, compute("1", "")), false),
                new C(validPod("ctr-max-mem-request-limit", 1, requirements(compute("", "250Mi"), compute("", "2Gi"))), limitRange("Container", none, compute("", "1Gi"), none, none, none), false),
                new C(validPod("ctr-max-mem-limit", 1, requirements(none, compute("", "2Gi"))), limitRange("Container", none, compute("", "1Gi"), none, none, none), false),
                new C(validPod("ctr-max-mem-no-request-limit", 1, requirements(none, none)), limitRange("Container", none, compute("", "1Gi"), none, none, none), false),
                new C(validPod("pod-min-cpu-request", 1, requirements(compute("75m", ""), none)), limitRange("Pod", compute("100m", ""), none, none, none, none), false),
                new C(validPod("pod-min-cpu-request-limit", 1, requirements(compute("75m", ""), compute("200m", ""))), limitRange("Pod", compute("100m", ""), none, none, none, none), false),
                new C(validPod("pod-min-memory-request", 1, requirements(compute("", "60Mi"), none)), limitRange("Pod", compute("", "100Mi"), none, none, none, none), false),
                new C(validPod("pod-min-memory-request-limit", 1, requirements(compute("", "60Mi"), compute("", "100Mi"))), limitRange("Pod", compute("", "100Mi"), none, none, none, none), false),
                new C(validPod("pod-max-cpu-request-limit", 3, requirements(compute("500m", ""), compute("1", ""))), limitRange("Pod", none, compute("2", ""), none, none, none), false),
                new C(validPod("pod-max-cpu-limit", 3, requirements(none, compute("1", ""))), limitRange("Pod", none, compute("2", ""), none, none, none), false),
                new C(validPod("pod-max-mem-request-limit", 3, requirements(compute("", "250Mi"), compute("", "500Mi"))), limitRange("Pod", none, compute("", "1Gi"), none, none, none), false),
                new C(validPod("pod-max-mem-limit", 3, requirements(none, compute("", "500Mi"))), limitRange("Pod", none, compute("", "1Gi"), none, none, none), false),
                new C(validPodInit(validPod("pod-init-max-mem-limit", 1, requirements(none, compute("", "500Mi"))), requirements(none, compute("", "1.5Gi"))), limitRange("Pod", none, compute("", "1Gi"), none, none, none), false),
                new C(validPod("pod-max-mem-ratio", 3, requirements(compute("", "250Mi"), compute("", "500Mi"))), limitRange("Pod", none, compute("", "2Gi"), none, none, compute("", "1.5")), false),
                new C(validPod("ctr-1-min-local-ephemeral-storage-request", 1, requirements(storage("40Mi"), none)), limitRange("Container", storage("50Mi"), none, none, none, none), false),
                new C(validPod("ctr-1-min-local-ephemeral-storage-request-limit", 1, requirements(storage("40Mi"), storage("100Mi"))), limitRange("Container", storage("50Mi"), none, none, none, none), false),
                new C(validPod("ctr-1-min-local-ephemeral-storage-no-request-limit", 1, requirements(none, none)), limitRange("Container", storage("50Mi"), none, none, none, none), false),
                new C(validPod("ctr-1-max-local-ephemeral-storage-request-limit", 1, requirements(storage("250Mi"), storage("2Gi"))), limitRange("Container", none, storage("1Gi"), none, none, none), false),
                new C(validPod("ctr-1-max-local-ephemeral-storage-limit", 1, requirements(none, storage("2Gi"))), limitRange("Container", none, storage("1Gi"), none, none, none), false),
                new C(validPod("ctr-1-max-local-ephemeral-storage-no-request-limit", 1, requirements(none, none)), limitRange("Container", none, storage("1Gi"), none, none, none), false),
                new C(validPod("ctr-2-min-local-ephemeral-storage-request", 2, requirements(storage("40Mi"), none)), limitRange("Container", storage("50Mi"), none, none, none, none), false),
                new C(validPod("ctr-2-min-local-ephemeral-storage-request-limit", 2, requirements(storage("40Mi"), storage("100Mi"))), limitRange("Container", storage("50Mi"), none, none, none, none), false),
                new C(validPod("ctr-2-min-local-ephemeral-storage-no-request-limit", 2, requirements(none, none)), limitRange("Container", storage("50Mi"), none, none, none, none), false),
                new C(validPod("ctr-2-max-local-ephemeral-storage-request-limit", 2, requirements(storage("250Mi"), storage("2Gi"))), limitRange("Container", none, storage("1Gi"), none, none, none), false),
                new C(validPod("ctr-2-max-local-ephemeral-storage-limit", 2, requirements(none, storage("2Gi"))), limitRange("Container", none, storage("1Gi"), none, none, none), false),
                new C(validPod("ctr-2-max-local-ephemeral-storage-no-request-limit", 2, requirements(none, none)), limitRange("Container", none, storage("1Gi"), none, none, none), false),
                new C(validPod("pod-min-local-ephemeral-storage-request", 1, requirements(storage("60Mi"), none)), limitRange("Pod", storage("100Mi"), none, none, none, none), false),
                new C(validPod("pod-min-local-ephemeral-storage-request-limit", 1, requirements(storage("60Mi"), storage("100Mi"))), limitRange("Pod", storage("100Mi"), none, none, none, none), false),
                new C(validPod("pod-max-local-ephemeral-storage-request-limit", 3, requirements(storage("250Mi"), storage("500Mi"))), limitRange("Pod", none, storage("1Gi"), none, none, none), false),
                new C(validPod("pod-max-local-ephemeral-storage-limit", 3, requirements(none, storage("500Mi"))), limitRange("Pod", none, storage("1Gi"), none, none, none), false),
                new C(validPodInit(validPod("pod-init-max-local-ephemeral-storage-limit", 1, requirements(none, storage("500Mi"))), requirements(none, storage("1.5Gi"))), limitRange("Pod", none, storage("1Gi"), none, none, none), false),
                new C(validPod("pod-max-local-ephemeral-storage-ratio", 3, requirements(storage("250Mi"), storage("500Mi"))), limitRange("Pod", none, storage("2Gi"), none, none, storage("1.5")), false),
                new C(withRestartableInitContainer(compute("1500m", ""), none, validPod("ctr-max-cpu-limit-restartable-init-container", 1, requirements(compute("1000m", ""), compute("1500m", "")))), limitRange("Pod", none, compute("2", ""), none, none, none), false),
                new C(validPodWithPodLevelResources("pod-level-resources-exceeding-max", 3, requirements(compute("100m", "60Mi"), compute("200m", "100Mi")), requirements(compute("200m", "180Mi"), compute("500m", "280Mi"))), limitRange("Pod", none, compute("400m", "200Mi"), none, none, none), true),
                new C(validPodWithPodLevelResources("pod-level-requests-less-than-min", 3, requirements(compute("50m", "60Mi"), none), requirements(compute("100m", "200Mi"), none)), limitRange("Pod", compute("160m", "200Mi"), none, none, none, none), true),
                new C(validPodWithPodLevelResources("pod-level-limits-exceeding-max", 3, requirements(none, compute("50m", "60Mi")), requirements(none, compute("160m", "300Mi"))), limitRange("Pod", none, compute("160m", "200Mi"), none, none, none), true));
        for (C c : success) {
            out.add(new Case("success/" + c.pod().at("/metadata/name").asString(), "TestPodLimitFunc", List.of(c.lr()), false, c.pod(), null,
                    "CREATE", "", c.podLevel() ? Boolean.TRUE : null, true));
        }
        for (C c : errors) {
            out.add(new Case("error/" + c.pod().at("/metadata/name").asString(), "TestPodLimitFunc", List.of(c.lr()), false, c.pod(), null,
                    "CREATE", "", c.podLevel() ? Boolean.TRUE : null, false));
        }
    }

    // ---- generated cases ----

    private static final String[] CPU = {"10m", "50m", "100m", "250m", "500m", "1", "1500m", "2", "0.1", "2500m"};
    private static final String[] MEMORY = {"1Mi", "64Mi", "100Mi", "128Mi", "256Mi", "512Mi", "1Gi", "1.5Gi", "1G", "134217728"};
    private static final String[] STORAGE = {"100Mi", "512Mi", "1Gi", "2Gi"};
    private static final String[] DEVICE = {"1", "2", "4"};
    private static final String[] RATIO = {"1", "1.1", "1.5", "2", "3", "4"};

    /** Random LimitRanges (raw, or as stored) and random pods: sidecars, init containers, pod-level resources, creates and resizes. */
    public static List<Case> generated(int count, long seed) {
        Random random = new Random(seed);
        List<Case> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ObjectNode lr = Json.mapper().createObjectNode();
            lr.put("apiVersion", "v1").put("kind", "LimitRange");
            lr.putObject("metadata").put("name", "generated").put("namespace", "test");
            ArrayNode limits = lr.putObject("spec").putArray("limits");
            if (random.nextInt(4) != 0) {
                item(limits, "Container", bounds(random, 3), bounds(random, 3), bounds(random, 4), bounds(random, 4), ratios(random));
            }
            if (random.nextInt(3) == 0) {
                item(limits, "Pod", bounds(random, 3), bounds(random, 3), Map.of(), Map.of(), ratios(random));
            }
            boolean stored = random.nextBoolean();
            ObjectNode pod = Json.mapper().createObjectNode();
            pod.put("apiVersion", "v1").put("kind", "Pod");
            pod.putObject("metadata").put("name", "gen-" + i).put("namespace", "test");
            ObjectNode spec = pod.putObject("spec");
            int apps = 1 + random.nextInt(3);
            for (int c = 0; c < apps; c++) {
                spec.withArrayProperty("containers").addObject().put("name", "app-" + c).put("image", "app")
                        .set("resources", containerResources(random));
            }
            int inits = random.nextInt(3);
            for (int c = 0; c < inits; c++) {
                ObjectNode init = spec.withArrayProperty("initContainers").addObject().put("name", "init-" + c).put("image", "init");
                if (random.nextBoolean()) {
                    init.put("restartPolicy", "Always");
                }
                init.set("resources", containerResources(random));
            }
            if (random.nextInt(6) == 0) {
                ObjectNode podLevel = spec.putObject("resources");
                podLevel.putObject("limits").put("cpu", "4").put("memory", "8Gi");
                if (random.nextBoolean()) {
                    podLevel.putObject("requests").put("cpu", "2").put("memory", "4Gi");
                }
            }
            boolean resize = random.nextInt(8) == 0;
            out.add(new Case("generated-" + i, "generated", List.of(lr), stored, pod, resize ? pod.deepCopy() : null,
                    resize ? "UPDATE" : "CREATE", resize ? "resize" : "", null, null));
        }
        return out;
    }

    private static Map<String, String> bounds(Random random, int oneIn) {
        Map<String, String> out = new TreeMap<>();
        if (random.nextInt(oneIn) == 0) {
            out.put("cpu", pick(random, CPU));
        }
        if (random.nextInt(oneIn) == 0) {
            out.put("memory", pick(random, MEMORY));
        }
        if (random.nextInt(oneIn * 2) == 0) {
            out.put("ephemeral-storage", pick(random, STORAGE));
        }
        if (random.nextInt(oneIn * 3) == 0) {
            out.put("example.com/device", pick(random, DEVICE));
        }
        return out;
    }

    private static Map<String, String> ratios(Random random) {
        Map<String, String> out = new TreeMap<>();
        if (random.nextInt(4) == 0) {
            out.put("cpu", pick(random, RATIO));
        }
        if (random.nextInt(4) == 0) {
            out.put("memory", pick(random, RATIO));
        }
        return out;
    }

    /** Requests and limits as a valid pod may set them: request ≤ limit, and a device limited at its request. */
    private static ObjectNode containerResources(Random random) {
        Map<String, String> requests = new TreeMap<>();
        Map<String, String> limits = new TreeMap<>();
        for (String[] pool : new String[][] {CPU, MEMORY, STORAGE}) {
            String name = pool == CPU ? "cpu" : pool == MEMORY ? "memory" : "ephemeral-storage";
            switch (random.nextInt(4)) {
                case 0 -> requests.put(name, pick(random, pool));
                case 1 -> limits.put(name, pick(random, pool));
                case 2 -> {
                    String a = pick(random, pool);
                    String b = pick(random, pool);
                    boolean ordered = KubeQuantity.parse(a).compareTo(KubeQuantity.parse(b)) <= 0;
                    requests.put(name, ordered ? a : b);
                    limits.put(name, ordered ? b : a);
                }
                default -> {
                }
            }
        }
        if (random.nextInt(5) == 0) {
            String d = pick(random, DEVICE);
            limits.put("example.com/device", d);
            if (random.nextBoolean()) {
                requests.put("example.com/device", d);
            }
        }
        return requirements(requests, limits);
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }

    // ---- podguard ----

    /**
     * The case through podguard's webhook path: /mutate on a CREATE (the pod as {@code input}, as the
     * apiserver decodes and defaults it), the patch applied, then /validate.
     */
    public static Outcome podguard(Case c, ObjectNode input) {
        String policy = c.policy();
        PolicyResolver resolver;
        try {
            resolver = PolicyResolver.fixed(PolicyLoader.parse(policy));
        } catch (PolicyException e) {
            return new Outcome(e.errors(), input, true, "", List.of());
        }
        AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> resolver, io.podguard.report.ReviewObserver.NONE);
        ObjectNode pod = input;
        if (c.operation().equals("CREATE")) {
            JsonNode mutated = handle(handler, Endpoint.MUTATE, review(c, input));
            JsonNode patch = mutated.get("patch");
            if (patch != null) {
                String ops = new String(Base64.getDecoder().decode(patch.asString()), StandardCharsets.UTF_8);
                pod = (ObjectNode) Json.mapper().readTree(jakarta.json.Json.createPatch(
                        (jakarta.json.JsonArray) jsonp(ops)).apply((jakarta.json.JsonStructure) jsonp(input.toString())).toString());
            }
        }
        JsonNode validated = handle(handler, Endpoint.VALIDATE, review(c, pod));
        String message = validated.at("/status/message").asString("");
        List<String> violations = new ArrayList<>();
        String prefix = "violates resource rules: ";
        if (message.startsWith(prefix)) {
            // reason (detail; detail), reason (…): each detail is one finding after its container
            for (String sentence : message.substring(prefix.length()).split("\\), ")) {
                String inner = sentence.substring(sentence.indexOf('(') + 1);
                if (inner.endsWith(")")) {
                    inner = inner.substring(0, inner.length() - 1);
                }
                for (String detail : inner.split("; ")) {
                    violations.add(detail.substring(detail.indexOf(": ") + 2));
                }
            }
            violations.sort(null);
        }
        return new Outcome(List.of(), pod, validated.get("allowed").asBoolean(), message, violations);
    }

    /**
     * A pod as the apiserver hands it to admission: a container that sets a limit but no request
     * gets the limit as its request ({@code SetDefaults_Pod}); the rest of the v1 defaults do not
     * matter to resources.
     */
    public static ObjectNode asDecoded(ObjectNode pod) {
        ObjectNode copy = pod.deepCopy();
        for (String list : List.of("containers", "initContainers")) {
            for (JsonNode c : copy.path("spec").path(list)) {
                JsonNode limits = c.path("resources").path("limits");
                if (limits.isObject()) {
                    ObjectNode requests = ((ObjectNode) c.get("resources")).withObjectProperty("requests");
                    for (var e : limits.properties()) {
                        if (!requests.has(e.getKey())) {
                            requests.set(e.getKey(), e.getValue().deepCopy());
                        }
                    }
                }
            }
        }
        return copy;
    }

    private static byte[] review(Case c, ObjectNode pod) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = root.putObject("request");
        request.put("uid", "u-" + c.name());
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        if (!c.subresource().isEmpty()) {
            request.put("subResource", c.subresource());
        }
        request.put("operation", c.operation());
        request.put("namespace", "test");
        request.putObject("userInfo").put("username", "alice");
        request.set("object", pod);
        if (c.oldPod() != null) {
            request.set("oldObject", asDecoded(c.oldPod()));
        }
        return Json.mapper().writeValueAsBytes(root);
    }

    private static JsonNode handle(AdmissionHandler handler, Endpoint endpoint, byte[] review) {
        try {
            return Json.mapper().readTree(handler.handle(endpoint, review)).get("response");
        } catch (BadReviewException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static jakarta.json.JsonValue jsonp(String json) {
        try (var reader = jakarta.json.Json.createReader(new java.io.StringReader(json))) {
            return reader.readValue();
        }
    }

    private static void copy(JsonNode from, Map<String, String> to) {
        if (from.isObject()) {
            for (var e : from.properties()) {
                to.put(e.getKey(), e.getValue().asString());
            }
        }
    }

    private static void put(ObjectNode item, String field, Map<String, String> values) {
        if (!values.isEmpty()) {
            ObjectNode q = item.putObject(field);
            values.forEach(q::put);
        }
    }

    private static String flow(Map<String, String> values) {
        StringBuilder sb = new StringBuilder("{");
        values.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append('"').append(k).append("\": \"").append(v).append('"'));
        return sb.append('}').toString();
    }
}

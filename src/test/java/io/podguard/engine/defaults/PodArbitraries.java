package io.podguard.engine.defaults;

import io.podguard.engine.Json;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Generated pods for property tests: containers, plain init containers, sidecars and ephemeral
 * containers with random ports, probes, hooks, resources (valid quantities, request ≤ limit),
 * securityContexts and unknown fields; pods with random annotations, grace periods and OS. Every
 * pod is one the apiserver would accept for the fields podguard touches.
 */
public final class PodArbitraries {

    static final List<Object> CPU = List.of("50m", "100m", "250m", "1", "2", 1, "1500m");
    static final List<Object> MEMORY = List.of("32Mi", "64Mi", "128Mi", "200Mi", "256Mi", "1Gi", "1G", "512M", 268435456);
    static final List<String> PORT_NAMES = List.of("http", "metrics", "grpc-web", "p8080", "HTTP_bad", "1234", "a--b");

    private PodArbitraries() {
    }

    public static Arbitrary<ObjectNode> pods() {
        Arbitrary<List<ObjectNode>> containers = container().list().ofMinSize(1).ofMaxSize(3);
        Arbitrary<List<ObjectNode>> inits = Combinators.combine(container(), Arbitraries.of(true, false))
                .as((c, sidecar) -> sidecar ? withField(c, "restartPolicy", "Always") : c)
                .list().ofMaxSize(2);
        Arbitrary<List<ObjectNode>> ephemeral = container().list().ofMaxSize(1);
        Arbitrary<ObjectNode> meta = metadata();
        Arbitrary<ObjectNode> podSc = podSecurityContext().injectNull(0.4);
        Arbitrary<Integer> grace = Arbitraries.integers().between(0, 60).injectNull(0.5);
        Arbitrary<String> os = Arbitraries.of("linux", "windows").injectNull(0.7);
        Arbitrary<Boolean> unknown = Arbitraries.of(true, false);
        return Combinators.combine(meta, containers, inits, ephemeral, podSc, grace, os, unknown)
                .as((m, cs, is, es, sc, g, o, u) -> {
                    ObjectNode pod = Json.mapper().createObjectNode();
                    pod.put("apiVersion", "v1");
                    pod.put("kind", "Pod");
                    pod.set("metadata", m);
                    ObjectNode spec = pod.putObject("spec");
                    if (u) {
                        spec.putObject("x-future").put("keep", true);
                    }
                    if (g != null) {
                        spec.put("terminationGracePeriodSeconds", g);
                    }
                    if (o != null) {
                        spec.putObject("os").put("name", o);
                    }
                    if (sc != null) {
                        spec.set("securityContext", sc);
                    }
                    spec.set("containers", named(cs, "app"));
                    if (!is.isEmpty()) {
                        spec.set("initContainers", named(is, "init"));
                    }
                    if (!es.isEmpty()) {
                        ArrayNode list = named(es, "debug");
                        for (JsonNode e : list) {
                            ((ObjectNode) e).remove(List.of("resources", "lifecycle", "readinessProbe", "livenessProbe"));
                        }
                        spec.set("ephemeralContainers", list);
                    }
                    // As the apiserver sends it: parsed from text, so numbers have their canonical node types.
                    return (ObjectNode) Json.mapper().readTree(pod.toString());
                });
    }

    /** Pods that set no securityContext, probe or hook, and use no host namespace or volume: "bare" pods. */
    static Arbitrary<ObjectNode> barePods() {
        return pods().map(pod -> {
            ObjectNode copy = pod.deepCopy();
            ObjectNode spec = (ObjectNode) copy.get("spec");
            spec.remove(List.of("securityContext", "os", "ephemeralContainers"));
            for (String list : List.of("containers", "initContainers")) {
                if (spec.get(list) instanceof ArrayNode containers) {
                    // A probe or hook of the pod's own may aim at another host, which no default can fix.
                    containers.forEach(c -> ((ObjectNode) c).remove(List.of("securityContext", "readinessProbe", "livenessProbe", "lifecycle")));
                }
            }
            if (copy.get("metadata").get("annotations") instanceof ObjectNode annotations) {
                annotations.remove(List.of(DefaultsAnnotations.SKIP_DEFAULTS, DefaultsAnnotations.DEFAULTS,
                        "seccomp.security.alpha.kubernetes.io/pod"));
            }
            return copy;
        });
    }

    static Arbitrary<DefaultsConfig> configs() {
        Arbitrary<DefaultsConfig.Resources> resources = Arbitraries.of(
                DefaultsConfig.Resources.DEFAULT,
                new DefaultsConfig.Resources(true, Map.of("cpu", "250m"), Map.of("cpu", "1", "memory", "512Mi")),
                new DefaultsConfig.Resources(true, Map.of("memory", "1Gi"), Map.of("memory", "1Gi")),
                new DefaultsConfig.Resources(false, null, null));
        Arbitrary<DefaultsConfig.Probe> liveness = Arbitraries.of(
                DefaultsConfig.Probe.OFF, DefaultsConfig.Probe.ON, new DefaultsConfig.Probe(true, 10, 5, 2, 6));
        Arbitrary<DefaultsConfig.PreStop> preStop = Combinators.combine(
                        Arbitraries.of(true, false), Arbitraries.integers().between(1, 45), Arbitraries.of(true, false))
                .as(DefaultsConfig.PreStop::new);
        Arbitrary<DefaultsConfig.SecurityContext> securityContext = Combinators.combine(
                        Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as((ape, seccomp, nonRoot, drop) -> new DefaultsConfig.SecurityContext(true, ape, seccomp, nonRoot, drop));
        return Combinators.combine(resources, liveness, preStop, securityContext)
                .as((r, l, p, s) -> new DefaultsConfig(true, DefaultsConfig.DefaultsMode.APPLY, r, null, l, p, s));
    }

    private static ArrayNode named(List<ObjectNode> containers, String prefix) {
        ArrayNode list = Json.mapper().createArrayNode();
        for (int i = 0; i < containers.size(); i++) {
            ObjectNode c = containers.get(i).deepCopy();
            ObjectNode named = Json.mapper().createObjectNode();
            named.put("name", prefix + i);
            named.setAll(c);
            list.add(named);
        }
        return list;
    }

    private static ObjectNode withField(ObjectNode node, String field, String value) {
        ObjectNode copy = node.deepCopy();
        copy.put(field, value);
        return copy;
    }

    private static Arbitrary<ObjectNode> metadata() {
        Arbitrary<String> skip = Arbitraries.of("all", "probes", "resources, preStop", "securityContext", "nonsense", "ALL")
                .injectNull(0.7);
        Arbitrary<Boolean> hasAnnotations = Arbitraries.of(true, false);
        Arbitrary<Boolean> seccompAnnotation = Arbitraries.of(true, false, false, false);
        return Combinators.combine(skip, hasAnnotations, seccompAnnotation).as((s, has, seccomp) -> {
            ObjectNode meta = Json.mapper().createObjectNode();
            meta.put("name", "generated");
            if (has || s != null || seccomp) {
                ObjectNode annotations = meta.putObject("annotations");
                annotations.put("example.com/owner", "team-a");
                if (s != null) {
                    annotations.put(DefaultsAnnotations.SKIP_DEFAULTS, s);
                }
                if (seccomp) {
                    annotations.put("seccomp.security.alpha.kubernetes.io/pod", "runtime/default");
                }
            }
            return meta;
        });
    }

    private static Arbitrary<ObjectNode> container() {
        Arbitrary<List<ObjectNode>> ports = port().list().ofMaxSize(3);
        Arbitrary<ObjectNode> readiness = probe().injectNull(0.7);
        Arbitrary<ObjectNode> liveness = probe().injectNull(0.7);
        Arbitrary<ObjectNode> resources = resources().injectNull(0.4);
        Arbitrary<ObjectNode> lifecycle = lifecycle().injectNull(0.6);
        Arbitrary<ObjectNode> securityContext = securityContext().injectNull(0.4);
        Arbitrary<Boolean> unknown = Arbitraries.of(true, false);
        return Combinators.combine(ports, readiness, liveness, resources, lifecycle, securityContext, unknown)
                .as((ps, r, l, res, lc, sc, u) -> {
                    ObjectNode c = Json.mapper().createObjectNode();
                    c.put("image", "registry.example/app:1");
                    if (!ps.isEmpty()) {
                        ArrayNode list = c.putArray("ports");
                        ps.forEach(list::add);
                    }
                    if (r != null) {
                        c.set("readinessProbe", r);
                    }
                    if (l != null) {
                        c.set("livenessProbe", l);
                    }
                    if (res != null) {
                        c.set("resources", res);
                    }
                    if (lc != null) {
                        c.set("lifecycle", lc);
                    }
                    if (sc != null) {
                        c.set("securityContext", sc);
                    }
                    if (u) {
                        c.putArray("x-extra").add(1).add("two");
                    }
                    return c;
                });
    }

    private static Arbitrary<ObjectNode> port() {
        return Combinators.combine(
                Arbitraries.integers().between(1, 65535),
                Arbitraries.of(PORT_NAMES).injectNull(0.5),
                Arbitraries.of("TCP", "UDP", "SCTP").injectNull(0.5))
                .as((number, name, protocol) -> {
                    ObjectNode p = Json.mapper().createObjectNode();
                    p.put("containerPort", number);
                    if (name != null) {
                        p.put("name", name);
                    }
                    if (protocol != null) {
                        p.put("protocol", protocol);
                    }
                    return p;
                });
    }

    private static Arbitrary<ObjectNode> probe() {
        return Arbitraries.of(
                (ObjectNode) Json.mapper().readTree("{\"tcpSocket\":{\"port\":8080}}"),
                (ObjectNode) Json.mapper().readTree("{\"httpGet\":{\"host\":\"10.0.0.1\",\"path\":\"/ready\",\"port\":\"http\"}}"),
                (ObjectNode) Json.mapper().readTree("{\"exec\":{\"command\":[\"true\"]},\"periodSeconds\":3}"));
    }

    private static Arbitrary<ObjectNode> lifecycle() {
        return Arbitraries.of(
                (ObjectNode) Json.mapper().readTree("{\"preStop\":{\"exec\":{\"command\":[\"/drain\"]}}}"),
                (ObjectNode) Json.mapper().readTree("{\"postStart\":{\"exec\":{\"command\":[\"/warm\"]}}}"),
                (ObjectNode) Json.mapper().readTree("{\"preStop\":{\"sleep\":{\"seconds\":1}}}"));
    }

    private static Arbitrary<ObjectNode> resources() {
        Arbitrary<Object> cpu = Arbitraries.of(CPU).injectNull(0.5);
        Arbitrary<Object> memory = Arbitraries.of(MEMORY).injectNull(0.5);
        return Combinators.combine(cpu, cpu, memory, memory).as((cpuRequest, cpuLimit, memRequest, memLimit) -> {
            ObjectNode resources = Json.mapper().createObjectNode();
            putOrdered(resources, "cpu", cpuRequest, cpuLimit);
            putOrdered(resources, "memory", memRequest, memLimit);
            return resources;
        });
    }

    /** Puts request and limit so that request ≤ limit, as the apiserver requires of any pod it accepts. */
    private static void putOrdered(ObjectNode resources, String name, Object request, Object limit) {
        Object low = request;
        Object high = limit;
        if (request != null && limit != null && io.podguard.engine.KubeQuantity.parse(String.valueOf(request)).value()
                .compareTo(io.podguard.engine.KubeQuantity.parse(String.valueOf(limit)).value()) > 0) {
            low = limit;
            high = request;
        }
        if (low != null) {
            resources.withObjectProperty("requests").set(name, Json.mapper().valueToTree(low));
        }
        if (high != null) {
            resources.withObjectProperty("limits").set(name, Json.mapper().valueToTree(high));
        }
    }

    private static Arbitrary<ObjectNode> securityContext() {
        return Combinators.combine(
                Arbitraries.of(true, false).injectNull(0.6),
                Arbitraries.of(true, false).injectNull(0.6),
                Arbitraries.subsetOf("SYS_ADMIN", "CAP_SYS_ADMIN", "NET_ADMIN", "NET_BIND_SERVICE"),
                Arbitraries.subsetOf("ALL", "NET_RAW"),
                Arbitraries.of(0L, 1000L).injectNull(0.6),
                Arbitraries.of(true, false, false, false))
                .as((privileged, ape, add, drop, runAsUser, seccomp) -> {
                    ObjectNode sc = Json.mapper().createObjectNode();
                    if (privileged != null) {
                        sc.put("privileged", privileged);
                    }
                    boolean sysAdmin = add.contains("SYS_ADMIN") || add.contains("CAP_SYS_ADMIN");
                    // The apiserver rejects allowPrivilegeEscalation: false beside privileged or SYS_ADMIN.
                    if (ape != null && (ape || (!Boolean.TRUE.equals(privileged) && !sysAdmin))) {
                        sc.put("allowPrivilegeEscalation", ape);
                    }
                    if (!add.isEmpty() || !drop.isEmpty()) {
                        ObjectNode caps = sc.putObject("capabilities");
                        if (!add.isEmpty()) {
                            add.stream().sorted().forEach(caps.withArrayProperty("add")::add);
                        }
                        if (!drop.isEmpty()) {
                            drop.stream().sorted().forEach(caps.withArrayProperty("drop")::add);
                        }
                    }
                    if (runAsUser != null) {
                        sc.put("runAsUser", runAsUser);
                    }
                    if (seccomp) {
                        sc.putObject("seccompProfile").put("type", "RuntimeDefault");
                    }
                    return sc;
                });
    }

    private static Arbitrary<ObjectNode> podSecurityContext() {
        return Combinators.combine(
                Arbitraries.of(true, false).injectNull(0.6),
                Arbitraries.of(0L, 1000L).injectNull(0.6),
                Arbitraries.of(true, false, false))
                .as((nonRoot, runAsUser, seccomp) -> {
                    ObjectNode sc = Json.mapper().createObjectNode();
                    if (nonRoot != null) {
                        sc.put("runAsNonRoot", nonRoot);
                    }
                    if (runAsUser != null) {
                        sc.put("runAsUser", runAsUser);
                    }
                    if (seccomp) {
                        sc.putObject("seccompProfile").put("type", "Unconfined");
                    }
                    return sc;
                });
    }
}

package io.podguard.engine.psp;

import io.podguard.engine.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Seeded random PodSecurityPolicies and pods for the differential test against Kubernetes' own PSP
 * plugin: every strategy and field the plugin reads, values on both sides of each policy's limits,
 * several policies per case with their "use" grants, pods with init and ephemeral containers.
 * Values come from small pools so that policies and pods often meet (a uid in or just out of a
 * range, a capability both added and allowed, a host path under or beside a prefix).
 */
final class PspCases {

    static final String NAMESPACE = "team-a";
    static final String SERVICE_ACCOUNT = "builder";

    private static final String[] CAPS = {"NET_ADMIN", "SYS_TIME", "CHOWN", "KILL", "NET_RAW"};
    private static final String[] VOLUME_TYPES = {"configMap", "emptyDir", "secret", "hostPath", "csi", "flexVolume",
        "projected", "persistentVolumeClaim", "downwardAPI", "ephemeral", "nfs"};
    private static final String[] SYSCTLS = {"kernel.shm_rmid_forced", "net.core.somaxconn", "kernel.msgmax",
        "net.ipv4.ip_local_port_range", "kernel.sem"};
    private static final String[] ALLOWED_SYSCTLS = {"kernel.shm_rmid_forced", "net.core.somaxconn", "kernel.msg*"};
    private static final String[] FORBIDDEN_SYSCTLS = {"kernel.sem", "net.ipv4.ip_local_port_range", "net.*", "kernel.shm_rmid_forced"};
    private static final String[] SECCOMP = {"runtime/default", "docker/default", "unconfined", "localhost/profile.json"};
    private static final String[] APPARMOR = {"runtime/default", "unconfined", "localhost/k8s-nginx"};
    private static final long[] IDS = {0, 1, 99, 100, 500, 1000, 1500, 2000, 2001, 65534, 100005};

    private final Random random;
    private boolean tame;

    PspCases(long seed) {
        this.random = new Random(seed);
    }

    /** One case: 1 to 4 policies, their grants, an operation and a pod (and the old pod of an update). */
    ObjectNode next(int index) {
        ObjectNode c = Json.mapper().createObjectNode();
        ArrayNode policies = c.putArray("policies");
        ArrayNode user = c.putArray("userMayUse");
        ArrayNode sa = c.putArray("serviceAccountMayUse");
        int n = 1 + random.nextInt(4);
        List<String> names = new ArrayList<>(List.of("alpha", "beta", "gamma", "delta", "epsilon"));
        java.util.Collections.shuffle(names, random);
        for (int i = 0; i < n; i++) {
            String name = names.get(i);
            policies.add(policy(name));
            int grant = random.nextInt(10);
            if (grant < 5) {
                user.add(name);
            } else if (grant < 8) {
                sa.add(name);
            } else if (grant < 9) {
                user.add(name);
                sa.add(name);
            }
        }
        c.put("namespace", NAMESPACE);
        tame = random.nextInt(5) < 3;
        ObjectNode pod = pod(index, names.subList(0, n));
        boolean update = random.nextInt(8) == 0;
        c.put("operation", update ? "UPDATE" : "CREATE");
        c.set("pod", pod);
        if (update) {
            ObjectNode old = pod.deepCopy();
            ObjectNode meta = (ObjectNode) old.get("metadata");
            if (random.nextBoolean()) {
                meta.putArray("finalizers").add("example.com/cleanup"); // the garbage collector's kind of change
            } else {
                meta.putObject("labels").put("tier", "old");
            }
            c.set("oldPod", old);
        }
        return c;
    }

    // ------------------------------------------------------------------ policies

    private ObjectNode policy(String name) {
        ObjectNode p = Json.mapper().createObjectNode();
        p.put("apiVersion", "policy/v1beta1");
        p.put("kind", "PodSecurityPolicy");
        ObjectNode meta = p.putObject("metadata");
        meta.put("name", name);
        ObjectNode annotations = Json.mapper().createObjectNode();
        if (chance(4)) {
            annotations.put(SeccompStrategy.ALLOWED_PROFILES_ANNOTATION, pick("runtime/default", "docker/default,localhost/profile.json",
                    "*", "runtime/default,unconfined", "localhost/*"));
        }
        if (chance(4)) {
            annotations.put(SeccompStrategy.DEFAULT_PROFILE_ANNOTATION, pick("runtime/default", "docker/default", "unconfined"));
        }
        if (chance(4)) {
            annotations.put(AppArmorStrategy.ALLOWED_PROFILES_ANNOTATION, pick("runtime/default", "runtime/default,localhost/k8s-nginx"));
        }
        if (chance(4)) {
            annotations.put(AppArmorStrategy.DEFAULT_PROFILE_ANNOTATION, pick("runtime/default", "localhost/k8s-nginx"));
        }
        if (!annotations.isEmpty()) {
            meta.set("annotations", annotations);
        }
        ObjectNode spec = p.putObject("spec");
        if (chance(4)) {
            // Permissive: allows nearly everything and defaults nothing, so pods pass it unchanged.
            spec.put("privileged", true).put("hostNetwork", true).put("hostPID", true).put("hostIPC", true);
            spec.putArray("hostPorts").addObject().put("min", 0).put("max", 65535);
            spec.putArray("volumes").add("*");
            spec.putArray("allowedCapabilities").add("*");
            spec.putObject("runAsUser").put("rule", "RunAsAny");
            spec.putObject("seLinux").put("rule", "RunAsAny");
            spec.putObject("supplementalGroups").put("rule", "RunAsAny");
            spec.putObject("fsGroup").put("rule", "RunAsAny");
            if (chance(2)) {
                spec.putArray("allowedUnsafeSysctls").add("*");
            }
            if (chance(2)) {
                spec.putArray("allowedProcMountTypes").add("Default").add("Unmasked");
            }
            if (chance(3)) {
                meta.remove("annotations");
            }
            return p;
        }
        bool(spec, "privileged", 3);
        bool(spec, "hostNetwork", 5);
        bool(spec, "hostPID", 5);
        bool(spec, "hostIPC", 5);
        bool(spec, "readOnlyRootFilesystem", 4);
        if (chance(3)) {
            ArrayNode ports = spec.putArray("hostPorts");
            ports.addObject().put("min", pick(80, 8000, 0)).put("max", pick(80, 8080, 65535));
            if (chance(2)) {
                ports.addObject().put("min", 9000).put("max", 9000);
            }
            for (var r : ports) {
                if (r.get("min").asInt() > r.get("max").asInt()) {
                    ((ObjectNode) r).put("max", r.get("min").asInt());
                }
            }
        }
        ArrayNode volumes = spec.putArray("volumes");
        if (chance(4)) {
            volumes.add("*");
        } else {
            for (String t : VOLUME_TYPES) {
                if (chance(2)) {
                    volumes.add(t);
                }
            }
        }
        if (chance(3)) {
            ArrayNode paths = spec.putArray("allowedHostPaths");
            ObjectNode first = paths.addObject().put("pathPrefix", pick("/var/log", "/data", "/var/log/"));
            if (chance(2)) {
                first.put("readOnly", random.nextBoolean());
            }
            if (chance(2)) {
                paths.addObject().put("pathPrefix", "/etc/ssl").put("readOnly", true);
            }
        }
        if (chance(3)) {
            spec.putArray("allowedFlexVolumes").addObject().put("driver", "example/cifs");
        }
        if (chance(3)) {
            spec.putArray("allowedCSIDrivers").addObject().put("name", "csi.example.com");
        }
        ObjectNode runAsUser = spec.putObject("runAsUser");
        switch (random.nextInt(4)) {
            case 0 -> runAsUser.put("rule", "RunAsAny");
            case 1 -> runAsUser.put("rule", "MustRunAsNonRoot");
            default -> {
                runAsUser.put("rule", "MustRunAs");
                ranges(runAsUser);
            }
        }
        switch (random.nextInt(4)) {
            case 0 -> { }
            case 1 -> spec.putObject("runAsGroup").put("rule", "RunAsAny");
            default -> ranges(spec.putObject("runAsGroup").put("rule", pick("MustRunAs", "MayRunAs")));
        }
        for (String field : List.of("supplementalGroups", "fsGroup")) {
            ObjectNode g = spec.putObject(field);
            String rule = pick("RunAsAny", "MustRunAs", "MayRunAs");
            g.put("rule", rule);
            if (!rule.equals("RunAsAny")) {
                ranges(g);
            }
        }
        ObjectNode seLinux = spec.putObject("seLinux");
        if (chance(3)) {
            seLinux.put("rule", "MustRunAs");
            ObjectNode options = seLinux.putObject("seLinuxOptions");
            if (chance(2)) {
                options.put("level", pick("s0:c123,c456", "s0:c456,c123", "s0"));
            } else {
                options.put("user", "user_u").put("role", "role_r").put("type", "container_t").put("level", "s0");
            }
        } else {
            seLinux.put("rule", "RunAsAny");
        }
        List<String> allowed = caps(spec, "allowedCapabilities", List.of());
        if (!allowed.isEmpty() && chance(5)) {
            ((ArrayNode) spec.get("allowedCapabilities")).add("*");
        }
        List<String> defaults = caps(spec, "defaultAddCapabilities", List.of());
        List<String> taken = new ArrayList<>(allowed);
        taken.addAll(defaults);
        caps(spec, "requiredDropCapabilities", taken);
        if (chance(6)) {
            ((ArrayNode) spec.withArray("requiredDropCapabilities")).add("ALL");
        }
        bool(spec, "allowPrivilegeEscalation", 2);
        if (chance(3)) {
            boolean def = random.nextBoolean();
            if (!def || !spec.has("allowPrivilegeEscalation") || spec.get("allowPrivilegeEscalation").asBoolean()) {
                spec.put("defaultAllowPrivilegeEscalation", def);
            }
        }
        // Now and then lists upstream refuses ('*' beside others, a pattern overlapping the other list).
        if (chance(3)) {
            spec.set("allowedUnsafeSysctls", chance(6) ? Json.mapper().createArrayNode().add("*") : strings(ALLOWED_SYSCTLS, 2));
        }
        if (chance(3)) {
            spec.set("forbiddenSysctls", chance(6) ? Json.mapper().createArrayNode().add("*") : strings(FORBIDDEN_SYSCTLS, 2));
        }
        if (chance(4)) {
            ArrayNode types = spec.putArray("allowedProcMountTypes").add("Default");
            if (chance(2)) {
                types.add("Unmasked");
            }
        }
        if (chance(4)) {
            ObjectNode rc = spec.putObject("runtimeClass");
            ArrayNode names = rc.putArray("allowedRuntimeClassNames");
            if (chance(3)) {
                names.add("*");
            } else {
                names.add("gvisor");
                if (chance(2)) {
                    names.add("kata");
                }
            }
            if (chance(2)) {
                rc.put("defaultRuntimeClassName", "gvisor");
            }
        }
        return p;
    }

    private void ranges(ObjectNode strategy) {
        ArrayNode ranges = strategy.putArray("ranges");
        switch (random.nextInt(4)) {
            case 0 -> ranges.addObject().put("min", 1000).put("max", 2000);
            case 1 -> ranges.addObject().put("min", 0).put("max", 0);
            case 2 -> {
                ranges.addObject().put("min", 100).put("max", 100);
                ranges.addObject().put("min", 1000).put("max", 2000);
            }
            default -> ranges.addObject().put("min", 1).put("max", 65535);
        }
    }

    private List<String> caps(ObjectNode spec, String field, List<String> excluded) {
        if (!chance(2)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        ArrayNode array = spec.putArray(field);
        for (String cap : CAPS) {
            if (!excluded.contains(cap) && chance(3)) {
                array.add(cap);
                out.add(cap);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ pods

    private ObjectNode pod(int index, List<String> policyNames) {
        ObjectNode pod = Json.mapper().createObjectNode();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        ObjectNode meta = pod.putObject("metadata");
        meta.put("name", "pod-" + index);
        ObjectNode annotations = Json.mapper().createObjectNode();
        if (rare(5)) {
            annotations.put("seccomp.security.alpha.kubernetes.io/pod", pick(SECCOMP));
        }
        if (chance(4)) {
            annotations.put(PspEngine.VALIDATED_PSP_ANNOTATION, policyNames.get(random.nextInt(policyNames.size())));
        }
        ObjectNode spec = pod.putObject("spec");
        if (chance(2)) {
            spec.put("serviceAccountName", SERVICE_ACCOUNT);
        }
        if (rare(10)) {
            spec.put("hostNetwork", true);
        }
        if (rare(10)) {
            spec.put("hostPID", true);
        }
        if (rare(10)) {
            spec.put("hostIPC", true);
        }
        if (rare(5)) {
            spec.put("runtimeClassName", pick("gvisor", "kata", "runc"));
        }
        if (rare(2)) {
            ObjectNode sc = spec.putObject("securityContext");
            id(sc, "runAsUser", 4);
            id(sc, "runAsGroup", 4);
            id(sc, "fsGroup", 3);
            if (rare(4)) {
                sc.put("runAsNonRoot", random.nextBoolean());
            }
            if (rare(4)) {
                ArrayNode groups = sc.putArray("supplementalGroups");
                int k = random.nextInt(3);
                for (int i = 0; i < k; i++) {
                    groups.add(IDS[random.nextInt(IDS.length)]);
                }
            }
            if (rare(5)) {
                sc.set("seLinuxOptions", seLinuxOptions());
            }
            if (rare(4)) {
                ArrayNode sysctls = sc.putArray("sysctls");
                sysctls.addObject().put("name", pick(SYSCTLS)).put("value", "1");
                if (rare(2)) {
                    sysctls.addObject().put("name", pick(SYSCTLS)).put("value", "2");
                }
            }
            if (rare(6)) {
                seccompField(sc);
            }
        }
        List<String> volumeNames = new ArrayList<>();
        if (chance(2)) {
            ArrayNode volumes = spec.putArray("volumes");
            int k = 1 + random.nextInt(3);
            for (int i = 0; i < k; i++) {
                String name = "v" + i;
                volumeNames.add(name);
                ObjectNode v = volumes.addObject().put("name", name);
                switch (random.nextInt(8)) {
                    case 0 -> v.putObject("emptyDir");
                    case 1 -> v.putObject("configMap").put("name", "cm");
                    case 2, 3 -> v.putObject("hostPath").put("path", pick("/var/log", "/var/log/app", "/var/logs", "/data",
                            "/etc/ssl/certs", "/", "/var/log/../../etc"));
                    case 4 -> v.putObject("csi").put("driver", pick("csi.example.com", "other.csi"));
                    case 5 -> v.putObject("flexVolume").put("driver", pick("example/cifs", "example/lvm"));
                    case 6 -> v.putObject("persistentVolumeClaim").put("claimName", "data");
                    default -> v.putObject("nfs").put("server", "nfs.example.com").put("path", "/exports");
                }
            }
        }
        int containers = 1 + random.nextInt(2);
        ArrayNode list = spec.putArray("containers");
        for (int i = 0; i < containers; i++) {
            list.add(container("c" + i, volumeNames, annotations));
        }
        if (chance(3)) {
            spec.putArray("initContainers").add(container("init", volumeNames, annotations));
        }
        if (chance(5)) {
            ObjectNode e = container("debug", volumeNames, annotations);
            e.remove("ports"); // ephemeral containers may not have ports
            spec.putArray("ephemeralContainers").add(e);
        }
        if (!annotations.isEmpty()) {
            meta.set("annotations", annotations);
        }
        return pod;
    }

    private ObjectNode container(String name, List<String> volumeNames, ObjectNode podAnnotations) {
        ObjectNode c = Json.mapper().createObjectNode();
        c.put("name", name);
        c.put("image", "registry.example.com/app:1");
        if (rare(6)) {
            podAnnotations.put("container.seccomp.security.alpha.kubernetes.io/" + name, pick(SECCOMP));
        }
        if (rare(6)) {
            podAnnotations.put("container.apparmor.security.beta.kubernetes.io/" + name, pick(APPARMOR));
        }
        if (rare(4)) {
            ArrayNode ports = c.putArray("ports");
            ObjectNode port = ports.addObject().put("containerPort", 8080);
            if (rare(2)) {
                port.put("hostPort", pick(80, 8080, 9000, 443));
            }
        }
        if (!volumeNames.isEmpty() && chance(2)) {
            ArrayNode mounts = c.putArray("volumeMounts");
            for (String v : volumeNames) {
                if (rare(2)) {
                    ObjectNode m = mounts.addObject().put("name", v).put("mountPath", "/mnt/" + v);
                    if (rare(2)) {
                        m.put("readOnly", random.nextBoolean());
                    }
                }
            }
        }
        if (tame ? chance(2) : chance(4)) {
            return c;
        }
        ObjectNode sc = c.putObject("securityContext");
        if (rare(6)) {
            sc.put("privileged", random.nextBoolean());
        }
        id(sc, "runAsUser", 4);
        id(sc, "runAsGroup", 5);
        if (rare(5)) {
            sc.put("runAsNonRoot", random.nextBoolean());
        }
        if (rare(4)) {
            sc.put("readOnlyRootFilesystem", random.nextBoolean());
        }
        if (rare(3)) {
            sc.put("allowPrivilegeEscalation", random.nextBoolean());
        }
        if (rare(3)) {
            ObjectNode caps = sc.putObject("capabilities");
            if (rare(2)) {
                caps.set("add", strings(CAPS, 2));
            }
            if (rare(2)) {
                ArrayNode drop = strings(CAPS, 2);
                if (rare(2)) {
                    drop.add("ALL");
                }
                caps.set("drop", drop);
            }
        }
        if (rare(8)) {
            sc.put("procMount", pick("Default", "Unmasked"));
        }
        if (rare(6)) {
            sc.set("seLinuxOptions", seLinuxOptions());
        }
        if (rare(8)) {
            seccompField(sc);
        }
        return c;
    }

    private ObjectNode seLinuxOptions() {
        ObjectNode o = Json.mapper().createObjectNode();
        switch (random.nextInt(3)) {
            case 0 -> o.put("level", pick("s0:c123,c456", "s0:c456,c123", "s0:c1,c2"));
            case 1 -> o.put("user", "user_u").put("role", "role_r").put("type", "container_t").put("level", "s0");
            default -> o.put("type", "spc_t");
        }
        return o;
    }

    private void seccompField(ObjectNode sc) {
        ObjectNode profile = sc.putObject("seccompProfile");
        switch (random.nextInt(3)) {
            case 0 -> profile.put("type", "RuntimeDefault");
            case 1 -> profile.put("type", "Unconfined");
            default -> profile.put("type", "Localhost").put("localhostProfile", "profile.json");
        }
    }

    // ------------------------------------------------------------------ small helpers

    private boolean chance(int oneIn) {
        return random.nextInt(oneIn) == 0;
    }

    /** A pod field that tends to break policies: five times rarer in a tame pod, so that many pods are admitted. */
    private boolean rare(int oneIn) {
        return random.nextInt(tame ? oneIn * 5 : oneIn) == 0;
    }

    private void bool(ObjectNode node, String field, int oneIn) {
        if (chance(oneIn)) {
            node.put(field, random.nextBoolean());
        }
    }

    private void id(ObjectNode node, String field, int oneIn) {
        if (chance(oneIn)) {
            node.put(field, IDS[random.nextInt(IDS.length)]);
        }
    }

    @SafeVarargs
    private <T> T pick(T... values) {
        return values[random.nextInt(values.length)];
    }

    private ArrayNode strings(String[] pool, int oneIn) {
        ArrayNode out = Json.mapper().createArrayNode();
        for (String s : pool) {
            if (chance(oneIn)) {
                out.add(s);
            }
        }
        if (out.isEmpty()) {
            out.add(pool[random.nextInt(pool.length)]);
        }
        return out;
    }
}

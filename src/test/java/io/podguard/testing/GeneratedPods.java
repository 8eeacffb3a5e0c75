package io.podguard.testing;

import io.podguard.engine.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Seeded pods touching every field a Pod Security Standards check reads. */
public final class GeneratedPods {

    private static final String[] CAPABILITIES = {"NET_RAW", "SYS_ADMIN", "CHOWN", "NET_BIND_SERVICE", "ALL", "KILL",
        "AUDIT_WRITE", "SETUID", "CAP_SYS_ADMIN", "SYS_TIME", "MKNOD"};
    private static final String[] SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
        "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem", "kernel.msgmax", "vm.swappiness", "net.core.somaxconn"};
    private static final String[] VOLUMES = {"hostPath", "emptyDir", "configMap", "secret", "nfs", "gcePersistentDisk", "csi",
        "ephemeral", "projected", "downwardAPI", "persistentVolumeClaim", "awsElasticBlockStore", "iscsi", "rbd", "flexVolume",
        "cephfs", "glusterfs", "azureDisk", "image"};
    private static final String[] SECCOMP_TYPES = {"RuntimeDefault", "Localhost", "Unconfined"};
    private static final String[] ANNOTATION_PROFILES = {"runtime/default", "docker/default", "localhost/p", "unconfined", ""};
    private static final String[] SELINUX_TYPES = {"container_t", "container_init_t", "container_kvm_t", "spc_t", "foo_t", ""};

    private GeneratedPods() {
    }

    public static ObjectNode pod(Random r, int index) {
        ObjectNode pod = Json.mapper().createObjectNode();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        ObjectNode meta = pod.putObject("metadata");
        meta.put("name", "p" + index);
        meta.put("namespace", "default");
        ObjectNode spec = pod.putObject("spec");
        List<String> names = new ArrayList<>();
        containers(r, spec, "initContainers", r.nextInt(3), names, "i");
        containers(r, spec, "containers", 1 + r.nextInt(3), names, "c");
        if (r.nextInt(5) == 0) {
            containers(r, spec, "ephemeralContainers", 1, names, "e");
        }
        for (String field : List.of("hostNetwork", "hostPID", "hostIPC")) {
            if (r.nextInt(3) == 0) {
                spec.put(field, r.nextInt(3) != 0);
            }
        }
        if (r.nextInt(6) == 0) {
            spec.put("hostUsers", r.nextBoolean());
        }
        if (r.nextInt(6) == 0) {
            spec.putObject("os").put("name", r.nextBoolean() ? "windows" : "linux");
        }
        if (r.nextInt(3) == 0) {
            ObjectNode sc = spec.putObject("securityContext");
            securityContext(r, sc, true);
            if (r.nextInt(3) == 0) {
                ArrayNode sysctls = sc.putArray("sysctls");
                for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                    sysctls.addObject().put("name", pick(r, SYSCTLS)).put("value", "1");
                }
            }
        }
        if (r.nextInt(3) == 0) {
            ArrayNode volumes = spec.putArray("volumes");
            for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                ObjectNode v = volumes.addObject().put("name", "v" + i);
                String type = pick(r, VOLUMES);
                ObjectNode source = v.putObject(type);
                switch (type) {
                    case "hostPath" -> source.put("path", "/var/log");
                    case "nfs" -> source.put("server", "nfs").put("path", "/");
                    case "persistentVolumeClaim" -> source.put("claimName", "c");
                    case "csi" -> source.put("driver", "d");
                    case "image" -> source.put("reference", "img");
                    default -> {
                    }
                }
            }
        }
        if (r.nextInt(4) == 0) {
            ObjectNode annotations = meta.putObject("annotations");
            if (r.nextBoolean()) {
                annotations.put("seccomp.security.alpha.kubernetes.io/pod", pick(r, ANNOTATION_PROFILES));
            }
            for (String name : names) {
                if (r.nextInt(3) == 0) {
                    annotations.put("container.seccomp.security.alpha.kubernetes.io/" + name, pick(r, ANNOTATION_PROFILES));
                }
                if (r.nextInt(3) == 0) {
                    annotations.put("container.apparmor.security.beta.kubernetes.io/" + name, pick(r, ANNOTATION_PROFILES));
                }
            }
        }
        return pod;
    }

    private static void containers(Random r, ObjectNode spec, String field, int count, List<String> names, String prefix) {
        if (count == 0) {
            return;
        }
        ArrayNode list = spec.putArray(field);
        for (int i = 0; i < count; i++) {
            String name = prefix + i;
            names.add(name);
            ObjectNode c = list.addObject().put("name", name).put("image", "img");
            if (field.equals("initContainers") && r.nextInt(3) == 0) {
                c.put("restartPolicy", "Always");
            }
            if (r.nextInt(4) != 0) {
                securityContext(r, c.putObject("securityContext"), false);
            }
            if (!field.equals("ephemeralContainers") && r.nextInt(4) == 0) {
                c.putArray("ports").addObject().put("containerPort", 8080).put("hostPort", r.nextInt(3) == 0 ? 0 : 8080 + r.nextInt(2));
            }
            if (r.nextInt(5) == 0) {
                ObjectNode probe = c.putObject(r.nextBoolean() ? "livenessProbe" : "readinessProbe");
                String host = r.nextInt(3) == 0 ? "" : r.nextBoolean() ? "127.0.0.1" : "example.com";
                if (r.nextBoolean()) {
                    probe.putObject("httpGet").put("port", 8080).put("host", host);
                } else {
                    probe.putObject("tcpSocket").put("port", 8080).put("host", host);
                }
            }
            if (r.nextInt(6) == 0) {
                c.putObject("lifecycle").putObject(r.nextBoolean() ? "postStart" : "preStop").putObject("httpGet")
                        .put("port", 80).put("host", r.nextBoolean() ? "10.0.0.1" : "");
            }
        }
    }

    private static void securityContext(Random r, ObjectNode sc, boolean pod) {
        if (!pod) {
            maybeBool(r, sc, "privileged", 5);
            maybeBool(r, sc, "allowPrivilegeEscalation", 2);
            if (r.nextInt(2) == 0) {
                ObjectNode caps = sc.putObject("capabilities");
                if (r.nextBoolean()) {
                    ArrayNode add = caps.putArray("add");
                    for (int i = 0, n = 1 + r.nextInt(2); i < n; i++) {
                        add.add(pick(r, CAPABILITIES));
                    }
                }
                if (r.nextBoolean()) {
                    caps.putArray("drop").add(r.nextInt(4) == 0 ? "NET_RAW" : "ALL");
                }
            }
            if (r.nextInt(6) == 0) {
                sc.put("procMount", r.nextBoolean() ? "Default" : "Unmasked");
            }
        }
        maybeBool(r, sc, "runAsNonRoot", 2);
        if (r.nextInt(3) == 0) {
            sc.put("runAsUser", r.nextBoolean() ? 0 : 1000);
        }
        if (r.nextInt(3) == 0) {
            ObjectNode seccomp = sc.putObject("seccompProfile").put("type", pick(r, SECCOMP_TYPES));
            if ("Localhost".equals(seccomp.get("type").asString())) {
                seccomp.put("localhostProfile", "p.json");
            }
        }
        if (r.nextInt(5) == 0) {
            ObjectNode apparmor = sc.putObject("appArmorProfile").put("type", pick(r, SECCOMP_TYPES));
            if ("Localhost".equals(apparmor.get("type").asString())) {
                apparmor.put("localhostProfile", "p");
            }
        }
        if (r.nextInt(5) == 0) {
            ObjectNode se = sc.putObject("seLinuxOptions");
            se.put("type", pick(r, SELINUX_TYPES));
            if (r.nextInt(3) == 0) {
                se.put("user", "u");
            }
            if (r.nextInt(3) == 0) {
                se.put("role", "r");
            }
            if (r.nextInt(3) == 0) {
                se.put("level", "s0:c1");
            }
        }
        if (r.nextInt(8) == 0) {
            sc.putObject("windowsOptions").put("hostProcess", r.nextBoolean());
        }
    }

    private static void maybeBool(Random r, ObjectNode node, String field, int oneIn) {
        if (r.nextInt(oneIn) == 0) {
            node.put(field, r.nextBoolean());
        }
    }

    private static String pick(Random r, String[] values) {
        return values[r.nextInt(values.length)];
    }
}

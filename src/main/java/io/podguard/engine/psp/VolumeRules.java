package io.podguard.engine.psp;

import io.podguard.engine.Text;
import io.fabric8.kubernetes.api.model.policy.v1beta1.AllowedCSIDriver;
import io.fabric8.kubernetes.api.model.policy.v1beta1.AllowedFlexVolume;
import io.fabric8.kubernetes.api.model.policy.v1beta1.AllowedHostPath;
import io.podguard.engine.ContainerRef;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * PSP's volume rules: {@code volumes} (the allowed types; {@code *} all, empty none),
 * {@code allowedHostPaths} (path-segment prefixes; a read-only prefix makes every mount of the
 * volume read-only), {@code allowedFlexVolumes} and {@code allowedCSIDrivers}.
 */
final class VolumeRules {

    static final String ALL = "*";

    /** The PSP volume type ({@code FSType}) of each volume source field, as Kubernetes 1.24 knew them. */
    static final Map<String, String> FS_TYPES = Map.ofEntries(
            Map.entry("hostPath", "hostPath"),
            Map.entry("emptyDir", "emptyDir"),
            Map.entry("gcePersistentDisk", "gcePersistentDisk"),
            Map.entry("awsElasticBlockStore", "awsElasticBlockStore"),
            Map.entry("gitRepo", "gitRepo"),
            Map.entry("secret", "secret"),
            Map.entry("nfs", "nfs"),
            Map.entry("iscsi", "iscsi"),
            Map.entry("glusterfs", "glusterfs"),
            Map.entry("persistentVolumeClaim", "persistentVolumeClaim"),
            Map.entry("rbd", "rbd"),
            Map.entry("flexVolume", "flexVolume"),
            Map.entry("cinder", "cinder"),
            Map.entry("cephfs", "cephFS"),
            Map.entry("flocker", "flocker"),
            Map.entry("downwardAPI", "downwardAPI"),
            Map.entry("fc", "fc"),
            Map.entry("azureFile", "azureFile"),
            Map.entry("configMap", "configMap"),
            Map.entry("vsphereVolume", "vsphereVolume"),
            Map.entry("quobyte", "quobyte"),
            Map.entry("azureDisk", "azureDisk"),
            Map.entry("photonPersistentDisk", "photonPersistentDisk"),
            Map.entry("projected", "projected"),
            Map.entry("portworxVolume", "portworxVolume"),
            Map.entry("scaleIO", "scaleIO"),
            Map.entry("storageos", "storageos"),
            Map.entry("csi", "csi"),
            Map.entry("ephemeral", "ephemeral"));

    /** Every value {@code volumes} may hold. */
    static final Set<String> VALID_TYPES;

    static {
        java.util.Set<String> valid = new java.util.HashSet<>(FS_TYPES.values());
        valid.add(ALL);
        VALID_TYPES = Set.copyOf(valid);
    }

    private final List<String> volumes;
    private final List<AllowedHostPath> hostPaths;
    private final List<AllowedFlexVolume> flexVolumes;
    private final List<AllowedCSIDriver> csiDrivers;

    VolumeRules(@Nullable List<String> volumes, @Nullable List<AllowedHostPath> hostPaths,
                @Nullable List<AllowedFlexVolume> flexVolumes, @Nullable List<AllowedCSIDriver> csiDrivers) {
        this.volumes = volumes == null ? List.of() : List.copyOf(volumes);
        this.hostPaths = hostPaths == null ? List.of() : List.copyOf(hostPaths);
        this.flexVolumes = flexVolumes == null ? List.of() : List.copyOf(flexVolumes);
        this.csiDrivers = csiDrivers == null ? List.of() : List.copyOf(csiDrivers);
    }

    boolean allowsAll() {
        return volumes.contains(ALL);
    }

    boolean allows(String fsType) {
        return allowsAll() || volumes.contains(fsType);
    }

    void validate(PodJson pod, List<ContainerRef> containers, List<FieldError> errors) {
        JsonNode vols = PodJson.field(pod.spec(), "volumes");
        if (vols == null || !vols.isArray()) {
            return;
        }
        for (int i = 0; i < vols.size(); i++) {
            JsonNode v = vols.get(i);
            String path = "spec.volumes[" + i + "]";
            String fsType = fsType(v);
            if (fsType == null) {
                String name = PodJson.text(v, "name");
                errors.add(FieldError.invalid(PspRules.VOLUMES, path, "\"\"",
                        "unknown volume type for volume: " + GoFormat.quote(name)));
                continue;
            }
            if (!allows(fsType)) {
                errors.add(FieldError.invalid(PspRules.VOLUMES, path, GoFormat.quote(fsType),
                        fsType + " volumes are not allowed to be used"));
                continue;
            }
            switch (fsType) {
                case "hostPath" -> hostPath(pod, containers, v, path, errors);
                case "flexVolume" -> {
                    if (!flexVolumes.isEmpty()) {
                        String driver = Text.orEmpty(PodJson.text(v.get("flexVolume"), "driver"));
                        if (flexVolumes.stream().noneMatch(f -> driver.equals(f.getDriver()))) {
                            errors.add(FieldError.invalid(PspRules.ALLOWED_FLEX_VOLUMES, path + ".driver", GoFormat.quote(driver),
                                    "Flexvolume driver is not allowed to be used"));
                        }
                    }
                }
                case "csi" -> {
                    if (!csiDrivers.isEmpty()) {
                        String driver = Text.orEmpty(PodJson.text(v.get("csi"), "driver"));
                        if (csiDrivers.stream().noneMatch(c -> driver.equals(c.getName()))) {
                            errors.add(FieldError.invalid(PspRules.ALLOWED_CSI_DRIVERS, path + ".csi.driver", GoFormat.quote(driver),
                                    "Inline CSI driver is not allowed to be used"));
                        }
                    }
                }
                default -> {
                }
            }
        }
    }

    private void hostPath(PodJson pod, List<ContainerRef> containers, JsonNode v, String path, List<FieldError> errors) {
        String hostPath = Text.orEmpty(PodJson.text(v.get("hostPath"), "path"));
        HostPathDecision decision = allowsHostPath(hostPath);
        if (!decision.allowed()) {
            errors.add(FieldError.invalid(PspRules.ALLOWED_HOST_PATHS, path + ".hostPath.pathPrefix", GoFormat.quote(hostPath),
                    "is not allowed to be used"));
            return;
        }
        if (!decision.readOnly()) {
            return;
        }
        String name = Text.orEmpty(PodJson.text(v, "name"));
        for (ContainerRef ref : containers) {
            JsonNode mounts = PodJson.field(pod.container(ref), "volumeMounts");
            if (mounts == null || !mounts.isArray()) {
                continue;
            }
            for (int j = 0; j < mounts.size(); j++) {
                JsonNode m = mounts.get(j);
                if (name.equals(PodJson.text(m, "name")) && !Boolean.TRUE.equals(PodJson.bool(m, "readOnly"))) {
                    errors.add(FieldError.invalid(PspRules.ALLOWED_HOST_PATHS,
                            ref.path() + ".volumeMounts[" + j + "].readOnly", "false", "must be read-only"));
                }
            }
        }
    }

    record HostPathDecision(boolean allowed, boolean readOnly) {
    }

    /** No prefixes: any path, writable. A writable matching prefix wins over a read-only one. */
    HostPathDecision allowsHostPath(String hostPath) {
        if (hostPaths.isEmpty()) {
            return new HostPathDecision(true, false);
        }
        boolean allowed = false;
        for (AllowedHostPath p : hostPaths) {
            if (hasPathPrefix(hostPath, Text.orEmpty(p.getPathPrefix()))) {
                if (!Boolean.TRUE.equals(p.getReadOnly())) {
                    return new HostPathDecision(true, false);
                }
                allowed = true;
            }
        }
        return new HostPathDecision(allowed, allowed);
    }

    /** {@code /var/log} is a prefix of {@code /var/log/app}, not of {@code /var/logs}; both paths are cleaned first. */
    static boolean hasPathPrefix(String path, String prefix) {
        String s = clean(path);
        String p = clean(prefix);
        if (!s.startsWith(p)) {
            return false;
        }
        if (s.length() == p.length() || p.endsWith("/")) {
            return true;
        }
        return s.charAt(p.length()) == '/';
    }

    /** Go's {@code filepath.Clean}: the shortest equivalent path, by lexical processing only. */
    static String clean(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        boolean rooted = path.startsWith("/");
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty() && !parts.peekLast().equals("..")) {
                    parts.removeLast();
                } else if (!rooted) {
                    parts.addLast("..");
                }
                continue;
            }
            parts.addLast(part);
        }
        String joined = String.join("/", parts);
        if (rooted) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }

    static @Nullable String fsType(JsonNode volume) {
        if (volume == null || !volume.isObject()) {
            return null;
        }
        for (String field : volume.propertyNames()) {
            String type = FS_TYPES.get(field);
            if (type != null && PodJson.field(volume, field) != null) {
                return type;
            }
        }
        return null;
    }

}

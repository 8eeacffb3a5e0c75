package io.podguard.engine.defaults;

import io.podguard.engine.Pods;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.podguard.engine.ContainerRef;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code securityContext}: fields that only tighten a pod, set where the pod leaves them unset,
 * each behind its own switch in {@code defaults.securityContext}:
 *
 * <ul>
 *   <li>{@code allowPrivilegeEscalation: false} on containers and init containers, except beside
 *       {@code privileged: true} or an added {@code SYS_ADMIN} / {@code CAP_SYS_ADMIN} capability,
 *       pairs the apiserver rejects;</li>
 *   <li>pod-level {@code seccompProfile: {type: RuntimeDefault}} where neither the pod nor any
 *       container sets a profile (nor the legacy seccomp annotations, which must agree with the field);</li>
 *   <li>opt-in: pod-level {@code runAsNonRoot: true} where unset and no {@code runAsUser: 0} is set
 *       anywhere (that container could never start);</li>
 *   <li>opt-in: {@code ALL} added to {@code capabilities.drop} of non-privileged containers and init
 *       containers; capabilities they add are kept.</li>
 * </ul>
 *
 * Ephemeral containers are never touched: they cannot exist when a pod is created, and are
 * added later through a subresource podguard does not mutate. Windows pods
 * ({@code spec.os.name: windows}) are never touched: the apiserver forbids these fields on them.
 */
final class SecurityContextDefaulter implements Defaulter {

    static final String ID = "securityContext";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean isEnabled(DefaultsConfig config) {
        return config.securityContext().isEnabled();
    }

    @Override
    public void apply(DefaultingContext context) {
        PodSpec spec = context.pod().podSpec();
        if (!(context.podJson().get("spec") instanceof ObjectNode) || Pods.isWindows(spec)) {
            return;
        }
        DefaultsConfig.SecurityContext config = context.config().securityContext();
        for (ContainerRef ref : context.containers()) {
            if (ref.kind() == ContainerRef.Kind.EPHEMERAL_CONTAINER) {
                continue;
            }
            if (context.readContainer(ref) != null && defaultContainer(context, ref, config)) {
                context.record(ID, DefaultingContext.describe(ref));
            }
        }
        boolean podChanged = false;
        if (config.seccompRuntimeDefault() && !setsSeccomp(context)) {
            ObjectNode specJson = context.specJson();
            ObjectNode podContext = specJson == null ? null : context.object(specJson, "securityContext");
            if (podContext != null) {
                podContext.putObject("seccompProfile").put("type", "RuntimeDefault");
                podChanged = true;
            }
        }
        PodSecurityContext podSc = spec.getSecurityContext();
        if (config.runAsNonRoot() && (podSc == null || podSc.getRunAsNonRoot() == null) && !runsAsRootExplicitly(context)) {
            ObjectNode specJson = context.specJson();
            ObjectNode podContext = specJson == null ? null : context.object(specJson, "securityContext");
            if (podContext != null) {
                podContext.put("runAsNonRoot", true);
                podChanged = true;
            }
        }
        if (podChanged) {
            context.record(ID, "pod");
        }
    }

    private static boolean defaultContainer(DefaultingContext context, ContainerRef ref, DefaultsConfig.SecurityContext config) {
        @Nullable SecurityContext sc = ref.container().getSecurityContext();
        JsonNode existing = context.readContainer(ref).get("securityContext");
        if (existing != null && !existing.isNull() && !existing.isObject()) {
            return false;
        }
        boolean privileged = sc != null && Boolean.TRUE.equals(sc.getPrivileged());
        boolean changed = false;
        if (config.disallowPrivilegeEscalation() && !privileged && !addsSysAdmin(sc)
                && (sc == null || sc.getAllowPrivilegeEscalation() == null)) {
            ObjectNode container = context.containerJson(ref);
            ObjectNode json = container == null ? null : context.object(container, "securityContext");
            if (json != null) {
                json.put("allowPrivilegeEscalation", false);
                changed = true;
            }
        }
        if (config.dropAllCapabilities() && !privileged && !dropsAll(sc)) {
            ObjectNode container = context.containerJson(ref);
            ObjectNode json = container == null ? null : context.object(container, "securityContext");
            ObjectNode capabilities = json == null ? null : context.object(json, "capabilities");
            if (capabilities != null) {
                JsonNode drop = capabilities.get("drop");
                if (drop == null || drop.isNull()) {
                    capabilities.putArray("drop").add("ALL");
                    changed = true;
                } else if (drop instanceof ArrayNode) {
                    context.array(capabilities, "drop").add("ALL");
                    changed = true;
                }
            }
        }
        return changed;
    }

    /** {@code SYS_ADMIN} in {@code capabilities.add}, with or without the {@code CAP_} prefix. */
    static boolean addsSysAdmin(@Nullable SecurityContext sc) {
        Capabilities caps = sc == null ? null : sc.getCapabilities();
        if (caps == null || caps.getAdd() == null) {
            return false;
        }
        for (String cap : caps.getAdd()) {
            if (cap != null) {
                String name = cap.toUpperCase(Locale.ROOT);
                if (name.equals("SYS_ADMIN") || name.equals("CAP_SYS_ADMIN")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean dropsAll(@Nullable SecurityContext sc) {
        Capabilities caps = sc == null ? null : sc.getCapabilities();
        List<String> drop = caps == null ? null : caps.getDrop();
        return drop != null && drop.contains("ALL");
    }

    private static boolean setsSeccomp(DefaultingContext context) {
        PodSecurityContext podSc = context.pod().podSpec().getSecurityContext();
        if (podSc != null && podSc.getSeccompProfile() != null) {
            return true;
        }
        for (ContainerRef ref : context.containers()) {
            SecurityContext sc = ref.container().getSecurityContext();
            if (sc != null && sc.getSeccompProfile() != null) {
                return true;
            }
        }
        Map<String, String> annotations = context.pod().podMeta().getAnnotations();
        if (annotations != null) {
            for (String key : annotations.keySet()) {
                if (key.equals(Pods.SECCOMP_POD_ANNOTATION) || key.startsWith(Pods.SECCOMP_CONTAINER_ANNOTATION_PREFIX)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean runsAsRootExplicitly(DefaultingContext context) {
        PodSecurityContext podSc = context.pod().podSpec().getSecurityContext();
        if (podSc != null && Long.valueOf(0).equals(podSc.getRunAsUser())) {
            return true;
        }
        for (ContainerRef ref : context.containers()) {
            SecurityContext sc = ref.container().getSecurityContext();
            if (sc != null && Long.valueOf(0).equals(sc.getRunAsUser())) {
                return true;
            }
        }
        return false;
    }
}

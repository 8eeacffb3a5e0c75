package io.podguard.engine.pss;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SELinuxOptions;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.podguard.engine.ContainerRef;
import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Setting the SELinux type is restricted, and setting a custom SELinux user or role is forbidden.
 *
 * <p>Restricted fields: {@code spec.securityContext.seLinuxOptions.type} and the same field of
 * every container; allowed values: undefined/empty, {@code container_t}, {@code container_init_t},
 * {@code container_kvm_t}, and from v1.31 {@code container_engine_t}.
 *
 * <p>Restricted fields: {@code seLinuxOptions.user} and {@code seLinuxOptions.role} of the pod and
 * every container; allowed values: undefined/empty.
 */
public final class SeLinuxOptionsCheck {

    public static final String ID = "seLinuxOptions";

    static final Set<String> ALLOWED_TYPES_1_0 = Set.of("", "container_t", "container_init_t", "container_kvm_t");
    public static final Set<String> ALLOWED_TYPES_1_31 =
            Set.of("", "container_t", "container_init_t", "container_kvm_t", "container_engine_t");

    public static final Check CHECK = new Check(ID, Level.BASELINE, List.of(
            new CheckVersion(PssVersion.of(0), SeLinuxOptionsCheck::v1_0),
            new CheckVersion(PssVersion.of(31), SeLinuxOptionsCheck::v1_31)));

    private SeLinuxOptionsCheck() {
    }

    static CheckResult v1_0(ObjectMeta meta, PodSpec spec) {
        return check(spec, ALLOWED_TYPES_1_0);
    }

    static CheckResult v1_31(ObjectMeta meta, PodSpec spec) {
        return check(spec, ALLOWED_TYPES_1_31);
    }

    private static CheckResult check(PodSpec spec, Set<String> allowedTypes) {
        Found found = new Found(allowedTypes);
        List<String> setters = new ArrayList<>(2);
        if (spec.getSecurityContext() != null && spec.getSecurityContext().getSeLinuxOptions() != null) {
            if (!found.valid(spec.getSecurityContext().getSeLinuxOptions(), "spec.securityContext")) {
                setters.add("pod");
            }
        }
        List<String> badContainers = new ArrayList<>();
        for (ContainerRef ref : ContainerRef.all(spec)) {
            SecurityContext sc = ref.container().getSecurityContext();
            if (sc != null && sc.getSeLinuxOptions() != null && !found.valid(sc.getSeLinuxOptions(), ref.path() + ".securityContext")) {
                badContainers.add(ref.name());
            }
        }
        if (!badContainers.isEmpty()) {
            setters.add(Messages.containers(badContainers));
        }
        if (setters.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        List<String> data = new ArrayList<>(3);
        if (!found.badTypes.isEmpty()) {
            data.add(Messages.pluralize("type", "types", found.badTypes.size()) + " " + Messages.joinQuote(found.badTypes));
        }
        if (found.setUser) {
            data.add("user may not be set");
        }
        if (found.setRole) {
            data.add("role may not be set");
        }
        return CheckResult.forbidden("seLinuxOptions", String.join(" and ", setters)
                + " set forbidden securityContext.seLinuxOptions: " + String.join("; ", data), found.paths);
    }

    /** What one evaluation found across the pod and its containers. */
    private static final class Found {
        final Set<String> allowedTypes;
        final TreeSet<String> badTypes = new TreeSet<>();
        final List<String> paths = new ArrayList<>();
        boolean setUser;
        boolean setRole;

        Found(Set<String> allowedTypes) {
            this.allowedTypes = allowedTypes;
        }

        boolean valid(SELinuxOptions opts, String securityContextPath) {
            boolean valid = true;
            String type = opts.getType() == null ? "" : opts.getType();
            if (!allowedTypes.contains(type)) {
                valid = false;
                badTypes.add(type);
                paths.add(securityContextPath + ".seLinuxOptions.type");
            }
            if (opts.getUser() != null && !opts.getUser().isEmpty()) {
                valid = false;
                setUser = true;
                paths.add(securityContextPath + ".seLinuxOptions.user");
            }
            if (opts.getRole() != null && !opts.getRole().isEmpty()) {
                valid = false;
                setRole = true;
                paths.add(securityContextPath + ".seLinuxOptions.role");
            }
            return valid;
        }
    }
}

package io.podguard.engine.pss;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.podguard.engine.ContainerRef;
import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Adding capabilities beyond the default set must be disallowed.
 *
 * <p>Restricted fields: {@code spec.containers[*].securityContext.capabilities.add},
 * {@code spec.initContainers[*].securityContext.capabilities.add},
 * {@code spec.ephemeralContainers[*].securityContext.capabilities.add}.
 *
 * <p>Allowed values: undefined/empty, or values from the default set {@link #ALLOWED_1_0}.
 */
public final class CapabilitiesBaselineCheck {

    public static final String ID = "capabilities_baseline";

    public static final Set<String> ALLOWED_1_0 = Set.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
            "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");

    public static final Check CHECK = new Check(ID, Level.BASELINE,
            List.of(new CheckVersion(PssVersion.of(0), CapabilitiesBaselineCheck::v1_0)));

    private CapabilitiesBaselineCheck() {
    }

    static CheckResult v1_0(ObjectMeta meta, PodSpec spec) {
        List<String> bad = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        TreeSet<String> forbidden = new TreeSet<>();
        for (ContainerRef ref : ContainerRef.all(spec)) {
            SecurityContext sc = ref.container().getSecurityContext();
            Capabilities caps = sc == null ? null : sc.getCapabilities();
            if (caps == null || caps.getAdd() == null) {
                continue;
            }
            boolean valid = true;
            List<String> add = caps.getAdd();
            for (int i = 0; i < add.size(); i++) {
                String cap = add.get(i) == null ? "" : add.get(i);
                if (!ALLOWED_1_0.contains(cap)) {
                    valid = false;
                    forbidden.add(cap);
                    paths.add(ref.path() + ".securityContext.capabilities.add[" + i + "]");
                }
            }
            if (!valid) {
                bad.add(ref.name());
            }
        }
        if (bad.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden("non-default capabilities", Messages.containers(bad) + " must not include "
                + Messages.joinQuote(forbidden) + " in securityContext.capabilities.add", paths);
    }
}

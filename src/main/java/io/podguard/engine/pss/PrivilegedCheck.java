package io.podguard.engine.pss;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.podguard.engine.ContainerRef;
import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * Privileged pods disable most security mechanisms and must be disallowed.
 *
 * <p>Restricted fields: {@code spec.containers[*].securityContext.privileged},
 * {@code spec.initContainers[*].securityContext.privileged},
 * {@code spec.ephemeralContainers[*].securityContext.privileged}.
 *
 * <p>Allowed values: false, undefined/null.
 */
public final class PrivilegedCheck {

    public static final String ID = "privileged";

    public static final Check CHECK = new Check(ID, Level.BASELINE,
            List.of(new CheckVersion(PssVersion.of(0), PrivilegedCheck::v1_0)));

    private PrivilegedCheck() {
    }

    static CheckResult v1_0(ObjectMeta meta, PodSpec spec) {
        List<String> bad = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (ContainerRef ref : ContainerRef.all(spec)) {
            SecurityContext sc = ref.container().getSecurityContext();
            if (sc != null && Boolean.TRUE.equals(sc.getPrivileged())) {
                bad.add(ref.name());
                paths.add(ref.path() + ".securityContext.privileged");
            }
        }
        if (bad.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden("privileged",
                Messages.containers(bad) + " must not set securityContext.privileged=true", paths);
    }
}

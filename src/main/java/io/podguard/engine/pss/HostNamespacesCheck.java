package io.podguard.engine.pss;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * Sharing the host namespaces must be disallowed.
 *
 * <p>Restricted fields: {@code spec.hostNetwork}, {@code spec.hostPID}, {@code spec.hostIPC}.
 *
 * <p>Allowed values: false, undefined/null.
 */
public final class HostNamespacesCheck {

    public static final String ID = "hostNamespaces";

    public static final Check CHECK = new Check(ID, Level.BASELINE,
            List.of(new CheckVersion(PssVersion.of(0), HostNamespacesCheck::v1_0)));

    private HostNamespacesCheck() {
    }

    static CheckResult v1_0(ObjectMeta meta, PodSpec spec) {
        // In upstream's fixed order (check_hostNamespaces.go): hostNetwork, hostPID, hostIPC.
        List<String> found = new ArrayList<>(3);
        List<String> paths = new ArrayList<>(3);
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            found.add("hostNetwork=true");
            paths.add("spec.hostNetwork");
        }
        if (Boolean.TRUE.equals(spec.getHostPID())) {
            found.add("hostPID=true");
            paths.add("spec.hostPID");
        }
        if (Boolean.TRUE.equals(spec.getHostIPC())) {
            found.add("hostIPC=true");
            paths.add("spec.hostIPC");
        }
        if (found.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden("host namespaces", String.join(", ", found), paths);
    }
}

package io.podguard.engine.pss;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.podguard.engine.ContainerRef;
import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * HostPort ports must be forbidden.
 *
 * <p>Restricted fields: {@code spec.containers[*].ports[*].hostPort},
 * {@code spec.initContainers[*].ports[*].hostPort}, {@code spec.ephemeralContainers[*].ports[*].hostPort}.
 *
 * <p>Allowed values: undefined/0.
 */
public final class HostPortsCheck {

    public static final String ID = "hostPorts";

    public static final Check CHECK = new Check(ID, Level.BASELINE,
            List.of(new CheckVersion(PssVersion.of(0), HostPortsCheck::v1_0)));

    private HostPortsCheck() {
    }

    static CheckResult v1_0(ObjectMeta meta, PodSpec spec) {
        List<String> bad = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        // PSA sorts the ports as strings ("10000" before "8080"), so do we.
        TreeSet<String> ports = new TreeSet<>();
        for (ContainerRef ref : ContainerRef.all(spec)) {
            List<ContainerPort> containerPorts = ref.container().getPorts();
            if (containerPorts == null) {
                continue;
            }
            boolean valid = true;
            for (int i = 0; i < containerPorts.size(); i++) {
                ContainerPort port = containerPorts.get(i);
                Integer hostPort = port == null ? null : port.getHostPort();
                if (hostPort != null && hostPort != 0) {
                    valid = false;
                    ports.add(Integer.toString(hostPort));
                    paths.add(ref.path() + ".ports[" + i + "].hostPort");
                }
            }
            if (!valid) {
                bad.add(ref.name());
            }
        }
        if (bad.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden("hostPort", Messages.containers(bad) + " "
                + Messages.pluralize("uses", "use", bad.size()) + " "
                + Messages.pluralize("hostPort", "hostPorts", ports.size()) + " "
                + String.join(", ", ports), paths);
    }
}

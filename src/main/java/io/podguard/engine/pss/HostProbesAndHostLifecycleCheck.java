package io.podguard.engine.pss;

import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.TCPSocketAction;
import io.podguard.engine.ContainerRef;
import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Probes and lifecycle handlers must not reach other hosts through their {@code host} field.
 *
 * <p>Restricted fields, for every container, init container and ephemeral container:
 * {@code livenessProbe}, {@code readinessProbe}, {@code startupProbe}, {@code lifecycle.postStart}
 * and {@code lifecycle.preStop}, each {@code .httpGet.host} and {@code .tcpSocket.host}.
 *
 * <p>Allowed values: {@code ""}, undefined/null. From v1.34.
 */
public final class HostProbesAndHostLifecycleCheck {

    public static final String ID = "hostProbesAndHostLifecycle";

    public static final Check CHECK = new Check(ID, Level.BASELINE,
            List.of(new CheckVersion(PssVersion.of(34), HostProbesAndHostLifecycleCheck::v1_34)));

    private HostProbesAndHostLifecycleCheck() {
    }

    static CheckResult v1_34(ObjectMeta meta, PodSpec spec) {
        // Both sets are sorted and distinct, as PSA's.
        TreeSet<String> badContainers = new TreeSet<>();
        TreeSet<String> hosts = new TreeSet<>();
        List<String> paths = new ArrayList<>();
        for (ContainerRef ref : ContainerRef.all(spec)) {
            int before = paths.size();
            probe(ref.container().getLivenessProbe(), ref.path() + ".livenessProbe", hosts, paths);
            probe(ref.container().getReadinessProbe(), ref.path() + ".readinessProbe", hosts, paths);
            probe(ref.container().getStartupProbe(), ref.path() + ".startupProbe", hosts, paths);
            Lifecycle lifecycle = ref.container().getLifecycle();
            if (lifecycle != null) {
                handler(lifecycle.getPostStart(), ref.path() + ".lifecycle.postStart", hosts, paths);
                handler(lifecycle.getPreStop(), ref.path() + ".lifecycle.preStop", hosts, paths);
            }
            if (paths.size() > before) {
                badContainers.add(ref.name() == null ? "" : ref.name());
            }
        }
        if (badContainers.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden("probe or lifecycle host", Messages.containers(badContainers) + " "
                + Messages.pluralize("uses", "use", badContainers.size()) + " "
                + Messages.pluralize("probe or lifecycle host", "probe or lifecycle hosts", hosts.size()) + " "
                + Messages.joinQuote(hosts), paths);
    }

    private static void probe(Probe probe, String path, TreeSet<String> hosts, List<String> paths) {
        if (probe != null) {
            actions(probe.getHttpGet(), probe.getTcpSocket(), path, hosts, paths);
        }
    }

    private static void handler(LifecycleHandler handler, String path, TreeSet<String> hosts, List<String> paths) {
        if (handler != null) {
            actions(handler.getHttpGet(), handler.getTcpSocket(), path, hosts, paths);
        }
    }

    private static void actions(HTTPGetAction httpGet, TCPSocketAction tcpSocket, String path, TreeSet<String> hosts, List<String> paths) {
        if (httpGet != null && httpGet.getHost() != null && !httpGet.getHost().isEmpty()) {
            hosts.add(httpGet.getHost());
            paths.add(path + ".httpGet.host");
        }
        if (tcpSocket != null && tcpSocket.getHost() != null && !tcpSocket.getHost().isEmpty()) {
            hosts.add(tcpSocket.getHost());
            paths.add(path + ".tcpSocket.host");
        }
    }
}

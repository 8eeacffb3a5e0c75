package io.podguard.engine.pss;

import io.fabric8.kubernetes.api.model.Container;
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
import org.jspecify.annotations.Nullable;

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
        // Nothing is allocated for a pod that passes (almost every pod): the findings, their sets
        // and field paths only once a host is found.
        Found found = null;
        for (ContainerRef ref : ContainerRef.all(spec)) {
            Container c = ref.container();
            Lifecycle lifecycle = c.getLifecycle();
            if (hasHost(c.getLivenessProbe()) || hasHost(c.getReadinessProbe()) || hasHost(c.getStartupProbe())
                    || lifecycle != null && (hasHost(lifecycle.getPostStart()) || hasHost(lifecycle.getPreStop()))) {
                if (found == null) {
                    found = new Found();
                }
                found.container(ref);
            }
        }
        if (found == null) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden("probe or lifecycle host", Messages.containers(found.badContainers) + " "
                + Messages.pluralize("uses", "use", found.badContainers.size()) + " "
                + Messages.pluralize("probe or lifecycle host", "probe or lifecycle hosts", found.hosts.size()) + " "
                + Messages.joinQuote(found.hosts), found.paths);
    }

    private static boolean hasHost(@Nullable Probe probe) {
        return probe != null && hasHost(probe.getHttpGet(), probe.getTcpSocket());
    }

    private static boolean hasHost(@Nullable LifecycleHandler handler) {
        return handler != null && hasHost(handler.getHttpGet(), handler.getTcpSocket());
    }

    private static boolean hasHost(@Nullable HTTPGetAction httpGet, @Nullable TCPSocketAction tcpSocket) {
        return httpGet != null && httpGet.getHost() != null && !httpGet.getHost().isEmpty()
                || tcpSocket != null && tcpSocket.getHost() != null && !tcpSocket.getHost().isEmpty();
    }

    /** The containers that reach other hosts, the hosts (both sorted and distinct, as PSA's) and the field paths. */
    private static final class Found {
        final TreeSet<String> badContainers = new TreeSet<>();
        final TreeSet<String> hosts = new TreeSet<>();
        final List<String> paths = new ArrayList<>();

        void container(ContainerRef ref) {
            Container c = ref.container();
            String path = ref.path();
            probe(c.getLivenessProbe(), path + ".livenessProbe");
            probe(c.getReadinessProbe(), path + ".readinessProbe");
            probe(c.getStartupProbe(), path + ".startupProbe");
            Lifecycle lifecycle = c.getLifecycle();
            if (lifecycle != null) {
                handler(lifecycle.getPostStart(), path + ".lifecycle.postStart");
                handler(lifecycle.getPreStop(), path + ".lifecycle.preStop");
            }
            badContainers.add(ref.name() == null ? "" : ref.name());
        }

        private void probe(@Nullable Probe probe, String path) {
            if (probe != null) {
                actions(probe.getHttpGet(), probe.getTcpSocket(), path);
            }
        }

        private void handler(@Nullable LifecycleHandler handler, String path) {
            if (handler != null) {
                actions(handler.getHttpGet(), handler.getTcpSocket(), path);
            }
        }

        private void actions(@Nullable HTTPGetAction httpGet, @Nullable TCPSocketAction tcpSocket, String path) {
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
}

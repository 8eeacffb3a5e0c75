package io.podguard.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One container of a pod, of any kind, with its field path. Ephemeral containers are presented
 * as {@link Container}s (their common fields), as PSA's {@code visitContainers} does.
 *
 * @param kind which list the container sits in
 * @param index its index in that list
 * @param container the container (an ephemeral container's common fields)
 */
public record ContainerRef(Kind kind, int index, Container container) {

    public enum Kind {
        CONTAINER("containers"), INIT_CONTAINER("initContainers"), EPHEMERAL_CONTAINER("ephemeralContainers");

        private final String field;

        Kind(String field) {
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    public String name() {
        return container.getName();
    }

    /** {@code spec.containers[0]} */
    public String path() {
        return "spec." + kind.field + "[" + index + "]";
    }

    /** {@code /spec/containers/0}: the JSON pointer of this container within the pod. */
    public String pointer() {
        return "/spec/" + kind.field + "/" + index;
    }

    /** An init container with {@code restartPolicy: Always}: a sidecar that runs beside the app. */
    public boolean isSidecar() {
        return kind == Kind.INIT_CONTAINER && "Always".equals(container.getRestartPolicy());
    }

    /** Init containers, containers, then ephemeral containers, PSA's visiting order. */
    public static List<ContainerRef> all(PodSpec spec) {
        List<ContainerRef> refs = new ArrayList<>();
        addAll(refs, Kind.INIT_CONTAINER, spec.getInitContainers());
        addAll(refs, Kind.CONTAINER, spec.getContainers());
        List<EphemeralContainer> ephemeral = spec.getEphemeralContainers();
        if (ephemeral != null) {
            for (int i = 0; i < ephemeral.size(); i++) {
                EphemeralContainer e = ephemeral.get(i);
                if (e != null) {
                    refs.add(new ContainerRef(Kind.EPHEMERAL_CONTAINER, i, asContainer(e)));
                }
            }
        }
        return Collections.unmodifiableList(refs);
    }

    private static void addAll(List<ContainerRef> refs, Kind kind, List<Container> containers) {
        if (containers == null) {
            return;
        }
        for (int i = 0; i < containers.size(); i++) {
            Container c = containers.get(i);
            if (c != null) {
                refs.add(new ContainerRef(kind, i, c));
            }
        }
    }

    private static Container asContainer(EphemeralContainer e) {
        Container c = new Container();
        c.setName(e.getName());
        c.setImage(e.getImage());
        c.setSecurityContext(e.getSecurityContext());
        c.setPorts(e.getPorts());
        c.setLivenessProbe(e.getLivenessProbe());
        c.setReadinessProbe(e.getReadinessProbe());
        c.setStartupProbe(e.getStartupProbe());
        c.setLifecycle(e.getLifecycle());
        c.setResources(e.getResources());
        c.setVolumeMounts(e.getVolumeMounts());
        c.setRestartPolicy(e.getRestartPolicy());
        c.setEnv(e.getEnv());
        c.setCommand(e.getCommand());
        c.setArgs(e.getArgs());
        return c;
    }
}

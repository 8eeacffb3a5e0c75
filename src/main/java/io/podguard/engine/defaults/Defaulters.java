package io.podguard.engine.defaults;

import java.util.List;

/**
 * The registry of every defaulter, in the order they run. One line per defaulter. Placement comes
 * last and in kube-apiserver's order (PodNodeSelector, PodTolerationRestriction,
 * ExtendedResourceToleration, all after LimitRanger): the memory-pressure toleration and the
 * extended-resource tolerations follow the resources the pod ends up with.
 */
public final class Defaulters {

    private static final List<Defaulter> ALL = List.of(
            new ResourcesDefaulter(),
            new ReadinessProbeDefaulter(),
            new LivenessProbeDefaulter(),
            new PreStopDefaulter(),
            new SecurityContextDefaulter(),
            new NodeSelectorDefaulter(),
            new TolerationsDefaulter(),
            new ExtendedResourceTolerationsDefaulter());

    private Defaulters() {
    }

    public static List<Defaulter> all() {
        return ALL;
    }
}

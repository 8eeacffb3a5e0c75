package io.podguard.engine.defaults;

import java.util.List;

/** The registry of every defaulter, in the order they run. One line per defaulter. */
public final class Defaulters {

    private static final List<Defaulter> ALL = List.of(
            new ResourcesDefaulter(),
            new ReadinessProbeDefaulter(),
            new LivenessProbeDefaulter(),
            new PreStopDefaulter(),
            new SecurityContextDefaulter());

    private Defaulters() {
    }

    public static List<Defaulter> all() {
        return ALL;
    }
}

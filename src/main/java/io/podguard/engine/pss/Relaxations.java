package io.podguard.engine.pss;

import io.podguard.engine.Pods;
import io.fabric8.kubernetes.api.model.PodSpec;

/** The pod-wide conditions under which later versions of some checks stand down. */
final class Relaxations {

    private Relaxations() {
    }

    /**
     * KEP-127: from v1.35, {@code runAsNonRoot}, {@code runAsUser} and baseline {@code procMount}
     * are relaxed for a pod that asks for its own user namespace ({@code hostUsers: false}).
     */
    static boolean userNamespace(PodSpec spec) {
        return Boolean.FALSE.equals(spec.getHostUsers());
    }

    /**
     * From v1.25, the Linux-only restricted checks (privilege escalation, seccomp, capabilities)
     * exempt pods that declare {@code spec.os.name: windows}.
     */
    static boolean windows(PodSpec spec) {
        return Pods.isWindows(spec);
    }
}

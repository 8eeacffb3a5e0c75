package io.podguard.engine;

import io.fabric8.kubernetes.api.model.PodSpec;

/** What every check, rule and defaulter reads of a pod the same way, named once. */
public final class Pods {

    /** The legacy pod-level seccomp annotation (before {@code seccompProfile}, Kubernetes 1.19). */
    public static final String SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
    /** The legacy per-container seccomp annotation, followed by the container's name. */
    public static final String SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";

    private Pods() {
    }

    /**
     * A pod that declares {@code spec.os.name: windows}, exactly as PSA tests it (the apiserver
     * accepts only {@code linux} and {@code windows}).
     */
    public static boolean isWindows(PodSpec spec) {
        return spec.getOs() != null && "windows".equals(spec.getOs().getName());
    }
}

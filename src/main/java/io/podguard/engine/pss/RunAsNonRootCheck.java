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
 * Containers must run as non-root users.
 *
 * <p>Restricted fields: {@code spec.securityContext.runAsNonRoot} and the same field of every
 * container.
 *
 * <p>Allowed values: true; undefined/null at container level when the pod level is true. From
 * v1.35 a pod with {@code hostUsers: false} is allowed whatever it sets: root in a user namespace
 * is not root on the host.
 */
public final class RunAsNonRootCheck {

    public static final String ID = "runAsNonRoot";

    public static final Check CHECK = new Check(ID, Level.RESTRICTED, List.of(
            new CheckVersion(PssVersion.of(0), RunAsNonRootCheck::v1_0),
            new CheckVersion(PssVersion.of(35), RunAsNonRootCheck::v1_35)));

    private RunAsNonRootCheck() {
    }

    static CheckResult v1_0(ObjectMeta meta, PodSpec spec) {
        List<String> setters = new ArrayList<>(2);
        List<String> explicitPaths = new ArrayList<>();
        boolean podRunAsNonRoot = false;
        if (spec.getSecurityContext() != null && spec.getSecurityContext().getRunAsNonRoot() != null) {
            if (!spec.getSecurityContext().getRunAsNonRoot()) {
                setters.add("pod");
                explicitPaths.add("spec.securityContext.runAsNonRoot");
            } else {
                podRunAsNonRoot = true;
            }
        }
        List<String> explicitlyBad = new ArrayList<>();
        List<String> implicitlyBad = new ArrayList<>();
        List<String> implicitPaths = new ArrayList<>();
        for (ContainerRef ref : ContainerRef.all(spec)) {
            SecurityContext sc = ref.container().getSecurityContext();
            if (sc != null && sc.getRunAsNonRoot() != null) {
                if (!sc.getRunAsNonRoot()) {
                    explicitlyBad.add(ref.name());
                    explicitPaths.add(ref.path() + ".securityContext.runAsNonRoot");
                }
            } else if (!podRunAsNonRoot) {
                implicitlyBad.add(ref.name());
                implicitPaths.add(ref.path() + ".securityContext.runAsNonRoot");
            }
        }
        if (!explicitlyBad.isEmpty()) {
            setters.add(Messages.containers(explicitlyBad));
        }
        if (!setters.isEmpty()) {
            return CheckResult.forbidden("runAsNonRoot != true",
                    String.join(" and ", setters) + " must not set securityContext.runAsNonRoot=false", explicitPaths);
        }
        if (!implicitlyBad.isEmpty()) {
            return CheckResult.forbidden("runAsNonRoot != true",
                    "pod or " + Messages.containers(implicitlyBad) + " must set securityContext.runAsNonRoot=true",
                    implicitPaths);
        }
        return CheckResult.ALLOWED;
    }

    static CheckResult v1_35(ObjectMeta meta, PodSpec spec) {
        if (Relaxations.userNamespace(spec)) {
            return CheckResult.ALLOWED;
        }
        return v1_0(meta, spec);
    }
}

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
 * Containers must not set {@code runAsUser: 0}.
 *
 * <p>Restricted fields: {@code spec.securityContext.runAsUser} and the same field of every container.
 *
 * <p>Allowed values: non-zero values, undefined/null. From v1.23; from v1.35 a pod with
 * {@code hostUsers: false} is allowed whatever it sets.
 */
public final class RunAsUserCheck {

    public static final String ID = "runAsUser";

    public static final Check CHECK = new Check(ID, Level.RESTRICTED, List.of(
            new CheckVersion(PssVersion.of(23), RunAsUserCheck::v1_23),
            new CheckVersion(PssVersion.of(35), RunAsUserCheck::v1_35)));

    private RunAsUserCheck() {
    }

    static CheckResult v1_23(ObjectMeta meta, PodSpec spec) {
        List<String> setters = new ArrayList<>(2);
        List<String> paths = new ArrayList<>();
        if (spec.getSecurityContext() != null && isRoot(spec.getSecurityContext().getRunAsUser())) {
            setters.add("pod");
            paths.add("spec.securityContext.runAsUser");
        }
        List<String> bad = new ArrayList<>();
        for (ContainerRef ref : ContainerRef.all(spec)) {
            SecurityContext sc = ref.container().getSecurityContext();
            if (sc != null && isRoot(sc.getRunAsUser())) {
                bad.add(ref.name());
                paths.add(ref.path() + ".securityContext.runAsUser");
            }
        }
        if (!bad.isEmpty()) {
            setters.add(Messages.containers(bad));
        }
        if (setters.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden("runAsUser=0", String.join(" and ", setters) + " must not set runAsUser=0", paths);
    }

    static CheckResult v1_35(ObjectMeta meta, PodSpec spec) {
        if (Relaxations.userNamespace(spec)) {
            return CheckResult.ALLOWED;
        }
        return v1_23(meta, spec);
    }

    private static boolean isRoot(Long uid) {
        return uid != null && uid == 0L;
    }
}

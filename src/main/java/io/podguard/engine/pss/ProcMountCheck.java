package io.podguard.engine.pss;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.podguard.engine.ContainerRef;
import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The default /proc masks reduce the attack surface and are required, unless (from v1.35) the pod
 * runs in a user namespace ({@code hostUsers: false}).
 *
 * <p>Restricted fields: {@code spec.containers[*].securityContext.procMount} (and init and
 * ephemeral containers).
 *
 * <p>Allowed values: undefined/null, {@code Default}; from v1.35 any value when
 * {@code spec.hostUsers} is false. Restricted keeps the strict rule: {@link ProcMountRestrictedCheck}.
 */
public final class ProcMountCheck {

    public static final String ID = "procMount";

    public static final Check CHECK = new Check(ID, Level.BASELINE, List.of(
            new CheckVersion(PssVersion.of(0), ProcMountCheck::v1_0),
            new CheckVersion(PssVersion.of(35), ProcMountCheck::v1_35)));

    private ProcMountCheck() {
    }

    static CheckResult v1_0(ObjectMeta meta, PodSpec spec) {
        List<String> bad = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        TreeSet<String> types = new TreeSet<>();
        for (ContainerRef ref : ContainerRef.all(spec)) {
            SecurityContext sc = ref.container().getSecurityContext();
            if (sc != null && sc.getProcMount() != null && !"Default".equals(sc.getProcMount())) {
                bad.add(ref.name());
                types.add(sc.getProcMount());
                paths.add(ref.path() + ".securityContext.procMount");
            }
        }
        if (bad.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden("procMount", Messages.containers(bad)
                + " must not set securityContext.procMount to " + Messages.joinQuote(types), paths);
    }

    static CheckResult v1_35(ObjectMeta meta, PodSpec spec) {
        // Pod validation checks that the type is well formed; a user-namespaced pod may use any.
        if (Relaxations.userNamespace(spec)) {
            return CheckResult.ALLOWED;
        }
        return v1_0(meta, spec);
    }
}

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
 * Privilege escalation (through set-user-ID or set-group-ID file modes) must not be allowed.
 *
 * <p>Restricted fields: {@code spec.containers[*].securityContext.allowPrivilegeEscalation} (and
 * init and ephemeral containers).
 *
 * <p>Allowed values: false. From v1.8 (when the field appeared); from v1.25 pods with
 * {@code spec.os.name: windows} are exempt, the field being Linux-only.
 */
public final class AllowPrivilegeEscalationCheck {

    public static final String ID = "allowPrivilegeEscalation";

    public static final Check CHECK = new Check(ID, Level.RESTRICTED, List.of(
            new CheckVersion(PssVersion.of(8), AllowPrivilegeEscalationCheck::v1_8),
            new CheckVersion(PssVersion.of(25), AllowPrivilegeEscalationCheck::v1_25)));

    private AllowPrivilegeEscalationCheck() {
    }

    static CheckResult v1_8(ObjectMeta meta, PodSpec spec) {
        List<String> bad = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (ContainerRef ref : ContainerRef.all(spec)) {
            SecurityContext sc = ref.container().getSecurityContext();
            if (sc == null || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                bad.add(ref.name());
                paths.add(ref.path() + ".securityContext.allowPrivilegeEscalation");
            }
        }
        if (bad.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden("allowPrivilegeEscalation != false",
                Messages.containers(bad) + " must set securityContext.allowPrivilegeEscalation=false", paths);
    }

    static CheckResult v1_25(ObjectMeta meta, PodSpec spec) {
        // Pod validation refuses the field on Windows pods, so they cannot be asked to set it.
        if (Relaxations.windows(spec)) {
            return CheckResult.ALLOWED;
        }
        return v1_8(meta, spec);
    }
}

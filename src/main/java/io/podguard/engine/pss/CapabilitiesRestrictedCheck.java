package io.podguard.engine.pss;

import io.fabric8.kubernetes.api.model.Capabilities;
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
 * Containers must drop ALL capabilities, and may add back only {@code NET_BIND_SERVICE}.
 *
 * <p>Restricted fields: {@code spec.containers[*].securityContext.capabilities.drop} (must include
 * {@code ALL}) and {@code …capabilities.add} (undefined/empty or {@code NET_BIND_SERVICE}), for
 * every container kind.
 *
 * <p>From v1.22 (replacing baseline {@code capabilities_baseline}); from v1.25 pods with
 * {@code spec.os.name: windows} are exempt.
 */
public final class CapabilitiesRestrictedCheck {

    public static final String ID = "capabilities_restricted";

    public static final Check CHECK = new Check(ID, Level.RESTRICTED, List.of(
            new CheckVersion(PssVersion.of(22), CapabilitiesRestrictedCheck::v1_22, List.of(CapabilitiesBaselineCheck.ID)),
            new CheckVersion(PssVersion.of(25), CapabilitiesRestrictedCheck::v1_25, List.of(CapabilitiesBaselineCheck.ID))));

    private CapabilitiesRestrictedCheck() {
    }

    static CheckResult v1_22(ObjectMeta meta, PodSpec spec) {
        List<String> missingDropAll = new ArrayList<>();
        List<String> addingForbidden = new ArrayList<>();
        TreeSet<String> forbidden = new TreeSet<>();
        List<String> dropPaths = new ArrayList<>();
        List<String> addPaths = new ArrayList<>();
        for (ContainerRef ref : ContainerRef.all(spec)) {
            SecurityContext sc = ref.container().getSecurityContext();
            Capabilities caps = sc == null ? null : sc.getCapabilities();
            if (caps == null) {
                missingDropAll.add(ref.name());
                dropPaths.add(ref.path() + ".securityContext.capabilities.drop");
                continue;
            }
            if (caps.getDrop() == null || !caps.getDrop().contains("ALL")) {
                missingDropAll.add(ref.name());
                dropPaths.add(ref.path() + ".securityContext.capabilities.drop");
            }
            List<String> add = caps.getAdd();
            if (add != null) {
                boolean addedForbidden = false;
                for (int i = 0; i < add.size(); i++) {
                    String cap = add.get(i) == null ? "" : add.get(i);
                    if (!"NET_BIND_SERVICE".equals(cap)) {
                        addedForbidden = true;
                        forbidden.add(cap);
                        addPaths.add(ref.path() + ".securityContext.capabilities.add[" + i + "]");
                    }
                }
                if (addedForbidden) {
                    addingForbidden.add(ref.name());
                }
            }
        }
        List<String> details = new ArrayList<>(2);
        if (!missingDropAll.isEmpty()) {
            details.add(Messages.containers(missingDropAll) + " must set securityContext.capabilities.drop=[\"ALL\"]");
        }
        if (!addingForbidden.isEmpty()) {
            details.add(Messages.containers(addingForbidden) + " must not include " + Messages.joinQuote(forbidden)
                    + " in securityContext.capabilities.add");
        }
        if (details.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        List<String> paths = new ArrayList<>(dropPaths);
        paths.addAll(addPaths);
        return CheckResult.forbidden("unrestricted capabilities", String.join("; ", details), paths);
    }

    static CheckResult v1_25(ObjectMeta meta, PodSpec spec) {
        // Pod validation refuses capabilities on Windows pods, so they cannot be asked to drop them.
        if (Relaxations.windows(spec)) {
            return CheckResult.ALLOWED;
        }
        return v1_22(meta, spec);
    }
}

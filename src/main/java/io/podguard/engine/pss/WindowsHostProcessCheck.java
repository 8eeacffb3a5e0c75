package io.podguard.engine.pss;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.WindowsSecurityContextOptions;
import io.podguard.engine.ContainerRef;
import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * Windows HostProcess containers get privileged access to the Windows host and must be disallowed.
 *
 * <p>Restricted fields: {@code spec.securityContext.windowsOptions.hostProcess} and the same field
 * of every container.
 *
 * <p>Allowed values: undefined/false.
 */
public final class WindowsHostProcessCheck {

    public static final String ID = "windowsHostProcess";

    public static final Check CHECK = new Check(ID, Level.BASELINE,
            List.of(new CheckVersion(PssVersion.of(0), WindowsHostProcessCheck::v1_0)));

    private WindowsHostProcessCheck() {
    }

    static CheckResult v1_0(ObjectMeta meta, PodSpec spec) {
        List<String> bad = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        boolean pod = spec.getSecurityContext() != null && hostProcess(spec.getSecurityContext().getWindowsOptions());
        if (pod) {
            paths.add("spec.securityContext.windowsOptions.hostProcess");
        }
        for (ContainerRef ref : ContainerRef.all(spec)) {
            SecurityContext sc = ref.container().getSecurityContext();
            if (sc != null && hostProcess(sc.getWindowsOptions())) {
                bad.add(ref.name());
                paths.add(ref.path() + ".securityContext.windowsOptions.hostProcess");
            }
        }
        List<String> setters = new ArrayList<>(2);
        if (pod) {
            setters.add("pod");
        }
        if (!bad.isEmpty()) {
            setters.add(Messages.containers(bad));
        }
        if (setters.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden("hostProcess", String.join(" and ", setters)
                + " must not set securityContext.windowsOptions.hostProcess=true", paths);
    }

    private static boolean hostProcess(WindowsSecurityContextOptions options) {
        return options != null && Boolean.TRUE.equals(options.getHostProcess());
    }
}

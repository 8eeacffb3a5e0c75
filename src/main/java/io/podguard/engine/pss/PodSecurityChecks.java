package io.podguard.engine.pss;

import java.util.List;

/** The registry of every Pod Security Standards check podguard runs. One line per check. */
public final class PodSecurityChecks {

    private static final List<Check> ALL = List.of(
            // baseline
            PrivilegedCheck.CHECK,
            HostNamespacesCheck.CHECK,
            HostPathVolumesCheck.CHECK,
            HostPortsCheck.CHECK,
            CapabilitiesBaselineCheck.CHECK,
            AppArmorProfileCheck.CHECK,
            SeLinuxOptionsCheck.CHECK,
            ProcMountCheck.CHECK,
            SeccompProfileBaselineCheck.CHECK,
            SysctlsCheck.CHECK,
            WindowsHostProcessCheck.CHECK,
            HostProbesAndHostLifecycleCheck.CHECK,
            // restricted
            RestrictedVolumesCheck.CHECK,
            AllowPrivilegeEscalationCheck.CHECK,
            RunAsNonRootCheck.CHECK,
            RunAsUserCheck.CHECK,
            SeccompProfileRestrictedCheck.CHECK,
            CapabilitiesRestrictedCheck.CHECK,
            ProcMountRestrictedCheck.CHECK);

    private static final CheckRegistry REGISTRY = new CheckRegistry(ALL);

    private PodSecurityChecks() {
    }

    public static CheckRegistry registry() {
        return REGISTRY;
    }
}

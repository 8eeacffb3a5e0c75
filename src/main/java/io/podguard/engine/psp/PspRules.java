package io.podguard.engine.psp;

/**
 * The rule ids of PSP violations: {@code psp.} and the PodSecurityPolicy spec field (or
 * annotation) that was broken. Stable: metrics, reports and exemptions name them.
 */
public final class PspRules {

    public static final String PRIVILEGED = "psp.privileged";
    public static final String HOST_NETWORK = "psp.hostNetwork";
    public static final String HOST_PID = "psp.hostPID";
    public static final String HOST_IPC = "psp.hostIPC";
    public static final String HOST_PORTS = "psp.hostPorts";
    public static final String VOLUMES = "psp.volumes";
    public static final String ALLOWED_HOST_PATHS = "psp.allowedHostPaths";
    public static final String ALLOWED_FLEX_VOLUMES = "psp.allowedFlexVolumes";
    public static final String ALLOWED_CSI_DRIVERS = "psp.allowedCSIDrivers";
    public static final String CAPABILITIES = "psp.capabilities";
    public static final String ALLOW_PRIVILEGE_ESCALATION = "psp.allowPrivilegeEscalation";
    public static final String READ_ONLY_ROOT_FILESYSTEM = "psp.readOnlyRootFilesystem";
    public static final String RUN_AS_USER = "psp.runAsUser";
    public static final String RUN_AS_GROUP = "psp.runAsGroup";
    public static final String SUPPLEMENTAL_GROUPS = "psp.supplementalGroups";
    public static final String FS_GROUP = "psp.fsGroup";
    public static final String SE_LINUX = "psp.seLinux";
    public static final String SYSCTLS = "psp.sysctls";
    public static final String PROC_MOUNT = "psp.allowedProcMountTypes";
    public static final String RUNTIME_CLASS = "psp.runtimeClass";
    public static final String SECCOMP = "psp.seccomp";
    public static final String APP_ARMOR = "psp.appArmor";
    /** No PodSecurityPolicy applies to the pod at all. */
    public static final String NO_POLICY = "psp.none";

    private PspRules() {
    }
}

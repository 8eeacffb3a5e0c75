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
    /**
     * Every policy that applies would admit the pod only after its defaults, which were not
     * applied (the mutating webhook did not run): upstream's {@code unable to validate pod: []}.
     */
    public static final String NEEDS_DEFAULTS = "psp.needsDefaults";
    /** No PodSecurityPolicy applies to the pod at all. */
    public static final String NO_POLICY = "psp.none";

    /** Every rule id above. */
    public static final java.util.Set<String> ALL = java.util.Set.of(PRIVILEGED, HOST_NETWORK, HOST_PID, HOST_IPC, HOST_PORTS,
            VOLUMES, ALLOWED_HOST_PATHS, ALLOWED_FLEX_VOLUMES, ALLOWED_CSI_DRIVERS, CAPABILITIES, ALLOW_PRIVILEGE_ESCALATION,
            READ_ONLY_ROOT_FILESYSTEM, RUN_AS_USER, RUN_AS_GROUP, SUPPLEMENTAL_GROUPS, FS_GROUP, SE_LINUX, SYSCTLS, PROC_MOUNT,
            RUNTIME_CLASS, SECCOMP, APP_ARMOR, NEEDS_DEFAULTS, NO_POLICY);

    private PspRules() {
    }
}

package io.podguard.engine.psp;

import io.fabric8.kubernetes.api.model.policy.v1beta1.HostPortRange;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodSecurityPolicy;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodSecurityPolicySpec;
import io.podguard.engine.ContainerRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One PodSecurityPolicy, ready to default and judge pods exactly as Kubernetes 1.24's PSP
 * provider did: {@link #mutate} fills in what the policy defaults (pod level, then each
 * container), {@link #validate} lists every field that breaks it, in upstream's order and
 * wording. Built by {@link PspSet} from a validated policy; immutable and thread-safe.
 */
public final class PspProvider {

    private final String name;
    private final PodSecurityPolicy policy;
    private final PodSecurityPolicySpec spec;
    private final PspBinding binding;
    private final GroupStrategy fsGroup;
    private final GroupStrategy supplementalGroups;
    private final GroupStrategy runAsGroup;
    private final UserStrategy runAsUser;
    private final SeLinuxStrategy seLinux;
    private final CapabilitiesStrategy capabilities;
    private final SeccompStrategy seccomp;
    private final AppArmorStrategy appArmor;
    private final SysctlStrategy sysctls;
    private final VolumeRules volumes;
    private final boolean allowPrivilegeEscalation;

    PspProvider(PodSecurityPolicy policy, PspBinding binding, GroupStrategy fsGroup, GroupStrategy supplementalGroups,
                GroupStrategy runAsGroup, UserStrategy runAsUser, SeLinuxStrategy seLinux) {
        this.name = policy.getMetadata().getName();
        this.policy = policy;
        this.spec = policy.getSpec();
        this.binding = binding;
        this.fsGroup = fsGroup;
        this.supplementalGroups = supplementalGroups;
        this.runAsGroup = runAsGroup;
        this.runAsUser = runAsUser;
        this.seLinux = seLinux;
        Map<String, String> annotations = policy.getMetadata().getAnnotations() == null
                ? Map.of() : policy.getMetadata().getAnnotations();
        this.capabilities = new CapabilitiesStrategy(spec.getDefaultAddCapabilities(), spec.getRequiredDropCapabilities(),
                spec.getAllowedCapabilities());
        this.seccomp = new SeccompStrategy(annotations);
        this.appArmor = new AppArmorStrategy(annotations);
        this.sysctls = new SysctlStrategy(spec.getAllowedUnsafeSysctls(), spec.getForbiddenSysctls());
        this.volumes = new VolumeRules(spec.getVolumes(), spec.getAllowedHostPaths(), spec.getAllowedFlexVolumes(),
                spec.getAllowedCSIDrivers());
        // The API defaults an unset allowPrivilegeEscalation to true.
        this.allowPrivilegeEscalation = !Boolean.FALSE.equals(spec.getAllowPrivilegeEscalation());
    }

    public String name() {
        return name;
    }

    public PodSecurityPolicy policy() {
        return policy;
    }

    public PspBinding binding() {
        return binding;
    }

    // ---------------------------------------------------------------- mutation

    /**
     * Sets, in place on the pod's JSON, every default the policy gives and the pod lacks:
     * upstream's {@code MutatePod} (pod security context, seccomp, runtime class), then each
     * container's security context, init containers first.
     */
    void mutate(PodJson pod, List<ContainerRef> containers) {
        JsonNode sc = pod.podSecurityContext();
        if (PodJson.field(sc, "supplementalGroups") == null) {
            List<Long> groups = supplementalGroups.generate();
            if (groups != null) {
                var array = pod.ensurePodSecurityContext().putArray("supplementalGroups");
                groups.forEach(g -> PodJson.addNumber(array, g));
            }
        }
        if (PodJson.field(pod.podSecurityContext(), "fsGroup") == null) {
            Long group = fsGroup.generateSingle();
            if (group != null) {
                PodJson.putNumber(pod.ensurePodSecurityContext(), "fsGroup", group);
            }
        }
        if (PodJson.field(pod.podSecurityContext(), "seLinuxOptions") == null && seLinux.mustRunAs()) {
            seLinux.generate(pod.ensurePodSecurityContext(), "seLinuxOptions");
        }
        seccomp.generate(pod);
        if (spec.getRuntimeClass() != null && PodJson.field(pod.spec(), "runtimeClassName") == null
                && spec.getRuntimeClass().getDefaultRuntimeClassName() != null) {
            pod.ensureSpec().put("runtimeClassName", spec.getRuntimeClass().getDefaultRuntimeClassName());
        }
        for (ContainerRef ref : containers) {
            mutateContainer(pod, ref);
        }
    }

    private void mutateContainer(PodJson pod, ContainerRef ref) {
        if (effective(pod, ref, "runAsUser") == null) {
            Long uid = runAsUser.generate();
            if (uid != null) {
                PodJson.putNumber(pod.ensureContainerSecurityContext(ref), "runAsUser", uid);
            }
        }
        if (effective(pod, ref, "runAsGroup") == null) {
            Long gid = runAsGroup.generateSingle();
            if (gid != null) {
                PodJson.putNumber(pod.ensureContainerSecurityContext(ref), "runAsGroup", gid);
            }
        }
        if (effective(pod, ref, "seLinuxOptions") == null && seLinux.mustRunAs()) {
            seLinux.generate(pod.ensureContainerSecurityContext(ref), "seLinuxOptions");
        }
        appArmor.generate(pod, ref);
        if (runAsUser.rule() == UserStrategy.Rule.MUST_RUN_AS_NON_ROOT
                && effective(pod, ref, "runAsNonRoot") == null && effective(pod, ref, "runAsUser") == null) {
            pod.ensureContainerSecurityContext(ref).put("runAsNonRoot", true);
        }
        capabilities.generate(pod, ref);
        JsonNode sc = pod.containerSecurityContext(ref);
        if (Boolean.TRUE.equals(spec.getReadOnlyRootFilesystem()) && PodJson.bool(sc, "readOnlyRootFilesystem") == null) {
            pod.ensureContainerSecurityContext(ref).put("readOnlyRootFilesystem", true);
        }
        sc = pod.containerSecurityContext(ref);
        if (spec.getDefaultAllowPrivilegeEscalation() != null && PodJson.field(sc, "allowPrivilegeEscalation") == null) {
            pod.ensureContainerSecurityContext(ref).put("allowPrivilegeEscalation", spec.getDefaultAllowPrivilegeEscalation());
        }
        sc = pod.containerSecurityContext(ref);
        if (!allowPrivilegeEscalation && PodJson.field(sc, "allowPrivilegeEscalation") == null) {
            pod.ensureContainerSecurityContext(ref).put("allowPrivilegeEscalation", false);
        }
    }

    /** The container's value of a field it inherits from the pod's security context when unset. */
    private static @Nullable JsonNode effective(PodJson pod, ContainerRef ref, String field) {
        JsonNode own = PodJson.field(pod.containerSecurityContext(ref), field);
        return own != null ? own : PodJson.field(pod.podSecurityContext(), field);
    }

    // ---------------------------------------------------------------- validation

    /** Every way the pod breaks this policy, in upstream's order; empty when it complies. */
    List<FieldError> validate(PodJson pod, List<ContainerRef> containers) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode sc = pod.podSecurityContext();
        String scPath = "spec.securityContext";
        Long fs = PodJson.number(sc, "fsGroup");
        fsGroup.validate(scPath + ".fsGroup", fs == null ? null : List.of(fs), errors);
        supplementalGroups.validate(scPath + ".supplementalGroups", PodJson.numbers(sc, "supplementalGroups"), errors);
        seccomp.validatePod(pod, errors);
        seLinux.validate(scPath + ".seLinuxOptions", PodJson.field(sc, "seLinuxOptions"), errors);
        JsonNode podSpec = pod.spec();
        if (!Boolean.TRUE.equals(spec.getHostNetwork()) && Boolean.TRUE.equals(PodJson.bool(podSpec, "hostNetwork"))) {
            errors.add(FieldError.invalid(PspRules.HOST_NETWORK, scPath + ".hostNetwork", "true", "Host network is not allowed to be used"));
        }
        if (!Boolean.TRUE.equals(spec.getHostPID()) && Boolean.TRUE.equals(PodJson.bool(podSpec, "hostPID"))) {
            errors.add(FieldError.invalid(PspRules.HOST_PID, scPath + ".hostPID", "true", "Host PID is not allowed to be used"));
        }
        if (!Boolean.TRUE.equals(spec.getHostIPC()) && Boolean.TRUE.equals(PodJson.bool(podSpec, "hostIPC"))) {
            errors.add(FieldError.invalid(PspRules.HOST_IPC, scPath + ".hostIPC", "true", "Host IPC is not allowed to be used"));
        }
        sysctls.validate(pod, errors);
        volumes.validate(pod, containers, errors);
        if (spec.getRuntimeClass() != null) {
            String runtimeClass = PodJson.text(podSpec, "runtimeClassName");
            List<String> allowed = spec.getRuntimeClass().getAllowedRuntimeClassNames();
            if (runtimeClass != null && (allowed == null || !allowed.contains("*") && !allowed.contains(runtimeClass))) {
                errors.add(FieldError.invalid(PspRules.RUNTIME_CLASS, "spec.runtimeClassName", GoFormat.quote(runtimeClass), ""));
            }
        }
        for (ContainerRef ref : containers) {
            validateContainer(pod, ref, errors);
        }
        return errors;
    }

    private void validateContainer(PodJson pod, ContainerRef ref, List<FieldError> errors) {
        JsonNode sc = pod.containerSecurityContext(ref);
        String scPath = ref.path() + ".securityContext";
        JsonNode nonRoot = effective(pod, ref, "runAsNonRoot");
        JsonNode uid = effective(pod, ref, "runAsUser");
        runAsUser.validate(scPath,
                nonRoot != null && nonRoot.isBoolean() ? nonRoot.booleanValue() : null,
                uid != null && uid.isIntegralNumber() ? uid.longValue() : null, errors);
        JsonNode gid = effective(pod, ref, "runAsGroup");
        runAsGroup.validate(scPath, gid != null && gid.isIntegralNumber() ? List.of(gid.longValue()) : null, errors);
        seLinux.validate(scPath + ".seLinuxOptions", effective(pod, ref, "seLinuxOptions"), errors);
        appArmor.validate(pod, ref, errors);
        seccomp.validateContainer(pod, ref, errors);
        if (!Boolean.TRUE.equals(spec.getPrivileged()) && Boolean.TRUE.equals(PodJson.bool(sc, "privileged"))) {
            errors.add(FieldError.invalid(PspRules.PRIVILEGED, scPath + ".privileged", "true", "Privileged containers are not allowed"));
        }
        String procMount = PodJson.text(sc, "procMount");
        procMount = procMount == null ? "Default" : procMount;
        List<String> allowedProcMounts = spec.getAllowedProcMountTypes() == null || spec.getAllowedProcMountTypes().isEmpty()
                ? List.of("Default") : spec.getAllowedProcMountTypes();
        if (!allowedProcMounts.contains(procMount)) {
            errors.add(FieldError.invalid(PspRules.PROC_MOUNT, scPath + ".procMount", GoFormat.quote(procMount), "ProcMountType is not allowed"));
        }
        capabilities.validate(scPath + ".capabilities", PodJson.field(sc, "capabilities"), errors);
        hostPorts(pod, ref, errors);
        if (Boolean.TRUE.equals(spec.getReadOnlyRootFilesystem())) {
            Boolean readOnly = PodJson.bool(sc, "readOnlyRootFilesystem");
            if (readOnly == null) {
                errors.add(FieldError.invalid(PspRules.READ_ONLY_ROOT_FILESYSTEM, scPath + ".readOnlyRootFilesystem", "null",
                        "ReadOnlyRootFilesystem may not be nil and must be set to true"));
            } else if (!readOnly) {
                errors.add(FieldError.invalid(PspRules.READ_ONLY_ROOT_FILESYSTEM, scPath + ".readOnlyRootFilesystem", "false",
                        "ReadOnlyRootFilesystem must be set to true"));
            }
        }
        Boolean escalation = PodJson.bool(sc, "allowPrivilegeEscalation");
        if (!allowPrivilegeEscalation && (escalation == null || escalation)) {
            errors.add(FieldError.invalid(PspRules.ALLOW_PRIVILEGE_ESCALATION, scPath + ".allowPrivilegeEscalation",
                    escalation == null ? "null" : "true", "Allowing privilege escalation for containers is not allowed"));
        }
    }

    private void hostPorts(PodJson pod, ContainerRef ref, List<FieldError> errors) {
        JsonNode ports = PodJson.field(pod.container(ref), "ports");
        if (ports == null || !ports.isArray()) {
            return;
        }
        for (JsonNode port : ports) {
            Long hostPort = PodJson.number(port, "hostPort");
            if (hostPort != null && hostPort > 0 && !validHostPort(hostPort)) {
                errors.add(FieldError.invalid(PspRules.HOST_PORTS, ref.path() + ".hostPort", String.valueOf(hostPort),
                        "Host port " + hostPort + " is not allowed to be used. Allowed ports: ["
                                + GoFormat.hostPortRanges(spec.getHostPorts()) + "]"));
            }
        }
    }

    private boolean validHostPort(long port) {
        List<HostPortRange> ranges = spec.getHostPorts();
        if (ranges == null) {
            return false;
        }
        for (HostPortRange r : ranges) {
            if (port >= r.getMin() && port <= r.getMax()) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- for analysis (convert)

    PodSecurityPolicySpec spec() {
        return spec;
    }

    UserStrategy runAsUserStrategy() {
        return runAsUser;
    }

    SeLinuxStrategy seLinuxStrategy() {
        return seLinux;
    }

    SeccompStrategy seccompStrategy() {
        return seccomp;
    }

    AppArmorStrategy appArmorStrategy() {
        return appArmor;
    }

    SysctlStrategy sysctlStrategy() {
        return sysctls;
    }

    VolumeRules volumeRules() {
        return volumes;
    }

    boolean allowsPrivilegeEscalation() {
        return allowPrivilegeEscalation;
    }
}

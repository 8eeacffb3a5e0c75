package io.podguard.engine.psp;

import io.podguard.engine.Text;
import io.fabric8.kubernetes.api.model.SELinuxOptions;
import io.fabric8.kubernetes.api.model.policy.v1beta1.IDRange;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodSecurityPolicySpec;
import io.podguard.engine.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The closest Pod Security Standards level a PodSecurityPolicy implies: the most restrictive
 * level such that every pod the policy admits meets it, with two exceptions. A policy that
 * leaves SELinux options ({@code seLinux: RunAsAny}) or AppArmor profiles (no allowed list)
 * open says nothing about them, where PSS forbids a few explicit choices (custom SELinux
 * users, roles and types; the unconfined AppArmor profile); those are reported as places where
 * PSS is stricter rather than making every such policy "privileged". Each gap that keeps the
 * policy from the next level up is named, so a team sees what to tighten.
 */
public final class PssLevels {

    /** Capabilities the baseline level lets a container add: the PSS check's own list. */
    static final Set<String> BASELINE_CAPABILITIES = io.podguard.engine.pss.CapabilitiesBaselineCheck.ALLOWED_1_0;
    /** SELinux types the baseline level allows (the newest PSS list). */
    static final Set<String> BASELINE_SELINUX_TYPES = io.podguard.engine.pss.SeLinuxOptionsCheck.ALLOWED_TYPES_1_31;
    /** Sysctls the baseline level allows (the newest PSS list). */
    static final Set<String> BASELINE_SYSCTLS = io.podguard.engine.pss.SysctlsCheck.ALLOWED_1_37;
    static final Set<String> RESTRICTED_VOLUMES = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
            "persistentVolumeClaim", "projected", "secret");

    private PssLevels() {
    }

    /**
     * @param level the closest level
     * @param notBaseline why the policy admits pods that baseline refuses; empty at baseline or above
     * @param notRestricted why it admits pods that restricted refuses; empty at restricted
     * @param stricter what PSS refuses that the policy left open without lowering the level
     */
    public record Result(Level level, List<String> notBaseline, List<String> notRestricted, List<String> stricter) {
    }

    public static Result of(PspProvider provider) {
        PodSecurityPolicySpec spec = provider.spec();
        List<String> baseline = new ArrayList<>();
        List<String> restricted = new ArrayList<>();
        List<String> stricter = new ArrayList<>();
        if (Boolean.TRUE.equals(spec.getPrivileged())) {
            baseline.add("privileged: true allows privileged containers");
        }
        for (String ns : List.of("hostNetwork", "hostPID", "hostIPC")) {
            boolean on = switch (ns) {
                case "hostNetwork" -> Boolean.TRUE.equals(spec.getHostNetwork());
                case "hostPID" -> Boolean.TRUE.equals(spec.getHostPID());
                default -> Boolean.TRUE.equals(spec.getHostIPC());
            };
            if (on) {
                baseline.add(ns + ": true shares a host namespace");
            }
        }
        if (spec.getHostPorts() != null && !spec.getHostPorts().isEmpty()) {
            baseline.add("hostPorts allows host ports");
        }
        VolumeRules volumes = provider.volumeRules();
        if (volumes.allowsAll()) {
            baseline.add("volumes: '*' allows hostPath volumes");
        } else if (volumes.allows("hostPath")) {
            baseline.add("volumes allows hostPath volumes");
        }
        List<String> addable = new ArrayList<>(Text.orEmpty(spec.getAllowedCapabilities()));
        addable.addAll(Text.orEmpty(spec.getDefaultAddCapabilities()));
        List<String> beyondBaseline = addable.stream().filter(c -> !BASELINE_CAPABILITIES.contains(c)).distinct().sorted().toList();
        if (!beyondBaseline.isEmpty()) {
            baseline.add("capabilities beyond the baseline set may be added: " + String.join(", ", beyondBaseline));
        }
        SeLinuxStrategy seLinux = provider.seLinuxStrategy();
        if (!seLinux.mustRunAs()) {
            stricter.add("seLinux: RunAsAny lets pods set any SELinux user, role and type; PSS refuses users, roles and custom types");
        } else {
            SELinuxOptions o = seLinux.required();
            if (notEmpty(o.getUser()) || notEmpty(o.getRole())
                    || !BASELINE_SELINUX_TYPES.contains(o.getType() == null ? "" : o.getType())) {
                baseline.add("seLinux sets a user, role or type that baseline forbids");
            }
        }
        if (Text.orEmpty(spec.getAllowedProcMountTypes()).contains("Unmasked")) {
            baseline.add("allowedProcMountTypes allows Unmasked");
        }
        SeccompStrategy seccomp = provider.seccompStrategy();
        if (seccomp.allowAny() || seccomp.allowed() != null && seccomp.allowed().contains(SeccompStrategy.UNCONFINED)) {
            baseline.add("seccomp allowedProfileNames allows unconfined");
        }
        AppArmorStrategy appArmor = provider.appArmorStrategy();
        if (appArmor.allowed() == null) {
            stricter.add("no AppArmor allowedProfileNames lets pods ask for any profile; PSS refuses unconfined");
        } else if (appArmor.allowed().stream().anyMatch(p -> !p.equals("runtime/default") && !p.startsWith("localhost/"))) {
            baseline.add("AppArmor allowedProfileNames allows a profile other than runtime/default and localhost/*");
        }
        List<String> unsafe = provider.sysctlStrategy().allowedUnsafe().stream()
                .filter(s -> s.endsWith("*") || !BASELINE_SYSCTLS.contains(s)).toList();
        if (!unsafe.isEmpty()) {
            baseline.add("allowedUnsafeSysctls allows " + String.join(", ", unsafe));
        }

        if (volumes.allowsAll()) {
            restricted.add("volumes: '*' allows every volume type");
        } else {
            List<String> extra = Text.orEmpty(spec.getVolumes()).stream().filter(v -> !RESTRICTED_VOLUMES.contains(v)).sorted().toList();
            if (!extra.isEmpty()) {
                restricted.add("volumes allows " + String.join(", ", extra));
            }
        }
        if (provider.allowsPrivilegeEscalation()) {
            restricted.add("allowPrivilegeEscalation is not false");
        }
        UserStrategy user = provider.runAsUserStrategy();
        boolean nonRoot = user.rule() == UserStrategy.Rule.MUST_RUN_AS_NON_ROOT
                || user.rule() == UserStrategy.Rule.MUST_RUN_AS && user.ranges().stream().mapToLong(IDRange::getMin).min().orElse(0) > 0;
        if (!nonRoot) {
            restricted.add("runAsUser lets containers run as root");
        }
        if (seccomp.allowed() == null || seccomp.allowed().isEmpty() || seccomp.allowAny()
                || seccomp.allowed().stream().anyMatch(p -> !p.equals(SeccompStrategy.RUNTIME_DEFAULT)
                && !p.equals(SeccompStrategy.DOCKER_DEFAULT) && !p.startsWith(SeccompStrategy.LOCALHOST_PREFIX))) {
            restricted.add("seccomp allowedProfileNames does not require runtime/default or localhost/*");
        }
        if (!Text.orEmpty(spec.getRequiredDropCapabilities()).contains("ALL")) {
            restricted.add("requiredDropCapabilities does not include ALL");
        }
        List<String> beyondRestricted = addable.stream().filter(c -> !c.equals("NET_BIND_SERVICE")).distinct().sorted().toList();
        if (!beyondRestricted.isEmpty()) {
            restricted.add("capabilities other than NET_BIND_SERVICE may be added: " + String.join(", ", beyondRestricted));
        }
        Level level = !baseline.isEmpty() ? Level.PRIVILEGED : !restricted.isEmpty() ? Level.BASELINE : Level.RESTRICTED;
        return new Result(level, List.copyOf(baseline), List.copyOf(restricted), List.copyOf(stricter));
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }

}

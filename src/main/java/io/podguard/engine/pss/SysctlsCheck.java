package io.podguard.engine.pss;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Sysctls can disable security mechanisms or affect every container on a host; only a "safe"
 * subset, namespaced and isolated from other pods, is allowed.
 *
 * <p>Restricted fields: {@code spec.securityContext.sysctls[*].name}.
 *
 * <p>Allowed values: {@link #ALLOWED_1_0}; from v1.27 also {@code net.ipv4.ip_local_reserved_ports};
 * from v1.29 also {@code net.ipv4.tcp_keepalive_time}, {@code net.ipv4.tcp_fin_timeout},
 * {@code net.ipv4.tcp_keepalive_intvl}, {@code net.ipv4.tcp_keepalive_probes}; from v1.32 also
 * {@code net.ipv4.tcp_rmem}, {@code net.ipv4.tcp_wmem}; from v1.37 also
 * {@code net.ipv4.tcp_slow_start_after_idle}, {@code net.ipv4.tcp_notsent_lowat}.
 */
public final class SysctlsCheck {

    public static final String ID = "sysctls";

    static final Set<String> ALLOWED_1_0 = Set.of(
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
            "net.ipv4.ip_unprivileged_port_start");
    static final Set<String> ALLOWED_1_27 = union(ALLOWED_1_0, "net.ipv4.ip_local_reserved_ports");
    static final Set<String> ALLOWED_1_29 = union(ALLOWED_1_27,
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes");
    static final Set<String> ALLOWED_1_32 = union(ALLOWED_1_29, "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem");
    public static final Set<String> ALLOWED_1_37 = union(ALLOWED_1_32,
            "net.ipv4.tcp_slow_start_after_idle",
            "net.ipv4.tcp_notsent_lowat");

    public static final Check CHECK = new Check(ID, Level.BASELINE, List.of(
            new CheckVersion(PssVersion.of(0), (meta, spec) -> check(spec, ALLOWED_1_0)),
            new CheckVersion(PssVersion.of(27), (meta, spec) -> check(spec, ALLOWED_1_27)),
            new CheckVersion(PssVersion.of(29), (meta, spec) -> check(spec, ALLOWED_1_29)),
            new CheckVersion(PssVersion.of(32), (meta, spec) -> check(spec, ALLOWED_1_32)),
            new CheckVersion(PssVersion.of(37), (meta, spec) -> check(spec, ALLOWED_1_37))));

    private SysctlsCheck() {
    }

    static CheckResult check(PodSpec spec, Set<String> allowed) {
        if (spec.getSecurityContext() == null || spec.getSecurityContext().getSysctls() == null) {
            return CheckResult.ALLOWED;
        }
        List<Sysctl> sysctls = spec.getSecurityContext().getSysctls();
        List<String> forbidden = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < sysctls.size(); i++) {
            String name = sysctls.get(i) == null || sysctls.get(i).getName() == null ? "" : sysctls.get(i).getName();
            if (!allowed.contains(name)) {
                forbidden.add(name);
                paths.add("spec.securityContext.sysctls[" + i + "].name");
            }
        }
        if (forbidden.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden("forbidden sysctls", String.join(", ", forbidden), paths);
    }

    private static Set<String> union(Set<String> base, String... more) {
        Set<String> all = new HashSet<>(base);
        all.addAll(List.of(more));
        return Set.copyOf(all);
    }
}

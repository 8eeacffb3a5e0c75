package io.podguard.engine.psp;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * PSP's sysctl rules: a forbidden pattern denies; a safe sysctl (Kubernetes 1.24's list) or
 * one matching {@code allowedUnsafeSysctls} is allowed; any other is an unsafe sysctl and is
 * denied. A pattern ending in {@code *} matches by prefix.
 */
final class SysctlStrategy {

    /** The sysctls Kubernetes 1.24 considered safe, allowed by every policy. */
    static final List<String> SAFE_SYSCTLS = List.of(
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
            "net.ipv4.ip_unprivileged_port_start");

    private final List<String> allowedUnsafe;
    private final List<String> forbidden;

    SysctlStrategy(@Nullable List<String> allowedUnsafe, @Nullable List<String> forbidden) {
        this.allowedUnsafe = allowedUnsafe == null ? List.of() : List.copyOf(allowedUnsafe);
        this.forbidden = forbidden == null ? List.of() : List.copyOf(forbidden);
    }

    List<String> allowedUnsafe() {
        return allowedUnsafe;
    }

    void validate(PodJson pod, List<FieldError> errors) {
        JsonNode sysctls = PodJson.field(pod.podSecurityContext(), "sysctls");
        if (sysctls == null || !sysctls.isArray()) {
            return;
        }
        for (int i = 0; i < sysctls.size(); i++) {
            String name = PodJson.text(sysctls.get(i), "name");
            name = name == null ? "" : name;
            String path = "pod.spec.securityContext.sysctls[" + i + "]";
            if (matches(forbidden, name)) {
                errors.add(FieldError.forbidden(PspRules.SYSCTLS, path, "sysctl " + GoFormat.quote(name) + " is not allowed"));
            } else if (!SAFE_SYSCTLS.contains(name) && !matches(allowedUnsafe, name)) {
                errors.add(FieldError.forbidden(PspRules.SYSCTLS, path, "unsafe sysctl " + GoFormat.quote(name) + " is not allowed"));
            }
        }
    }

    static boolean matches(List<String> patterns, String name) {
        for (String p : patterns) {
            if (p.endsWith("*") ? name.startsWith(p.substring(0, p.length() - 1)) : name.equals(p)) {
                return true;
            }
        }
        return false;
    }
}

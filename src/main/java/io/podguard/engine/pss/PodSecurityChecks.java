package io.podguard.engine.pss;

import java.util.List;

/** The registry of every Pod Security Standards check podguard runs. One line per check. */
public final class PodSecurityChecks {

    private static final CheckRegistry REGISTRY = new CheckRegistry(List.of(
            PrivilegedCheck.CHECK,
            HostNamespacesCheck.CHECK));

    private PodSecurityChecks() {
    }

    public static CheckRegistry registry() {
        return REGISTRY;
    }
}

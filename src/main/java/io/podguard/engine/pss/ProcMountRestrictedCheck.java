package io.podguard.engine.pss;

import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import java.util.List;

/**
 * From v1.35, when baseline {@code procMount} relaxes for user-namespaced pods, restricted keeps
 * the strict rule: only undefined/null or {@code Default}, whatever {@code hostUsers} says. It
 * replaces the baseline check at the restricted level.
 */
public final class ProcMountRestrictedCheck {

    public static final String ID = "procMount_restricted";

    public static final Check CHECK = new Check(ID, Level.RESTRICTED, List.of(
            new CheckVersion(PssVersion.of(35), ProcMountCheck::v1_0, List.of(ProcMountCheck.ID))));

    private ProcMountRestrictedCheck() {
    }
}

package io.podguard.engine.pss;

import io.podguard.engine.Text;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.podguard.engine.ContainerRef;
import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A seccomp profile must be set, and only the runtime default and localhost profiles are allowed.
 *
 * <p>Restricted fields: {@code spec.securityContext.seccompProfile.type} and the same field of
 * every container.
 *
 * <p>Allowed values: {@code RuntimeDefault}, {@code Localhost}; a container may leave it undefined
 * when the pod level sets it. From v1.19 (replacing baseline {@code seccompProfile_baseline}); from
 * v1.25 pods with {@code spec.os.name: windows} are exempt.
 */
public final class SeccompProfileRestrictedCheck {

    public static final String ID = "seccompProfile_restricted";

    public static final Check CHECK = new Check(ID, Level.RESTRICTED, List.of(
            new CheckVersion(PssVersion.of(19), SeccompProfileRestrictedCheck::v1_19, List.of(SeccompProfileBaselineCheck.ID)),
            new CheckVersion(PssVersion.of(25), SeccompProfileRestrictedCheck::v1_25, List.of(SeccompProfileBaselineCheck.ID))));

    private SeccompProfileRestrictedCheck() {
    }

    static CheckResult v1_19(ObjectMeta meta, PodSpec spec) {
        List<String> setters = new ArrayList<>(2);
        List<String> explicitPaths = new ArrayList<>();
        TreeSet<String> badValues = new TreeSet<>();
        boolean podSet = false;
        if (spec.getSecurityContext() != null && spec.getSecurityContext().getSeccompProfile() != null) {
            SeccompProfile profile = spec.getSecurityContext().getSeccompProfile();
            if (!SeccompProfileBaselineCheck.validType(profile)) {
                setters.add("pod");
                badValues.add(Text.orEmpty(profile.getType()));
                explicitPaths.add("spec.securityContext.seccompProfile.type");
            } else {
                podSet = true;
            }
        }
        List<String> explicitlyBad = new ArrayList<>();
        List<String> implicitlyBad = new ArrayList<>();
        List<String> implicitPaths = new ArrayList<>();
        for (ContainerRef ref : ContainerRef.all(spec)) {
            SecurityContext sc = ref.container().getSecurityContext();
            if (sc != null && sc.getSeccompProfile() != null) {
                if (!SeccompProfileBaselineCheck.validType(sc.getSeccompProfile())) {
                    explicitlyBad.add(ref.name());
                    badValues.add(Text.orEmpty(sc.getSeccompProfile().getType()));
                    explicitPaths.add(ref.path() + ".securityContext.seccompProfile.type");
                }
            } else if (!podSet) {
                implicitlyBad.add(ref.name());
                implicitPaths.add(ref.path() + ".securityContext.seccompProfile.type");
            }
        }
        if (!explicitlyBad.isEmpty()) {
            setters.add(Messages.containers(explicitlyBad));
        }
        if (!setters.isEmpty()) {
            return CheckResult.forbidden("seccompProfile", String.join(" and ", setters)
                    + " must not set securityContext.seccompProfile.type to " + Messages.joinQuote(badValues), explicitPaths);
        }
        if (!implicitlyBad.isEmpty()) {
            return CheckResult.forbidden("seccompProfile", "pod or " + Messages.containers(implicitlyBad)
                    + " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"", implicitPaths);
        }
        return CheckResult.ALLOWED;
    }

    static CheckResult v1_25(ObjectMeta meta, PodSpec spec) {
        // Pod validation refuses seccomp profiles on Windows pods, so they cannot be asked to set one.
        if (Relaxations.windows(spec)) {
            return CheckResult.ALLOWED;
        }
        return v1_19(meta, spec);
    }
}

package io.podguard.engine.pss;

import io.fabric8.kubernetes.api.model.AppArmorProfile;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.podguard.engine.ContainerRef;
import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The default AppArmor profile must not be overridden or disabled, except by an allowed set of profiles.
 *
 * <p>Restricted fields: {@code metadata.annotations['container.apparmor.security.beta.kubernetes.io/*']};
 * allowed values: {@code runtime/default}, {@code localhost/*}, empty, undefined.
 *
 * <p>Restricted fields: {@code spec.securityContext.appArmorProfile.type},
 * {@code spec.containers[*].securityContext.appArmorProfile.type} (and init and ephemeral containers);
 * allowed values: {@code RuntimeDefault}, {@code Localhost}, undefined.
 *
 * <p>PSA amended its one version (1.0) in place when the fields arrived, so the fields are
 * judged at every version.
 */
public final class AppArmorProfileCheck {

    public static final String ID = "appArmorProfile";

    static final String ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

    public static final Check CHECK = new Check(ID, Level.BASELINE,
            List.of(new CheckVersion(PssVersion.of(0), AppArmorProfileCheck::v1_0)));

    private AppArmorProfileCheck() {
    }

    static boolean allowedAnnotationValue(String profile) {
        return profile == null || profile.isEmpty() || "runtime/default".equals(profile) || profile.startsWith("localhost/");
    }

    static boolean allowedType(AppArmorProfile profile) {
        return "RuntimeDefault".equals(profile.getType()) || "Localhost".equals(profile.getType());
    }

    static CheckResult v1_0(ObjectMeta meta, PodSpec spec) {
        List<String> setters = new ArrayList<>(2);
        List<String> paths = new ArrayList<>();
        TreeSet<String> badValues = new TreeSet<>();
        if (spec.getSecurityContext() != null && spec.getSecurityContext().getAppArmorProfile() != null) {
            AppArmorProfile profile = spec.getSecurityContext().getAppArmorProfile();
            if (!allowedType(profile)) {
                setters.add("pod");
                badValues.add(nullToEmpty(profile.getType()));
                paths.add("spec.securityContext.appArmorProfile.type");
            }
        }
        List<String> badContainers = new ArrayList<>();
        for (ContainerRef ref : ContainerRef.all(spec)) {
            SecurityContext sc = ref.container().getSecurityContext();
            if (sc != null && sc.getAppArmorProfile() != null && !allowedType(sc.getAppArmorProfile())) {
                badContainers.add(ref.name());
                badValues.add(nullToEmpty(sc.getAppArmorProfile().getType()));
                paths.add(ref.path() + ".securityContext.appArmorProfile.type");
            }
        }
        if (!badContainers.isEmpty()) {
            setters.add(Messages.containers(badContainers));
        }
        List<String> values = new ArrayList<>(badValues);
        Map<String, String> annotations = meta.getAnnotations();
        if (annotations != null) {
            TreeMap<String, String> forbidden = new TreeMap<>();
            for (Map.Entry<String, String> e : annotations.entrySet()) {
                if (e.getKey().startsWith(ANNOTATION_PREFIX) && !allowedAnnotationValue(e.getValue())) {
                    forbidden.put(Messages.keyEqualsQuoted(e.getKey(), nullToEmpty(e.getValue())), e.getKey());
                }
            }
            if (!forbidden.isEmpty()) {
                values.addAll(forbidden.keySet());
                setters.add(Messages.pluralize("annotation", "annotations", forbidden.size()));
                for (String key : forbidden.values()) {
                    paths.add("metadata.annotations[" + key + "]");
                }
            }
        }
        if (setters.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden(
                Messages.pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", values.size()),
                String.join(" and ", setters) + " must not set AppArmor profile type to " + Messages.joinQuote(values),
                paths);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}

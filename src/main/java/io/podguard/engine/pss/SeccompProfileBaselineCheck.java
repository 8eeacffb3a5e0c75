package io.podguard.engine.pss;

import io.podguard.engine.Pods;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * If seccomp profiles are specified, only the runtime default and localhost profiles are allowed.
 *
 * <p>v1.0 – v1.18: restricted fields {@code metadata.annotations['seccomp.security.alpha.kubernetes.io/pod']}
 * and {@code metadata.annotations['container.seccomp.security.alpha.kubernetes.io/*']}; allowed
 * values {@code runtime/default}, {@code docker/default}, {@code localhost/*}, undefined.
 *
 * <p>v1.19+: restricted fields {@code spec.securityContext.seccompProfile.type} and the same field
 * of every container; allowed values {@code RuntimeDefault}, {@code Localhost}, undefined.
 */
public final class SeccompProfileBaselineCheck {

    public static final String ID = "seccompProfile_baseline";

    static final String ANNOTATION_POD = Pods.SECCOMP_POD_ANNOTATION;
    static final String ANNOTATION_CONTAINER_PREFIX = Pods.SECCOMP_CONTAINER_ANNOTATION_PREFIX;

    public static final Check CHECK = new Check(ID, Level.BASELINE, List.of(
            new CheckVersion(PssVersion.of(0), SeccompProfileBaselineCheck::v1_0),
            new CheckVersion(PssVersion.of(19), SeccompProfileBaselineCheck::v1_19)));

    private SeccompProfileBaselineCheck() {
    }

    static boolean validType(SeccompProfile profile) {
        return "Localhost".equals(profile.getType()) || "RuntimeDefault".equals(profile.getType());
    }

    static boolean validAnnotation(String value) {
        return "runtime/default".equals(value) || "docker/default".equals(value)
                || value != null && value.startsWith("localhost/");
    }

    static CheckResult v1_0(ObjectMeta meta, PodSpec spec) {
        Map<String, String> annotations = meta.getAnnotations();
        if (annotations == null || annotations.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        // Sorted and distinct, as PSA's set; the value remembers the annotation key for the path.
        TreeMap<String, String> forbidden = new TreeMap<>();
        if (annotations.containsKey(ANNOTATION_POD) && !validAnnotation(annotations.get(ANNOTATION_POD))) {
            forbidden.put(Messages.keyEqualsQuoted(ANNOTATION_POD, Text.orEmpty(annotations.get(ANNOTATION_POD))), ANNOTATION_POD);
        }
        for (ContainerRef ref : ContainerRef.all(spec)) {
            String key = ANNOTATION_CONTAINER_PREFIX + Text.orEmpty(ref.name());
            if (annotations.containsKey(key) && !validAnnotation(annotations.get(key))) {
                forbidden.put(Messages.keyEqualsQuoted(key, Text.orEmpty(annotations.get(key))), key);
            }
        }
        if (forbidden.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        List<String> paths = new ArrayList<>();
        for (String key : forbidden.values()) {
            paths.add("metadata.annotations[" + key + "]");
        }
        return CheckResult.forbidden("seccompProfile", "forbidden "
                + Messages.pluralize("annotation", "annotations", forbidden.size()) + " "
                + String.join(", ", forbidden.keySet()), paths);
    }

    static CheckResult v1_19(ObjectMeta meta, PodSpec spec) {
        List<String> setters = new ArrayList<>(2);
        List<String> paths = new ArrayList<>();
        TreeSet<String> badValues = new TreeSet<>();
        if (spec.getSecurityContext() != null && spec.getSecurityContext().getSeccompProfile() != null) {
            SeccompProfile profile = spec.getSecurityContext().getSeccompProfile();
            if (!validType(profile)) {
                setters.add("pod");
                badValues.add(Text.orEmpty(profile.getType()));
                paths.add("spec.securityContext.seccompProfile.type");
            }
        }
        List<String> badContainers = new ArrayList<>();
        for (ContainerRef ref : ContainerRef.all(spec)) {
            SecurityContext sc = ref.container().getSecurityContext();
            if (sc != null && sc.getSeccompProfile() != null && !validType(sc.getSeccompProfile())) {
                badContainers.add(ref.name());
                badValues.add(Text.orEmpty(sc.getSeccompProfile().getType()));
                paths.add(ref.path() + ".securityContext.seccompProfile.type");
            }
        }
        if (!badContainers.isEmpty()) {
            setters.add(Messages.containers(badContainers));
        }
        if (setters.isEmpty()) {
            return CheckResult.ALLOWED;
        }
        return CheckResult.forbidden("seccompProfile", String.join(" and ", setters)
                + " must not set securityContext.seccompProfile.type to " + Messages.joinQuote(badValues), paths);
    }

}

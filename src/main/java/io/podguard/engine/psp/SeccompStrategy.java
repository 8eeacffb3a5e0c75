package io.podguard.engine.psp;

import io.podguard.engine.Pods;
import io.podguard.engine.ContainerRef;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * PSP's seccomp rules, from the policy's annotations {@code
 * seccomp.security.alpha.kubernetes.io/allowedProfileNames} (comma-separated, {@code *} for
 * any) and {@code …/defaultProfileName}. A pod's profile is its seccomp annotation or, where
 * that is absent, its {@code seccompProfile} field in annotation notation, as Kubernetes 1.24
 * read it; {@code docker/default} and {@code runtime/default} allow each other.
 */
final class SeccompStrategy {

    static final String ALLOWED_PROFILES_ANNOTATION = "seccomp.security.alpha.kubernetes.io/allowedProfileNames";
    static final String DEFAULT_PROFILE_ANNOTATION = "seccomp.security.alpha.kubernetes.io/defaultProfileName";
    static final String POD_ANNOTATION = Pods.SECCOMP_POD_ANNOTATION;
    static final String CONTAINER_ANNOTATION_PREFIX = Pods.SECCOMP_CONTAINER_ANNOTATION_PREFIX;
    static final String RUNTIME_DEFAULT = "runtime/default";
    static final String DOCKER_DEFAULT = "docker/default";
    static final String UNCONFINED = "unconfined";
    static final String LOCALHOST_PREFIX = "localhost/";

    private final String defaultProfile;
    /** Null when the policy has no allowed-profiles annotation. */
    private final @Nullable Set<String> allowed;
    private final String allowedString;
    private final boolean allowAny;

    SeccompStrategy(Map<String, String> pspAnnotations) {
        this.defaultProfile = pspAnnotations.getOrDefault(DEFAULT_PROFILE_ANNOTATION, "");
        String list = pspAnnotations.get(ALLOWED_PROFILES_ANNOTATION);
        this.allowedString = list == null ? "" : list;
        boolean any = false;
        Set<String> set = null;
        if (list != null) {
            set = new LinkedHashSet<>();
            for (String p : list.split(",", -1)) {
                if (p.equals("*")) {
                    any = true;
                    continue;
                }
                if (p.equals(DOCKER_DEFAULT) || p.equals(RUNTIME_DEFAULT)) {
                    set.add(DOCKER_DEFAULT);
                    set.add(RUNTIME_DEFAULT);
                }
                set.add(p);
            }
        }
        this.allowed = set;
        this.allowAny = any;
    }

    String defaultProfile() {
        return defaultProfile;
    }

    @Nullable Set<String> allowed() {
        return allowed;
    }

    boolean allowAny() {
        return allowAny;
    }

    /**
     * Sets the default profile on a pod that has none, in the pod annotation, as PSP's
     * {@code MutatePod} did (the policies are tried and judged on that). A pod that already has the
     * {@code seccompProfile} field keeps it and gets no annotation: the field is authoritative (PSP
     * copied it into the deprecated annotation, which current clusters warn about and ignore).
     * {@link #fieldForDefault} then puts the chosen policy's default in the field too.
     */
    void generate(PodJson pod) {
        String current = pod.annotation(POD_ANNOTATION);
        if (current != null && !current.isEmpty()) {
            return;
        }
        if (PodJson.field(pod.podSecurityContext(), "seccompProfile") != null || defaultProfile.isEmpty()) {
            return;
        }
        pod.setAnnotation(POD_ANNOTATION, defaultProfile);
    }

    /**
     * On the pod the chosen policy admitted: when that policy gave the pod its default profile
     * (the annotation is new), the same profile in the {@code seccompProfile} field, which is what
     * takes effect on current clusters (Kubernetes 1.24's apiserver copied the annotation into the
     * field itself when it stored the pod; today's does not).
     */
    static void fieldForDefault(PodJson original, PodJson chosen) {
        String before = original.annotation(POD_ANNOTATION);
        String after = chosen.annotation(POD_ANNOTATION);
        if (before != null && !before.isEmpty() || after == null || after.isEmpty()
                || PodJson.field(chosen.podSecurityContext(), "seccompProfile") != null) {
            return;
        }
        ObjectNode field = fieldFor(after);
        if (field != null) {
            chosen.ensurePodSecurityContext().set("seccompProfile", field);
        }
    }

    void validatePod(PodJson pod, List<FieldError> errors) {
        String profile = pod.annotation(POD_ANNOTATION);
        if (profile == null || profile.isEmpty()) {
            profile = annotationFor(PodJson.field(pod.podSecurityContext(), "seccompProfile"));
        }
        validate("pod.metadata.annotations[" + POD_ANNOTATION + "]", profile, errors);
    }

    void validateContainer(PodJson pod, ContainerRef ref, List<FieldError> errors) {
        validate("pod.metadata.annotations[" + CONTAINER_ANNOTATION_PREFIX + ref.name() + "]", profileFor(pod, ref), errors);
    }

    private void validate(String path, String profile, List<FieldError> errors) {
        boolean none = allowed == null || allowed.isEmpty();
        if (!allowAny && none && !profile.isEmpty()) {
            errors.add(FieldError.forbidden(PspRules.SECCOMP, path, "seccomp may not be set"));
            return;
        }
        if (none && profile.isEmpty()) {
            return;
        }
        if (!allowAny && !allowed.contains(profile)) {
            errors.add(FieldError.forbidden(PspRules.SECCOMP, path,
                    profile + " is not an allowed seccomp profile. Valid values are " + allowedString));
        }
    }

    /** Container field, container annotation, pod field, pod annotation: the first one set. */
    static String profileFor(PodJson pod, ContainerRef ref) {
        JsonNode field = PodJson.field(pod.containerSecurityContext(ref), "seccompProfile");
        if (field != null) {
            return annotationFor(field);
        }
        String key = CONTAINER_ANNOTATION_PREFIX + ref.name();
        if (pod.hasAnnotation(key)) {
            String value = pod.annotation(key);
            return value == null ? "" : value;
        }
        JsonNode podField = PodJson.field(pod.podSecurityContext(), "seccompProfile");
        if (podField != null) {
            return annotationFor(podField);
        }
        String value = pod.annotation(POD_ANNOTATION);
        return value == null ? "" : value;
    }

    /** A {@code seccompProfile} field in annotation notation; empty when absent or unrecognised. */
    static String annotationFor(@Nullable JsonNode field) {
        String type = PodJson.text(field, "type");
        if (type == null) {
            return "";
        }
        return switch (type) {
            case "Unconfined" -> UNCONFINED;
            case "RuntimeDefault" -> RUNTIME_DEFAULT;
            case "Localhost" -> {
                String p = PodJson.text(field, "localhostProfile");
                yield p == null ? "" : LOCALHOST_PREFIX + p;
            }
            default -> "";
        };
    }

    /** The {@code seccompProfile} field for an annotation value; null when it has none. */
    static @Nullable ObjectNode fieldFor(String profile) {
        ObjectNode node = io.podguard.engine.Json.mapper().createObjectNode();
        if (profile.equals(RUNTIME_DEFAULT) || profile.equals(DOCKER_DEFAULT)) {
            return node.put("type", "RuntimeDefault");
        }
        if (profile.equals(UNCONFINED)) {
            return node.put("type", "Unconfined");
        }
        if (profile.startsWith(LOCALHOST_PREFIX) && profile.length() > LOCALHOST_PREFIX.length()) {
            return node.put("type", "Localhost").put("localhostProfile", profile.substring(LOCALHOST_PREFIX.length()));
        }
        return null;
    }

    static List<String> split(String list) {
        return Arrays.asList(list.split(",", -1));
    }
}

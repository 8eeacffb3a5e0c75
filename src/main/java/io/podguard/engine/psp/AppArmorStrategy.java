package io.podguard.engine.psp;

import io.podguard.engine.ContainerRef;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * PSP's AppArmor rules, from the policy's annotations {@code
 * apparmor.security.beta.kubernetes.io/allowedProfileNames} and {@code …/defaultProfileName}.
 * A container's profile is its {@code container.apparmor.security.beta.kubernetes.io/NAME}
 * annotation; where that is absent podguard also reads the {@code appArmorProfile} field
 * (container, then pod) that replaced the annotation, so the field cannot bypass the policy.
 */
final class AppArmorStrategy {

    static final String ALLOWED_PROFILES_ANNOTATION = "apparmor.security.beta.kubernetes.io/allowedProfileNames";
    static final String DEFAULT_PROFILE_ANNOTATION = "apparmor.security.beta.kubernetes.io/defaultProfileName";
    static final String CONTAINER_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

    private final String defaultProfile;
    private final @Nullable Set<String> allowed;
    private final String allowedString;

    AppArmorStrategy(Map<String, String> pspAnnotations) {
        this.defaultProfile = pspAnnotations.getOrDefault(DEFAULT_PROFILE_ANNOTATION, "");
        String list = pspAnnotations.get(ALLOWED_PROFILES_ANNOTATION);
        this.allowedString = list == null ? "" : list;
        this.allowed = list == null ? null : new LinkedHashSet<>(SeccompStrategy.split(list));
    }

    String defaultProfile() {
        return defaultProfile;
    }

    @Nullable Set<String> allowed() {
        return allowed;
    }

    void generate(PodJson pod, ContainerRef ref) {
        String key = CONTAINER_ANNOTATION_PREFIX + ref.name();
        String current = pod.annotation(key);
        if (current != null && !current.isEmpty() || defaultProfile.isEmpty() || !fieldProfile(pod, ref).isEmpty()) {
            return;
        }
        pod.setAnnotation(key, defaultProfile);
    }

    void validate(PodJson pod, ContainerRef ref, java.util.List<FieldError> errors) {
        if (allowed == null) {
            return;
        }
        String key = CONTAINER_ANNOTATION_PREFIX + ref.name();
        String path = "pod.metadata.annotations[" + key + "]";
        String profile = pod.annotation(key);
        if (profile == null || profile.isEmpty()) {
            profile = fieldProfile(pod, ref);
        }
        if (profile.isEmpty()) {
            if (!allowed.isEmpty()) {
                errors.add(FieldError.forbidden(PspRules.APP_ARMOR, path, "AppArmor profile must be set"));
            }
            return;
        }
        if (!allowed.contains(profile)) {
            errors.add(FieldError.forbidden(PspRules.APP_ARMOR, path,
                    profile + " is not an allowed profile. Allowed values: " + GoFormat.quote(allowedString)));
        }
    }

    /** The {@code appArmorProfile} field (container, else pod) in annotation notation; empty when unset. */
    static String fieldProfile(PodJson pod, ContainerRef ref) {
        JsonNode field = PodJson.field(pod.containerSecurityContext(ref), "appArmorProfile");
        if (field == null) {
            field = PodJson.field(pod.podSecurityContext(), "appArmorProfile");
        }
        String type = PodJson.text(field, "type");
        if (type == null) {
            return "";
        }
        return switch (type) {
            case "RuntimeDefault" -> "runtime/default";
            case "Unconfined" -> "unconfined";
            case "Localhost" -> "localhost/" + java.util.Objects.requireNonNullElse(PodJson.text(field, "localhostProfile"), "");
            default -> type;
        };
    }
}

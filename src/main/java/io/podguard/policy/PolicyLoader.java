package io.podguard.policy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Reads a policy from YAML. Unknown keys are errors: a typo must not pass silently. */
public final class PolicyLoader {

    public static final String EMBEDDED_DEFAULT = "/io/podguard/policy/default-policy.yaml";

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private PolicyLoader() {
    }

    public static Policy embeddedDefault() {
        try (InputStream in = PolicyLoader.class.getResourceAsStream(EMBEDDED_DEFAULT)) {
            if (in == null) {
                throw new IllegalStateException("embedded default policy is missing from the jar");
            }
            return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Policy load(Path file) throws IOException {
        return parse(Files.readString(file), file.toAbsolutePath().getParent());
    }

    /** @throws PolicyException with a one-line reason naming the field */
    public static Policy parse(String yaml) {
        return parse(yaml, null);
    }

    /** @param baseDir where file names in {@code podSecurityPolicies} are resolved; null: they are refused */
    public static Policy parse(String yaml, @org.jspecify.annotations.Nullable Path baseDir) {
        try {
            Policy withPsps = PodSecurityPolicyDocuments.read(yaml, baseDir, YAML);
            if (withPsps != null) {
                validatePodSecurity(withPsps.podSecurity());
                return withPsps;
            }
            Policy policy = YAML.readValue(yaml, Policy.class);
            if (policy == null) {
                throw new PolicyException("policy is empty");
            }
            validatePodSecurity(policy.podSecurity());
            return policy;
        } catch (JacksonException e) {
            // A value our own parsers refuse (mode: strict) reads "mode: <why>"; anything else keeps Jackson's words.
            if (e.getCause() instanceof IllegalArgumentException bad && !e.getPath().isEmpty()) {
                throw new PolicyException(fieldPath(e) + ": " + bad.getMessage());
            }
            throw new PolicyException(e.getOriginalMessage() + " at " + e.getPathReference());
        } catch (IllegalArgumentException e) {
            throw new PolicyException(e.getMessage());
        }
    }

    /** Each level and version names its field when it is not one podguard knows. */
    private static void validatePodSecurity(PodSecurityConfig ps) {
        check("podSecurity.level", ps.level(), v -> io.podguard.engine.Level.parse(v));
        check("podSecurity.version", ps.version(), v -> io.podguard.engine.PssVersion.parse(v));
        java.util.Map<String, PodSecurityConfig.ModeLevel> modes = new java.util.LinkedHashMap<>();
        modes.put("enforce", ps.enforce());
        modes.put("audit", ps.audit());
        modes.put("warn", ps.warn());
        modes.forEach((mode, ml) -> {
            if (ml != null && ml.level() != null) {
                check("podSecurity." + mode + ".level", ml.level(), v -> io.podguard.engine.Level.parse(v));
            }
            if (ml != null && ml.version() != null) {
                check("podSecurity." + mode + ".version", ml.version(), v -> io.podguard.engine.PssVersion.parse(v));
            }
        });
    }

    private static void check(String path, String value, java.util.function.Consumer<String> parser) {
        try {
            parser.accept(value);
        } catch (IllegalArgumentException e) {
            throw new PolicyException(path + ": " + e.getMessage());
        }
    }

    private static String fieldPath(JacksonException e) {
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}

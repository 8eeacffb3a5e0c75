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
                return withPsps;
            }
            Policy policy = YAML.readValue(yaml, Policy.class);
            if (policy == null) {
                throw new PolicyException("policy is empty");
            }
            policy.levelVersion();
            return policy;
        } catch (JacksonException e) {
            throw new PolicyException(e.getOriginalMessage() + " at " + e.getPathReference());
        } catch (IllegalArgumentException e) {
            throw new PolicyException(e.getMessage());
        }
    }
}

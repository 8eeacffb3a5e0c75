package io.podguard.engine.pss;

import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.PssVersion;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Pods from YAML, and one check run at one version, for the per-check tests. */
final class TestPods {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private TestPods() {
    }

    /** A Pod from its YAML ({@code kind} and {@code apiVersion} may be left out). */
    static PodObject pod(String yaml) {
        JsonNode node = YAML.readTree(yaml);
        return PodExtractor.extract("Pod", node).orElseThrow();
    }

    /** Runs the version of {@code check} in force at v1.{@code minor} ({@code -1}: latest). */
    static CheckResult run(Check check, int minor, String yaml) {
        PodObject pod = pod(yaml);
        PssVersion version = minor < 0 ? PssVersion.LATEST : PssVersion.of(minor);
        CheckVersion v = check.at(version);
        if (v == null) {
            throw new IllegalArgumentException(check.id() + " does not apply at " + version);
        }
        return v.check().check(pod.podMeta(), pod.podSpec());
    }

    static CheckResult latest(Check check, String yaml) {
        return run(check, -1, yaml);
    }
}

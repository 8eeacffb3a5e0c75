package io.podguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A policy whose defaults its own resource rules would deny is refused, as the apiserver refuses
 * such a LimitRange, each error with the path of the value to change.
 */
class ResourceDefaultsConsistencyTest {

    private static List<String> errors(String yaml) {
        try {
            PolicyLoader.parse(yaml);
            return List.of();
        } catch (PolicyException e) {
            return e.errors();
        }
    }

    @Test
    void builtInDefaultLimitAboveMaxIsRefusedAndSaysHowToReplaceIt() {
        assertThat(errors("resources: {max: {memory: 128Mi}}\n")).containsExactly(
                "defaults.resources.limits.memory: 256Mi (podguard's built-in default; give the map to replace it) is above "
                        + "resources.max.memory 128Mi: every pod it defaults would be denied");
    }

    @Test
    void configuredDefaultsOutsideMinAndMaxAreRefusedWithTheirPaths() {
        assertThat(errors("""
                defaults:
                  resources:
                    requests: {cpu: 50m, memory: 64Mi}
                    limits: {memory: 4Gi}
                resources:
                  min: {cpu: 100m}
                  max: {memory: 2Gi}
                """)).containsExactly(
                "defaults.resources.requests.cpu: 50m is below resources.min.cpu 100m: every pod it defaults would be denied",
                "defaults.resources.limits.memory: 4Gi is above resources.max.memory 2Gi: every pod it defaults would be denied");
    }

    @Test
    void defaultsAboveTheRatioAreRefused() {
        assertThat(errors("resources: {maxLimitRequestRatio: {memory: \"1.5\"}}\n")).containsExactly(
                "defaults.resources.limits.memory: 256Mi (podguard's built-in default; give the map to replace it) is 2 times the "
                        + "default request 128Mi, above resources.maxLimitRequestRatio.memory 1.5: every pod it defaults would be denied");
    }

    @Test
    void ratioAboveMaxOverMinIsRefusedForContainerAndPodBounds() {
        assertThat(errors("""
                defaults: {enabled: false}
                resources:
                  min: {cpu: 250m}
                  max: {cpu: "1"}
                  maxLimitRequestRatio: {cpu: "5"}
                  pod: {min: {memory: 1Gi}, max: {memory: 2Gi}, maxLimitRequestRatio: {memory: "3"}}
                """)).containsExactly(
                "resources.maxLimitRequestRatio.cpu: 5 is above max/min = 4 (1 / 250m): no container within min and max can reach it",
                "resources.pod.maxLimitRequestRatio.memory: 3 is above max/min = 2 (2Gi / 1Gi): no container within min and max can reach it");
    }

    @Test
    void ephemeralStorageDefaultsAreCheckedWhenEnabled() {
        assertThat(errors("""
                defaults: {resources: {ephemeralStorage: {enabled: true, request: 1Gi, limit: 2Gi}}}
                resources: {max: {ephemeral-storage: 1Gi}}
                """)).containsExactly("defaults.resources.ephemeralStorage.limit: 2Gi is above resources.max.ephemeral-storage 1Gi: "
                + "every pod it defaults would be denied");
    }

    @Test
    void aNamespaceEntryIsCheckedWithTheSectionsItReplaces() {
        assertThat(errors("""
                defaults: {resources: {limits: {memory: 512Mi}}}
                namespaces:
                  - names: [small-*]
                    resources: {max: {memory: 256Mi}}
                """)).containsExactly(
                "defaults.resources.limits.memory: 512Mi is above namespaces[0].resources.max.memory 256Mi: every pod it defaults would be denied");
    }

    @Test
    void consistentPoliciesAndDefaultsOffAreAccepted() {
        assertThat(errors("resources: {max: {memory: 1Gi, cpu: \"2\"}, min: {memory: 64Mi}, maxLimitRequestRatio: {memory: \"2\"}}\n")).isEmpty();
        assertThat(errors("defaults: {enabled: false}\nresources: {max: {memory: 128Mi}}\n")).isEmpty();
        assertThat(errors("defaults: {resources: {enabled: false}}\nresources: {max: {memory: 128Mi}}\n")).isEmpty();
    }
}

package io.podguard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.policy.EffectivePolicy;
import io.podguard.policy.PolicyLoader;
import org.junit.jupiter.api.Test;

class EnforceLevelTest {

    private static String level(String policy) {
        var lv = EnforceLevel.of(EffectivePolicy.of(PolicyLoader.parse(policy)));
        return lv == null ? null : lv.toString();
    }

    @Test
    void ofWhenEnforceIsOnThenItsLevelEvenIfAuditIsStricter() {
        assertThat(level("mode: enforce\npodSecurity: {level: baseline, audit: {level: restricted}}\n")).isEqualTo("baseline:latest");
    }

    @Test
    void ofWhenOnlyAuditIsOnThenTheAuditLevel() {
        assertThat(level("mode: audit\npodSecurity: {level: restricted, version: v1.30}\n")).isEqualTo("restricted:v1.30");
    }

    @Test
    void ofWhenAuditAndWarnThenTheStricterLevelAndAtTheSameLevelTheNewerVersion() {
        assertThat(level("mode: audit\npodSecurity: {level: baseline, warn: {level: restricted}}\n")).isEqualTo("restricted:latest");
        assertThat(level("mode: warn\npodSecurity: {level: baseline, version: v1.25, audit: {level: baseline, version: v1.30}}\n"))
                .isEqualTo("baseline:v1.30");
    }
}

package io.podguard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.policy.PolicyLoader;
import org.junit.jupiter.api.Test;

/** What the audit judges by: the policy with enforcement switched on ({@code EffectivePolicy.enforcing()}). */
class EnforcingPolicyTest {

    private static String level(String policy) {
        var lv = io.podguard.testing.Judging.levels(io.podguard.policy.PolicyCompiler.compile(PolicyLoader.parse(policy)).enforcing()).enforce();
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

package io.podguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCommandTest {

    @TempDir
    Path dir;

    private ReviewCommandTest.Run validate(String yaml) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, yaml);
        return ReviewCommandTest.run("", "config", "validate", file.toString());
    }

    @Test
    void validateWhenValidThenExitZeroWithSummary() throws Exception {
        ReviewCommandTest.Run run = validate("""
                apiVersion: podguard.io/v1alpha1
                kind: PodGuardPolicy
                mode: enforce
                podSecurity: {level: baseline, warn: {level: restricted}}
                resources: {mode: audit, max: {memory: 1Gi}}
                exemptions:
                  - reason: system
                    namespaces: [kube-system]
                namespaces:
                  - names: [legacy-*]
                    mode: warn
                """);
        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo(dir.resolve("policy.yaml") + ": valid: enforce baseline:latest, warn restricted:latest; "
                + "resource rules in audit mode (max memory); defaults apply; 1 namespace override; 1 exemption\n");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void validateWhenPodSecurityPoliciesThenTheirNamesAndModeInTheSummary() throws Exception {
        Path examples = Path.of("docs/examples/psp").toAbsolutePath();
        for (String psp : new String[] {"restricted.yaml", "logging.yaml", "privileged.yaml"}) {
            Files.copy(examples.resolve(psp), dir.resolve(psp));
        }

        ReviewCommandTest.Run run = validate(Files.readString(examples.resolve("policy-audit.yaml")));

        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo(dir.resolve("policy.yaml") + ": valid: Pod Security Standards off; "
                + "3 PodSecurityPolicies (logging, privileged, restricted) in audit mode; defaults off; 0 namespace overrides; 0 exemptions\n");
    }

    @Test
    void validateWhenEmbeddedDefaultThenEveryModesLevel() throws Exception {
        ReviewCommandTest.Run run = validate(Files.readString(Path.of("src/main/resources/io/podguard/policy/default-policy.yaml")));

        assertThat(run.out()).isEqualTo(dir.resolve("policy.yaml") + ": valid: enforce baseline:latest, audit restricted:latest, "
                + "warn restricted:latest; defaults apply; 0 namespace overrides; 0 exemptions\n");
    }

    @Test
    void validateWhenAKeyIsGivenTwiceThenRefusedWithItsPath() throws Exception {
        ReviewCommandTest.Run run = validate("mode: enforce\npodSecurity:\n  level: restricted\n  level: privileged\n");

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).startsWith(dir.resolve("policy.yaml") + ": podSecurity.level: duplicate key (line 4, column ");
    }

    @Test
    void validateWhenExemptionExpiredThenValidWithWarning() throws Exception {
        ReviewCommandTest.Run run = validate("exemptions:\n  - reason: old window\n    expires: 2020-01-31\n    namespaces: [legacy]\n");
        assertThat(run.code()).isZero();
        assertThat(run.out()).endsWith(dir.resolve("policy.yaml") + ": warning: exemptions[0] (\"old window\") expired on 2020-01-31 and no longer applies\n");
    }

    @Test
    void validateWhenTheDefaultsBreakTheResourceRulesThenRefusedWithThePathToChange() throws Exception {
        ReviewCommandTest.Run run = validate("resources: {max: {memory: 128Mi}}\n");
        String f = dir.resolve("policy.yaml").toString();
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).isEqualTo(f + ": defaults.resources.limits.memory: 256Mi (podguard's built-in default; give the map to "
                + "replace it) is above resources.max.memory 128Mi: every pod it defaults would be denied\n" + f + ": 1 error\n");
    }

    @Test
    void validateWhenPodBoundsThenInTheSummary() throws Exception {
        ReviewCommandTest.Run run = validate("resources: {max: {memory: 1Gi}, pod: {max: {memory: 4Gi}, min: {cpu: 100m}}}\n");
        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("resource rules in enforce mode (max memory; pod min cpu; pod max memory)");
    }

    @Test
    void validateWhenInvalidThenExitOneWithEveryErrorOnItsLine() throws Exception {
        ReviewCommandTest.Run run = validate("podSecurty: {}\npodSecurity:\n  level: strict\nexemptions:\n  - reason: r\n    expires: 2026-13-01\n    namespaces: [a]\n");
        String f = dir.resolve("policy.yaml").toString();
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).isEqualTo(f + ": podSecurty: unknown key (did you mean podSecurity?)\n"
                + f + ": podSecurity.level: \"strict\" is not one of privileged, baseline, restricted\n"
                + f + ": exemptions[0].expires: \"2026-13-01\" is not a date (YYYY-MM-DD)\n"
                + f + ": 3 errors\n");
    }

    @Test
    void validateWhenMissingThenExitTwo() {
        ReviewCommandTest.Run run = ReviewCommandTest.run("", "config", "validate", dir.resolve("nope.yaml").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("podguard: cannot read " + dir.resolve("nope.yaml") + ": no such file\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void reviewWhenPolicyInvalidThenEveryErrorAndExitTwo() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "mode: enforcing\npodSecurity: {level: strict}\n");
        ReviewCommandTest.Run run = ReviewCommandTest.run("{}", "review", "--policy", file.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("podguard: policy " + file + " is invalid:\n"
                + "  mode: \"enforcing\" is not one of enforce, audit, warn\n"
                + "  podSecurity.level: \"strict\" is not one of privileged, baseline, restricted\n");
    }

    @Test
    void serveWhenPolicyInvalidThenStartUpFailsWithEveryError() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "podSecurity: {level: strict}\nexemptions: [{namespaces: [a]}]\n");
        ReviewCommandTest.Run run = ReviewCommandTest.run("", "serve", "--policy", file.toString(), "--cert-dir", dir.resolve("certs").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("podguard: policy " + file + " is invalid:\n"
                + "  podSecurity.level: \"strict\" is not one of privileged, baseline, restricted\n"
                + "  exemptions[0].reason: required: say why the exemption exists\n");
    }

    @Test
    void serveWhenPolicyMissingThenStartUpFails() {
        ReviewCommandTest.Run run = ReviewCommandTest.run("", "serve", "--policy", dir.resolve("nope.yaml").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("podguard: cannot read policy " + dir.resolve("nope.yaml") + ": ");
    }
}

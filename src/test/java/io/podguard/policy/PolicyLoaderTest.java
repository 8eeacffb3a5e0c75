package io.podguard.policy;

import io.podguard.engine.Mode;
import io.podguard.engine.EffectivePolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.engine.Level;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.PssVersion;
import io.podguard.engine.defaults.DefaultsConfig;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyLoaderTest {

    private static List<String> errors(String yaml) {
        try {
            PolicyLoader.parse(yaml);
        } catch (PolicyException e) {
            return e.errors();
        }
        throw new AssertionError("policy was valid");
    }

    @Test
    void parseWhenShortFormThenDefaultsFilledIn() {
        Policy p = PolicyLoader.parse("mode: audit\npodSecurity:\n  level: baseline\n");
        assertThat(p.mode()).isEqualTo(Mode.AUDIT);
        assertThat(p.levelVersion()).isEqualTo(new LevelVersion(Level.BASELINE, PssVersion.LATEST));
        assertThat(p.defaults().isEnabled()).isTrue();
        assertThat(p.exemptions()).isEmpty();
        assertThat(p.namespaces()).isEmpty();
    }

    @Test
    void parseWhenFullDocumentThenEverySectionBound() {
        Policy p = PolicyLoader.parse("""
                apiVersion: podguard.io/v1alpha1
                kind: PodGuardPolicy
                mode: enforce
                podSecurity:
                  level: baseline
                  version: v1.30
                  warn: {level: restricted}
                resources:
                  mode: warn
                  min: {cpu: 10m}
                  max: {memory: 1Gi, cpu: 2}
                  maxLimitRequestRatio: {memory: "2"}
                  required: {requests: [cpu, memory], limits: [memory]}
                namespaceLabelOverrides: true
                exemptions:
                  - reason: istio sidecar
                    expires: 2030-01-31
                    images: ["docker.io/istio/proxyv2:*"]
                    checks: [privileged]
                namespaces:
                  - names: ["legacy-*"]
                    selector:
                      matchLabels: {team: a}
                      matchExpressions: [{key: tier, operator: In, values: [web]}]
                    mode: warn
                """);
        assertThat(p.kind()).isEqualTo("PodGuardPolicy");
        assertThat(p.resources().max()).isEqualTo(Map.of("memory", "1Gi", "cpu", "2"));
        assertThat(p.resources().required().requests()).containsExactly("cpu", "memory");
        assertThat(p.allowsNamespaceLabelOverrides()).isTrue();
        assertThat(p.exemptions().getFirst().expires()).isEqualTo(LocalDate.of(2030, 1, 31));
        assertThat(p.exemptions().getFirst().images()).containsExactly("docker.io/istio/proxyv2:*");
        assertThat(p.namespaces().getFirst().selector().getMatchLabels()).isEqualTo(Map.of("team", "a"));
        assertThat(p.namespaces().getFirst().selector().getMatchExpressions().getFirst().getValues()).containsExactly("web");
        EffectivePolicy e = PolicyCompiler.compile(p);
        var levels = io.podguard.testing.Judging.levels(e);
        assertThat(levels.enforce()).hasToString("baseline:v1.30");
        assertThat(levels.warn()).hasToString("restricted:v1.30");
        assertThat(levels.audit()).isNull();
        assertThat(e.rule(io.podguard.engine.resources.ResourceRules.class).mode()).isEqualTo(Mode.WARN);
    }

    @Test
    void parseWhenManyMistakesThenEveryErrorWithItsPath() {
        assertThat(errors("""
                apiVersion: podguard.io/v2
                mode: enforcing
                podSecurty: {}
                podSecurity:
                  level: strict
                  version: 1.30
                  warn: {lvl: baseline}
                defaults:
                  enabled: "yes"
                resources:
                  max: {memory: 12XB, gpu: 1}
                  maxLimitRequestRatio: {cpu: "0.5"}
                  required: {requests: [cpu], limits: cpu}
                exemptions:
                  - expires: 2026-13-01
                    namespaces: ["team-[a"]
                    checks: [privilegd]
                    serviceAccounts: [default]
                  - reason: nothing named
                namespaces:
                  - mode: warn
                  - names: [a]
                    selector:
                      matchExpressions: [{key: x, operator: Equals}]
                      matchLabel: {a: b}
                """)).containsExactly(
                "apiVersion: \"podguard.io/v2\" is not podguard.io/v1alpha1",
                "mode: \"enforcing\" is not one of enforce, audit, warn",
                "podSecurty: unknown key (did you mean podSecurity?)",
                "podSecurity.level: \"strict\" is not one of privileged, baseline, restricted",
                "podSecurity.version: expected a string such as latest or v1.30, got 1.3",
                "podSecurity.warn.lvl: unknown key (did you mean level?)",
                "defaults.enabled: expected true or false, got \"yes\"",
                "resources.max.memory: \"12XB\" is not a quantity (like 100m, 1.5, 512Mi, 2G)",
                "resources.max.gpu: \"gpu\" is not a resource name (cpu, memory, ephemeral-storage, hugepages-<size> or an extended resource)",
                "resources.required.limits: expected a list of resource names, got \"cpu\"",
                "exemptions[0].expires: \"2026-13-01\" is not a date (YYYY-MM-DD)",
                "exemptions[0].namespaces[0]: bad pattern \"team-[a\": unclosed [ at position 6",
                "exemptions[0].checks[0]: unknown check \"privilegd\" (did you mean privileged?)",
                "exemptions[0].serviceAccounts[0]: \"default\" is not NAMESPACE:NAME",
                "exemptions[1]: names nothing to exempt: give namespaces, usernames, groups, serviceAccounts, runtimeClassNames, checks or images",
                "namespaces[0]: matches every namespace: give names, a selector, or both",
                "namespaces[1].selector.matchExpressions[0].operator: \"Equals\" is not one of In, NotIn, Exists, DoesNotExist",
                "namespaces[1].selector.matchLabel: unknown key (did you mean matchLabels?)");
    }

    @Test
    void parseWhenRatioBelowOneOrMinAboveMaxThenRefused() {
        assertThat(errors("resources:\n  min: {cpu: 2}\n  max: {cpu: 500m}\n  maxLimitRequestRatio: {memory: \"0.5\"}\n"))
                .containsExactly(
                        "resources.min.cpu: 2 is above max 500m",
                        "resources.maxLimitRequestRatio.memory: 0.5 is below 1: a limit is never below its request");
    }

    @Test
    void parseWhenExemptionHasNoReasonThenRefused() {
        assertThat(errors("exemptions:\n  - namespaces: [kube-system]\n"))
                .containsExactly("exemptions[0].reason: required: say why the exemption exists");
    }

    @Test
    void parseWhenNotYamlThenOneLineWithPosition() {
        assertThat(errors("mode: [enforce\n")).singleElement().asString().isEqualTo("line 1, column 15: not valid YAML: while parsing a flow sequence");
    }

    @Test
    void parseWhenAnchorsAndAliasesThenExpandedAsKubectlReadsThem() {
        Policy p = PolicyLoader.parse("""
                podSecurity:
                  enforce: &strict {level: restricted, version: v1.30}
                  audit: *strict
                """);

        assertThat(p.podSecurity().audit()).isEqualTo(p.podSecurity().enforce());
        assertThat(p.podSecurity().audit()).isEqualTo(new PodSecurityConfig.ModeLevel("restricted", "v1.30"));
    }

    @Test
    void parseWhenAKeyOverridesAMergedOneThenNotADuplicate() {
        Policy p = PolicyLoader.parse("""
                podSecurity:
                  audit: &base {level: restricted, version: v1.30}
                  enforce: {<<: *base, level: baseline}
                """);

        assertThat(p.podSecurity().enforce()).isEqualTo(new PodSecurityConfig.ModeLevel("baseline", "v1.30"));
        assertThat(errors("podSecurity:\n  enforce: {level: baseline, level: restricted}\n")).singleElement().asString()
                .startsWith("podSecurity.enforce.level: duplicate key");
    }

    @Test
    void parseWhenAnAliasBombThenOneLineErrorNotAnExpansion() {
        StringBuilder yaml = new StringBuilder("mode: enforce\nx0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++) {
            yaml.append("x").append(i).append(": &a").append(i).append(" [").append(String.join(", ", java.util.Collections.nCopies(10, "*a" + (i - 1))))
                    .append("]\n");
        }

        assertThat(errors(yaml.toString())).singleElement().asString().contains("not valid YAML").doesNotContain("\n");
    }

    @Test
    void parseWhenManyReferencesToAWideAnchorThenRefusedBeforeTheTreeIsBuilt() {
        // 3,000 references to 3,000 values: each within the replaying parser's own limits, 9,000,000 nodes together.
        String values = String.join(",", java.util.Collections.nCopies(3_000, "x"));
        String refs = String.join(",", java.util.Collections.nCopies(3_000, "*a"));

        assertThat(errors("mode: enforce\nx: &a [" + values + "]\ny: [" + refs + "]\n")).singleElement().asString()
                .isEqualTo("not valid YAML: Token count (1000001) exceeds the maximum allowed (1000000, from `StreamReadConstraints.getMaxTokenCount()`)");
    }

    @Test
    void parseWhenNotAMapThenSaysSo() {
        assertThat(errors("- a\n- b\n")).containsExactly("policy: expected a map of keys (mode, podSecurity, …), got a list");
    }

    @Test
    void parseWhenEmptyThenRefused() {
        assertThatThrownBy(() -> PolicyLoader.parse("# nothing\n")).hasMessage("policy is empty");
    }

    @Test
    void parseWhenTwoDocumentsThenRefused() {
        assertThatThrownBy(() -> PolicyLoader.parse("mode: audit\n---\nmode: warn\n"))
                .hasMessage("a policy file holds one PodGuardPolicy document, found 2");
    }

    @Test
    void embeddedDefaultIsEnforceBaselineAuditAndWarnRestrictedWithDefaults() {
        Policy p = PolicyLoader.embeddedDefault();
        var levels = io.podguard.testing.Judging.levels(PolicyCompiler.compile(p));
        assertThat(levels.enforce()).hasToString("baseline:latest");
        assertThat(levels.audit()).hasToString("restricted:latest");
        assertThat(levels.warn()).hasToString("restricted:latest");
        assertThat(p.defaults().mode()).isEqualTo(DefaultsConfig.DefaultsMode.APPLY);
        assertThat(p.defaults().isEnabled()).isTrue();
    }

    /** The documented example once was *&#47;istio/proxyv2:*, which exempted attacker.example/istio/proxyv2:pwn too. */
    @Test
    void parseWhenImagePatternNotAnchoredThenRefusedWithTheReason() {
        String reason = " is not anchored: a pod author chooses the registry of an image, so a pattern must start with a registry host"
                + " (docker.io/istio/proxyv2:*, registry.example/team/*) or end with a digest (…@sha256:<64 hex digits>)";
        assertThat(errors("""
                exemptions:
                  - reason: proxy
                    images: ["*/istio/proxyv2:*", "istio/proxyv2:*", "*.example/x", "?ocker.io/x", "nginx", "*@sha256:abc"]
                """)).containsExactly(
                "exemptions[0].images[0]: \"*/istio/proxyv2:*\"" + reason,
                "exemptions[0].images[1]: \"istio/proxyv2:*\"" + reason,
                "exemptions[0].images[2]: \"*.example/x\"" + reason,
                "exemptions[0].images[3]: \"?ocker.io/x\"" + reason,
                "exemptions[0].images[4]: \"nginx\"" + reason,
                "exemptions[0].images[5]: \"*@sha256:abc\"" + reason);
        String digest = "a".repeat(64);
        Policy ok = PolicyLoader.parse("""
                exemptions:
                  - reason: proxy
                    images: ["docker.io/istio/proxyv2:*", "registry.example:5000/team/*", "localhost/dev/*", "*@sha256:%s"]
                """.formatted(digest));
        assertThat(ok.exemptions().getFirst().images()).hasSize(4);
    }

    @Test
    void parseWhenServiceAccountExemptionMatchesAnyNamespaceThenRefusedUnlessNamespacesListed() {
        assertThat(errors("""
                exemptions:
                  - reason: builders
                    serviceAccounts: ["*:builder", "ci:runner-*", "team-*:deployer"]
                """)).containsExactly("exemptions[0].serviceAccounts[0]: \"*:builder\" matches that account in any namespace,"
                + " and whoever can create a service account there is exempt: name the namespace or list it in namespaces");
        assertThat(PolicyLoader.parse("""
                exemptions:
                  - reason: builders
                    namespaces: [ci]
                    serviceAccounts: ["*:builder"]
                """).exemptions()).hasSize(1);
    }
}

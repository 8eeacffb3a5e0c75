package io.podguard.policy;

import io.podguard.engine.MatchedExemption;
import io.podguard.engine.resources.ResourceRules;

import io.podguard.engine.Mode;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.EffectivePolicy;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Engine;
import io.podguard.engine.Evaluation;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Namespace overrides, the mode label and exemptions, from policy text through the engine. */
class PolicyResolutionTest {

    private static final Clock JUNE_1 = Clock.fixed(Instant.parse("2030-06-01T12:00:00Z"), ZoneOffset.UTC);
    private static final Map<String, Map<String, String>> NAMESPACES = Map.of(
            "payments", Map.of("team", "payments", "tier", "critical"),
            "sandbox", Map.of("podguard.io/mode", "warn"),
            "lab", Map.of("podguard.io/mode", "audit"),
            "odd", Map.of("podguard.io/mode", "sometimes"));

    private final List<String> expired = new ArrayList<>();

    private ConfiguredPolicyResolver resolver(String yaml) {
        return new ConfiguredPolicyResolver(PolicyLoader.parse(yaml), NAMESPACES::get, JUNE_1,
                (i, e) -> expired.add(i + ":" + e.reason()));
    }

    private static RequestInfo in(String namespace) {
        return new RequestInfo(namespace, "alice", List.of("system:authenticated", "devs"));
    }

    private static io.podguard.engine.pss.PodSecurityLevels levels(EffectivePolicy e) {
        return io.podguard.testing.Judging.levels(e);
    }

    private static Evaluation evaluate(PolicyResolver r, RequestInfo request, PodObject pod) {
        return io.podguard.testing.Judging.evaluate(pod, r.resolve(request, pod));
    }

    private static List<String> rules(List<Violation> violations) {
        return violations.stream().map(v -> v.rule() + "@" + v.path()).toList();
    }

    @Test
    void resolveWhenNoOverrideMatchesThenTopLevel() {
        EffectivePolicy e = resolver("mode: enforce\npodSecurity: {level: baseline}\nnamespaces:\n  - names: [legacy-*]\n    mode: audit\n")
                .resolve(in("default"), Pods.sidecarPod("default", false));
        assertThat(levels(e).enforce()).hasToString("baseline:latest");
        assertThat(levels(e).audit()).isNull();
    }

    @Test
    void resolveWhenNameGlobMatchesThenOverrideSectionsReplaceTopLevel() {
        ConfiguredPolicyResolver r = resolver("""
                mode: enforce
                podSecurity: {level: restricted, version: v1.30}
                namespaces:
                  - names: [legacy-*, old]
                    podSecurity: {level: baseline}
                  - names: [legacy-b]
                    mode: warn
                """);
        EffectivePolicy e = r.resolve(in("legacy-b"), Pods.sidecarPod("legacy-b", false));
        // first match wins; the override's podSecurity replaces the section whole (version back to latest)
        assertThat(levels(e).enforce()).hasToString("baseline:latest");
        assertThat(levels(r.resolve(in("old"), Pods.sidecarPod("old", false))).enforce()).hasToString("baseline:latest");
        assertThat(levels(r.resolve(in("older"), Pods.sidecarPod("older", false))).enforce()).hasToString("restricted:v1.30");
    }

    @Test
    void resolveWhenOverrideGivesDefaultsOrResourcesThenThoseReplaceTopLevel() {
        ConfiguredPolicyResolver r = resolver("""
                mode: enforce
                podSecurity: {level: baseline}
                defaults: {enabled: true, mode: apply}
                resources: {max: {memory: 1Gi}}
                namespaces:
                  - names: [sandbox]
                    defaults: {enabled: false}
                    resources: {mode: audit, max: {memory: 4Gi}}
                """);
        EffectivePolicy sandbox = r.resolve(in("sandbox"), Pods.sidecarPod("sandbox", false));
        assertThat(sandbox.defaults().isEnabled()).isFalse();
        assertThat(sandbox.rule(ResourceRules.class).mode()).isEqualTo(Mode.AUDIT);
        assertThat(sandbox.rule(ResourceRules.class).max().get("memory").text()).isEqualTo("4Gi");
        assertThat(levels(sandbox).enforce()).hasToString("baseline:latest");
        EffectivePolicy other = r.resolve(in("prod"), Pods.sidecarPod("prod", false));
        assertThat(other.defaults().isEnabled()).isTrue();
        assertThat(other.rule(ResourceRules.class).mode()).isEqualTo(Mode.ENFORCE);
    }

    @Test
    void resolveWhenSelectorMatchesLabelsThenOverride() {
        ConfiguredPolicyResolver r = resolver("""
                mode: audit
                podSecurity: {level: baseline}
                namespaces:
                  - selector:
                      matchLabels: {team: payments}
                      matchExpressions: [{key: tier, operator: In, values: [critical]}]
                    mode: enforce
                  - names: [pay*]
                    selector: {matchExpressions: [{key: team, operator: DoesNotExist}]}
                    mode: warn
                """);
        assertThat(levels(r.resolve(in("payments"), Pods.sidecarPod("payments", false))).enforce()).hasToString("baseline:latest");
        assertThat(evaluate(r, in("payments"), Pods.sidecarPod("payments", false)).enforce())
                .extracting(Violation::rule).containsExactly("privileged");
        // unknown namespace: labels unknown, no selector matches, the top level applies
        EffectivePolicy unknown = r.resolve(in("payroll"), Pods.sidecarPod("payroll", false));
        assertThat(levels(unknown).enforce()).isNull();
        assertThat(levels(unknown).audit()).hasToString("baseline:latest");
    }

    @Test
    void resolveWhenModeLabelAllowedThenLabelSetsMode() {
        String yaml = "mode: enforce\npodSecurity: {level: baseline}\nresources: {max: {memory: 1Gi}}\nnamespaceLabelOverrides: %s\n";
        ConfiguredPolicyResolver allowed = resolver(yaml.formatted("true"));
        EffectivePolicy sandbox = allowed.resolve(in("sandbox"), Pods.sidecarPod("sandbox", false));
        assertThat(levels(sandbox).enforce()).isNull();
        assertThat(levels(sandbox).warn()).hasToString("baseline:latest");
        assertThat(sandbox.rule(ResourceRules.class).mode()).isEqualTo(Mode.WARN);
        EffectivePolicy lab = allowed.resolve(in("lab"), Pods.sidecarPod("lab", false));
        assertThat(levels(lab).enforce()).isNull();
        assertThat(levels(lab).audit()).hasToString("baseline:latest");
        // a value that is not a mode changes nothing
        assertThat(levels(allowed.resolve(in("odd"), Pods.sidecarPod("odd", false))).enforce()).hasToString("baseline:latest");
        // not allowed: the label is ignored
        assertThat(levels(resolver(yaml.formatted("false")).resolve(in("sandbox"), Pods.sidecarPod("sandbox", false))).enforce())
                .hasToString("baseline:latest");
    }

    @Test
    void resolveWhenModeLabelEnforceThenNamespaceOptsIntoEnforcement() {
        ConfiguredPolicyResolver r = new ConfiguredPolicyResolver(
                PolicyLoader.parse("mode: warn\npodSecurity: {level: baseline}\nnamespaceLabelOverrides: true\n"),
                ns -> Map.of("podguard.io/mode", "enforce"), JUNE_1, PolicyResolver.ExpiryListener.NONE);
        EffectivePolicy e = r.resolve(in("strict"), Pods.sidecarPod("strict", false));
        assertThat(levels(e).enforce()).hasToString("baseline:latest");
        assertThat(levels(e).warn()).hasToString("baseline:latest");
    }

    @Test
    void evaluateWhenNamespaceExemptThenNothingJudgedAndReasonRecorded() {
        ConfiguredPolicyResolver r = resolver("""
                podSecurity: {level: baseline}
                exemptions:
                  - reason: system components
                    namespaces: [kube-*]
                """);
        EffectivePolicy e = r.resolve(in("kube-system"), Pods.sidecarPod("kube-system", true));
        assertThat(e.judgesNothing()).isTrue();
        assertThat(e.exemptions()).extracting(MatchedExemption::reason).containsExactly("system components");
        assertThat(e.exemptions()).extracting(MatchedExemption::kind).containsExactly("namespace");
        Evaluation exempt = io.podguard.testing.Judging.evaluate(Pods.sidecarPod("kube-system", true), e);
        assertThat(exempt.verdicts()).isEmpty();
        assertThat(exempt.exemptionsApplied()).extracting(MatchedExemption::reason).containsExactly("system components");
        assertThat(evaluate(r, in("default"), Pods.sidecarPod("default", true)).enforce()).hasSize(1);
    }

    @Test
    void evaluateWhenUserGroupServiceAccountOrRuntimeClassExemptThenAllowed() {
        PodObject pod = Pods.pod("""
                {"kind":"Pod","metadata":{"name":"p","namespace":"ci"},"spec":{"serviceAccountName":"builder",
                 "runtimeClassName":"gvisor","containers":[{"name":"c","image":"x","securityContext":{"privileged":true}}]}}""");
        for (String matcher : List.of("usernames: [ali*]", "groups: [devs]", "serviceAccounts: [\"ci:build*\"]", "runtimeClassNames: [gvisor]")) {
            ConfiguredPolicyResolver r = resolver("podSecurity: {level: baseline}\nexemptions:\n  - reason: r\n    " + matcher + "\n");
            assertThat(evaluate(r, in("ci"), pod).enforce()).as(matcher).isEmpty();
        }
        for (String matcher : List.of("usernames: [bob]", "groups: [ops]", "serviceAccounts: [\"ci:default\"]", "runtimeClassNames: [kata]")) {
            ConfiguredPolicyResolver r = resolver("podSecurity: {level: baseline}\nexemptions:\n  - reason: r\n    " + matcher + "\n");
            assertThat(evaluate(r, in("ci"), pod).enforce()).as(matcher).hasSize(1);
        }
    }

    @Test
    void evaluateWhenMatchersCombineThenAllMustMatch() {
        ConfiguredPolicyResolver r = resolver("""
                podSecurity: {level: baseline}
                exemptions:
                  - reason: ci builds only
                    namespaces: [ci]
                    usernames: [alice]
                """);
        assertThat(evaluate(r, in("ci"), Pods.sidecarPod("ci", true)).enforce()).isEmpty();
        assertThat(evaluate(r, in("prod"), Pods.sidecarPod("prod", true)).enforce()).hasSize(1);
        assertThat(evaluate(r, new RequestInfo("ci", "bob", List.of()), Pods.sidecarPod("ci", true)).enforce()).hasSize(1);
    }

    @Test
    void evaluateWhenCheckExemptThenOnlyThatCheckSkipped() {
        PodObject pod = Pods.pod("""
                {"kind":"Pod","metadata":{"name":"p"},"spec":{"hostNetwork":true,
                 "containers":[{"name":"c","image":"x","securityContext":{"privileged":true}}]}}""");
        ConfiguredPolicyResolver r = resolver("podSecurity: {level: baseline}\nexemptions:\n  - reason: node agent\n    checks: [privileged]\n");
        Evaluation ev = evaluate(r, in("default"), pod);
        assertThat(ev.enforce()).extracting(Violation::rule).containsExactly("hostNamespaces");
        EffectivePolicy e = r.resolve(in("default"), pod);
        assertThat(ev.exemptionsApplied()).extracting(MatchedExemption::kind).containsExactly("check");
        PodObject clean = Pods.pod("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}");
        EffectivePolicy c = r.resolve(in("default"), clean);
        assertThat(io.podguard.testing.Judging.evaluate(clean, c).exemptionsApplied()).isEmpty();
    }

    @Test
    void evaluateWhenImageExemptThenMatchingContainersLeftOutAndPathsKept() {
        ConfiguredPolicyResolver r = resolver("""
                podSecurity: {level: baseline}
                exemptions:
                  - reason: istio proxy needs it
                    images: ["docker.io/istio/proxyv2:*"]
                    checks: [privileged]
                """);
        assertThat(evaluate(r, in("default"), Pods.sidecarPod("default", false)).enforce()).isEmpty();
        Evaluation both = evaluate(r, in("default"), Pods.sidecarPod("default", true));
        assertThat(rules(both.enforce())).containsExactly("privileged@spec.containers[1].securityContext.privileged");
        assertThat(both.enforce().getFirst().detail()).isEqualTo("container \"app\" must not set securityContext.privileged=true");
        EffectivePolicy e = r.resolve(in("default"), Pods.sidecarPod("default", false));
        assertThat(e.exemptions()).extracting(MatchedExemption::kind).containsExactly("image");
        assertThat(io.podguard.testing.Judging.evaluate(Pods.sidecarPod("default", false), e).exemptionsApplied())
                .extracting(MatchedExemption::reason).containsExactly("istio proxy needs it");
        // a pod without the proxy: the exemption matched but changed nothing, so it is not recorded
        PodObject plain = Pods.pod("""
                {"kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"app","image":"x","securityContext":{"privileged":true}}]}}""");
        EffectivePolicy p = r.resolve(in("default"), plain);
        assertThat(io.podguard.testing.Judging.evaluate(plain, p).exemptionsApplied()).isEmpty();
    }

    @Test
    void evaluateWhenImageExemptForOtherCheckThenContainerStillJudged() {
        ConfiguredPolicyResolver r = resolver("""
                podSecurity: {level: baseline}
                exemptions:
                  - reason: istio proxy host ports
                    images: ["docker.io/istio/proxyv2:*"]
                    checks: [hostNamespaces]
                """);
        assertThat(rules(evaluate(r, in("default"), Pods.sidecarPod("default", false)).enforce()))
                .containsExactly("privileged@spec.containers[0].securityContext.privileged");
    }

    @Test
    void evaluateWhenExemptionExpiredThenItStopsApplyingAndIsReportedOnce() {
        ConfiguredPolicyResolver r = resolver("""
                podSecurity: {level: baseline}
                exemptions:
                  - reason: migration window
                    expires: 2030-05-31
                    namespaces: [legacy]
                  - reason: until the end of today
                    expires: 2030-06-01
                    namespaces: [today]
                """);
        assertThat(expired).containsExactly("0:migration window");
        assertThat(r.expired()).extracting(Exemption::reason).containsExactly("migration window");
        assertThat(evaluate(r, in("legacy"), Pods.sidecarPod("legacy", false)).enforce()).hasSize(1);
        assertThat(r.resolve(in("legacy"), Pods.sidecarPod("legacy", false)).exemptions()).isEmpty();
        assertThat(evaluate(r, in("today"), Pods.sidecarPod("today", false)).enforce()).isEmpty();
        assertThat(expired).containsExactly("0:migration window");
    }

    @Test
    void evaluateWhenExemptionExpiresWhileLoadedThenReportedWhenFirstSkipped() {
        java.util.concurrent.atomic.AtomicReference<Instant> now = new java.util.concurrent.atomic.AtomicReference<>(Instant.parse("2030-05-31T23:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        ConfiguredPolicyResolver r = new ConfiguredPolicyResolver(PolicyLoader.parse(
                "podSecurity: {level: baseline}\nexemptions:\n  - reason: window\n    expires: 2030-05-31\n    namespaces: [legacy]\n"),
                NamespaceLabels.NONE, clock, (i, e) -> expired.add(e.reason()));
        assertThat(evaluate(r, in("legacy"), Pods.sidecarPod("legacy", false)).enforce()).isEmpty();
        assertThat(expired).isEmpty();
        now.set(Instant.parse("2030-06-01T00:00:01Z"));
        assertThat(evaluate(r, in("legacy"), Pods.sidecarPod("legacy", false)).enforce()).hasSize(1);
        assertThat(evaluate(r, in("legacy"), Pods.sidecarPod("legacy", false)).enforce()).hasSize(1);
        assertThat(expired).containsExactly("window");
    }

    @Test
    void evaluateWhenResourceRulesThenJudgedInTheirOwnModeBesidePss() {
        ConfiguredPolicyResolver r = resolver("""
                mode: enforce
                podSecurity: {level: baseline}
                resources:
                  mode: warn
                  max: {memory: 1Gi}
                """);
        Evaluation ev = evaluate(r, in("default"), Pods.sidecarPod("default", false));
        assertThat(ev.enforce()).extracting(Violation::rule).containsExactly("privileged");
        assertThat(rules(ev.warn())).containsExactly("resources.max@spec.containers[0].resources.limits.memory");
    }

    @Test
    void evaluateWhenImageExemptFromResourceRuleThenSidecarLeftOut() {
        ConfiguredPolicyResolver r = resolver("""
                podSecurity: {level: privileged}
                resources: {required: {limits: [memory]}}
                exemptions:
                  - reason: injected proxy
                    images: ["docker.io/istio/*"]
                """);
        Evaluation ev = evaluate(r, in("default"), Pods.sidecarPod("default", false));
        assertThat(rules(ev.enforce())).containsExactly("resources.required@spec.containers[1].resources.limits.memory");
        assertThat(ev.enforce().getFirst().message()).isEqualTo("resources required (container \"app\" must set limits.memory)");
    }

    /** Images are matched as the runtime resolves them: short Docker Hub names match docker.io patterns; other registries never do. */
    @Test
    void evaluateWhenImageFromAnotherRegistryThenNotExemptAndShortNamesAreDockerHub() {
        ConfiguredPolicyResolver r = resolver("""
                podSecurity: {level: baseline}
                exemptions:
                  - reason: istio proxy needs it
                    images: ["docker.io/istio/proxyv2:*"]
                    checks: [privileged]
                """);
        String pod = """
                {"kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"%s","securityContext":{"privileged":true}}]}}""";
        for (String attacker : List.of("attacker.example/istio/proxyv2:pwn", "attacker.example/docker.io/istio/proxyv2:1",
                "localhost/istio/proxyv2:1", "docker.io/istio/proxyv2", "x".repeat(300_000) + "/istio/proxyv2:1")) {
            assertThat(evaluate(r, in("default"), Pods.pod(pod.formatted(attacker))).enforce()).as(attacker.substring(0, 20))
                    .extracting(Violation::rule).containsExactly("privileged");
        }
        for (String proxy : List.of("istio/proxyv2:1.24.0", "docker.io/istio/proxyv2:1.24.0", "index.docker.io/istio/proxyv2:1")) {
            assertThat(evaluate(r, in("default"), Pods.pod(pod.formatted(proxy))).enforce()).as(proxy).isEmpty();
        }
    }
}

package io.podguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Evaluation;
import io.podguard.engine.Mode;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.pss.PodSecurityLevels;
import io.podguard.testing.Judging;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PSA's namespace labels in podguard's resolution: what they set, and the order in which labels,
 * namespace overrides, the {@code podguard.io/mode} label and exemptions apply (docs/psa.md).
 * PsaLabelMatrixTest compares the label semantics with PSA's own code.
 */
class PodSecurityLabelsTest {

    private static final String POLICY = """
            mode: enforce
            podSecurity:
              enforce: {level: baseline}
              warn: {level: restricted}
              namespaceLabels: true
            defaults: {enabled: false}
            namespaceLabelOverrides: true
            namespaces:
            - names: [legacy]
              podSecurity: {level: privileged}
            - names: [tools]
              defaults: {enabled: false}
            exemptions:
            - {namespaces: [break-glass], reason: incident 4711}
            """;

    private final Map<String, Map<String, String>> namespaces = new HashMap<>();

    private EffectivePolicy resolve(String namespace, Map<String, String> labels) {
        namespaces.put(namespace, labels);
        return new ConfiguredPolicyResolver(PolicyLoader.parse(POLICY), namespaces::get, Clock.systemUTC(), PolicyResolver.ExpiryListener.NONE)
                .resolve(new RequestInfo(namespace, "alice", List.of()), pod(namespace));
    }

    private static PodObject pod(String namespace) {
        return Pods.pod("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"" + namespace + "\"},"
                + "\"spec\":{\"hostNetwork\":true,\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}");
    }

    private static String levels(EffectivePolicy effective) {
        PodSecurityLevels l = effective.rule(PodSecurityLevels.class);
        return l == null ? "none" : "enforce " + l.enforce() + ", audit " + l.audit() + ", warn " + l.warn();
    }

    @Test
    void resolveWhenNoPsaLabelThenThePolicyLevels() {
        assertThat(levels(resolve("plain", Map.of("team", "a")))).isEqualTo("enforce baseline:latest, audit null, warn restricted:latest");
    }

    @Test
    void resolveWhenLabelsThenTheySetTheirModesAndWarnFollowsAStricterEnforce() {
        assertThat(levels(resolve("a", Map.of("pod-security.kubernetes.io/enforce", "restricted",
                "pod-security.kubernetes.io/enforce-version", "v1.29"))))
                .isEqualTo("enforce restricted:v1.29, audit null, warn restricted:latest"); // warn is no less strict already
        PodSecurityLevels enforceOnly = PolicyCompiler.podSecurity(PolicyLoader.parse("podSecurity: {level: baseline, version: v1.30}\n"));
        PodSecurityLevels raised = PodSecurityLabels.apply(Map.of("pod-security.kubernetes.io/enforce", "restricted",
                "pod-security.kubernetes.io/enforce-version", "v1.29"), enforceOnly);
        assertThat(raised.warn()).hasToString("restricted:v1.29"); // a mode left off is privileged, below restricted
        assertThat(raised.audit()).isNull();
        assertThat(levels(resolve("b", Map.of("pod-security.kubernetes.io/audit", "baseline"))))
                .isEqualTo("enforce baseline:latest, audit baseline:latest, warn restricted:latest");
        assertThat(levels(resolve("c", Map.of("pod-security.kubernetes.io/enforce", "privileged"))))
                .isEqualTo("enforce privileged:latest, audit null, warn restricted:latest");
    }

    @Test
    void resolveWhenLabelsCannotBeReadThenEnforceFailsClosedTheOthersOpenAndPsaWordsRecorded() {
        EffectivePolicy e = resolve("bad", Map.of("pod-security.kubernetes.io/enforce", "strict",
                "pod-security.kubernetes.io/warn", "loud", "pod-security.kubernetes.io/audit-version", "1.30"));

        assertThat(levels(e)).isEqualTo("enforce restricted:latest, audit privileged:latest, warn privileged:latest");
        Evaluation evaluation = Judging.evaluate(pod("bad"), e);
        assertThat(evaluation.annotations()).containsEntry("error", "Failed to parse policy: ["
                + "metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted, "
                + "metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: \"1.30\": must be \"latest\" or \"v1.x\", "
                + "metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: \"loud\": must be one of privileged, baseline, restricted]");
        assertThat(evaluation.message(Mode.ENFORCE, true)).startsWith("violates PodSecurity \"restricted:latest\": host namespaces");
    }

    @Test
    void resolveWhenAnOverrideNamesPodSecurityThenItWinsOverTheLabels() {
        assertThat(levels(resolve("legacy", Map.of("pod-security.kubernetes.io/enforce", "restricted"))))
                .isEqualTo("enforce privileged:latest, audit null, warn null");
    }

    @Test
    void resolveWhenAnOverrideNamesOtherSectionsThenTheLabelsStillApply() {
        assertThat(levels(resolve("tools", Map.of("pod-security.kubernetes.io/enforce", "restricted"))))
                .isEqualTo("enforce restricted:latest, audit null, warn restricted:latest");
    }

    @Test
    void resolveWhenModeLabelTooThenItAppliesAfterThePsaLabels() {
        // enforce restricted from PSA's label, then podguard.io/mode: warn moves it to warn
        assertThat(levels(resolve("trial", Map.of("pod-security.kubernetes.io/enforce", "restricted", "podguard.io/mode", "warn"))))
                .isEqualTo("enforce null, audit null, warn restricted:latest");
    }

    @Test
    void resolveWhenExemptThenNothingIsJudgedWhateverTheLabels() {
        EffectivePolicy e = resolve("break-glass", Map.of("pod-security.kubernetes.io/enforce", "restricted"));

        assertThat(levels(e)).isEqualTo("none");
        assertThat(Judging.evaluate(pod("break-glass"), e).exemptionsApplied()).extracting(x -> x.reason()).containsExactly("incident 4711");
    }

    @Test
    void resolveWhenNamespaceUnknownThenThePolicyLevels() {
        EffectivePolicy e = new ConfiguredPolicyResolver(PolicyLoader.parse(POLICY), NamespaceLabels.NONE, Clock.systemUTC(),
                PolicyResolver.ExpiryListener.NONE).resolve(new RequestInfo("new", "alice", List.of()), pod("new"));

        assertThat(levels(e)).isEqualTo("enforce baseline:latest, audit null, warn restricted:latest");
    }

    @Test
    void resolveWhenLabelsOffThenIgnored() {
        EffectivePolicy e = new ConfiguredPolicyResolver(PolicyLoader.parse(POLICY.replace("namespaceLabels: true", "namespaceLabels: false")),
                Map.of("x", Map.of("pod-security.kubernetes.io/enforce", "restricted"))::get, Clock.systemUTC(),
                PolicyResolver.ExpiryListener.NONE).resolve(new RequestInfo("x", "alice", List.of()), pod("x"));

        assertThat(levels(e)).isEqualTo("enforce baseline:latest, audit null, warn restricted:latest");
    }

    @Test
    void parseWhenNamespaceLabelsInAnOverrideThenRefused() {
        assertThatThrownBy(() -> PolicyLoader.parse("namespaces:\n- names: [a]\n  podSecurity: {level: baseline, namespaceLabels: true}\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("namespaces[0].podSecurity.namespaceLabels: top level only");
    }

    @Test
    @Timeout(10)
    void applyWhenHugeOrHostileLabelValuesThenBoundedErrorsAndTheSameFallbacks() {
        String huge = "v1." + "9".repeat(1_000_000);
        PodSecurityLevels defaults = PolicyCompiler.podSecurity(PolicyLoader.parse("podSecurity: {level: baseline}\n"));

        PodSecurityLevels l = PodSecurityLabels.apply(Map.of(
                PodSecurityLabels.ENFORCE_VERSION, huge,
                PodSecurityLabels.WARN, "\u0000\"\\\u202e" + "x".repeat(500_000)), defaults);

        assertThat(l.enforce()).hasToString("baseline:latest");
        assertThat(l.warn()).hasToString("privileged:latest");
        assertThat(l.labelErrors()).hasSize(2).allSatisfy(error -> assertThat(error.length()).isLessThan(400));
        assertThat(l.labelErrors().get(1)).startsWith("metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: \"\\x00\\\"\\\\\\u202e");
    }
}

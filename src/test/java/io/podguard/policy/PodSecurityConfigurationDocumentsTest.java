package io.podguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Glob;
import io.podguard.engine.Evaluation;
import io.podguard.engine.Mode;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.pss.PodSecurityKind;
import io.podguard.engine.pss.PodSecurityLevels;
import io.podguard.testing.Judging;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pod Security Admission's configuration read as a podguard policy: levels, labels, exemptions, errors. */
class PodSecurityConfigurationDocumentsTest {

    private static final String PSC = """
            apiVersion: pod-security.admission.config.k8s.io/v1
            kind: PodSecurityConfiguration
            defaults:
              enforce: baseline
              enforce-version: v1.30
              audit: restricted
              warn: restricted
            exemptions:
              usernames: ["system:serviceaccount:ci:*builder"]
              namespaces: [kube-system]
              runtimeClasses: [kata]
            """;

    @TempDir
    Path dir;

    private static PodObject pod(String namespace, String spec) {
        return Pods.pod("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"" + namespace
                + "\"},\"spec\":" + spec + "}");
    }

    private static PodSecurityLevels levels(Policy policy) {
        return PolicyCompiler.compile(policy).rule(PodSecurityLevels.class);
    }

    @Test
    void parseWhenConfigurationAloneThenItsDefaultsAreTheLevelsLabelsAreReadAndPodguardDefaultsAreOff() {
        Policy policy = PolicyLoader.parse(PSC);

        PodSecurityLevels levels = levels(policy);
        assertThat(levels.enforce()).hasToString("baseline:v1.30");
        assertThat(levels.audit()).hasToString("restricted:latest");
        assertThat(levels.warn()).hasToString("restricted:latest");
        assertThat(policy.podSecurity().readsNamespaceLabels()).isTrue();
        assertThat(policy.usesNamespaceLabels()).isTrue();
        assertThat(policy.defaults().isEnabled()).isFalse();
        assertThat(policy.exemptions()).extracting(Exemption::reason).containsExactly(
                "PodSecurityConfiguration exemptions.usernames",
                "PodSecurityConfiguration exemptions.namespaces",
                "PodSecurityConfiguration exemptions.runtimeClasses");
        assertThat(policy.exemptions()).allSatisfy(e -> assertThat(e.checks()).containsExactlyInAnyOrderElementsOf(
                PodSecurityKind.INSTANCE.ruleIds()));
    }

    @Test
    void parseWhenLevelsLeftOutThenPrivilegedAndLatestAsPsaDefaultsThem() {
        PodSecurityLevels levels = levels(PolicyLoader.parse("""
                apiVersion: pod-security.admission.config.k8s.io/v1beta1
                kind: PodSecurityConfiguration
                defaults: {enforce: "", warn-version: v1.25}
                """));

        assertThat(levels.enforce()).hasToString("privileged:latest");
        assertThat(levels.audit()).hasToString("privileged:latest");
        assertThat(levels.warn()).hasToString("privileged:v1.25");
    }

    @Test
    void parseWhenAdmissionConfigurationThenItsPodSecurityPluginIsReadAndOthersLeftAlone() {
        Policy policy = PolicyLoader.parse("""
                apiVersion: apiserver.config.k8s.io/v1
                kind: AdmissionConfiguration
                plugins:
                - name: EventRateLimit
                  path: eventconfig.yaml
                - name: PodSecurity
                  configuration:
                    apiVersion: pod-security.admission.config.k8s.io/v1
                    kind: PodSecurityConfiguration
                    defaults: {enforce: restricted}
                    exemptions: {namespaces: [kube-system]}
                """);

        assertThat(levels(policy).enforce()).hasToString("restricted:latest");
        assertThat(policy.exemptions()).singleElement().extracting(Exemption::namespaces).isEqualTo(List.of("kube-system"));
    }

    @Test
    void loadWhenFileThenExemptionReasonsNameItAndNotesSayWhatWasMapped() throws Exception {
        Path file = dir.resolve("psa.yaml");
        Files.writeString(file, PSC);
        List<String> notes = new ArrayList<>();

        Policy policy = PolicyLoader.load(file, notes);

        assertThat(policy.exemptions().get(1).reason()).isEqualTo("PodSecurityConfiguration exemptions.namespaces in " + file);
        assertThat(notes).containsExactly(
                "PodSecurityConfiguration defaults -> podSecurity: enforce baseline:v1.30, audit restricted:latest, warn restricted:latest; "
                        + "Pod Security Admission's namespace labels read (podSecurity.namespaceLabels: true)",
                "PodSecurityConfiguration exemptions.usernames (system:serviceaccount:ci:*builder) -> exemptions[0]: "
                        + "the Pod Security checks skip these users' requests",
                "PodSecurityConfiguration exemptions.namespaces (kube-system) -> exemptions[1]: the Pod Security checks skip these namespaces",
                "PodSecurityConfiguration exemptions.runtimeClasses (kata) -> exemptions[2]: the Pod Security checks skip these runtime classes' pods");
    }

    @Test
    void resolveWhenExemptThenOnlyPodSecurityIsSkippedAndNamesMatchExactlyNotAsPatterns() {
        Policy policy = PolicyLoader.parse(PSC + "---\nmode: enforce\nresources: {max: {memory: 1Gi}}\n");
        ConfiguredPolicyResolver resolver = new ConfiguredPolicyResolver(policy, NamespaceLabels.NONE, Clock.systemUTC(),
                PolicyResolver.ExpiryListener.NONE);
        PodObject pod = pod("kube-system", "{\"hostNetwork\":true,\"containers\":[{\"name\":\"c\",\"image\":\"i\","
                + "\"resources\":{\"limits\":{\"memory\":\"2Gi\"}}}]}");

        Evaluation exempt = Judging.evaluate(pod, resolver.resolve(new RequestInfo("kube-system", "alice", List.of()), pod));
        // the '*' of PSA's username is a character, not a pattern
        Evaluation literal = Judging.evaluate(pod, resolver.resolve(new RequestInfo("default", "system:serviceaccount:ci:img-builder",
                List.of()), pod));
        Evaluation exact = Judging.evaluate(pod, resolver.resolve(new RequestInfo("default", "system:serviceaccount:ci:*builder",
                List.of()), pod));

        assertThat(exempt.message(Mode.ENFORCE, true)).isEqualTo(
                "violates resource rules: resources above maximum (container \"c\": maximum memory usage per Container is 1Gi, but limit is 2Gi)");
        assertThat(exempt.exemptionsApplied()).extracting(e -> e.reason()).containsExactly("PodSecurityConfiguration exemptions.namespaces");
        assertThat(exempt.annotations()).doesNotContainKey(PodSecurityKind.ENFORCE_POLICY);
        assertThat(literal.message(Mode.ENFORCE, true)).startsWith("violates PodSecurity \"baseline:v1.30\": host namespaces (hostNetwork=true)");
        assertThat(exact.message(Mode.ENFORCE, true)).doesNotContain("PodSecurity");
    }

    @Test
    void parseWhenBesidePodguardPolicyThenItsSectionsAddAndItsExemptionsComeFirst() {
        Policy policy = PolicyLoader.parse(PSC + """
                ---
                apiVersion: podguard.io/v1alpha1
                kind: PodGuardPolicy
                defaults: {enabled: true}
                podSecurity: {namespaceLabels: false}
                exemptions:
                - {namespaces: [legacy], reason: migrating}
                """);

        assertThat(policy.defaults().isEnabled()).isTrue();
        assertThat(policy.podSecurity().readsNamespaceLabels()).isFalse();
        assertThat(policy.exemptions()).extracting(Exemption::reason).startsWith("migrating").hasSize(4);
    }

    @Test
    void parseWhenBadConfigurationThenEveryErrorWithItsDocumentAndPath() {
        assertThatThrownBy(() -> PolicyLoader.parse("""
                apiVersion: pod-security.admission.config.k8s.io/v2
                kind: PodSecurityConfiguration
                defaults:
                  enforce: Baseline
                  audit-version: "1.30"
                  warning: restricted
                exemptions:
                  namespaces: [kube-system, Kube_System, kube-system, ""]
                  usernames: ["", alice, alice]
                  runtimeClasses: [a.b, "-x", 3]
                  groups: [devs]
                extra: 1
                """))
                .isInstanceOf(PolicyException.class)
                .extracting(e -> ((PolicyException) e).errors()).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .containsExactly(
                        "document 1 (PodSecurityConfiguration): apiVersion: \"pod-security.admission.config.k8s.io/v2\" is not one of "
                                + "pod-security.admission.config.k8s.io/v1, pod-security.admission.config.k8s.io/v1alpha1, "
                                + "pod-security.admission.config.k8s.io/v1beta1",
                        "document 1 (PodSecurityConfiguration): extra: unknown key",
                        "document 1 (PodSecurityConfiguration): defaults.warning: unknown key",
                        "document 1 (PodSecurityConfiguration): defaults.enforce: \"Baseline\" is not one of privileged, baseline, restricted",
                        "document 1 (PodSecurityConfiguration): defaults.audit-version: \"1.30\" is not latest or v1.0 … v1.37",
                        "document 1 (PodSecurityConfiguration): exemptions.namespaces[1]: \"Kube_System\" is not a namespace name "
                                + "(a DNS label: lower case letters, digits and '-', at most 63)",
                        "document 1 (PodSecurityConfiguration): exemptions.namespaces[2]: \"kube-system\" is given twice",
                        "document 1 (PodSecurityConfiguration): exemptions.namespaces[3]: \"\" is not a namespace name "
                                + "(a DNS label: lower case letters, digits and '-', at most 63)",
                        "document 1 (PodSecurityConfiguration): exemptions.usernames[0]: empty: a username is required",
                        "document 1 (PodSecurityConfiguration): exemptions.usernames[2]: \"alice\" is given twice",
                        "document 1 (PodSecurityConfiguration): exemptions.runtimeClasses[1]: \"-x\" is not a RuntimeClass name "
                                + "(a DNS subdomain: lower case letters, digits, '-' and '.', at most 253)",
                        "document 1 (PodSecurityConfiguration): exemptions.runtimeClasses[2]: expected a string",
                        "document 1 (PodSecurityConfiguration): exemptions.groups: unknown key");
    }

    @Test
    void parseWhenLevelsGivenTwiceOrBesidePodSecurityPoliciesThenRefused() {
        assertThatThrownBy(() -> PolicyLoader.parse(PSC + "---\npodSecurity: {level: baseline}\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("podSecurity.level: the PodSecurityConfiguration gives the levels (its defaults); "
                        + "beside it podSecurity may only say namespaceLabels");
        assertThatThrownBy(() -> PolicyLoader.parse(PSC + "---\n" + PSC))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("a policy file holds one PodSecurityConfiguration, found 2");
        assertThatThrownBy(() -> PolicyLoader.parse(PSC + "---\napiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: x}\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("document 2: kind PodSecurityPolicy cannot be in a policy file with a PodSecurityConfiguration");
    }

    @Test
    void parseWhenAdmissionConfigurationNamesAFileOrNoPodSecurityThenRefusedWithTheReason() {
        assertThatThrownBy(() -> PolicyLoader.parse("""
                apiVersion: apiserver.config.k8s.io/v1
                kind: AdmissionConfiguration
                plugins:
                - name: PodSecurity
                  path: /etc/kubernetes/psa.yaml
                """))
                .isInstanceOf(PolicyException.class)
                .hasMessage("document 1 (AdmissionConfiguration): plugins[0].path: podguard does not read the files an AdmissionConfiguration "
                        + "names: put the PodSecurityConfiguration inline (configuration:) or in the policy file as a document of its own");
        assertThatThrownBy(() -> PolicyLoader.parse("apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins: []\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("document 1 (AdmissionConfiguration): plugins: no PodSecurity plugin: nothing here for podguard");
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void loadWhenAConfigurationAsLargeAsAPolicyMayBeThenReadAndEachRequestStillCheap() throws Exception {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: pod-security.admission.config.k8s.io/v1
                kind: PodSecurityConfiguration
                defaults: {enforce: restricted}
                exemptions:
                  namespaces:
                """);
        int n = 0;
        while (yaml.length() < 1000 * 1024) {
            yaml.append("  - ns-").append(n++).append('\n');
        }
        Path file = dir.resolve("big.yaml");
        Files.writeString(file, yaml);

        Policy policy = PolicyLoader.load(file);
        ConfiguredPolicyResolver resolver = new ConfiguredPolicyResolver(policy, NamespaceLabels.NONE, Clock.systemUTC(),
                PolicyResolver.ExpiryListener.NONE);
        PodObject pod = pod("ns-x", "{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}");
        for (int i = 0; i < 200; i++) {
            resolver.resolve(new RequestInfo("not-exempt-" + i, "alice", List.of()), pod);
        }

        assertThat(n).isGreaterThan(60_000);
        assertThat(policy.exemptions().getFirst().namespaces()).hasSize(n);
        assertThat(resolver.resolve(new RequestInfo("ns-" + (n - 1), "alice", List.of()), pod).exemptions()).hasSize(1);
        assertThat(resolver.resolve(new RequestInfo("ns-" + n, "alice", List.of()), pod).exemptions()).isEmpty();
    }

    @Test
    void literalWhenNameHasPatternCharactersThenItMatchesThatNameAlone() {
        for (String name : List.of("a*b", "?", "[x]", "]", "[", "u[!a-z]*", "system:serviceaccount:ns:sa")) {
            Glob glob = Glob.compile(Glob.literal(name));
            assertThat(glob.matches(name)).as(name).isTrue();
            assertThat(glob.matches(name + "x")).as(name + "x").isFalse();
            assertThat(glob.matches("x" + name)).as("x" + name).isFalse();
        }
        assertThat(Glob.compile(Glob.literal("a*b")).matches("axxb")).isFalse();
        assertThat(Glob.compile(Glob.literal("?")).matches("z")).isFalse();
    }

    @Test
    void resolveWhenLabelsOnAConfigurationThenTheyApplyOverItsDefaults() {
        Policy policy = PolicyLoader.parse(PSC);
        ConfiguredPolicyResolver resolver = new ConfiguredPolicyResolver(policy,
                Map.of("team-a", Map.of("pod-security.kubernetes.io/enforce", "restricted"))::get, Clock.systemUTC(),
                PolicyResolver.ExpiryListener.NONE);
        PodObject pod = pod("team-a", "{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}");

        EffectivePolicy effective = resolver.resolve(new RequestInfo("team-a", "alice", List.of()), pod);

        assertThat(effective.rule(PodSecurityLevels.class).enforce()).hasToString("restricted:v1.30");
        assertThat(effective.rule(PodSecurityLevels.class).warn()).hasToString("restricted:latest");
    }
}

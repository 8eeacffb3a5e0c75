package io.podguard.policy;

import io.podguard.engine.Mode;
import io.podguard.engine.EffectivePolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.engine.LevelVersion;
import io.podguard.engine.psp.PspProvider;
import io.podguard.testing.PspDocuments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policy files that carry PodSecurityPolicies, in each form a cluster kept them. */
class PodSecurityPolicyDocumentsTest {

    private static String psp(String name) {
        return PspDocuments.permissive(name);
    }

    private static String indent(String s) {
        return s.lines().map(l -> "    " + l).reduce((a, b) -> a + "\n" + b).orElse("") + "\n";
    }

    @Test
    void multiDocumentPspFileThenEnforcedWithPssAndDefaultsOff() {
        Policy policy = PolicyLoader.parse(psp("b") + "---\n" + psp("a"));
        assertThat(policy.podSecurityPolicies().providers()).extracting(PspProvider::name).containsExactly("a", "b");
        assertThat(policy.mode()).isEqualTo(Mode.ENFORCE);
        assertThat(policy.levelVersion()).isEqualTo(LevelVersion.parse("privileged", "latest"));
        assertThat(policy.defaults().isEnabled()).isFalse();
        EffectivePolicy effective = PolicyCompiler.compile(policy);
        assertThat(effective.rule(io.podguard.engine.psp.PspPolicy.class).mode()).isEqualTo(Mode.ENFORCE);
        assertThat(effective.rule(io.podguard.engine.psp.PspPolicy.class).policies().providers()).hasSize(2);
    }

    @Test
    void configMapAndListsHoldingPspsThenAllRead() {
        String yaml = """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: psps}
                data:
                  restricted.yaml: |
                %s  more.yaml: |
                    apiVersion: v1
                    kind: List
                    items:
                    - apiVersion: policy/v1beta1
                      kind: PodSecurityPolicy
                      metadata: {name: listed}
                      spec:
                        runAsUser: {rule: RunAsAny}
                        seLinux: {rule: RunAsAny}
                        supplementalGroups: {rule: RunAsAny}
                        fsGroup: {rule: RunAsAny}
                """.formatted(indent(psp("restricted")));
        Policy policy = PolicyLoader.parse(yaml);
        assertThat(policy.podSecurityPolicies().providers()).extracting(PspProvider::name).containsExactly("listed", "restricted");
    }

    @Test
    void podGuardPolicyReferencingPspFilesThenItsModeAppliesToThem(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("psps.yaml"), psp("from-file"));
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, """
                mode: audit
                podSecurityPolicies:
                - psps.yaml
                - %s
                """.formatted(psp("inline").replace("\n", "\n  ").strip()));
        Policy policy = PolicyLoader.load(file);
        assertThat(policy.mode()).isEqualTo(Mode.AUDIT);
        assertThat(policy.podSecurityPolicies().providers()).extracting(PspProvider::name).containsExactly("from-file", "inline");
        assertThat(PolicyCompiler.compile(policy).rule(io.podguard.engine.psp.PspPolicy.class).mode()).isEqualTo(Mode.AUDIT);
        // the PSPs are the policy: Pod Security Standards neither judge nor record anything
        assertThat(io.podguard.testing.Judging.levels(PolicyCompiler.compile(policy))).isNull();
    }

    @Test
    void podGuardPolicyFollowedByPspDocumentsThenOnePolicy() {
        Policy policy = PolicyLoader.parse("mode: warn\npodSecurity: {level: baseline}\n---\n" + psp("a"));
        assertThat(policy.mode()).isEqualTo(Mode.WARN);
        assertThat(policy.levelVersion()).isEqualTo(LevelVersion.parse("baseline", "latest"));
        assertThat(policy.defaults().isEnabled()).isFalse();
        assertThat(policy.podSecurityPolicies().providers()).hasSize(1);
    }

    @Test
    void plainPolicyThenNoPsps() {
        Policy policy = PolicyLoader.parse("mode: audit\n");
        assertThat(policy.podSecurityPolicies()).isNull();
        assertThat(PolicyCompiler.compile(policy).rule(io.podguard.engine.psp.PspPolicy.class)).isNull();
        assertThat(policy.levelVersion()).isEqualTo(LevelVersion.parse("restricted", "latest"));
    }

    @Test
    void badDocumentsThenOneClearError() {
        assertThatThrownBy(() -> PolicyLoader.parse(psp("a").replace("policy/v1beta1", "policy/v1")))
                .isInstanceOf(PolicyException.class)
                .hasMessage("document 1: apiVersion \"policy/v1\" is not policy/v1beta1");
        assertThatThrownBy(() -> PolicyLoader.parse("podSecurityPolicies: [psps.yaml]\n"))
                .hasMessage("podSecurityPolicies[0]: file reference \"psps.yaml\" can only be used in a policy file");
        assertThatThrownBy(() -> PolicyLoader.parse(psp("a") + "---\napiVersion: v1\nkind: Secret\n"))
                .hasMessage("document 2: kind Secret is neither PodGuardPolicy nor PodSecurityPolicy");
        assertThatThrownBy(() -> PolicyLoader.parse("podSecurity: {level: strict}\n---\n" + psp("a")))
                .hasMessage("podSecurity.level: \"strict\" is not one of privileged, baseline, restricted");
        assertThatThrownBy(() -> PolicyLoader.parse("podSecurity: {level: strict}\n---\n" + psp("a")))
                .hasMessageStartingWith("podSecurity.level: \"strict\" is not one of");
        assertThatThrownBy(() -> PolicyLoader.parse(psp("a").replace("RunAsAny}\n  seLinux", "Nobody}\n  seLinux")))
                .hasMessage("PodSecurityPolicy \"a\": spec.runAsUser.rule: Unsupported value: \"Nobody\": supported values: \"MustRunAs\", \"MustRunAsNonRoot\", \"RunAsAny\"");
    }
}

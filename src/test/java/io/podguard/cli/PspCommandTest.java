package io.podguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.Main;
import io.podguard.policy.Policy;
import io.podguard.policy.PolicyLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code podguard psp convert FILE}. */
class PspCommandTest {

    private static final Path EXAMPLES = Path.of("docs/examples/psp");

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream previous = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = cli.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(previous);
        }
    }

    @Test
    void convertWhenTheExamplePspsThenLevelsAndALoadablePolicy(@TempDir Path dir) throws Exception {
        Path all = dir.resolve("psps.yaml");
        Files.writeString(all, Files.readString(EXAMPLES.resolve("restricted.yaml")) + "---\n"
                + Files.readString(EXAMPLES.resolve("logging.yaml")) + "---\n" + Files.readString(EXAMPLES.resolve("privileged.yaml")));
        Run run = run("psp", "convert", all.toString());
        assertThat(run.code()).isZero();
        assertThat(run.out()).contains(
                "#   restricted (all pods): restricted\n",
                "#   privileged (namespaces kube-system): privileged\n#     not baseline: privileged: true allows privileged containers\n",
                "#   logging (namespaces logging; service accounts logging:fluent-bit): privileged\n#     not baseline: volumes allows hostPath volumes\n");
        assertThat(run.out()).endsWith("""
                apiVersion: podguard.io/v1alpha1
                kind: PodGuardPolicy
                mode: enforce
                podSecurity:
                  level: restricted
                  version: latest
                # Namespaces whose PodSecurityPolicies allowed more than the cluster level.
                namespaces:
                  - names: ["kube-system"]
                    podSecurity: {level: privileged, version: latest}
                # Service accounts whose PodSecurityPolicies allowed more than the cluster level (PSS cannot select
                # service accounts; an exemption without checks leaves their pods unjudged).
                exemptions:
                  - reason: "PodSecurityPolicy logging (privileged) was bound to these service accounts"
                    serviceAccounts: ["logging:fluent-bit"]
                    namespaces: ["logging"]
                # What the PodSecurityPolicies set by default, as podguard's securityContext defaults (nothing else).
                defaults:
                  resources: {enabled: false}
                  readinessProbe: {enabled: false}
                  preStop: {enabled: false}
                  securityContext:
                    disallowPrivilegeEscalation: true
                    seccompRuntimeDefault: true
                    runAsNonRoot: true
                    dropAllCapabilities: true
                """);
        Policy converted = PolicyLoader.parse(run.out());
        assertThat(converted.levelVersion().toString()).isEqualTo("restricted:latest");
        assertThat(converted.podSecurityPolicies()).isNull();
        assertThat(converted.namespaces()).hasSize(1);
        assertThat(converted.exemptions()).hasSize(1);
    }

    @Test
    void convertWhenSeveralFilesOrAPolicyFileThenTheSamePolicy(@TempDir Path dir) throws Exception {
        Run files = run("psp", "convert", EXAMPLES.resolve("restricted.yaml").toString(), EXAMPLES.resolve("logging.yaml").toString(),
                EXAMPLES.resolve("privileged.yaml").toString());
        Run policy = run("psp", "convert", EXAMPLES.resolve("policy-audit.yaml").toString());

        assertThat(files.code()).isZero();
        assertThat(policy.code()).isZero();
        assertThat(policy.out().substring(policy.out().indexOf('\n'))).isEqualTo(files.out().substring(files.out().indexOf('\n')));
    }

    @Test
    void convertWhenTheConvertedPolicyJudgesTheExamplePodsThenAsThePspsDidWhereLevelsCanSay(@TempDir Path dir) throws Exception {
        Path converted = Files.writeString(dir.resolve("converted.yaml"), run("psp", "convert",
                EXAMPLES.resolve("policy-enforce.yaml").toString()).out());
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(new StringWriter()));

        int code = cli.execute("check", "--policy", converted.toString(), EXAMPLES.resolve("pods/kube-proxy.yaml").toString(), EXAMPLES.resolve("pods/fluent-bit.yaml").toString(),
                EXAMPLES.resolve("pods/debug-shell.yaml").toString());

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("docs/examples/psp/pods/kube-proxy.yaml: Pod kube-system/kube-proxy-4fz9d: allowed\n",
                "docs/examples/psp/pods/debug-shell.yaml: Pod shop/debug-shell: denied: restrictedVolumes: ");
        assertThat(out.toString()).containsPattern("fluent-bit.yaml: Pod logging/fluent-bit-x7k2p: allowed \\(exempted: PodSecurityPolicy logging");
    }

    @Test
    void convertWhenAServiceAccountsPspIsBaselineThenOnlyTheRestrictedChecksAreExempted(@TempDir Path dir) throws Exception {
        Path psps = Files.writeString(dir.resolve("psps.yaml"), """
                apiVersion: policy/v1beta1
                kind: PodSecurityPolicy
                metadata:
                  name: strict
                  annotations:
                    seccomp.security.alpha.kubernetes.io/allowedProfileNames: runtime/default
                    seccomp.security.alpha.kubernetes.io/defaultProfileName: runtime/default
                spec:
                  privileged: false
                  allowPrivilegeEscalation: false
                  requiredDropCapabilities: [ALL]
                  volumes: [configMap, secret, emptyDir, projected, persistentVolumeClaim, downwardAPI, ephemeral, csi]
                  runAsUser: {rule: MustRunAsNonRoot}
                  seLinux: {rule: RunAsAny}
                  supplementalGroups: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}
                  fsGroup: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}
                ---
                apiVersion: policy/v1beta1
                kind: PodSecurityPolicy
                metadata:
                  name: ci
                  annotations: {podguard.io/service-accounts: "ci:runner"}
                spec:
                  privileged: false
                  volumes: [configMap, secret, emptyDir, projected, persistentVolumeClaim, downwardAPI, nfs]
                  runAsUser: {rule: RunAsAny}
                  seLinux: {rule: RunAsAny}
                  supplementalGroups: {rule: RunAsAny}
                  fsGroup: {rule: RunAsAny}
                """);

        Run run = run("psp", "convert", psps.toString());

        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("""
                exemptions:
                  - reason: "PodSecurityPolicy ci (baseline) was bound to these service accounts"
                    serviceAccounts: ["ci:runner"]
                    checks: [allowPrivilegeEscalation, capabilities_restricted, procMount_restricted, restrictedVolumes, runAsNonRoot, runAsUser, seccompProfile_restricted]
                """);
        assertThat(PolicyLoader.parse(run.out()).exemptions().getFirst().checks()).hasSize(7);
    }

    @Test
    void convertWhenThePspsSetNoDefaultsThenNeitherDoesThePolicy(@TempDir Path dir) throws Exception {
        Path psp = Files.writeString(dir.resolve("open.yaml"), """
                apiVersion: policy/v1beta1
                kind: PodSecurityPolicy
                metadata: {name: open}
                spec:
                  privileged: true
                  volumes: ['*']
                  runAsUser: {rule: RunAsAny}
                  seLinux: {rule: RunAsAny}
                  supplementalGroups: {rule: RunAsAny}
                  fsGroup: {rule: RunAsAny}
                """);

        Run run = run("psp", "convert", psp.toString());

        assertThat(run.out()).endsWith("""
                # The PodSecurityPolicies set no securityContext defaults: neither does this policy.
                defaults:
                  enabled: false
                """);
        assertThat(PolicyLoader.parse(run.out()).defaults().isEnabled()).isFalse();
    }

    @Test
    void convertWhenFileIsMissingOrNotPspThenExit2WithOneLine(@TempDir Path dir) throws Exception {
        Run missing = run("psp", "convert", dir.resolve("none.yaml").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("podguard: cannot read " + dir.resolve("none.yaml") + ": no such file" + System.lineSeparator());
        Path secret = dir.resolve("secret.yaml");
        Files.writeString(secret, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n");
        Run wrong = run("psp", "convert", secret.toString());
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err()).isEqualTo("podguard: " + secret + ": document 1: kind Secret is not PodSecurityPolicy" + System.lineSeparator());
    }

    @Test
    void checkWhenThePolicyIsPspsThenManifestsAreJudgedByThem() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        int code = cli.execute("check", "--policy", EXAMPLES.resolve("policy-enforce.yaml").toString(), EXAMPLES.resolve("pods").toString());
        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains(
                "docs/examples/psp/pods/debug-shell.yaml: Pod shop/debug-shell: denied: psp.volumes: spec.volumes[0]: "
                        + "Invalid value: \"hostPath\": hostPath volumes are not allowed to be used\n",
                "docs/examples/psp/pods/web.yaml: Pod shop/web: allowed\n",
                "5 objects judged: 2 denied\n");
    }
}

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
                "#   logging (namespaces logging; service accounts logging:fluent-bit): privileged\n#     not baseline: volumes allows hostPath volumes\n",
                "# Namespaces whose PodSecurityPolicies allowed more than the cluster level (give them their own level):\n#   kube-system: privileged\n");
        assertThat(run.out()).endsWith("""
                kind: PodGuardPolicy
                mode: enforce
                podSecurity:
                  level: restricted
                  version: latest
                defaults:
                  enabled: true
                """);
        Policy converted = PolicyLoader.parse(run.out());
        assertThat(converted.levelVersion().toString()).isEqualTo("restricted:latest");
        assertThat(converted.podSecurityPolicies()).isNull();
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
                "5 objects checked, 2 denied\n");
    }
}

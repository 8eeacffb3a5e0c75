package io.podguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code podguard audit} as a process: what a user sees on standard error when the kubeconfig's
 * exec plugin (gke-gcloud-auth-plugin, aws eks get-token …) cannot run. fabric8 logs that as a
 * warning with a stack trace; the command says it in one line each.
 */
class AuditProcessTest {

    @TempDir
    Path dir;

    @Test
    void auditWhenTheExecPluginCannotRunThenEveryLineOfStandardErrorIsOnePodguardLine() throws Exception {
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
                users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: %s}}}]
                contexts: [{name: dev, context: {cluster: c, user: u}}]
                current-context: dev
                """.formatted(dir.resolve("no-such-plugin")));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.podguard.Main",
                "audit", "--kubeconfig", kubeconfig.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(err.lines().toList()).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("podguard: "));
        assertThat(err).contains("podguard: warning: ").doesNotContain("\tat ")
                .endsWith("podguard: cannot list pods: connection refused to https://127.0.0.1:1\n");
    }
}

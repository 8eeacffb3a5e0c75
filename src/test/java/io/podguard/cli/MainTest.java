package io.podguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line's own answers, through the real entry point: help, version, and every mistake in one line with exit 2. */
class MainTest {

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void helpWhenAskedAsACommandThenEveryCommandListed() {
        Run run = run("help");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).startsWith("Usage: podguard [-hV] [COMMAND]").contains("  check ", "  audit ", "  certs ", "  version ");
        assertThat(run("help", "check").out()).startsWith("Usage: podguard check ");
    }

    @Test
    void versionWhenAskedAsACommandOrOptionThenTheSameLine() {
        Run command = run("version");
        Run option = run("--version");

        assertThat(command.exit()).isZero();
        assertThat(command.out()).matches("podguard \\S+ \\(Java \\d+\\)\\n");
        assertThat(option.out()).isEqualTo(command.out());
    }

    @Test
    void unknownCommandWhenCloseToOneThenTheNearestIsSuggested() {
        Run run = run("chek", "deploy/");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("podguard: unknown command \"chek\" (did you mean check?) (see: podguard --help)\n");
        assertThat(run("config", "valdate", "x").err())
                .isEqualTo("podguard: unknown command \"valdate\" (did you mean validate?) (see: podguard config --help)\n");
    }

    @Test
    void unknownOptionWhenGivenThenOneLineWithTheCommandsHelp() {
        Run run = run("check", "--frobnicate", "x.yaml");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("podguard: unknown option \"--frobnicate\" (see: podguard check --help)\n");
        // One close to an option gets it suggested.
        assertThat(run("check", "--no-default", "x.yaml").err())
                .isEqualTo("podguard: unknown option \"--no-default\" (did you mean --no-defaults?) (see: podguard check --help)\n");
    }

    @Test
    void serveWhenThePortIsNoPortThenOneLineAndExit2() {
        Run run = run("serve", "--port", "99999");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("podguard: --port 99999 is not a port (1-65535)\n");
        assertThat(run("serve", "--management-port", "-1").err()).isEqualTo("podguard: --management-port -1 is not a port (1-65535)\n");
    }

    @Test
    void serveWhenThePortIsTakenThenOneLineAndExit2() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(0));
            Run run = run("serve", "--port", Integer.toString(taken.getLocalPort()));

            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.err()).isEqualTo("podguard: cannot listen on port " + taken.getLocalPort() + " (--port): another process listens on it\n");
        }
    }

    @Test
    void serveWhenTheKubeconfigCannotBeUsedThenOneLineAndExit2(@TempDir Path dir) {
        Run run = run("serve", "--kubeconfig", dir.resolve("nope").toString(), "--port", "0", "--management-port", "0");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("podguard: kubeconfig " + dir.resolve("nope") + ": no such file\n");
    }

    @Test
    void aMissingFileWhenGivenToAnyCommandThenNoSuchFile(@TempDir Path dir) {
        String missing = dir.resolve("missing.yaml").toString();

        assertThat(run("check", "--policy", missing, "x.yaml").err()).isEqualTo("podguard: cannot read policy " + missing + ": no such file\n");
        assertThat(run("serve", "--policy", missing, "--port", "0", "--management-port", "0").err())
                .isEqualTo("podguard: cannot read policy " + missing + ": no such file\n");
        assertThat(run("psp", "convert", missing).err()).isEqualTo("podguard: cannot read " + missing + ": no such file\n");
        assertThat(run("check", missing).err()).isEqualTo("podguard: error: " + missing + ": no such file or folder\n");
    }

    /** A key type the TLS stack would choke on, or a key that is not the certificate's, stops serve with one line. */
    @Test
    void serveWhenTheTlsKeyIsDsaOrNotTheCertificatesThenOneLineAndExit2(@TempDir Path dir) throws Exception {
        io.podguard.tls.CertificateAuthority ca = io.podguard.tls.CertificateAuthority.create("test-ca", java.time.Duration.ofDays(1));
        java.security.KeyPairGenerator dsa = java.security.KeyPairGenerator.getInstance("DSA");
        dsa.initialize(2048);
        java.security.KeyPair dsaKeys = dsa.generateKeyPair();
        Path cert = java.nio.file.Files.writeString(dir.resolve("tls.crt"),
                ca.issueServing(java.util.List.of("localhost"), java.time.Duration.ofHours(1)).certificatePem());
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Path otherKey = java.nio.file.Files.writeString(dir.resolve("other.key"), io.podguard.tls.CertificateAuthority.pem(rsa.generateKeyPair().getPrivate()));
        Path dsaKey = java.nio.file.Files.writeString(dir.resolve("dsa.key"), io.podguard.tls.CertificateAuthority.pem(dsaKeys.getPrivate()));
        Path notAKey = java.nio.file.Files.writeString(dir.resolve("cert-as-key.pem"), java.nio.file.Files.readString(cert));

        Run mismatched = run("serve", "--tls-cert", cert.toString(), "--tls-key", otherKey.toString(), "--port", "0", "--management-port", "0");
        Run dsaRun = run("serve", "--tls-cert", cert.toString(), "--tls-key", dsaKey.toString(), "--port", "0", "--management-port", "0");
        Run wrongFile = run("serve", "--tls-cert", cert.toString(), "--tls-key", notAKey.toString(), "--port", "0", "--management-port", "0");

        assertThat(mismatched.exit()).isEqualTo(2);
        assertThat(mismatched.err()).isEqualTo("podguard: " + otherKey + ": the RSA 2048 key is not the key of the certificate (ECDSA P-256)\n");
        assertThat(dsaRun.exit()).isEqualTo(2);
        assertThat(dsaRun.err()).isEqualTo("podguard: " + dsaKey + ": a DSA key cannot be used: podguard serves ECDSA, RSA and Ed25519 keys\n");
        assertThat(wrongFile.err()).isEqualTo("podguard: cannot read the private key " + notAKey + ": Missing private key or unrecognized format\n");
    }
}

package io.podguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.engine.psp.PspProvider;
import io.podguard.testing.PspDocuments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code podSecurityPolicies} file references read policy and nothing else: a reference once
 * read any path (absolute, {@code ..}), any file type, without a size cap, and echoed the
 * content in its error (a service-account token, {@code /etc/shadow} lines, a private key;
 * {@code /dev/zero} ran out of memory).
 */
class PolicyFilesTest {

    private static final String SECRET = "eyJhbGciOiJSUzI1NiIsImtpZCI6InNlY3JldC10b2tlbiJ9.c2VjcmV0";

    @TempDir
    Path root;

    private Path policyDir() throws IOException {
        return Files.createDirectories(root.resolve("policy"));
    }

    /** Loads a policy referencing {@code reference} and returns its one error. */
    private String refused(Path dir, String reference) throws IOException {
        Path file = Files.writeString(dir.resolve("policy.yaml"), "mode: enforce\npodSecurityPolicies: [\"" + reference + "\"]\n");
        try {
            PolicyLoader.load(file);
        } catch (PolicyException e) {
            assertThat(e.errors()).hasSize(1);
            return e.errors().getFirst();
        }
        throw new AssertionError("policy referencing " + reference + " was accepted");
    }

    @Test
    void referenceWhenOutsideThePolicyDirectoryThenRefusedWithoutItsContent() throws IOException {
        Path dir = policyDir();
        Path token = Files.writeString(root.resolve("token"), SECRET);
        Files.createSymbolicLink(dir.resolve("link.yaml"), token);
        Files.createDirectories(dir.resolve("sub"));

        assertThat(refused(dir, "../token")).isEqualTo("podSecurityPolicies[0]: file \"../token\" is outside the policy file's directory " + dir);
        assertThat(refused(dir, "sub/../../token")).isEqualTo("podSecurityPolicies[0]: file \"sub/../../token\" is outside the policy file's directory " + dir);
        assertThat(refused(dir, token.toString())).isEqualTo("podSecurityPolicies[0]: file \"" + token
                + "\" must be a path relative to the policy file's directory " + dir);
        assertThat(refused(dir, "/etc/shadow")).isEqualTo("podSecurityPolicies[0]: file \"/etc/shadow\" must be a path relative to the policy file's directory " + dir);
        assertThat(refused(dir, "link.yaml")).isEqualTo("podSecurityPolicies[0]: file \"link.yaml\" leads outside the policy file's directory "
                + dir + " (a symbolic link)");
        assertThat(refused(dir, "sub")).isEqualTo("podSecurityPolicies[0]: file \"sub\" is not a regular file");
        assertThat(refused(dir, "missing.yaml")).isEqualTo("podSecurityPolicies[0]: file \"missing.yaml\" does not exist in " + dir);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void referenceWhenDeviceFifoOrHugeThenRefusedBeforeReadingItAll() throws Exception {
        Path dir = policyDir();
        Files.createSymbolicLink(dir.resolve("zero.yaml"), Path.of("/dev/zero"));
        Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("fifo.yaml").toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        Files.write(dir.resolve("huge.yaml"), new byte[8 * 1024 * 1024]);

        assertThat(refused(dir, "zero.yaml")).startsWith("podSecurityPolicies[0]: file \"zero.yaml\" leads outside");
        assertThat(refused(dir, "fifo.yaml")).isEqualTo("podSecurityPolicies[0]: file \"fifo.yaml\" is not a regular file");
        assertThat(refused(dir, "huge.yaml")).isEqualTo("podSecurityPolicies[0]: file \"huge.yaml\" is larger than 1048576 bytes");
    }

    @Test
    void referenceWhenNotPspYamlThenErrorNamesTheFileNeverItsContent() throws IOException {
        Path dir = policyDir();
        Files.writeString(dir.resolve("token.yaml"), SECRET);
        Files.writeString(dir.resolve("shadow.yaml"), "root:$6$saltsalt$" + SECRET + ":19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n");
        // A private key, made now: the repository holds none. Its base64 body must not leak either.
        String key = io.podguard.tls.Pkcs8.generatedPem();
        String keyBody = key.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        Files.writeString(dir.resolve("key.yaml"), key.replaceFirst("\n", "\n" + SECRET + "\n"));
        Files.writeString(dir.resolve("broken.yaml"), "a: [" + SECRET + "\n  b: {");
        Files.writeString(dir.resolve("nested.yaml"), "- " + SECRET + "\n");

        for (String file : List.of("token.yaml", "shadow.yaml", "key.yaml", "broken.yaml", "nested.yaml")) {
            String error = refused(dir, file);
            assertThat(error).as(file).startsWith("podSecurityPolicies[0] (" + file + ")").doesNotContain(SECRET).doesNotContain("root:")
                    .doesNotContain(keyBody.substring(0, 16)).doesNotContain("PRIVATE KEY");
        }
    }

    @Test
    void referenceWhenInsideTheDirectoryOrASubdirectoryOrThroughAConfigMapLinkThenRead() throws IOException {
        Path dir = policyDir();
        // A ConfigMap volume: file -> ..data/file, ..data -> ..2026_01_01_00_00_00.1
        Path timestamped = Files.createDirectories(dir.resolve("..2026_01_01_00_00_00.1"));
        Files.writeString(timestamped.resolve("psps.yaml"), psp("from-configmap"));
        Files.createSymbolicLink(dir.resolve("..data"), dir.relativize(timestamped));
        Files.createSymbolicLink(dir.resolve("psps.yaml"), Path.of("..data/psps.yaml"));
        Files.writeString(Files.createDirectories(dir.resolve("more")).resolve("b.yaml"), psp("from-subdirectory"));
        Files.writeString(dir.resolve("more/c.yaml"), psp("normalised"));
        Path file = Files.writeString(dir.resolve("policy.yaml"), "podSecurityPolicies: [psps.yaml, more/b.yaml, ./more/../more/c.yaml]\n");

        PolicyFiles files = new PolicyFiles(file);
        Policy policy = PolicyLoader.load(files);

        assertThat(policy.podSecurityPolicies().providers()).extracting(PspProvider::name)
                .containsExactly("from-configmap", "from-subdirectory", "normalised");
        byte[] first = files.digest();
        PolicyFiles again = new PolicyFiles(file);
        PolicyLoader.load(again);
        assertThat(again.digest()).isEqualTo(first);
        Files.writeString(dir.resolve("more/b.yaml"), psp("changed"));
        PolicyFiles changed = new PolicyFiles(file);
        PolicyLoader.load(changed);
        assertThat(changed.digest()).isNotEqualTo(first);
    }

    @Test
    void policyFileWhenNotARegularFileThenRefused() throws Exception {
        Path dir = policyDir();
        assertThatThrownBy(() -> PolicyLoader.load(dir)).isInstanceOf(PolicyException.class)
                .hasMessage("policy file " + dir + " is not a regular file");
        assertThatThrownBy(() -> PolicyLoader.load(Path.of("/dev/zero"))).isInstanceOf(PolicyException.class)
                .hasMessage("policy file /dev/zero is not a regular file");
    }

    @Test
    void referencesWhenTooManyThenRefused() throws IOException {
        Path dir = policyDir();
        Files.writeString(dir.resolve("a.yaml"), psp("a"));
        StringBuilder refs = new StringBuilder("podSecurityPolicies:\n");
        for (int i = 0; i <= PolicyFiles.MAX_REFERENCES; i++) {
            refs.append("- a.yaml\n");
        }
        Path file = Files.writeString(dir.resolve("policy.yaml"), refs);

        assertThatThrownBy(() -> PolicyLoader.load(file)).isInstanceOf(PolicyException.class)
                .hasMessage("podSecurityPolicies[64]: file \"a.yaml\": a policy references at most 64 files");
    }

    /** What the file watcher asks at every poll, without parsing: would a load read the same bytes? */
    @Test
    void snapshotUnchangedWhenAConfigMapSwapsItsDataThenOnlyNewBytesCount() throws Exception {
        Path dir = policyDir();
        Path first = Files.createDirectories(dir.resolve("..2026_01_01_00_00_00.1"));
        Files.writeString(first.resolve("policy.yaml"), "mode: enforce\npodSecurityPolicies: [psps.yaml, gone.yaml]\n");
        Files.writeString(first.resolve("psps.yaml"), psp("first"));
        Files.createSymbolicLink(dir.resolve("..data"), dir.relativize(first));
        Path file = Files.createSymbolicLink(dir.resolve("policy.yaml"), Path.of("..data/policy.yaml"));
        Files.createSymbolicLink(dir.resolve("psps.yaml"), Path.of("..data/psps.yaml"));
        PolicyFiles files = new PolicyFiles(file);
        assertThatThrownBy(() -> PolicyLoader.load(files)).isInstanceOf(PolicyException.class);
        PolicyFiles.Snapshot read = files.snapshot();

        assertThat(read.references()).containsExactly("psps.yaml", "gone.yaml");
        assertThat(read.unchanged(file)).isTrue();

        // the kubelet's update: a new directory, ..data pointed at it
        Path second = Files.createDirectories(dir.resolve("..2026_01_01_00_00_00.2"));
        Files.copy(first.resolve("policy.yaml"), second.resolve("policy.yaml"));
        Files.writeString(second.resolve("psps.yaml"), psp("first"));
        Files.delete(dir.resolve("..data"));
        Files.createSymbolicLink(dir.resolve("..data"), dir.relativize(second));
        assertThat(read.unchanged(file)).as("the same bytes in a new directory").isTrue();

        Files.writeString(second.resolve("psps.yaml"), psp("second"));
        assertThat(read.unchanged(file)).as("a referenced file changed").isFalse();
        Files.writeString(second.resolve("psps.yaml"), psp("first"));
        Files.writeString(dir.resolve("gone.yaml"), psp("back"));
        assertThat(read.unchanged(file)).as("a missing reference appeared").isFalse();
        Files.delete(dir.resolve("gone.yaml"));
        Files.writeString(second.resolve("policy.yaml"), "mode: audit\npodSecurityPolicies: [psps.yaml, gone.yaml]\n");
        assertThat(read.unchanged(file)).as("the policy file changed").isFalse();
        Files.delete(second.resolve("policy.yaml"));
        assertThat(read.unchanged(file)).as("the policy file is gone").isFalse();
    }

    private static String psp(String name) {
        return PspDocuments.permissive(name);
    }
}

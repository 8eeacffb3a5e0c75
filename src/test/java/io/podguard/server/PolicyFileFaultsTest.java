package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.podguard.policy.Policy;
import io.podguard.policy.PolicyFiles;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyStore;
import io.podguard.testing.PspDocuments;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of the policy file while podguard runs: replaced by garbage, deleted, unreadable. Each
 * time the last good policy stays in force, the failure is counted once, and the last-success
 * timestamp stays old; a good file afterwards is taken up again.
 */
class PolicyFileFaultsTest {

    private static final String GOOD = "mode: enforce\npodSecurity:\n  level: baseline\n";
    private static final String NEXT = "mode: audit\npodSecurity:\n  level: restricted\n";

    @TempDir
    Path dir;

    private Path file;
    private PolicyStore store;
    private SimpleMeterRegistry registry;
    private PolicyFileWatcher watcher;
    private final List<Policy> taken = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        file = Files.writeString(dir.resolve("policy.yaml"), GOOD);
        PolicyFiles initial = new PolicyFiles(file);
        store = new PolicyStore(PolicyLoader.load(initial), file.toString());
        registry = new SimpleMeterRegistry();
        PolicyMetrics metrics = new PolicyMetrics(registry, store);
        metrics.loaded(false);
        watcher = new PolicyFileWatcher(file, initial.snapshot(), store, metrics, Duration.ofSeconds(10), taken::add);
    }

    @Test
    void garbageThenLastGoodKeptAndOneFailureCounted() throws Exception {
        double lastSuccess = lastSuccess();
        Files.writeString(file, "mode: [enforce\n\u0000garbage: {");

        watcher.check();
        watcher.check();

        assertThat(store.current().policy().podSecurity().level()).isEqualTo("baseline");
        assertThat(failures()).isEqualTo(1.0);
        assertThat(lastSuccess()).isEqualTo(lastSuccess);
        assertThat(taken).isEmpty();
    }

    @Test
    void deletedThenLastGoodKeptAndGoodFileTakenUpWhenBack() throws Exception {
        Files.delete(file);

        watcher.check();
        watcher.check();

        assertThat(store.current().policy().podSecurity().level()).isEqualTo("baseline");
        assertThat(failures()).isEqualTo(1.0);

        Files.writeString(file, NEXT);
        watcher.check();

        assertThat(store.current().policy().podSecurity().level()).isEqualTo("restricted");
        assertThat(taken).hasSize(1);
        assertThat(successes()).isEqualTo(1.0);
    }

    /** A path that cannot be read as a file (root reads any file, so a directory stands in for missing permission). */
    @Test
    void unreadableThenLastGoodKept() throws Exception {
        Files.delete(file);
        Files.createDirectory(file);

        watcher.check();

        assertThat(store.current().policy().podSecurity().level()).isEqualTo("baseline");
        assertThat(failures()).isEqualTo(1.0);
    }

    @Test
    void sameGoodContentAfterGarbageThenTakenAgain() throws Exception {
        Files.writeString(file, "podSecurity: {level: strict}\n");
        watcher.check();
        Files.writeString(file, NEXT);

        watcher.check();

        assertThat(store.current().policy().mode().id()).isEqualTo("audit");
        assertThat(failures()).isEqualTo(1.0);
        assertThat(successes()).isEqualTo(1.0);
    }

    private double failures() {
        return registry.get("podguard.config.reloads").tag("result", "failure").counter().count();
    }

    private double successes() {
        return registry.get("podguard.config.reloads").tag("result", "success").counter().count();
    }

    private double lastSuccess() {
        return registry.get("podguard.config.last.reload.success.timestamp.seconds").gauge().value();
    }

    /** A reload once skipped start-up's size check: an 8 MiB file was read whole and parsed. */
    @Test
    void reloadWhenFileTooLargeThenRefusedAsAtStartUp() throws Exception {
        String big = "mode: audit\n#" + "x".repeat(8 * 1024 * 1024) + "\n";
        Files.writeString(file, big);

        watcher.check();
        watcher.check();

        assertThat(store.current().policy().podSecurity().level()).isEqualTo("baseline");
        assertThat(failures()).isEqualTo(1.0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PolicyLoader.load(file))
                .hasMessage("policy file " + file + " is larger than " + PolicyFiles.MAX_FILE_BYTES + " bytes");
    }

    /** A reload once refused every podSecurityPolicies file reference: a policy that started could never be reloaded. */
    @Test
    void reloadWhenPolicyReferencesPspFilesThenTakenUpAndAChangedReferencedFileReloads() throws Exception {
        Files.writeString(dir.resolve("restricted.yaml"), psp("restricted"));
        Files.writeString(file, "mode: enforce\npodSecurityPolicies: [restricted.yaml]\n");

        watcher.check();

        assertThat(store.current().policy().podSecurityPolicies().providers()).extracting(p -> p.name()).containsExactly("restricted");
        assertThat(successes()).isEqualTo(1.0);

        Files.writeString(dir.resolve("restricted.yaml"), psp("renamed"));
        watcher.check();
        watcher.check();

        assertThat(store.current().policy().podSecurityPolicies().providers()).extracting(p -> p.name()).containsExactly("renamed");
        assertThat(successes()).isEqualTo(2.0);
        assertThat(taken).hasSize(2);
    }

    /**
     * A poll once loaded the file (parsed, validated, compiled every CEL rule) before it compared
     * what it read with the last load: a policy of 2,000 rules cost seconds of CPU every 10 s.
     * An unchanged file, its references included, is now read again and not loaded.
     */
    @Test
    void pollWhenNothingChangedThenNothingLoadedAndAChangedReferenceStillReloads() throws Exception {
        Files.writeString(dir.resolve("psps.yaml"), psp("first"));
        Files.writeString(file, "mode: enforce\npodSecurityPolicies: [psps.yaml]\n"
                + "rules:\n  - id: team\n    expression: \"has(object.metadata.labels) && 'team' in object.metadata.labels\"\n");
        watcher.check();
        assertThat(watcher.loads).isEqualTo(1);
        assertThat(taken).hasSize(1);

        watcher.check();
        watcher.check();

        assertThat(watcher.loads).isEqualTo(1);
        assertThat(taken).hasSize(1);

        Files.writeString(dir.resolve("psps.yaml"), psp("second"));
        watcher.check();
        watcher.check();

        assertThat(watcher.loads).isEqualTo(2);
        assertThat(store.current().policy().podSecurityPolicies().providers()).extracting(p -> p.name()).containsExactly("second");
        assertThat(taken).hasSize(2);
        assertThat(successes()).isEqualTo(2.0);
    }

    @Test
    void pollWhenTheStartUpFileIsUnchangedThenNotLoaded() {
        watcher.check();
        watcher.check();

        assertThat(watcher.loads).isZero();
        assertThat(taken).isEmpty();
        assertThat(successes()).isZero();
    }

    @Test
    void pollWhenARefusedFileIsUnchangedThenNotLoadedAgain() throws Exception {
        Files.writeString(file, "rules:\n  - id: typo\n    expression: \"objct.spec.containers.size() > 0\"\n");
        watcher.check();
        watcher.check();
        watcher.check();

        assertThat(watcher.loads).isEqualTo(1);
        assertThat(failures()).isEqualTo(1.0);
        assertThat(store.current().policy().podSecurity().level()).isEqualTo("baseline");
    }

    @Test
    void pollWhenAMissingReferenceAppearsThenLoaded() throws Exception {
        Files.writeString(file, "mode: enforce\npodSecurityPolicies: [later.yaml]\n");
        watcher.check();
        watcher.check();

        assertThat(watcher.loads).isEqualTo(1);
        assertThat(failures()).isEqualTo(1.0);

        Files.writeString(dir.resolve("later.yaml"), psp("later"));
        watcher.check();

        assertThat(watcher.loads).isEqualTo(2);
        assertThat(store.current().policy().podSecurityPolicies().providers()).extracting(p -> p.name()).containsExactly("later");
        assertThat(taken).hasSize(1);
    }

    @Test
    void pollWhenTheFileIsGoneThenEveryPollLooksAgainAndItsReturnIsTaken() throws Exception {
        Files.delete(file);
        watcher.check();
        watcher.check();

        assertThat(watcher.loads).isEqualTo(2);
        assertThat(failures()).isEqualTo(1.0);

        Files.writeString(file, GOOD);
        watcher.check();

        // the same content as at start-up, back after a gap: taken again, as any change is
        assertThat(watcher.loads).isEqualTo(3);
        assertThat(taken).hasSize(1);
        assertThat(successes()).isEqualTo(1.0);
    }

    private static String psp(String name) {
        return PspDocuments.permissive(name);
    }
}

package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Mode;
import io.podguard.policy.Policy;
import io.podguard.policy.PolicyFiles;
import io.podguard.policy.PolicyLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/** The policy {@code serve} checked is the one the server starts with: the file is read once. */
class StartupPolicyTest {

    @TempDir
    Path dir;

    private static PodguardProperties properties(Path policyFile) {
        return new PodguardProperties(policyFile, null, null, null, null, null, null, null, null, null);
    }

    private static ObjectProvider<StartupPolicy> handed(StartupPolicy policy) {
        return new StaticListableBeanFactory(Map.of(StartupPolicy.BEAN, policy)).getBeanProvider(StartupPolicy.class);
    }

    @Test
    void initialPolicyWhenServeHandedTheSameFileThenItsPolicyAndDigestWithoutReadingAgain() throws Exception {
        Path file = Files.writeString(dir.resolve("policy.yaml"), "mode: enforce\npodSecurity:\n  enforce: {level: restricted, version: latest}\n");
        PolicyFiles files = new PolicyFiles(file);
        Policy checked = PolicyLoader.load(files);
        StartupPolicy loaded = new StartupPolicy(file, checked, files.snapshot());
        // What the file says now no longer matters: the server starts with what serve checked, and the
        // watcher, given what that load read, sees the change and reloads it.
        Files.writeString(file, "mode: audit\n");

        PolicyConfiguration.InitialPolicy initial = new PolicyConfiguration().initialPolicy(properties(file), handed(loaded));

        assertThat(initial.policy()).isSameAs(checked);
        assertThat(initial.read()).isSameAs(loaded.read());
        assertThat(initial.source()).isEqualTo(file.toString());
    }

    @Test
    void initialPolicyWhenServeHandedAnotherFileThenTheConfiguredFileIsRead() throws Exception {
        Path other = Files.writeString(dir.resolve("other.yaml"), "mode: audit\n");
        Path file = Files.writeString(dir.resolve("policy.yaml"), "mode: warn\n");
        PolicyFiles otherFiles = new PolicyFiles(other);
        StartupPolicy loaded = new StartupPolicy(other, PolicyLoader.load(otherFiles), otherFiles.snapshot());

        PolicyConfiguration.InitialPolicy initial = new PolicyConfiguration().initialPolicy(properties(file), handed(loaded));

        PolicyFiles files = new PolicyFiles(file);
        PolicyLoader.load(files);
        assertThat(initial.policy().mode()).isEqualTo(Mode.WARN);
        assertThat(initial.read()).isEqualTo(files.snapshot()).isNotEqualTo(loaded.read());
    }
}

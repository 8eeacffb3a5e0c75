package io.podguard.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upstream test data comes from the Go module go.mod pins, fetched with the Go toolchain, and nowhere else. */
class GoModulesTest {

    @Test
    void pinnedVersionWhenReplacedThenTheReplacementWins() {
        String goMod = """
                module example
                require (
                \tk8s.io/pod-security-admission v0.36.0 // indirect
                \tk8s.io/pod-security-admission/cmd/webhook v0.1.0
                )
                replace k8s.io/pod-security-admission => k8s.io/pod-security-admission v0.37.2
                """;

        assertThat(GoModules.pinnedVersion(goMod, "k8s.io/pod-security-admission")).isEqualTo("v0.37.2");
        assertThat(GoModules.pinnedVersion("require k8s.io/api v0.37.1\n", "k8s.io/api")).isEqualTo("v0.37.1");
        assertThatThrownBy(() -> GoModules.pinnedVersion(goMod, "k8s.io/kubernetes"))
                .hasMessage("src/test/cluster/go.mod pins no version of k8s.io/kubernetes");
    }

    @Test
    void goWhenNeitherOnPathNorInstalledThenFailsSayingWhatIsNeeded(@TempDir Path empty) {
        assertThatThrownBy(() -> GoModules.go(empty.toString(), empty.resolve("go/bin/go")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the Go toolchain is needed to fetch upstream test data pinned in src/test/cluster/go.mod (go is not on PATH nor "
                        + empty.resolve("go/bin/go") + "); install Go from https://go.dev/dl/");
    }

    @Test
    void podSecurityFixturesComeFromTheModuleCacheAtThePinnedVersion() throws IOException {
        String pinned = GoModules.pinnedVersion(Files.readString(GoModules.repository().resolve(GoModules.GO_MOD)),
                "k8s.io/pod-security-admission");

        Path fixtures = GoModules.podSecurityFixtures();

        assertThat(fixtures.toString()).endsWith("k8s.io/pod-security-admission@" + pinned + "/test/testdata");
        try (Stream<Path> files = Files.walk(fixtures)) {
            assertThat(files.filter(f -> f.toString().endsWith(".yaml")).count()).isGreaterThanOrEqualTo(4_537);
        }
    }
}

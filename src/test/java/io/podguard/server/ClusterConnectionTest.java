package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.kube.KubeconfigException;
import io.podguard.kube.KubernetesClients.Environment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server finds its cluster by kubectl's rules, like every command; the features that write
 * to the cluster switch themselves on only in a pod or with {@code serve --kubeconfig}.
 */
class ClusterConnectionTest {

    @TempDir
    Path dir;

    private Path kubeconfig() throws IOException {
        return Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: dev, context: {cluster: c, user: u}}]
                current-context: dev
                """);
    }

    @Test
    void ofWhenKubeconfigNamedForTheServerThenUsedAndWritingFeaturesMayStart() throws IOException {
        Path file = kubeconfig();
        try (ClusterConnection connection = ClusterConnection.of(file, null, new Environment(null, null, false))) {
            assertThat(connection.client()).isNotNull();
            assertThat(connection.chosenForTheServer()).isTrue();
            assertThat(connection.description()).isEqualTo("context \"dev\" of " + file + " (--kubeconfig, https://127.0.0.1:6443)");
        }
    }

    @Test
    void ofWhenKubeconfigComesFromTheEnvironmentThenUsedButWritingFeaturesStayOffByThemselves() throws IOException {
        Path file = kubeconfig();
        try (ClusterConnection connection = ClusterConnection.of(null, null, new Environment(file.toString(), null, false))) {
            assertThat(connection.client()).isNotNull();
            assertThat(connection.chosenForTheServer()).isFalse();
            assertThat(connection.description()).isEqualTo("context \"dev\" of " + file + " ($KUBECONFIG, https://127.0.0.1:6443)");
        }
    }

    @Test
    void ofWhenNoClusterThenNoneWithTheReason() {
        try (ClusterConnection connection = ClusterConnection.of(null, null, new Environment(null, dir, false))) {
            assertThat(connection.client()).isNull();
            assertThat(connection.description()).startsWith("no cluster access (no kubeconfig found: ");
        }
    }

    @Test
    void ofWhenTheNamedContextIsUnknownThenRefusedRatherThanAnotherCluster() throws IOException {
        Path file = kubeconfig();

        assertThatThrownBy(() -> ClusterConnection.of(file, "prod", new Environment(null, null, false)))
                .isInstanceOf(KubeconfigException.class)
                .hasMessage("context \"prod\" does not exist in " + file + " (contexts: dev)");
    }
}

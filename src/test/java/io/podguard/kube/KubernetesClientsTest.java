package io.podguard.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podguard.kube.KubernetesClients.Environment;
import io.podguard.kube.KubernetesClients.Origin;
import io.podguard.kube.KubernetesClients.Target;
import io.podguard.kube.KubernetesClients.Timeouts;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kubectl's rules for finding a kubeconfig and context, and failures in one line that name their cause. */
class KubernetesClientsTest {

    @TempDir
    Path dir;

    private static final Environment NOTHING = new Environment(null, null, false);

    private Path kubeconfig(String name, String server, String... contexts) throws IOException {
        StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: \"" + server
                + "\"}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n");
        for (String context : contexts) {
            yaml.append("- name: ").append(context).append("\n  context: {cluster: c, user: u}\n");
        }
        yaml.append("current-context: ").append(contexts.length == 0 ? "\"\"" : contexts[0]).append('\n');
        return Files.writeString(dir.resolve(name), yaml);
    }

    @Test
    void resolveWhenKubeconfigGivenThenItsCurrentContextWinsOverEnvironmentAndHome() throws IOException {
        Path flag = kubeconfig("flag", "https://flag:6443", "a");
        Path env = kubeconfig("env", "https://env:6443", "b");
        Files.createDirectories(dir.resolve("home/.kube"));
        Files.copy(kubeconfig("home-config", "https://home:6443", "c"), dir.resolve("home/.kube/config"));
        Environment environment = new Environment(env.toString(), dir.resolve("home"), true);

        assertThat(KubernetesClients.resolve(flag, null, environment)).isEqualTo(new Target(Origin.FLAG, flag, "a", "https://flag:6443"));
        assertThat(KubernetesClients.resolve(null, null, environment)).isEqualTo(new Target(Origin.ENVIRONMENT, env, "b", "https://env:6443"));
        assertThat(KubernetesClients.resolve(null, null, new Environment(null, dir.resolve("home"), true)))
                .isEqualTo(new Target(Origin.HOME, dir.resolve("home/.kube/config"), "c", "https://home:6443"));
    }

    @Test
    void resolveWhenContextGivenThenThatContextAndAnUnknownOneIsRefusedAsKubectlDoes() throws IOException {
        Path file = kubeconfig("kubeconfig", "https://k:6443", "dev", "prod");

        assertThat(KubernetesClients.resolve(file, "prod", NOTHING).context()).isEqualTo("prod");
        assertThatThrownBy(() -> KubernetesClients.resolve(file, "nope", NOTHING))
                .isInstanceOf(KubeconfigException.class)
                .hasMessage("context \"nope\" does not exist in " + file + " (contexts: dev, prod)");
    }

    @Test
    void resolveWhenNoCurrentContextThenAskedForOne() throws IOException {
        Path file = kubeconfig("kubeconfig", "https://k:6443", "dev");
        Files.writeString(file, Files.readString(file).replace("current-context: dev", "current-context: \"\""));

        assertThatThrownBy(() -> KubernetesClients.resolve(file, null, NOTHING))
                .hasMessage(file + " sets no current-context: pass --context NAME (contexts: dev)");
    }

    @Test
    void resolveWhenCurrentContextIsNotDefinedThenSaysSo() throws IOException {
        Path file = kubeconfig("kubeconfig", "https://k:6443", "dev");
        Files.writeString(file, Files.readString(file).replace("current-context: dev", "current-context: gone"));

        assertThatThrownBy(() -> KubernetesClients.resolve(file, null, NOTHING))
                .hasMessage("context \"gone\" does not exist in " + file + " (contexts: dev), though current-context names it");
    }

    @Test
    void resolveWhenFileIsMissingOrNotAKubeconfigThenOneLineNamingIt() throws IOException {
        Path values = Files.writeString(dir.resolve("values.yaml"), "replicaCount: 2\nimage: {tag: latest}\n");
        Path pod = Files.writeString(dir.resolve("pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n");
        Path broken = Files.writeString(dir.resolve("broken"), "clusters: [\n  - {name: a\n");
        Path list = Files.writeString(dir.resolve("list"), "- a\n- b\n");

        assertThatThrownBy(() -> KubernetesClients.resolve(dir.resolve("nope"), null, NOTHING))
                .hasMessage("kubeconfig " + dir.resolve("nope") + ": no such file");
        assertThatThrownBy(() -> KubernetesClients.resolve(dir, null, NOTHING))
                .hasMessage("kubeconfig " + dir + " is a folder, not a file");
        assertThatThrownBy(() -> KubernetesClients.resolve(values, null, NOTHING))
                .hasMessage(values + " is not a kubeconfig: it has no clusters, contexts or current-context");
        assertThatThrownBy(() -> KubernetesClients.resolve(pod, null, NOTHING))
                .hasMessage(pod + " is not a kubeconfig: its kind is Pod, not Config");
        assertThatThrownBy(() -> KubernetesClients.resolve(list, null, NOTHING))
                .hasMessage(list + " is not a kubeconfig: not a YAML map");
        assertThatThrownBy(() -> KubernetesClients.resolve(broken, null, NOTHING))
                .hasMessageStartingWith(broken + " is not a kubeconfig: not valid YAML (line ");
    }

    @Test
    void resolveWhenContextNamesAClusterThatIsNotThereThenSaysSo() throws IOException {
        Path file = Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                contexts: [{name: dev, context: {cluster: gone, user: u}}]
                current-context: dev
                """);

        assertThatThrownBy(() -> KubernetesClients.resolve(file, null, NOTHING))
                .hasMessage("context \"dev\" of " + file + " names cluster \"gone\", which the file does not define");
    }

    @Test
    void resolveWhenKubeconfigVariableListsSeveralFilesThenTheOneDefiningTheContextAndMissingOnesSkipped() throws IOException {
        Path first = kubeconfig("first", "https://first:6443", "one");
        Path second = kubeconfig("second", "https://second:6443", "two");
        String variable = dir.resolve("missing") + ":" + first + ":" + second;

        assertThat(KubernetesClients.resolve(null, null, new Environment(variable, null, false)))
                .isEqualTo(new Target(Origin.ENVIRONMENT, first, "one", "https://first:6443", List.of(first, second)));
        // both files define cluster "c": the first file's wins, as in kubectl's merge
        assertThat(KubernetesClients.resolve(null, "two", new Environment(variable, null, false)))
                .isEqualTo(new Target(Origin.ENVIRONMENT, second, "two", "https://first:6443", List.of(first, second)));
        assertThatThrownBy(() -> KubernetesClients.resolve(null, "three", new Environment(variable, null, false)))
                .hasMessage("context \"three\" does not exist in $KUBECONFIG (" + variable + "; contexts: one, two)");
        assertThatThrownBy(() -> KubernetesClients.resolve(null, null, new Environment(dir.resolve("missing").toString(), null, false)))
                .hasMessage("$KUBECONFIG names no existing file (" + dir.resolve("missing") + ")");
    }

    @Test
    void kubeconfigVariableWhenContextsAndClustersLiveInDifferentFilesThenMergedAsKubectlMergesThem() throws IOException {
        Path contexts = Files.writeString(dir.resolve("contexts"), """
                apiVersion: v1
                kind: Config
                contexts: [{name: dev, context: {cluster: shared, user: me, namespace: team}}]
                current-context: dev
                """);
        Path clusters = Files.writeString(dir.resolve("clusters"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: shared, cluster: {server: "https://shared.example:6443/"}}]
                users: [{name: me, user: {token: from-the-second-file}}]
                """);
        Environment environment = new Environment(contexts + ":" + clusters, null, false);

        Target target = KubernetesClients.resolve(null, null, environment);

        assertThat(target).isEqualTo(new Target(Origin.ENVIRONMENT, contexts, "dev", "https://shared.example:6443", List.of(contexts, clusters)));
        try (KubernetesClient client = KubernetesClients.connect(target, Timeouts.COMMAND)) {
            assertThat(client.getConfiguration().getMasterUrl()).isEqualTo("https://shared.example:6443/");
            assertThat(client.getConfiguration().getAutoOAuthToken()).isEqualTo("from-the-second-file");
            assertThat(client.getConfiguration().getNamespace()).isEqualTo("team");
        }
        Files.writeString(clusters, "apiVersion: v1\nkind: Config\nclusters: [{name: other, cluster: {server: \"https://o:6443\"}}]\n");
        assertThatThrownBy(() -> KubernetesClients.resolve(null, null, environment))
                .hasMessage("context \"dev\" of " + contexts + " names cluster \"shared\", which no file of $KUBECONFIG defines");
    }

    @Test
    void resolveWhenNothingToGoOnThenSaysWhereItLooked() {
        assertThatThrownBy(() -> KubernetesClients.resolve(null, null, new Environment(null, dir, false)))
                .hasMessage("no kubeconfig found: pass --kubeconfig FILE, set $KUBECONFIG, or create " + dir.resolve(".kube/config")
                        + " (and podguard does not run in a pod, so it has no service account either)");
        assertThatThrownBy(() -> KubernetesClients.resolve(null, "dev", new Environment(null, dir, true)))
                .hasMessage("--context dev needs a kubeconfig, and there is none: podguard runs in a pod and would use its service account");
    }

    @Test
    void connectWhenNothingListensThenConnectionRefusedNamingTheServerWithoutRetrying() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String server = "https://127.0.0.1:" + port;
        Target target = KubernetesClients.resolve(kubeconfig("kubeconfig", server, "dev"), null, NOTHING);

        try (KubernetesClient client = KubernetesClients.connect(target, Timeouts.COMMAND)) {
            assertThat(client.getConfiguration().getRequestRetryBackoffLimit()).isZero();
            assertThat(client.getConfiguration().getConnectionTimeout()).isEqualTo(5_000);
            assertThatThrownBy(() -> client.pods().inAnyNamespace().list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(
                            KubernetesClients.describe(e, target.server(), Timeouts.COMMAND)).isEqualTo("connection refused to " + server));
        }
    }

    @Test
    void describeWhenTheApiserverAnswersThenItsCodeReasonAndMessage() {
        KubernetesClientException forbidden = new KubernetesClientException(new StatusBuilder().withCode(403).withReason("Forbidden")
                .withMessage("pods is forbidden: User \"dev\" cannot list resource \"pods\"").build());

        assertThat(KubernetesClients.describe(forbidden, "https://k:6443", Timeouts.COMMAND))
                .isEqualTo("https://k:6443 answered 403 Forbidden: pods is forbidden: User \"dev\" cannot list resource \"pods\"");
    }
}

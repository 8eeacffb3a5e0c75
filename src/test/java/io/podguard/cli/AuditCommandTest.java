package io.podguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.podguard.Main;
import io.podguard.engine.Json;
import io.podguard.kube.KubernetesClients;
import io.podguard.testing.MockKubeconfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** {@code podguard audit} against fabric8's mock apiserver, through a kubeconfig file as a user would. */
@EnableKubernetesMockClient(crud = true)
class AuditCommandTest {

    KubernetesClient client;

    @TempDir
    Path dir;

    private Path kubeconfig;
    /** No $KUBECONFIG, an empty home folder, not in a pod: what the machine has cannot leak into a test. */
    private KubernetesClients.Environment environment;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void cluster() throws Exception {
        environment = new KubernetesClients.Environment(null, Files.createDirectories(dir.resolve("home")), false);
        kubeconfig = dir.resolve("kubeconfig");
        MockKubeconfig.write(kubeconfig, client.getMasterUrl().toString(), "dev", null);
        client.resource(Json.serialization().unmarshal("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"debug","namespace":"team-a"},
                 "spec":{"hostIPC":true,"containers":[{"name":"sh","image":"busybox"}]}}""", Pod.class)).create();
        client.resource(Json.serialization().unmarshal("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"team-b"},
                 "spec":{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
                   "containers":[{"name":"app","image":"nginx",
                     "securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}}""", Pod.class)).create();
    }

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        AuditCommand command = cli.getSubcommands().get("audit").getCommand();
        command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        command.environment = environment;
        return cli.execute(args);
    }

    @Test
    void auditWhenAPodWouldBeDeniedThenTextReportAndExit1() throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "mode: audit\npodSecurity: {level: baseline}\n");

        int code = run("audit", "--kubeconfig", kubeconfig.toString(), "--policy", policy.toString());

        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(code).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("""
                policy: %s
                2 pods in 2 namespaces: 1 would be denied under enforce

                team-a/debug: violates PodSecurity "baseline:latest": host namespaces (hostIPC=true)
                  after defaults: resources (container sh), preStop (container sh), securityContext (container sh), securityContext (pod)

                by namespace:
                  team-a: 1 of 1 pod

                by check (pods failing it):
                  hostNamespaces: 1
                """.formatted(policy));
    }

    @Test
    void auditWhenJsonAndOneNamespaceOfRestrictedPodsThenItsReportAndExit0() {
        int code = run("audit", "--kubeconfig", kubeconfig.toString(), "-n", "team-b", "-o", "json");

        assertThat(code).isZero();
        JsonNode json = Json.mapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(json.get("policySource").asString()).isEqualTo("embedded default");
        assertThat(json.get("totals").toString()).isEqualTo("{\"namespaces\":1,\"pods\":1,\"wouldBeDenied\":0}");
        assertThat(json.at("/namespaces/team-b/levels").toString()).isEqualTo("[\"baseline:latest\"]");
    }

    @Test
    void auditWhenTheKubeconfigIsMissingThenOneLineAndExit2() {
        int code = run("audit", "--kubeconfig", dir.resolve("nope").toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("podguard: kubeconfig " + dir.resolve("nope") + ": no such file\n");
    }

    @Test
    void auditWhenTheContextIsUnknownThenRefusedAsKubectlDoesAndNothingAudited() {
        int code = run("audit", "--kubeconfig", kubeconfig.toString(), "--context", "nope");

        assertThat(code).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("podguard: context \"nope\" does not exist in " + kubeconfig + " (contexts: mock)\n");
    }

    @Test
    void auditWhenThePolicyReadsPsaLabelsThenEachNamespaceIsJudgedAtItsLabelledLevel() throws Exception {
        client.resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("team-a")
                .addToLabels("pod-security.kubernetes.io/enforce", "privileged").endMetadata().build()).create();
        client.resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("team-b")
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted").endMetadata().build()).create();
        Path policy = dir.resolve("psa.yaml");
        Files.writeString(policy, """
                apiVersion: pod-security.admission.config.k8s.io/v1
                kind: PodSecurityConfiguration
                defaults: {enforce: baseline}
                """);

        int code = run("audit", "--kubeconfig", kubeconfig.toString(), "--policy", policy.toString(), "--no-defaults", "-o", "json");

        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        JsonNode json = Json.mapper().readTree(out.toString(StandardCharsets.UTF_8));
        // team-a's label allows its hostIPC pod; team-b's label enforces restricted, which its pod meets
        assertThat(json.get("totals").toString()).isEqualTo("{\"namespaces\":2,\"pods\":2,\"wouldBeDenied\":0}");
        assertThat(json.at("/namespaces/team-b/levels").toString()).isEqualTo("[\"restricted:latest\"]");
        assertThat(code).isZero();
    }

    @Test
    void auditWhenTheContextIsNamedThenThatOne() {
        assertThat(run("audit", "--kubeconfig", kubeconfig.toString(), "--context", "mock", "-n", "team-b")).isZero();
    }

    @Test
    void auditWhenKubeconfigComesFromTheEnvironmentThenUsedAsKubectlWould() {
        environment = new KubernetesClients.Environment(kubeconfig.toString(), null, false);

        assertThat(run("audit", "-n", "team-b")).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void auditWhenNoKubeconfigAnywhereThenSaysWhereItLooked() {
        assertThat(run("audit")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("podguard: no kubeconfig found: pass --kubeconfig FILE, set $KUBECONFIG, "
                + "or create " + dir.resolve("home/.kube/config") + " (and podguard does not run in a pod, so it has no service account either)\n");
    }

    @Test
    void auditWhenTheFileIsNotAKubeconfigThenSaysSo() throws Exception {
        Path values = Files.writeString(dir.resolve("values.yaml"), "replicaCount: 2\n");

        assertThat(run("audit", "--kubeconfig", values.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("podguard: " + values + " is not a kubeconfig: it has no clusters, contexts or current-context\n");
    }

    @Test
    void auditWhenNothingListensThenConnectionRefusedNamingTheServer() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.writeString(kubeconfig, Files.readString(kubeconfig).replace(client.getMasterUrl().toString().replaceAll("/$", ""),
                "https://127.0.0.1:" + port));

        assertThat(run("audit", "--kubeconfig", kubeconfig.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("podguard: cannot list pods: connection refused to https://127.0.0.1:" + port + "\n");
    }

    @Test
    void auditWhenTheOutputFormatIsUnknownThenExit2() {
        assertThat(run("audit", "--kubeconfig", kubeconfig.toString(), "-o", "yaml")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("podguard: -o must be text or json, not \"yaml\"\n");
    }
}

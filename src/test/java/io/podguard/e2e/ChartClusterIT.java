package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podguard.tls.managed.CertificateSet;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart against a real kube-apiserver (the end-to-end tier's, started by
 * {@code src/test/cluster/start-cluster.sh}): installed for real in three certificate modes, so
 * the apiserver validates every object (webhooks, CEL match conditions, RBAC), and podguard
 * itself, started with the Deployment's own arguments, makes its certificates and becomes ready.
 * No kubelet runs: podguard runs as two local processes standing in for the two replicas.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChartClusterIT {

    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final Path JAR = REPO.resolve("target/podguard.jar");

    @TempDir
    static Path work;

    static HelmBinary helm;
    static KubernetesClient client;
    static Cluster cluster;

    @BeforeAll
    static void cluster() throws Exception {
        HelmBinary local = HelmBinary.locate();
        cluster = Cluster.own("e2e-chart-cluster-");
        helm = local.withKubeconfig(cluster.kubeconfig(), work.resolve("helm"));
        client = cluster.client();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.stop();
        }
    }

    @Test
    @Order(1)
    void installWhenSelfManagedThenTheApiserverAcceptsEveryObjectAndNotesWarnOnOneReplica() {
        String dryRun = helm.ok(List.of("install", "podguard", HelmBinary.CHART.toString(), "-n", "podguard-system", "--create-namespace",
                "--dry-run=server", "--set", "replicaCount=1", "--set", "podDisruptionBudget.enabled=false"));
        assertThat(dryRun).contains("WARNING: replicaCount is 1.")
                .contains("WARNING: the pods webhook fails closed (failurePolicy Fail) but podDisruptionBudget.enabled is false");
        String quiet = helm.ok(List.of("install", "podguard", HelmBinary.CHART.toString(), "-n", "podguard-system", "--create-namespace",
                "--dry-run=server", "--set-string", "policy=mode: audit\n", "--set", "podDisruptionBudget.enabled=false"));
        assertThat(quiet).contains("pods webhook failurePolicy: Ignore").doesNotContain("WARNING");
        String shortGrace = helm.ok(List.of("install", "podguard", HelmBinary.CHART.toString(), "-n", "podguard-system", "--create-namespace",
                "--dry-run=server", "--set", "terminationGracePeriodSeconds=30"));
        assertThat(shortGrace).contains("WARNING: terminationGracePeriodSeconds (30) does not exceed preStopSleepSeconds +\n"
                + "shutdownDrainSeconds + shutdownTimeoutSeconds (37)");

        helm.ok(List.of("install", "podguard", HelmBinary.CHART.toString(), "-n", "podguard-system", "--create-namespace",
                "--set", "events.enabled=true", "--set", "backgroundAudit.enabled=true",
                "--set", "webhooks.matchConditions[0].name=not-node-lifecycle",
                "--set", "webhooks.matchConditions[0].expression=!request.userInfo.username.startsWith('system:node:')"));

        ValidatingWebhookConfiguration v = client.admissionRegistration().v1().validatingWebhookConfigurations().withName("podguard").get();
        assertThat(v.getWebhooks()).hasSize(3);
        assertThat(v.getWebhooks().getLast().getName()).isEqualTo("pod-security-labels.namespaces.validate.podguard.io");
        assertThat(v.getWebhooks().subList(0, 2)).allSatisfy(w -> {
            assertThat(w.getSideEffects()).isEqualTo("NoneOnDryRun");
            assertThat(w.getMatchConditions()).extracting(c -> c.getName()).containsExactly("not-node-lifecycle");
        });
        assertThat(client.apps().deployments().inNamespace("podguard-system").withName("podguard").get().getSpec().getReplicas()).isEqualTo(2);
        assertThat(client.rbac().roles().inNamespace("podguard-system").withName("podguard").get()).isNotNull();
        assertThat(client.policy().v1().podDisruptionBudget().inNamespace("podguard-system").withName("podguard").get()).isNotNull();
    }

    @Test
    @Order(2)
    void serveWhenTwoReplicasStartWithTheDeploymentsArgumentsThenOneCaInjectedAndBothReady() throws Exception {
        Deployment deployment = client.apps().deployments().inNamespace("podguard-system").withName("podguard").get();
        ConfigMap policy = client.configMaps().inNamespace("podguard-system").withName("podguard-policy").get();
        Path policyFile = Files.writeString(work.resolve("policy.yaml"), policy.getData().get("policy.yaml"));
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();

        List<Replica> replicas = new ArrayList<>();
        try {
            for (String name : List.of("replica-a", "replica-b")) {
                replicas.add(Replica.start(name, container.getArgs(), policyFile, work.resolve(name), cluster.kubeconfig()));
            }
            for (Replica r : replicas) {
                r.awaitReady(Duration.ofSeconds(240));
            }

            Secret secret = client.secrets().inNamespace("podguard-system").withName("podguard-tls").get();
            CertificateSet set = CertificateSet.fromSecretData(secret.getData());
            String caBundle = Base64.getEncoder().encodeToString(set.caBundlePem().getBytes(StandardCharsets.US_ASCII));
            assertThat(clientConfigs("podguard")).hasSize(4).allSatisfy(cc -> assertThat(cc.getCaBundle()).isEqualTo(caBundle));
            for (Replica r : replicas) {
                X509Certificate served = r.servedCertificate();
                assertThat(served).isEqualTo(set.serving());
                served.verify(set.ca().certificate().getPublicKey());
            }

            // An upgrade renders the webhook configurations again: the injected bundle must survive it.
            helm.ok(List.of("upgrade", "podguard", HelmBinary.CHART.toString(), "-n", "podguard-system", "--reuse-values",
                    "--set", "webhooks.timeoutSeconds=4"));
            assertThat(clientConfigs("podguard")).hasSize(4).allSatisfy(cc -> assertThat(cc.getCaBundle()).isEqualTo(caBundle));
        } finally {
            replicas.forEach(Replica::stop);
        }
    }

    @Test
    @Order(3)
    void installWhenHelmGeneratedThenTheCaIsKeptAcrossUpgrades() {
        helm.ok(List.of("install", "pg-helm", HelmBinary.CHART.toString(), "-n", "pg-helm", "--create-namespace", "--set", "certificates.mode=helm"));
        String ca = client.secrets().inNamespace("pg-helm").withName("pg-helm-podguard-tls").get().getData().get("ca.crt");
        String serving = client.secrets().inNamespace("pg-helm").withName("pg-helm-podguard-tls").get().getData().get("tls.crt");
        assertThat(clientConfigs("pg-helm-podguard")).hasSize(4).allSatisfy(cc -> assertThat(cc.getCaBundle()).isEqualTo(ca));

        helm.ok(List.of("upgrade", "pg-helm", HelmBinary.CHART.toString(), "-n", "pg-helm", "--set", "certificates.mode=helm", "--set", "replicaCount=3"));

        Secret after = client.secrets().inNamespace("pg-helm").withName("pg-helm-podguard-tls").get();
        assertThat(after.getData().get("ca.crt")).isEqualTo(ca);
        assertThat(after.getData().get("tls.crt")).isEqualTo(serving);
        assertThat(clientConfigs("pg-helm-podguard")).hasSize(4).allSatisfy(cc -> assertThat(cc.getCaBundle()).isEqualTo(ca));
        assertThat(client.apps().deployments().inNamespace("pg-helm").withName("pg-helm-podguard").get().getSpec().getReplicas()).isEqualTo(3);
    }

    @Test
    @Order(4)
    void installWhenExistingSecretThenTheGivenBundleIsInjected() {
        String bundle = Base64.getEncoder().encodeToString("-----BEGIN CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII));
        helm.ok(List.of("install", "pg-secret", HelmBinary.CHART.toString(), "-n", "pg-secret", "--create-namespace",
                "--set", "certificates.mode=secret", "--set", "certificates.existingSecret=corp-serving",
                "--set", "certificates.caBundle=" + bundle, "--set", "namespaceLabels.enabled=false", "--set", "namespaceResources.enabled=false"));
        assertThat(clientConfigs("pg-secret-podguard")).hasSize(3).allSatisfy(cc -> assertThat(cc.getCaBundle()).isEqualTo(bundle));
        assertThat(client.rbac().clusterRoles().withName("pg-secret-podguard").get()).isNull();
    }

    @Test
    @Order(5)
    void templateWhenCertManagerThenEveryBuiltInObjectPassesServerSideDryRun() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("pg-cm").endMetadata().build()).create();
        List<HasMetadata> objects = HelmBinary.parse(helm.ok(List.of("template", "pg-cm", HelmBinary.CHART.toString(), "-n", "pg-cm",
                "--set", "certificates.mode=cert-manager")));
        Map<String, Integer> applied = new LinkedHashMap<>();
        for (HasMetadata o : objects) {
            // cert-manager's kinds need its CRDs, which this apiserver does not have; their shape is asserted in ChartIT.
            if (o instanceof GenericKubernetesResource) {
                continue;
            }
            client.resource(o).dryRun().create();
            applied.merge(o.getKind(), 1, Integer::sum);
        }
        assertThat(applied).containsOnlyKeys("ServiceAccount", "ConfigMap", "ClusterRole", "ClusterRoleBinding", "Service",
                "Deployment", "PodDisruptionBudget", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "NetworkPolicy");
        assertThat(client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("pg-cm-podguard").get()).isNull();
    }

    private static List<WebhookClientConfig> clientConfigs(String name) {
        List<WebhookClientConfig> all = new ArrayList<>();
        MutatingWebhookConfiguration m = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(name).get();
        m.getWebhooks().forEach(w -> all.add(w.getClientConfig()));
        ValidatingWebhookConfiguration v = client.admissionRegistration().v1().validatingWebhookConfigurations().withName(name).get();
        v.getWebhooks().forEach(w -> all.add(w.getClientConfig()));
        return all;
    }

    /** A podguard process started with the Deployment's arguments, paths and ports made local. */
    record Replica(String name, Process process, int httpsPort, int managementPort, Path log) {

        static Replica start(String name, List<String> deploymentArgs, Path policy, Path dir, Path kubeconfig) throws IOException {
            Files.createDirectories(dir);
            int https = freePort();
            int management = freePort();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-Dspring.aot.enabled=true", "-jar", JAR.toString()));
            for (String arg : deploymentArgs) {
                if (arg.startsWith("--policy=")) {
                    arg = "--policy=" + policy;
                } else if (arg.startsWith("--port=")) {
                    arg = "--port=" + https;
                } else if (arg.startsWith("--management-port=")) {
                    arg = "--management-port=" + management;
                } else if (arg.startsWith("--cert-dir=")) {
                    arg = "--cert-dir=" + dir.resolve("certs");
                }
                command.add(arg);
            }
            if (!Files.isRegularFile(JAR)) {
                fail(JAR + " is missing: run ./mvnw package first (the e2e profile runs after it)");
            }
            Path log = dir.resolve("podguard.log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("KUBECONFIG", kubeconfig.toString());
            pb.environment().put("POD_NAMESPACE", "podguard-system");
            pb.environment().put("POD_NAME", name);
            return new Replica(name, pb.start(), https, management, log);
        }

        void awaitReady(Duration timeout) throws Exception {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            long deadline = System.nanoTime() + timeout.toNanos();
            String last = "no answer";
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    fail(name + " exited " + process.exitValue() + ":\n" + tail());
                }
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/readyz"))
                            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        return;
                    }
                    last = r.statusCode() + " " + r.body();
                } catch (IOException e) {
                    last = e.toString();
                }
                Thread.sleep(500);
            }
            fail(name + " not ready after " + timeout + " (last /readyz: " + last + "):\n" + tail());
        }

        X509Certificate servedCertificate() {
            return new io.podguard.tls.managed.ServedCertificateProbe(() -> httpsPort).served()
                    .orElseThrow(() -> new AssertionError(name + " serves no certificate"));
        }

        void stop() {
            process.destroy();
            try {
                if (!process.waitFor(40, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private String tail() throws IOException {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        }

        private static int freePort() throws IOException {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            }
        }
    }
}

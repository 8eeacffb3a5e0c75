package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.podguard.engine.Json;
import io.podguard.report.PolicyEvents;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Two replicas of the chart against a real kube-apiserver and etcd of their own, each a local
 * process started with the Deployment's arguments and the chart's ServiceAccount token (so
 * every request goes through the chart's RBAC): one is elected through the Lease, alone makes
 * the certificate Secret, lists the pods and writes PolicyReports, and both serve its
 * {@code /audit}. A namespace whose results would make one 2.7 MB report, which etcd refuses,
 * gets reports under 1 MiB. The leader is killed; the other takes the Lease once it has expired,
 * audits an interval after the dead leader's last run, and rewrites no report. The apiserver's
 * audit log shows which replica listed the pods.
 */
class LeaderElectionIT {

    private static final String NS = "podguard-system";
    private static final ResourceDefinitionContext POLICY_REPORTS = new ResourceDefinitionContext.Builder()
            .withGroup("wgpolicyk8s.io").withVersion("v1alpha2").withKind("PolicyReport").withPlural("policyreports").withNamespaced(true).build();
    private static final Pattern LEADER = Pattern.compile("(?m)^podguard_leader\\{[^}]*} (\\S+)$");
    /** Pods of the big namespace, each failing one check for twenty long-named containers. */
    private static final int BIG = 2000;

    @TempDir
    static Path work;

    static HelmBinary helm;
    static KubernetesClient client;
    static Cluster cluster;

    @BeforeAll
    static void cluster() throws Exception {
        HelmBinary local = HelmBinary.locate();
        cluster = Cluster.own("e2e-leader-cluster-");
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
    void killTheLeaderThenTheOtherTakesOverWithinTheLeaseAndNoReportIsDuplicated() throws Exception {
        // The pods run before podguard is installed (once installed, its webhooks would judge every new one).
        int pods = createPods();
        helm.ok(List.of("install", "podguard", HelmBinary.CHART.toString(), "-n", NS, "--create-namespace",
                "--set", "backgroundAudit.enabled=true", "--set", "backgroundAudit.endpoint=true", "--set", "policyReports.enabled=true", "--set", "events.enabled=true",
                "--set", "leaderElection.leaseDuration=5s", "--set", "leaderElection.renewDeadline=3s", "--set", "leaderElection.retryPeriod=1s",
                "--set", "extraArgs={--podguard.audit.interval=30s}"));
        Deployment deployment = client.apps().deployments().inNamespace(NS).withName("podguard").get();
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
        Path policyFile = Files.writeString(work.resolve("policy.yaml"),
                client.configMaps().inNamespace(NS).withName("podguard-policy").get().getData().get("policy.yaml"));
        Path serviceAccount = serviceAccountKubeconfig();

        List<ChartClusterIT.Replica> replicas = new ArrayList<>();
        try {
            for (String name : List.of("replica-a", "replica-b")) {
                replicas.add(ChartClusterIT.Replica.start(name, container.getArgs(), policyFile, work.resolve(name), serviceAccount));
            }
            for (ChartClusterIT.Replica r : replicas) {
                r.awaitReady(Duration.ofSeconds(240));
            }
            await("one replica to lead and both to serve its audit", () -> replicas.stream().filter(LeaderElectionIT::leads).count() == 1
                    && replicas.stream().allMatch(r -> "ok".equals(audit(r).path("status").asString())));
            ChartClusterIT.Replica leader = replicas.stream().filter(LeaderElectionIT::leads).findFirst().orElseThrow();
            ChartClusterIT.Replica other = replicas.stream().filter(r -> r != leader).findFirst().orElseThrow();

            // The leader alone made the certificate Secret; the other waited for it.
            assertThat(log(leader)).contains("created Secret podguard-system/podguard-tls");
            assertThat(log(other)).doesNotContain("created Secret").doesNotContain("renewed");
            Lease held = lease();
            assertThat(held.getSpec().getHolderIdentity()).startsWith(leader.name() + "_");

            // One /audit, whichever replica answers.
            await("the other replica to read the leader's run", () -> audit(other).equals(audit(leader)));
            JsonNode audit = audit(leader);
            assertThat(audit.path("auditedBy").asString()).isEqualTo(held.getSpec().getHolderIdentity());
            assertThat(audit.path("totals").path("pods").asInt()).isEqualTo(pods);
            assertThat(audit.path("totals").path("wouldBeDenied").asInt()).isEqualTo(BIG + 3);

            // PolicyReports: one per small namespace; the big one split under 1,000 results and 1 MiB each.
            Map<String, List<GenericKubernetesResource>> reports = reports();
            assertThat(reports.keySet()).containsExactly("big", "team-1", "team-2", "team-3");
            assertThat(reports.get("team-1")).hasSize(1);
            List<GenericKubernetesResource> big = reports.get("big");
            assertThat(big).hasSize(4);
            int results = 0;
            for (GenericKubernetesResource r : big) {
                assertThat(Json.mapper().writeValueAsBytes(r).length).as(r.getMetadata().getName()).isLessThanOrEqualTo(1024 * 1024);
                results += results(r).size();
            }
            assertThat(results).isEqualTo(BIG);
            // What one report per namespace would have been: etcd refuses it.
            List<Object> all = new ArrayList<>();
            big.forEach(r -> all.addAll(results(r)));
            GenericKubernetesResource whole = new GenericKubernetesResourceBuilder().withApiVersion("wgpolicyk8s.io/v1alpha2").withKind("PolicyReport")
                    .withNewMetadata().withName("everything-at-once").withNamespace("big").endMetadata()
                    .addToAdditionalProperties("results", all).build();
            assertThat(Json.mapper().writeValueAsBytes(whole).length).isGreaterThan(2_500_000);
            assertThatThrownBy(() -> client.genericKubernetesResources(POLICY_REPORTS).inNamespace("big").resource(whole).create())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(500);
                        // etcd: "request is too large"; its gRPC client before it: "larger than max"
                        assertThat(e.getMessage()).containsAnyOf("too large", "larger than max");
                    });

            // The apiserver's audit log: only the leader listed pods.
            assertThat(podListers()).containsOnlyKeys(leader.name());

            // Events: a second replica's copy of an Event (the same name) is refused as the duplicate it is.
            Event event = new EventBuilder().withNewMetadata().withName("podguard.00000000000000000000.1").withNamespace("team-1").endMetadata()
                    .withEventTime(new io.fabric8.kubernetes.api.model.MicroTime("2026-12-01T10:00:00.000000Z")).withReportingController(PolicyEvents.CONTROLLER)
                    .withReportingInstance("replica-a").withAction("Admit").withReason(PolicyEvents.REASON).withType("Warning")
                    .withNewRegarding().withApiVersion("v1").withKind("Namespace").withName("team-1").withNamespace("team-1").endRegarding()
                    .withNote("Pod \"debug\" (create, audit mode): would violate …").build();
            PolicyEvents.writer(client).accept(event);
            assertThatThrownBy(() -> PolicyEvents.writer(client).accept(event)).isInstanceOfSatisfying(KubernetesClientException.class,
                    e -> assertThat(e.getCode()).isEqualTo(409));

            // The leader dies without a word: no release of the Lease.
            leader.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            Lease lastRenewed = lease();
            int listsBefore = podListers().getOrDefault(leader.name(), List.of()).size();
            await("the other replica to take over", () -> leads(other));
            Lease taken = lease();
            assertThat(taken.getSpec().getHolderIdentity()).startsWith(other.name() + "_");
            assertThat(taken.getSpec().getLeaseTransitions()).isEqualTo(held.getSpec().getLeaseTransitions() + 1);
            // Not before the Lease expired; within it and a few retries of the expiry, by the Lease's own times.
            Duration gap = Duration.between(lastRenewed.getSpec().getRenewTime(), taken.getSpec().getAcquireTime());
            assertThat(gap).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(5 + 10));

            await("the new leader's first run", () -> audit(other).path("auditedBy").asString().equals(taken.getSpec().getHolderIdentity()));
            assertThat(audit(other).path("policyReports").asString()).isEqualTo("0 created, 0 updated, 7 unchanged, 0 deleted");
            assertThat(reports().values().stream().mapToInt(List::size).sum()).isEqualTo(7);
            Map<String, List<String>> listers = podListers();
            assertThat(listers.get(leader.name())).hasSize(listsBefore);
            assertThat(listers.get(other.name())).isNotEmpty();
        } finally {
            replicas.forEach(ChartClusterIT.Replica::stop);
        }
    }

    /** Three small namespaces (one pod of two denied each) and the big one, created in parallel; the count. */
    private static int createPods() throws Exception {
        List<String> namespaces = List.of("team-1", "team-2", "team-3", "big");
        for (String ns : namespaces) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        }
        List<Pod> pods = new ArrayList<>();
        for (String ns : List.of("team-1", "team-2", "team-3")) {
            pods.add(new PodBuilder().withNewMetadata().withName("web").withNamespace(ns).endMetadata()
                    .withNewSpec().addNewContainer().withName("app").withImage("nginx").endContainer().endSpec().build());
            pods.add(new PodBuilder().withNewMetadata().withName("debug").withNamespace(ns).endMetadata()
                    .withNewSpec().withHostPID(true).addNewContainer().withName("sh").withImage("busybox").endContainer().endSpec().build());
        }
        List<Container> containers = IntStream.range(0, 20).mapToObj(i -> new ContainerBuilder()
                .withName("sidecar-with-a-rather-long-name-" + i).withImage("registry.example/sidecar:1")
                .withNewSecurityContext().withPrivileged(true).endSecurityContext().build()).toList();
        for (int i = 0; i < BIG; i++) {
            pods.add(new PodBuilder().withNewMetadata().withName("agent-" + i).withNamespace("big").endMetadata()
                    .withNewSpec().withContainers(containers).endSpec().build());
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> done = new ArrayList<>();
            for (Pod pod : pods) {
                done.add(pool.submit(() -> client.resource(pod).create()));
            }
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
        }
        return pods.size();
    }

    /** A kubeconfig with a token of the chart's ServiceAccount: podguard gets exactly the chart's rights. */
    private static Path serviceAccountKubeconfig() throws IOException {
        String token = client.serviceAccounts().inNamespace(NS).withName("podguard")
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(7200L).endSpec().build()).getStatus().getToken();
        String ca = Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(cluster.env("CA_CERT"))));
        return Files.writeString(work.resolve("service-account.kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: e2e, cluster: {server: "%s", certificate-authority-data: %s}}]
                users: [{name: podguard, user: {token: "%s"}}]
                contexts: [{name: podguard, context: {cluster: e2e, user: podguard, namespace: podguard-system}}]
                current-context: podguard
                """.formatted(cluster.env("APISERVER_URL"), ca, token));
    }

    private static Lease lease() {
        return client.leases().inNamespace(NS).withName("podguard").get();
    }

    private static Map<String, List<GenericKubernetesResource>> reports() {
        Map<String, List<GenericKubernetesResource>> out = new TreeMap<>();
        for (GenericKubernetesResource r : client.genericKubernetesResources(POLICY_REPORTS).inAnyNamespace().list().getItems()) {
            out.computeIfAbsent(r.getMetadata().getNamespace(), k -> new ArrayList<>()).add(r);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> results(GenericKubernetesResource report) {
        return (List<Object>) report.getAdditionalProperties().get("results");
    }

    /** Pod LISTs across namespaces in the apiserver's audit log, by the replica named in the user agent. */
    private static Map<String, List<String>> podListers() throws IOException {
        Map<String, List<String>> out = new TreeMap<>();
        for (String line : Files.readAllLines(cluster.auditLog())) {
            if (!line.contains("\"verb\":\"list\"") || !line.contains("podguard/")) {
                continue;
            }
            JsonNode event = Json.mapper().readTree(line);
            if (!"ResponseComplete".equals(event.path("stage").asString()) || !"pods".equals(event.path("objectRef").path("resource").asString())
                    || !event.path("objectRef").path("namespace").isMissingNode()) {
                continue;
            }
            String agent = event.path("userAgent").asString();
            String identity = agent.substring(agent.indexOf('(') + 1, agent.indexOf(')'));
            out.computeIfAbsent(identity.substring(0, identity.lastIndexOf('_')), k -> new ArrayList<>()).add(event.path("requestURI").asString());
        }
        return out;
    }

    private static boolean leads(ChartClusterIT.Replica r) {
        Matcher m = LEADER.matcher(get(r.managementPort(), "/metrics"));
        return m.find() && Double.parseDouble(m.group(1)) == 1;
    }

    private static JsonNode audit(ChartClusterIT.Replica r) {
        return Json.mapper().readTree(get(r.managementPort(), "/audit"));
    }

    private static String log(ChartClusterIT.Replica r) throws IOException {
        return Files.readString(r.log(), StandardCharsets.UTF_8);
    }

    private static String get(int port, String path) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not answering yet
            }
            if (System.nanoTime() > deadline) {
                fail("waiting for " + what);
            }
            Thread.sleep(250);
        }
    }
}

package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.podguard.engine.Json;
import io.podguard.testing.MockKubeconfig;
import io.podguard.testing.TestCertificates;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Two podguard processes ({@code serve --kubeconfig}, as two replicas of the chart) against
 * fabric8's mock apiserver, with a lease of 3 s: one leads and alone lists the pods and writes
 * PolicyReports, both serve the same {@code /audit}; when the leader is killed (SIGKILL: it gives
 * nothing up), the other takes the Lease once it has expired, audits, and rewrites no report, so
 * that every namespace keeps exactly one.
 */
@EnableKubernetesMockClient(crud = true)
class TwoReplicasProcessTest {

    static KubernetesMockServer server;
    static KubernetesClient client;

    @TempDir
    Path dir;

    private static final ResourceDefinitionContext POLICY_REPORTS = new ResourceDefinitionContext.Builder()
            .withGroup("wgpolicyk8s.io").withVersion("v1alpha2").withKind("PolicyReport").withPlural("policyreports").withNamespaced(true).build();
    private static final Pattern LEADER = Pattern.compile("(?m)^podguard_leader\\{[^}]*} (\\S+)$");

    private final List<Replica> replicas = new ArrayList<>();

    record Replica(String name, Process process, int managementPort, Path log) {
        boolean leads() {
            Matcher m = LEADER.matcher(get(managementPort, "/metrics").body());
            return m.find() && Double.parseDouble(m.group(1)) == 1;
        }

        JsonNode audit() {
            return Json.mapper().readTree(get(managementPort, "/audit").body());
        }
    }

    @AfterEach
    void stop() {
        replicas.forEach(r -> r.process().destroyForcibly());
    }

    @Test
    void killTheLeaderThenTheOtherTakesOverAuditsAndNoReportIsDuplicated() throws Exception {
        for (String ns : List.of("team-a", "team-b", "team-c")) {
            client.resource(Json.serialization().unmarshal("""
                    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"debug","namespace":"%s"},
                     "spec":{"hostPID":true,"containers":[{"name":"sh","image":"busybox"}]}}""".formatted(ns), Pod.class)).create();
            client.resource(Json.serialization().unmarshal("""
                    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"%s"},
                     "spec":{"containers":[{"name":"app","image":"nginx"}]}}""".formatted(ns), Pod.class)).create();
        }
        Path kubeconfig = MockKubeconfig.write(dir.resolve("kubeconfig"), client.getMasterUrl().toString(), "podguard", "podguard");
        TestCertificates certificates = new TestCertificates(Files.createDirectories(dir.resolve("certs")));
        certificates.issue();
        start("podguard-a", kubeconfig, certificates);
        start("podguard-b", kubeconfig, certificates);

        await("one replica to lead and finish an audit", () -> replicas.stream().anyMatch(r -> r.leads() && "ok".equals(r.audit().path("status").asString())));
        Replica leader = replicas.stream().filter(Replica::leads).findFirst().orElseThrow();
        Replica other = replicas.stream().filter(r -> r != leader).findFirst().orElseThrow();
        await("the other replica to serve the leader's audit", () -> "ok".equals(other.audit().path("status").asString()));

        // The same /audit from both; the leader ran it.
        assertThat(other.audit()).isEqualTo(leader.audit());
        assertThat(leader.audit().path("auditedBy").asString()).startsWith(leader.name() + "_");
        assertThat(leader.audit().path("totals").toString()).isEqualTo("{\"namespaces\":3,\"pods\":6,\"wouldBeDenied\":3}");
        assertThat(other.leads()).isFalse();
        Map<String, List<String>> podLists = podListsByReplica();
        assertThat(podLists.keySet()).containsExactly(leader.name());
        assertThat(reportsByNamespace()).isEqualTo(Map.of("team-a", 1, "team-b", 1, "team-c", 1));

        // The leader dies without a word.
        Lease held = client.leases().inNamespace("podguard").withName("podguard").get();
        leader.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        Lease lastRenewed = client.leases().inNamespace("podguard").withName("podguard").get();
        await("the other replica to take over", other::leads);
        assertThat(get(other.managementPort(), "/metrics").body())
                .contains("podguard_leader_transitions_total{application=\"podguard\",change=\"acquired\"} 1.0")
                .contains("podguard_leader_transitions_total{application=\"podguard\",change=\"lost\"} 0.0");

        Lease taken = client.leases().inNamespace("podguard").withName("podguard").get();
        assertThat(held.getSpec().getHolderIdentity()).startsWith(leader.name() + "_");
        assertThat(taken.getSpec().getHolderIdentity()).startsWith(other.name() + "_");
        assertThat(taken.getSpec().getLeaseTransitions()).isEqualTo(held.getSpec().getLeaseTransitions() + 1);
        // It waited out the lease after the dead leader's last renewal, by the Lease's own times.
        // fabric8 stamps acquireTime before it reads the Lease it decides on, so the stamp can
        // precede renewTime + 3 s by that read's latency (seen: 24 ms); a replica that did not
        // wait would have taken it within a renewal and a retry (500 ms each) of the last renewal.
        assertThat(Duration.between(lastRenewed.getSpec().getRenewTime(), taken.getSpec().getAcquireTime())).isGreaterThanOrEqualTo(Duration.ofMillis(2_500));

        // Its first run comes an interval (10 s) after the dead leader's last one, under the same policy.
        await("the new leader's audit", () -> other.audit().path("auditedBy").asString().startsWith(other.name() + "_"));
        assertThat(podListsByReplica().keySet()).containsExactly(other.name());
        assertThat(other.audit().path("policyReports").asString()).isEqualTo("0 created, 0 updated, 3 unchanged, 0 deleted");
        assertThat(reportsByNamespace()).isEqualTo(Map.of("team-a", 1, "team-b", 1, "team-c", 1));
        assertThat(Files.readString(other.log())).contains("background audit: this replica audits now; first run in ");
    }

    private void start(String name, Path kubeconfig, TestCertificates certificates) throws IOException {
        int port = freePort();
        int managementPort = freePort();
        Path log = dir.resolve(name + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx192m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.podguard.Main", "serve", "--kubeconfig", kubeconfig.toString(),
                "--port", Integer.toString(port), "--management-port", Integer.toString(managementPort),
                "--tls-cert", certificates.certFile().toString(), "--tls-key", certificates.keyFile().toString(),
                "--podguard.events.enabled=false", "--podguard.audit.interval=10s", "--management.endpoint.audit.access=read-only",
                "--podguard.leader-election.lease-duration=3s", "--podguard.leader-election.renew-deadline=2s",
                "--podguard.leader-election.retry-period=500ms", "--podguard.shutdown-drain-delay=0s")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("POD_NAME", name);
        builder.environment().remove("KUBECONFIG");
        replicas.add(new Replica(name, builder.start(), managementPort, log));
    }

    /** Which replica listed pods, by the user agent each introduces itself with, since the last call. */
    private Map<String, List<String>> podListsByReplica() throws InterruptedException {
        Map<String, List<String>> out = new TreeMap<>();
        RecordedRequest request;
        while ((request = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
            String agent = request.getHeader("User-Agent");
            if ("GET".equals(request.getMethod()) && request.getPath().startsWith("/api/v1/pods") && agent != null && agent.startsWith("podguard/")) {
                String identity = agent.substring(agent.indexOf('(') + 1, agent.indexOf(')'));
                out.computeIfAbsent(identity.substring(0, identity.lastIndexOf('_')), k -> new ArrayList<>()).add(request.getPath());
            }
        }
        return out;
    }

    private Map<String, Integer> reportsByNamespace() {
        Map<String, Integer> out = new TreeMap<>();
        for (GenericKubernetesResource r : client.genericKubernetesResources(POLICY_REPORTS).inAnyNamespace().list().getItems()) {
            out.merge(r.getMetadata().getNamespace(), 1, Integer::sum);
        }
        return out;
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not answering yet
            }
            for (Replica r : replicas) {
                if (!r.process().isAlive() && r.process().exitValue() != 137 && r.process().exitValue() != 9) {
                    throw new AssertionError(r.name() + " exited with " + r.process().exitValue() + ":\n" + tail(r.log()));
                }
            }
            if (System.nanoTime() > deadline) {
                StringBuilder logs = new StringBuilder();
                for (Replica r : replicas) {
                    logs.append("\n--- ").append(r.name()).append('\n').append(tail(r.log()));
                    logs.append("\n--- ").append(r.name()).append(" /audit and podguard_leader: ").append(probe(r));
                }
                throw new AssertionError("waiting for " + what + logs);
            }
            Thread.sleep(200);
        }
    }

    private static String probe(Replica r) {
        try {
            Matcher m = LEADER.matcher(get(r.managementPort(), "/metrics").body());
            return get(r.managementPort(), "/audit").body() + " | " + (m.find() ? m.group() : "no podguard_leader");
        } catch (RuntimeException e) {
            return e.toString();
        }
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 5000 ? s.substring(s.length() - 5000) : s;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static HttpResponse<String> get(int port, String path) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.podguard.audit.BackgroundAudit;
import io.podguard.engine.Json;
import io.podguard.testing.MockKubeconfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The server with cluster access through a kubeconfig to fabric8's mock apiserver:
 * {@code GET /audit} reports what enforce would deny.
 */
@EnableKubernetesMockClient(crud = true)
@SpringBootTest(classes = PodguardApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.port=0", "management.server.port=0", "server.ssl.enabled=false", "podguard.events.enabled=false",
        "management.endpoint.audit.access=read-only"})
class AuditEndpointTest {

    static KubernetesClient client;

    @LocalManagementPort
    int managementPort;

    @Autowired
    AuditEndpoint endpoint;

    @DynamicPropertySource
    static void cluster(DynamicPropertyRegistry registry) throws IOException {
        Path kubeconfig = Files.createTempFile("podguard-kubeconfig", ".yaml");
        kubeconfig.toFile().deleteOnExit();
        MockKubeconfig.write(kubeconfig, client.getMasterUrl().toString(), "dev", null);
        client.resource(Json.serialization().unmarshal("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"debug","namespace":"team-a"},
                 "spec":{"hostPID":true,"containers":[{"name":"sh","image":"busybox"}]}}""", Pod.class)).create();
        registry.add("podguard.kubeconfig", kubeconfig::toString);
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + path)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = Json.mapper().readTree(response.body());
        ((tools.jackson.databind.node.ObjectNode) body).put("httpStatus", response.statusCode());
        return body;
    }

    @Test
    void auditWhenTheFirstRunFinishedThenPerNamespaceAndCheckCounts() throws Exception {
        JsonNode body = get("/audit");
        for (int i = 0; i < 1000 && !"ok".equals(body.path("status").asString()); i++) {
            TimeUnit.MILLISECONDS.sleep(10);
            body = get("/audit");
        }

        assertThat(body.get("httpStatus").asInt()).isEqualTo(200);
        assertThat(body.get("enabled").asBoolean()).isTrue();
        assertThat(body.get("status").asString()).isEqualTo("ok");
        assertThat(body.get("interval").asString()).isEqualTo("PT10M");
        assertThat(body.get("policySource").asString()).isEqualTo("embedded default");
        assertThat(body.get("policyReports").asString()).isEqualTo("1 created, 0 updated, 0 unchanged, 0 deleted");
        assertThat(body.get("totals").toString()).isEqualTo("{\"namespaces\":1,\"pods\":1,\"wouldBeDenied\":1}");
        assertThat(body.at("/namespaces/team-a/checks/hostNamespaces").asInt()).isEqualTo(1);

        JsonNode ns = get("/audit/team-a");
        assertThat(ns.get("httpStatus").asInt()).isEqualTo(200);
        assertThat(ns.at("/deniedPods/0/name").asString()).isEqualTo("debug");
        assertThat(ns.at("/deniedPods/0/checks").toString()).contains("\"hostNamespaces\"");
        assertThat(get("/audit/nowhere").get("httpStatus").asInt()).isEqualTo(404);
    }

    @Test
    void metricsThenTheAuditGaugesArePublished() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.body()).contains("podguard_audit_pods{").contains("podguard_audit_last_run_timestamp_seconds");
    }
}

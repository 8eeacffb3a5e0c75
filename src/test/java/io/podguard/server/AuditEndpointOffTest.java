package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;

/** {@code java -jar} alone: no cluster access, so no audit, and {@code /audit} says why. */
@SpringBootTest(classes = PodguardApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.port=0", "management.server.port=0", "server.ssl.enabled=false"})
class AuditEndpointOffTest {

    @LocalManagementPort
    int managementPort;

    @Test
    void auditWhenNoClusterAccessThenDisabledWithTheReason() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/audit")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"enabled\":false,\"reason\":\"no cluster access (not in a pod and "
                + "podguard.kubeconfig is not set)\"}");
    }
}

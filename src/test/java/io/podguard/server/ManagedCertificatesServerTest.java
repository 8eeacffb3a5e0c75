package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.podguard.testing.MockKubeconfig;
import io.podguard.testing.Pods;
import io.podguard.testing.Reviews;
import io.podguard.testing.TestCertificates;
import io.podguard.tls.managed.CertificateSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The server with {@code podguard.certs.managed.enabled}, against fabric8's mock API server: not
 * ready until the CA bundle is injected, then it serves the Secret's certificate, which a client
 * trusting only the injected bundle (as the apiserver does) accepts.
 */
@SpringBootTest(classes = PodguardApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.server.port=0", "spring.ssl.bundle.watch.file.quiet-period=200ms",
                "podguard.certs.managed.enabled=true", "podguard.certs.managed.namespace=podguard-system",
                "podguard.certs.managed.secret-name=podguard-tls",
                "podguard.certs.managed.mutating-webhook-configuration=podguard",
                "podguard.certs.managed.validating-webhook-configuration=podguard",
                "podguard.certs.managed.dns-names=localhost,127.0.0.1"})
@DirtiesContext
class ManagedCertificatesServerTest {

    static KubernetesMockServer apiServer;
    static KubernetesClient client;

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @DynamicPropertySource
    static void start(DynamicPropertyRegistry registry) throws Exception {
        apiServer = new KubernetesMockServer(new Context(), new io.fabric8.mockwebserver.MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), true);
        apiServer.init();
        client = apiServer.createClient();
        // podguard reaches the mock apiserver as it reaches any cluster: through a kubeconfig.
        Path kubeconfig = Files.createTempDirectory("podguard-managed-kube").resolve("kubeconfig");
        MockKubeconfig.write(kubeconfig, client.getConfiguration().getMasterUrl(), "podguard", "podguard-system");
        registry.add("podguard.kubeconfig", kubeconfig::toString);
        // Only the mutating configuration exists at start-up: the validating one comes later.
        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName("podguard").endMetadata()
                .addNewWebhook().withName("mutate.podguard.io").withAdmissionReviewVersions("v1").withSideEffects("None")
                .withNewClientConfig().withNewService().withName("podguard").withNamespace("podguard-system").withPath("/mutate").endService().endClientConfig()
                .endWebhook().build()).create();
        // A placeholder certificate, as `serve --cert-dir` makes before Spring starts.
        TestCertificates placeholder = new TestCertificates(Files.createTempDirectory("podguard-managed-test"));
        placeholder.issue();
        registry.add("spring.ssl.bundle.pem.podguard.keystore.certificate", () -> "file:" + placeholder.certFile());
        registry.add("spring.ssl.bundle.pem.podguard.keystore.private-key", () -> "file:" + placeholder.keyFile());
        registry.add("podguard.tls.cert-file", () -> placeholder.certFile().toString());
        registry.add("podguard.tls.key-file", () -> placeholder.keyFile().toString());
    }

    @AfterAll
    static void stop() {
        client.close();
        apiServer.destroy();
    }

    @Test
    void serveWhenManagedThenNotReadyUntilInjectedThenServesTheSecretsCertificate() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> waiting = awaitReadyz(http, r -> r.body().contains("ValidatingWebhookConfiguration podguard not found"));
        assertThat(waiting.statusCode()).isEqualTo(503);
        assertThat(waiting.body()).isEqualTo("{\"status\":\"not ready\",\"unmet\":{\"certificate\":"
                + "\"ValidatingWebhookConfiguration podguard not found: the CA bundle cannot be injected\"}}");

        client.admissionRegistration().v1().validatingWebhookConfigurations().resource(new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata().withName("podguard").endMetadata()
                .addNewWebhook().withName("pods.validate.podguard.io").withAdmissionReviewVersions("v1").withSideEffects("None")
                .withNewClientConfig().withNewService().withName("podguard").withNamespace("podguard-system").withPath("/validate").endService().endClientConfig()
                .endWebhook().build()).create();
        HttpResponse<String> ready = awaitReadyz(http, r -> r.statusCode() == 200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"ok\"}");

        CertificateSet set = CertificateSet.fromSecretData(client.secrets().inNamespace("podguard-system").withName("podguard-tls").get().getData());
        String injected = Base64.getEncoder().encodeToString(set.caBundlePem().getBytes(StandardCharsets.US_ASCII));
        List<String> bundles = new ArrayList<>();
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("podguard").get().getWebhooks()
                .forEach(w -> bundles.add(w.getClientConfig().getCaBundle()));
        client.admissionRegistration().v1().validatingWebhookConfigurations().withName("podguard").get().getWebhooks()
                .forEach(w -> bundles.add(w.getClientConfig().getCaBundle()));
        assertThat(bundles).containsExactly(injected, injected);

        // The apiserver's view: trust nothing but the injected bundle, and review a pod.
        HttpClient apiserver = HttpClient.newBuilder().sslContext(trusting(set)).version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> review = apiserver.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/validate"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Reviews.create(Pods.RESTRICTED)))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(review.statusCode()).isEqualTo(200);
        assertThat(Reviews.response(review.body()).path("allowed").asBoolean()).isTrue();
    }

    private HttpResponse<String> awaitReadyz(HttpClient http, java.util.function.Predicate<HttpResponse<String>> until) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/readyz"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (until.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("/readyz never reached the expected state; last: " + (last == null ? "none" : last.statusCode() + " " + last.body()));
    }

    private static SSLContext trusting(CertificateSet set) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (var ca : set.caBundle()) {
            trust.setCertificateEntry("ca" + i++, ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}

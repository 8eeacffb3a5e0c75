package io.podguard.e2e;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.podguard.engine.Json;
import io.podguard.tls.CertificateAuthority;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A second mutating webhook, as a service mesh runs one: it adds a {@code sidecar} container to
 * every pod of the namespaces labelled {@code e2e.podguard.io/inject: "true"}. Its configuration's
 * name sorts after podguard's, so the apiserver calls it after podguard.
 */
final class SidecarInjector implements AutoCloseable {

    static final String CONFIGURATION_NAME = "zz-sidecar-injector";
    static final String WEBHOOK_NAME = "inject.sidecar.example.com";
    static final String NAMESPACE_LABEL = "e2e.podguard.io/inject";
    static final int SIDECAR_PORT = 15001;
    static final String SIDECAR_PORT_NAME = "proxy";

    private final HttpsServer server;
    private final CertificateAuthority ca;
    private final AtomicInteger injected = new AtomicInteger();

    private SidecarInjector(HttpsServer server, CertificateAuthority ca) {
        this.server = server;
        this.ca = ca;
    }

    static SidecarInjector start() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("sidecar-injector-ca", Duration.ofDays(1));
        CertificateAuthority.Issued serving = ca.issueServing(List.of("127.0.0.1"), Duration.ofDays(1));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("serving", serving.keyPair().getPrivate(), new char[0],
                new Certificate[] {serving.certificate(), ca.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        SidecarInjector injector = new SidecarInjector(server, ca);
        server.createContext("/inject", exchange -> {
            byte[] answer;
            try (InputStream in = exchange.getRequestBody()) {
                answer = injector.review(in.readAllBytes());
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
        return injector;
    }

    /** Adds the sidecar unless the pod has it already (it may be called again). */
    private byte[] review(byte[] body) throws IOException {
        JsonNode request = Json.mapper().readTree(body).path("request");
        ObjectNode review = Json.mapper().createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode response = review.putObject("response");
        response.put("uid", request.path("uid").asString()).put("allowed", true);
        boolean present = false;
        for (JsonNode container : request.path("object").path("spec").path("containers")) {
            present |= "sidecar".equals(container.path("name").asString());
        }
        if (!present) {
            ArrayNode patch = Json.mapper().createArrayNode();
            ObjectNode add = patch.addObject().put("op", "add").put("path", "/spec/containers/-");
            ObjectNode sidecar = add.putObject("value").put("name", "sidecar").put("image", "registry.example/proxy:1.0");
            sidecar.putArray("ports").addObject().put("name", SIDECAR_PORT_NAME).put("containerPort", SIDECAR_PORT);
            response.put("patchType", "JSONPatch");
            response.put("patch", Base64.getEncoder().encodeToString(Json.mapper().writeValueAsBytes(patch)));
            injected.incrementAndGet();
        }
        return Json.mapper().writeValueAsString(review).getBytes(StandardCharsets.UTF_8);
    }

    MutatingWebhookConfiguration configuration() {
        return new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(CONFIGURATION_NAME).endMetadata()
                .addNewWebhook()
                    .withName(WEBHOOK_NAME)
                    .withAdmissionReviewVersions("v1")
                    .withNewClientConfig()
                        .withUrl("https://127.0.0.1:" + server.getAddress().getPort() + "/inject")
                        .withCaBundle(Base64.getEncoder().encodeToString(
                                CertificateAuthority.pem(ca.certificate()).getBytes(StandardCharsets.US_ASCII)))
                    .endClientConfig()
                    .withSideEffects("None")
                    .withTimeoutSeconds(5)
                    .withFailurePolicy("Fail")
                    .withReinvocationPolicy("Never")
                    .withNewNamespaceSelector().addToMatchLabels(NAMESPACE_LABEL, "true").endNamespaceSelector()
                    .addNewRule().withApiGroups("").withApiVersions("v1").withResources("pods").withOperations("CREATE")
                        .withScope("Namespaced").endRule()
                .endWebhook()
                .build();
    }

    int injected() {
        return injected.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

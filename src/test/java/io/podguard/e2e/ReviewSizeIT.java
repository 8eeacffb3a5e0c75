package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.podguard.admission.AdmissionReviewCodec;
import io.podguard.e2e.WebhookConfigurations.FailurePolicy;
import io.podguard.engine.Json;
import io.podguard.testing.TestCertificates;
import io.podguard.tls.CertificateAuthority;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * How large a review the real apiserver sends, and that podguard judges every one. The apiserver
 * takes a request body of up to 3 MiB and re-encodes the object for webhooks with Go's JSON
 * encoder, which writes {@code <} as six bytes; on UPDATE it adds the stored object (up to etcd's
 * 1.5 MiB, six times over again). A second
 * webhook in this JVM measures what arrives; podguard, registered with {@code failurePolicy:
 * Ignore} (the case where a refusal lets a pod through), must deny a padded privileged pod, and
 * with {@code Fail} must let a large stored pod be labelled.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReviewSizeIT extends ClusterTest {

    private static final String CAPTURE = "capture.sizes.podguard.test";
    /** Stored pods must fit etcd's request limit (1.5 MiB): this much padding does. */
    private static final int STORED_PADDING = 1_300_000;
    /** A request body under the apiserver's 3 MiB limit. */
    private static final int LARGEST_PADDING = 3_130_000;
    private static final Map<String, Long> LARGEST = new ConcurrentHashMap<>();
    /**
     * This class is about size, not time: the largest review is about 27 MB, and on two cores
     * shared with the apiserver, etcd and a loaded machine, reading and judging it can take longer
     * than the chart's 5 s. A timeout here would be a failure under Fail and a pass under Ignore,
     * which is not what is being measured.
     */
    private static final int TIMEOUT_SECONDS = 30;

    private static Podguard podguard;
    private static HttpsServer capture;
    private static String ns;

    @BeforeAll
    static void start() throws Exception {
        podguard = Podguard.start("sizes", Policies.ENFORCE_BASELINE);
        WebhookConfigurations.apply(client, podguard.baseUrl(), podguard.caBundle(), FailurePolicy.Ignore, TIMEOUT_SECONDS);
        WebhookConfigurations.awaitCalled(client, podguard);
        capture = captureServer();
        ns = Namespaces.create(client, "sizes");
    }

    @AfterAll
    static void stop() {
        WebhookConfigurations.delete(client);
        if (client != null) {
            client.admissionRegistration().v1().validatingWebhookConfigurations().withName(CAPTURE).delete();
        }
        if (capture != null) {
            capture.stop(0);
        }
        if (podguard != null) {
            podguard.stop();
        }
    }

    /** A privileged pod padded to a 3.2 MB review once got 413 and, under Ignore, was stored. */
    @Test
    @Order(1)
    void createWhenPrivilegedPodPaddedWithLessThanSignsThenDeniedByPodguardEvenUnderIgnore() {
        Pod padded = new PodBuilder(Manifests.privilegedPod("padded")).editSpec().editFirstContainer()
                .addToEnv(new EnvVar("PAD", "<".repeat(540_000), null)).endContainer().endSpec().build();

        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
                () -> client.pods().inNamespace(ns).resource(padded).create());

        assertThat(e.getCode()).isEqualTo(403);
        assertThat(e.getStatus().getMessage()).startsWith("admission webhook \"pods.validate.podguard.io\" denied the request: "
                + "violates PodSecurity \"baseline:latest\": ");
        assertThat(client.pods().inNamespace(ns).withName("padded").get()).isNull();
        assertThat(LARGEST.get("CREATE")).isGreaterThan(3L * 1024 * 1024);
    }

    /** kubectl label on a big pod: object and oldObject, both padded; judged (allowed) under Fail. */
    @Test
    @Order(2)
    void labelWhenStoredPodIsAsLargeAsEtcdTakesThenAllowedUnderFail() {
        WebhookConfigurations.apply(client, podguard.baseUrl(), podguard.caBundle(), FailurePolicy.Fail, TIMEOUT_SECONDS);
        Pod big = padded("big", STORED_PADDING);
        client.pods().inNamespace(ns).resource(big).create();

        Pod labelled = client.pods().inNamespace(ns).withName("big")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"reviewed\":\"yes\"}}}");

        assertThat(labelled.getMetadata().getLabels()).containsEntry("reviewed", "yes");
        assertThat(LARGEST.get("UPDATE")).isGreaterThan(2L * 6 * STORED_PADDING);
    }

    /**
     * The largest review: a pod's spec cannot change much on UPDATE, but a Deployment's template
     * can. A PUT of a 3 MiB Deployment over a stored one: etcd refuses to store it (over its
     * 1.5 MiB), but only after every webhook has judged it; podguard must not be the one that refused.
     */
    @Test
    @Order(3)
    void replaceWhenWorkloadBodyIsAsLargeAsTheApiserverTakesThenJudgedAndTheReviewFitsPodguardsLimit() {
        Deployment stored = client.apps().deployments().inNamespace(ns).resource(deployment("big", STORED_PADDING)).create();
        Deployment huge = deployment("big", LARGEST_PADDING);
        huge.getMetadata().setResourceVersion(stored.getMetadata().getResourceVersion());
        assertThat(Json.mapper().writeValueAsBytes(huge).length).isLessThan(AdmissionReviewCodec.APISERVER_MAX_REQUEST_BYTES);
        double judged = podguard.reviews("validate");

        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
                () -> client.apps().deployments().inNamespace(ns).resource(huge).update());

        assertThat(e.getStatus().getMessage()).doesNotContain("webhook").containsPattern("request is too large|larger than max");
        assertThat(podguard.reviews("validate")).isGreaterThan(judged);
        long largest = LARGEST.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        System.out.printf("ReviewSizeIT: largest reviews the apiserver sent: %s bytes; podguard's limit %d bytes%n", LARGEST,
                AdmissionReviewCodec.MAX_BODY_BYTES);
        assertThat(LARGEST.get("UPDATE")).isGreaterThan(6L * (LARGEST_PADDING + STORED_PADDING));
        assertThat(largest).isLessThanOrEqualTo(AdmissionReviewCodec.MAX_BODY_BYTES);
        assertThat(podguard.log()).doesNotContain("(too_large").doesNotContain("(memory_budget");
    }

    private static Deployment deployment(String name, int padding) {
        Deployment d = new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(0).withNewSelector().addToMatchLabels("app", name).endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                        .withSpec(padded(name, padding).getSpec()).endTemplate()
                .endSpec().build();
        return d;
    }

    private static Pod padded(String name, int padding) {
        Pod pod = Manifests.restrictedPod(name);
        pod.getSpec().getContainers().getFirst().setEnv(List.of(new EnvVar("PAD", "<".repeat(padding), null)));
        return pod;
    }

    /** An HTTPS webhook that allows everything and records the largest body per operation. */
    private static HttpsServer captureServer() throws Exception {
        TestCertificates certs = new TestCertificates(Files.createTempDirectory(Cluster.REPO.resolve("target"), "e2e-capture-"));
        CertificateAuthority.Issued serving = certs.ca().issueServing(List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("serving", serving.keyPair().getPrivate(), new char[0], new Certificate[] {serving.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/capture", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            JsonNode request = Json.mapper().readTree(body).path("request");
            LARGEST.merge(request.path("operation").asString(), (long) body.length, Math::max);
            byte[] answer = ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":\""
                    + request.path("uid").asString() + "\",\"allowed\":true}}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
        String caBundle = Base64.getEncoder().encodeToString(CertificateAuthority.pem(certs.ca().certificate()).getBytes(StandardCharsets.US_ASCII));
        ValidatingWebhookConfiguration configuration = new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(CAPTURE).endMetadata()
                .addNewWebhook().withName(CAPTURE).withAdmissionReviewVersions("v1").withSideEffects("None").withFailurePolicy("Ignore")
                    .withTimeoutSeconds(10)
                    .withNewClientConfig().withUrl("https://127.0.0.1:" + server.getAddress().getPort() + "/capture").withCaBundle(caBundle)
                    .endClientConfig()
                    .addNewRule().withApiGroups("").withApiVersions("v1").withOperations("CREATE", "UPDATE").withResources("pods")
                        .withScope("Namespaced").endRule()
                    .addNewRule().withApiGroups("apps").withApiVersions("v1").withOperations("CREATE", "UPDATE").withResources("deployments")
                        .withScope("Namespaced").endRule()
                .endWebhook()
                .build();
        client.resource(configuration).forceConflicts().serverSideApply();
        // the apiserver sees the configuration a moment later: wait until a review arrives
        String probe = Namespaces.probe(client);
        for (int i = 0; i < 300 && !LARGEST.containsKey("CREATE"); i++) {
            try {
                client.pods().inNamespace(probe).resource(Manifests.restrictedPod("capture-probe")).dryRun().create();
            } catch (KubernetesClientException ignored) {
                // until both webhooks answer
            }
            Podguard.sleep(100);
        }
        assertThat(LARGEST).containsKey("CREATE");
        LARGEST.clear();
        return server;
    }
}

package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.testing.Pods;
import io.podguard.testing.Reviews;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class WebhookServerTest extends WebhookServerTestSupport {

    /** The embedded default enforces baseline: the two baseline checks deny, in PSA's order. */
    private static final String DENIAL = "violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), "
            + "privileged (container \"app\" must not set securityContext.privileged=true)";

    @Test
    void validateWhenPrivilegedPodThenDeniedWithPsaMessage() throws Exception {
        HttpResponse<String> resp = post("/validate", Reviews.create(Pods.PRIVILEGED));

        assertThat(resp.statusCode()).isEqualTo(200);
        JsonNode review = io.podguard.engine.Json.mapper().readTree(resp.body());
        assertThat(review.path("apiVersion").asString()).isEqualTo("admission.k8s.io/v1");
        assertThat(review.path("kind").asString()).isEqualTo("AdmissionReview");
        JsonNode response = review.path("response");
        assertThat(response.path("uid").asString()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("code").asInt()).isEqualTo(403);
        assertThat(response.path("status").path("reason").asString()).isEqualTo("Forbidden");
        assertThat(response.path("status").path("message").asString()).isEqualTo(DENIAL);
    }

    @Test
    void validateWhenV1beta1ThenResponseEchoesV1beta1() throws Exception {
        String body = Reviews.review("admission.k8s.io/v1beta1", "CREATE", Pods.RESTRICTED, false);

        HttpResponse<String> resp = post("/validate", body);

        JsonNode review = io.podguard.engine.Json.mapper().readTree(resp.body());
        assertThat(review.path("apiVersion").asString()).isEqualTo("admission.k8s.io/v1beta1");
        assertThat(review.path("response").path("allowed").asBoolean()).isTrue();
        assertThat(review.path("response").path("uid").asString()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    }

    @Test
    void validateWhenConfigMapThenAllowedWithoutPatch() throws Exception {
        String configMap = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"b\"}}";

        JsonNode mutate = Reviews.response(post("/mutate", Reviews.create(configMap)).body());
        JsonNode validate = Reviews.response(post("/validate", Reviews.create(configMap)).body());

        assertThat(mutate.path("allowed").asBoolean()).isTrue();
        assertThat(mutate.has("patch")).isFalse();
        assertThat(validate.path("allowed").asBoolean()).isTrue();
    }

    @Test
    void validateWhenDeleteThenAllowed() throws Exception {
        String body = Reviews.review("admission.k8s.io/v1", "DELETE", Pods.PRIVILEGED, false);

        JsonNode response = Reviews.response(post("/validate", body).body());

        assertThat(response.path("allowed").asBoolean()).isTrue();
    }

    @Test
    void mutateWhenUpdateThenNoPatch() throws Exception {
        String body = Reviews.review("admission.k8s.io/v1", "UPDATE", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx\"}]}}", false);

        JsonNode response = Reviews.response(post("/mutate", body).body());

        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
    }

    @Test
    void getOnWebhookThenMethodNotAllowed() throws Exception {
        HttpResponse<String> resp = https.send(HttpRequest.newBuilder(webhook("/validate")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(resp.statusCode()).isEqualTo(405);
        assertThat(resp.headers().firstValue("Allow")).hasValue("POST");
    }

    /** Unknown paths and methods answer as every other refusal: a status and one plain line, counted. */
    @Test
    void unknownPathOrMethodThenStatusAndOnePlainLine() throws Exception {
        for (String path : new String[] {"/validate/", "/foo", "/", "/error", "/mutate/x"}) {
            for (String method : new String[] {"POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
                HttpResponse<String> resp = https.send(HttpRequest.newBuilder(webhook(path))
                        .method(method, HttpRequest.BodyPublishers.ofString(Reviews.create(Pods.RESTRICTED)))
                        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());

                assertThat(resp.statusCode()).as("%s %s", method, path).isEqualTo(404);
                assertThat(resp.headers().firstValue("Content-Type")).as("%s %s", method, path).hasValue("text/plain;charset=utf-8");
                assertThat(resp.body()).as("%s %s", method, path).isEqualTo("no webhook at " + path + "\n");
            }
        }
        for (String method : new String[] {"PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"}) {
            HttpResponse<String> resp = https.send(HttpRequest.newBuilder(webhook("/validate"))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(resp.statusCode()).as(method).isEqualTo(405);
            assertThat(resp.headers().firstValue("Allow")).as(method).hasValue("POST");
            assertThat(resp.body()).as(method).isEqualTo("method not allowed: the webhook takes POST with an AdmissionReview\n");
        }
        assertThat(getManagement("/metrics").body())
                .containsPattern("podguard_admission_rejected_total\\{[^}]*reason=\"not_found\"[^}]*} [1-9]");
    }

    @Test
    void malformedJsonThenBadRequestWithOneLine() throws Exception {
        HttpResponse<String> resp = post("/validate", "{\"apiVersion\":");

        assertThat(resp.statusCode()).isEqualTo(400);
        assertThat(resp.body()).startsWith("malformed JSON: ").doesNotContain("\tat ").hasLineCount(1);
    }

    @Test
    void notAnAdmissionReviewThenBadRequest() throws Exception {
        HttpResponse<String> resp = post("/validate", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}");

        assertThat(resp.statusCode()).isEqualTo(400);
        assertThat(resp.body()).isEqualTo("body is not an AdmissionReview: kind is \"Pod\"\n");
    }

    @Test
    void missingUidThenBadRequest() throws Exception {
        HttpResponse<String> resp = post("/validate",
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\"}}");

        assertThat(resp.statusCode()).isEqualTo(400);
        assertThat(resp.body()).isEqualTo("AdmissionReview request has no uid\n");
    }

    @Test
    void unknownApiVersionThenBadRequest() throws Exception {
        HttpResponse<String> resp = post("/validate", "{\"apiVersion\":\"admission.k8s.io/v2\",\"kind\":\"AdmissionReview\",\"request\":{}}");

        assertThat(resp.statusCode()).isEqualTo(400);
        assertThat(resp.body()).isEqualTo("unsupported AdmissionReview apiVersion \"admission.k8s.io/v2\": "
                + "expected admission.k8s.io/v1 or admission.k8s.io/v1beta1\n");
    }

    @Test
    void bodyAnnouncedOverTheLargestReviewThenPayloadTooLargeBeforeAByteIsRead() throws Exception {
        long announced = io.podguard.admission.AdmissionReviewCodec.MAX_BODY_BYTES + 1L;
        try (javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) CERTS.clientContext().getSocketFactory().createSocket("localhost", port)) {
            tls.setSoTimeout(10_000);
            tls.getOutputStream().write(("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                    + announced + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String expected = "request body of " + announced + " bytes exceeds " + (announced - 1)
                    + " bytes, more than any review the apiserver sends\n";
            // the answer comes at once, before Tomcat gives up waiting for the body it will not read
            StringBuilder answer = new StringBuilder();
            for (int b = 0; b >= 0 && !answer.toString().endsWith(expected) && answer.length() < 4096; ) {
                b = tls.getInputStream().read();
                answer.append((char) b);
            }

            assertThat(answer.toString()).startsWith("HTTP/1.1 413 ").contains("Connection: close").endsWith("\r\n\r\n" + expected);
        }
    }

    @Test
    void bodyWithoutContentLengthThenLengthRequired() throws Exception {
        try (javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) CERTS.clientContext().getSocketFactory().createSocket("localhost", port)) {
            tls.setSoTimeout(10_000);
            tls.getOutputStream().write(("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(tls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 411 ").endsWith("\r\n\r\nContent-Length required\n");
        }
    }

    @Test
    void deeplyNestedJsonThenBadRequestNotStackOverflow() throws Exception {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);

        HttpResponse<String> resp = post("/validate", deep);

        assertThat(resp.statusCode()).isEqualTo(400);
        assertThat(resp.body()).startsWith("malformed JSON: ").contains("nesting depth");
    }

    @Test
    void wrongContentTypeThenUnsupportedMediaType() throws Exception {
        HttpResponse<String> resp = https.send(HttpRequest.newBuilder(webhook("/validate"))
                .header("Content-Type", "text/xml")
                .POST(HttpRequest.BodyPublishers.ofString("<x/>")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(resp.statusCode()).isEqualTo(415);
    }

    @Test
    void probesAndMetricsOnManagementPort() throws Exception {
        post("/validate", Reviews.create(Pods.PRIVILEGED));

        assertThat(getManagement("/livez").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = getManagement("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\":\"ok\"");
        String metrics = getManagement("/metrics").body();
        assertThat(metrics).contains("# TYPE podguard_admission_requests_total counter")
                .containsPattern("podguard_admission_requests_total\\{[^}]*allowed=\"false\"[^}]*mode=\"enforce\"[^}]*operation=\"CREATE\"[^}]*webhook=\"validate\"} [1-9]")
                .contains("# TYPE podguard_admission_review_duration_seconds histogram")
                .contains("podguard_admission_review_duration_seconds_bucket{application=\"podguard\",webhook=\"validate\",le=\"0.001\"}");
    }

    @Test
    void managementPortChangesNothing() throws Exception {
        for (String path : new String[] {"/livez", "/readyz", "/metrics", "/shutdown", "/env", "/loggers", "/heapdump", "/threaddump"}) {
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(management(path))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).as("POST %s", path).isIn(404, 405);
        }
        for (String path : new String[] {"/shutdown", "/env", "/loggers", "/heapdump", "/threaddump", "/configprops", "/beans"}) {
            assertThat(getManagement(path).statusCode()).as("GET %s", path).isEqualTo(404);
        }
    }

    /** What docs/operations.md lists for the management port, exactly: the index links every read-only path it serves. */
    @Test
    void managementPortServesTheDocumentedPathsAndAnIndexOfThem() throws Exception {
        HttpResponse<String> index = getManagement("/");

        assertThat(index.statusCode()).isEqualTo(200);
        JsonNode links = io.podguard.engine.Json.mapper().readTree(index.body()).path("_links");
        // /audit only when enabled (ReportingServerTest, AuditEndpointTest)
        assertThat(links.propertyNames()).containsExactlyInAnyOrder("self", "livez", "readyz", "prometheus");
        assertThat(links.path("prometheus").path("href").asString()).endsWith("/metrics");
        for (String path : new String[] {"/livez", "/readyz", "/metrics"}) {
            assertThat(getManagement(path).statusCode()).as("GET %s", path).isEqualTo(200);
        }
    }

    @Test
    void webhookNotServedOnManagementPort() throws Exception {
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(management("/validate"))
                .POST(HttpRequest.BodyPublishers.ofString(Reviews.create(Pods.PRIVILEGED))).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(resp.statusCode()).isEqualTo(404);
    }

    /** Tomcat closes a connection after 100 requests by default; the apiserver's connections must live on. */
    @Test
    void keepAliveConnectionServesManyMoreThanHundredReviews() throws Exception {
        byte[] body = Reviews.create(Pods.RESTRICTED).getBytes(StandardCharsets.UTF_8);
        try (SSLSocket socket = (SSLSocket) CERTS.clientContext().getSocketFactory().createSocket("localhost", port)) {
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            for (int i = 0; i < 250; i++) {
                byte[] head = ("POST /validate?timeout=10s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                byte[] request = java.util.Arrays.copyOf(head, head.length + body.length);
                System.arraycopy(body, 0, request, head.length, body.length);
                out.write(request);
                out.flush();
                String status = in.readLine();
                assertThat(status).as("response %d", i).isEqualTo("HTTP/1.1 200 ");
                int length = -1;
                String line;
                while (!(line = in.readLine()).isEmpty()) {
                    assertThat(line.toLowerCase()).as("response %d", i).isNotEqualTo("connection: close");
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                char[] content = new char[length];
                int read = 0;
                while (read < length) {
                    read += in.read(content, read, length - read);
                }
                assertThat(new String(content)).contains("\"allowed\":true");
            }
        }
    }
}

package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.testing.Pods;
import io.podguard.testing.Reviews;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * Settings of the request path that only show in cost: the apiserver keeps up to 25 idle
 * connections per webhook for 90 s, so the connector keeps a connection at least that long and
 * never closes it after N requests (a new TLS handshake costs far more than a review); requests
 * run on virtual threads; evaluations are bounded near the core count and queue in arrival
 * order; a review is timed once, by podguard's own histogram; a review answered constructs no
 * exception on its way.
 */
class RequestPathSettingsTest extends WebhookServerTestSupport {

    @Autowired
    private WebServerApplicationContext context;

    @Test
    void webhookConnectorWhenStartedThenKeepsIdleConnectionsLongerThanTheApiserver() {
        AbstractHttp11Protocol<?> protocol = webhookProtocol();

        assertThat(protocol.getKeepAliveTimeout()).isEqualTo(120_000);
        assertThat(protocol.getMaxKeepAliveRequests()).isEqualTo(-1);
    }

    @Test
    void webhookConnectorWhenStartedThenRunsRequestsOnVirtualThreads() {
        AbstractHttp11Protocol<?> protocol = webhookProtocol();

        assertThat(protocol.getExecutor().getClass().getSimpleName()).isEqualTo("VirtualThreadExecutor");
    }

    @Test
    void metricsWhenReviewedThenTimedByPodguardHistogramOnly() throws Exception {
        assertThat(post("/validate?timeout=10s", Reviews.create(Pods.RESTRICTED)).statusCode()).isEqualTo(200);

        String metrics = getManagement("/metrics").body();

        assertThat(metrics).contains("podguard_admission_review_duration_seconds_bucket{");
        assertThat(metrics).doesNotContain("http_server_requests_seconds");
    }

    @Test
    void reviewWhenNoClientNamesRestrictThenNoExceptionOnTheRequestPath() throws Exception {
        // Without client names to check, the client certificate is not asked for: Tomcat would
        // gather every TLS attribute of the request for it and, the apiserver having sent none
        // (no mutual TLS), construct an SSLPeerUnverifiedException with its stack trace per
        // request (3-4 % of podguard's CPU under load).
        for (int i = 0; i < 5; i++) { // connection open, classes loaded and linked
            assertThat(post("/validate?timeout=10s", Reviews.create(Pods.RESTRICTED)).statusCode()).isEqualTo(200);
            assertThat(post("/mutate?timeout=10s", Reviews.create(Pods.RESTRICTED)).statusCode()).isEqualTo(200);
        }
        Path file = Files.createTempFile("podguard-exceptions", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.JavaExceptionThrow").withStackTrace();
            recording.start();
            for (int i = 0; i < 20; i++) {
                assertThat(post("/validate?timeout=10s", Reviews.create(Pods.RESTRICTED)).statusCode()).isEqualTo(200);
                assertThat(post("/mutate?timeout=10s", Reviews.create(Pods.RESTRICTED)).statusCode()).isEqualTo(200);
            }
            recording.stop();
            recording.dump(file);
        }
        List<String> onRequestPath = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getStackTrace() != null && e.getStackTrace().getFrames().stream().anyMatch(RequestPathSettingsTest::servlet))
                .filter(e -> !linkage(e)) // the JVM's own, while it links a method handle for the first time
                .map(RequestPathSettingsTest::thrown)
                .toList();
        Files.delete(file);

        assertThat(onRequestPath).isEmpty();
    }

    private static boolean servlet(RecordedFrame frame) {
        return frame.getMethod().getType().getName().equals(WebhookServlet.class.getName());
    }

    private static boolean linkage(RecordedEvent event) {
        return event.getClass("thrownClass").getName().equals(NoSuchMethodError.class.getName())
                && event.getStackTrace().getFrames().stream().anyMatch(f -> f.getMethod().getType().getName().startsWith("java.lang.invoke."));
    }

    private static String thrown(RecordedEvent event) {
        return event.getClass("thrownClass").getName() + ": " + event.getString("message");
    }

    @Test
    void evaluationSlotsWhenStartedThenBoundedNearCoresAndFirstComeFirstServed() {
        Evaluations evaluations = ((org.springframework.context.ApplicationContext) context).getBean(Evaluations.class);

        // arrival order: EvaluationsTest
        assertThat(evaluations.slots()).isEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors() * 2));
    }

    private AbstractHttp11Protocol<?> webhookProtocol() {
        TomcatWebServer server = (TomcatWebServer) context.getWebServer();
        assertThat(server.getPort()).isEqualTo(port);
        return (AbstractHttp11Protocol<?>) server.getTomcat().getConnector().getProtocolHandler();
    }
}

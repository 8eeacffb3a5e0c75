package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.testing.Pods;
import io.podguard.testing.Reviews;
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
 * order; a review is timed once, by podguard's own histogram.
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

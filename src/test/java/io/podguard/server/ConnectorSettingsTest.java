package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * The apiserver keeps up to 25 idle connections per webhook for 90 s: the webhook's connector
 * must keep a connection at least that long and never close it after N requests (a new TLS
 * handshake costs far more than a review).
 */
class ConnectorSettingsTest extends WebhookServerTestSupport {

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

    private AbstractHttp11Protocol<?> webhookProtocol() {
        TomcatWebServer server = (TomcatWebServer) context.getWebServer();
        assertThat(server.getPort()).isEqualTo(port);
        return (AbstractHttp11Protocol<?>) server.getTomcat().getConnector().getProtocolHandler();
    }
}

package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.testing.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLSocket;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The real server on random ports with a generated certificate, and an HTTPS client that trusts
 * only the test CA. Subclasses that add no configuration of their own share one Spring context.
 */
@SpringBootTest(classes = PodguardApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.server.port=0", "spring.ssl.bundle.watch.file.quiet-period=200ms"})
public abstract class WebhookServerTestSupport {

    protected static final TestCertificates CERTS;

    static {
        try {
            CERTS = new TestCertificates(Files.createTempDirectory("podguard-server-test"));
            CERTS.issue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @LocalServerPort
    protected int port;

    @LocalManagementPort
    protected int managementPort;

    protected final HttpClient https = HttpClient.newBuilder()
            .sslContext(CERTS.clientContext())
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    protected final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @DynamicPropertySource
    static void tls(DynamicPropertyRegistry registry) {
        registry.add("spring.ssl.bundle.pem.podguard.keystore.certificate", () -> "file:" + CERTS.certFile());
        registry.add("spring.ssl.bundle.pem.podguard.keystore.private-key", () -> "file:" + CERTS.keyFile());
    }

    protected URI webhook(String path) {
        return URI.create("https://localhost:" + port + path);
    }

    protected URI management(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    protected HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return https.send(HttpRequest.newBuilder(webhook(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    protected HttpResponse<String> getManagement(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(management(path)).GET().timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    protected static Path certDir() {
        return CERTS.dir();
    }

    /** The certificate the server presents in a fresh handshake. */
    protected X509Certificate served() throws Exception {
        try (SSLSocket socket = (SSLSocket) CERTS.clientContext().getSocketFactory().createSocket("localhost", port)) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    /** Waits (30 s at most) until the server presents {@code expected}, after the files changed. */
    protected void awaitServed(X509Certificate expected) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (served().getSerialNumber().equals(expected.getSerialNumber())) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(served().getSerialNumber()).as("served certificate after the files changed").isEqualTo(expected.getSerialNumber());
    }
}

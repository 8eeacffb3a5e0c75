package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.testing.Pods;
import io.podguard.testing.Reviews;
import io.podguard.testing.TestCertificates;
import io.podguard.tls.CertificateAuthority;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * podguard as a real process ({@code serve} with mutual TLS), as an operator runs it: clients
 * without a certificate signed by the client CA are refused; on SIGTERM, readiness drops first,
 * every review sent before clients saw it drop is answered, then the process exits.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeProcessTest {

    @TempDir
    static Path dir;

    private static Process process;
    private static int port;
    private static int managementPort;
    private static TestCertificates serving;
    private static CertificateAuthority clientCa;
    private static SSLContext withClientCert;

    @BeforeAll
    static void start() throws Exception {
        serving = new TestCertificates(Files.createDirectories(dir.resolve("serving")));
        serving.issue();
        clientCa = CertificateAuthority.create("apiserver-client-ca", Duration.ofDays(1));
        Path clientCaFile = Files.writeString(dir.resolve("client-ca.crt"), CertificateAuthority.pem(clientCa.certificate()));
        withClientCert = clientContext(clientCa.issueClient("kube-apiserver", Duration.ofDays(1)));
        port = freePort();
        managementPort = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.podguard.Main", "serve",
                "--port", Integer.toString(port), "--management-port", Integer.toString(managementPort),
                "--tls-cert", serving.certFile().toString(), "--tls-key", serving.keyFile().toString(),
                "--client-ca", clientCaFile.toString(), "--podguard.tls.client-names=kube-apiserver,apiserver.example",
                "--podguard.shutdown-drain-delay=1s")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("podguard.log").toFile())
                .start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (readyz() != 200) {
            assertThat(process.isAlive()).as("podguard exited: %s", log()).isTrue();
            assertThat(Instant.now()).as("podguard not ready in time: %s", log()).isBefore(deadline);
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stop() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Test
    @Order(1)
    void mutualTlsWhenClientPresentsCertificateThenServed() throws Exception {
        HttpResponse<String> resp = client(withClientCert).send(review(), HttpResponse.BodyHandlers.ofString());

        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(Reviews.response(resp.body()).path("allowed").asBoolean()).isFalse();
    }

    @Test
    @Order(2)
    void mutualTlsWhenClientHasNoCertificateThenRefused() {
        assertThatThrownBy(() -> client(serving.clientContext()).send(review(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    @Order(3)
    void mutualTlsWhenCertificateFromOtherCaThenRefused() throws Exception {
        CertificateAuthority stranger = CertificateAuthority.create("stranger", Duration.ofDays(1));
        SSLContext context = clientContext(stranger.issueClient("intruder", Duration.ofDays(1)));

        assertThatThrownBy(() -> client(context).send(review(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    /** The client CA may sign certificates for others too: only the names given are let through. */
    @Test
    @Order(3)
    void mutualTlsWhenCertificateFromTheCaNamesAnotherClientThenForbidden() throws Exception {
        SSLContext other = clientContext(clientCa.issueClient("metrics-scraper", Duration.ofDays(1)));

        HttpResponse<String> resp = client(other).send(review(), HttpResponse.BodyHandlers.ofString());

        assertThat(resp.statusCode()).isEqualTo(403);
        assertThat(resp.body()).isEqualTo("the client certificate names no client allowed to call podguard\n");
    }

    @Test
    @Order(4)
    void sigtermWhileTrafficFlowsThenNoReviewFailsAndProcessExits() throws Exception {
        AtomicBoolean stopSending = new AtomicBoolean();
        AtomicInteger answered = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            HttpClient client = client(withClientCert);
            clients.add(Thread.ofPlatform().start(() -> {
                while (!stopSending.get()) {
                    try {
                        HttpResponse<String> resp = client.send(review(), HttpResponse.BodyHandlers.ofString());
                        if (resp.statusCode() != 200 || !resp.body().contains("\"allowed\":false")) {
                            failures.add(resp.statusCode() + " " + resp.body());
                        } else {
                            answered.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        Instant warm = Instant.now().plus(Duration.ofSeconds(30));
        while (answered.get() < 20 && failures.isEmpty() && Instant.now().isBefore(warm)) {
            Thread.sleep(50);
        }
        int beforeSigterm = answered.get();

        process.destroy(); // SIGTERM
        // Like the endpoints controller: stop routing new reviews once readiness drops.
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (readyz() == 200 && Instant.now().isBefore(deadline)) {
            Thread.sleep(10);
        }
        stopSending.set(true);
        for (Thread t : clients) {
            t.join(Duration.ofSeconds(20));
        }

        assertThat(beforeSigterm).isPositive();
        assertThat(failures).as("failed reviews during shutdown; log: %s", log()).isEmpty();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("process exited").isTrue();
        // The whole log: podguard.audit writes a line per denied review, pushing this one out of log()'s tail.
        assertThat(Files.readString(dir.resolve("podguard.log"))).contains("shutting down: not ready");
    }

    private static HttpRequest review() {
        return HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/validate?timeout=10s"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(Reviews.create(Pods.PRIVILEGED)))
                .build();
    }

    private static HttpClient client(SSLContext context) {
        return HttpClient.newBuilder().sslContext(context).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static int readyz() {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/readyz"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Trusts the serving CA, presents {@code clientCert}. */
    private static SSLContext clientContext(CertificateAuthority.Issued clientCert) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", clientCert.keyPair().getPrivate(), new char[0], new Certificate[] {clientCert.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", serving.ca().certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String log() {
        try {
            String log = Files.readString(dir.resolve("podguard.log"));
            return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
        } catch (IOException e) {
            return "(no log)";
        }
    }
}

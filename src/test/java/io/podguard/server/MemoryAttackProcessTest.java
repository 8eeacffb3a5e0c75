package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.testing.Pods;
import io.podguard.testing.Reviews;
import io.podguard.testing.TestCertificates;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The memory attack, against {@code serve} in a JVM of its own with the heap the Helm chart
 * gives it (its memory limit and {@code javaOptions}, plus the exit on OutOfMemoryError the chart
 * and image always add). 150 connections announce 3 MiB bodies and send a byte every two seconds
 * (once, that allocated 150 × 3 MiB before a byte arrived: OutOfMemoryError, dead Tomcat pollers,
 * a server that never answered again); six more send 25 MiB of a 30 MiB body as fast as they can
 * and stop. Throughout and after, a good review is answered within 1 s and {@code /livez} is 200.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MemoryAttackProcessTest {

    private static final Path CHART_VALUES = Path.of("charts/podguard/values.yaml");

    @TempDir
    static Path dir;

    private static Process process;
    private static int port;
    private static int managementPort;
    private static TestCertificates certs;
    private static HttpClient https;

    /** The JVM options of the chart's container: its memory limit as the JVM sees it in a cgroup, and its javaOptions. */
    static List<String> chartJvmOptions() throws IOException {
        JsonNode values = YAMLMapper.builder().build().readTree(Files.readString(CHART_VALUES));
        String limit = values.at("/resources/limits/memory").asString();
        assertThat(limit).endsWith("Mi");
        List<String> options = new ArrayList<>(List.of("-XX:MaxRAM=" + limit.replace("Mi", "m"), "-XX:+ExitOnOutOfMemoryError"));
        options.addAll(Arrays.asList(values.path("javaOptions").asString().trim().split("\\s+")));
        return options;
    }

    @BeforeAll
    static void start() throws Exception {
        certs = new TestCertificates(Files.createDirectories(dir.resolve("serving")));
        certs.issue();
        https = HttpClient.newBuilder().sslContext(certs.clientContext()).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build();
        port = freePort();
        managementPort = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(chartJvmOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.podguard.Main", "serve",
                "--port", Integer.toString(port), "--management-port", Integer.toString(managementPort),
                "--tls-cert", certs.certFile().toString(), "--tls-key", certs.keyFile().toString(),
                // shorter than the default 10 s, to keep the suite quick; the attack is the same
                "--podguard.body-timeout=5s"));
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("podguard.log").toFile()).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (status("/readyz") != 200) {
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
    void announcedAndStalledBodiesThenGoodReviewsInASecondAndLivezThroughoutAndAfter() throws Exception {
        assertThat(Files.readString(dir.resolve("podguard.log"))).contains("max heap 360 MiB");
        List<SSLSocket> attackers = new ArrayList<>();
        CountDownLatch ended = new CountDownLatch(156);
        try {
            for (int i = 0; i < 150; i++) {
                SSLSocket s = open();
                s.getOutputStream().write(head(3 * 1024 * 1024));
                attackers.add(s);
                Thread.ofVirtual().start(() -> trickle(s, ended));
            }
            for (int i = 0; i < 6; i++) {
                SSLSocket s = open();
                s.getOutputStream().write(head(30 * 1024 * 1024));
                attackers.add(s);
                Thread.ofVirtual().start(() -> flood(s, 25 * 1024 * 1024, ended));
            }
            Thread.sleep(2_000); // the floods are in, the trickles under way

            for (int i = 0; i < 5; i++) {
                assertGoodReviewWithinASecondAndLive();
                Thread.sleep(500);
            }
            assertThat(ended.await(60, TimeUnit.SECONDS)).as("attack connections closed by the body deadline; log: %s", log()).isTrue();
            assertGoodReviewWithinASecondAndLive();
            assertThat(process.isAlive()).isTrue();
            String metrics = https.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(rejected(metrics, "body_timeout") + rejected(metrics, "memory_budget")).isGreaterThanOrEqualTo(156);
            // and what the attack held is given back
            Instant released = Instant.now().plus(Duration.ofSeconds(15));
            while (budgetInUse() > 0 && Instant.now().isBefore(released)) {
                Thread.sleep(200);
            }
            assertThat(budgetInUse()).isZero();
        } finally {
            for (SSLSocket s : attackers) {
                s.close();
            }
        }
    }

    private static void assertGoodReviewWithinASecondAndLive() throws Exception {
        HttpResponse<String> resp = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/validate?timeout=5s"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(1))
                .POST(HttpRequest.BodyPublishers.ofString(Reviews.create(Pods.PRIVILEGED)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        assertThat(Reviews.response(resp.body()).path("allowed").asBoolean()).isFalse();
        assertThat(status("/livez")).isEqualTo(200);
    }

    /** A byte every two seconds until the server closes the connection. */
    private static void trickle(SSLSocket s, CountDownLatch ended) {
        try {
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < 60; i++) {
                out.write('{');
                out.flush();
                Thread.sleep(2_000);
            }
        } catch (IOException | InterruptedException closed) {
            // closed at the body deadline
        } finally {
            ended.countDown();
        }
    }

    /** {@code bytes} as fast as the server takes them, then silence until it closes the connection. */
    private static void flood(SSLSocket s, int bytes, CountDownLatch ended) {
        try {
            OutputStream out = s.getOutputStream();
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) ' ');
            for (int sent = 0; sent < bytes; sent += chunk.length) {
                out.write(chunk);
            }
            out.flush();
            s.setSoTimeout(60_000);
            while (s.getInputStream().read() >= 0) {
                // the answer (503) or the end of the stream
            }
        } catch (IOException closed) {
            // closed at the body deadline, or refused
        } finally {
            ended.countDown();
        }
    }

    private static SSLSocket open() throws IOException {
        SSLSocket s = (SSLSocket) certs.clientContext().getSocketFactory().createSocket("localhost", port);
        s.startHandshake();
        return s;
    }

    private static byte[] head(int contentLength) {
        return ("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " + contentLength
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static double budgetInUse() throws Exception {
        return https.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body().lines()
                .filter(l -> l.startsWith("podguard_admission_memory_budget_bytes{") && l.contains("state=\"in_use\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static double rejected(String metrics, String reason) {
        return metrics.lines().filter(l -> l.startsWith("podguard_admission_rejected_total{") && l.contains("reason=\"" + reason + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static int status(String path) {
        try {
            return https.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String log() {
        try {
            String all = Files.readString(dir.resolve("podguard.log"));
            return all.length() > 4000 ? all.substring(all.length() - 4000) : all;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

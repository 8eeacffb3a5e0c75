package io.podguard.e2e;

import io.podguard.testing.TestCertificates;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;

/**
 * podguard as operators run it: {@code java -jar target/podguard.jar serve} in a process of its
 * own, on free ports, with a serving certificate for 127.0.0.1 signed by a CA of its own (the
 * webhook configurations' {@code caBundle}) and a policy file.
 */
final class Podguard implements AutoCloseable {

    /** The jar {@code package} built; {@code -Dpodguard.e2e.jar=FILE} runs another build of podguard against the suite. */
    static final Path JAR = Path.of(System.getProperty("podguard.e2e.jar", Cluster.REPO.resolve("target/podguard.jar").toString()));
    private static final Pattern REQUESTS = Pattern.compile(
            "^podguard_admission_requests_total\\{([^}]*)} ([0-9.E+-]+)$", Pattern.MULTILINE);

    private final Path dir;
    private final Path policyFile;
    private final TestCertificates certificates;
    private final int port;
    private final int managementPort;
    private final Process process;

    private Podguard(Path dir, Path policyFile, TestCertificates certificates, int port, int managementPort, Process process) {
        this.dir = dir;
        this.policyFile = policyFile;
        this.certificates = certificates;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
    }

    /**
     * Starts podguard with {@code policyYaml} and waits until /readyz answers 200. A free port can
     * be taken by another process before podguard binds it: then it starts again on new ports.
     */
    static Podguard start(String name, String policyYaml) {
        return start(name, policyYaml, List.of());
    }

    /** As {@link #start(String, String)}, with more arguments for {@code serve} ({@code --podguard.…=…}). */
    static Podguard start(String name, String policyYaml, List<String> extraArgs) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: the e2e suite runs after `package` (./mvnw verify -Pe2e)");
        }
        try {
            Path dir = Files.createTempDirectory(Cluster.REPO.resolve("target"), "e2e-podguard-" + name + "-");
            Path policyFile = ConfigMapVolume.create(dir.resolve("config"), "policy.yaml", policyYaml);
            TestCertificates certificates = new TestCertificates(Files.createDirectories(dir.resolve("certs")));
            certificates.issue();
            for (int attempt = 1; ; attempt++) {
                Podguard podguard = launch(name, dir, policyFile, certificates, extraArgs);
                try {
                    podguard.awaitReady();
                    return podguard;
                } catch (IllegalStateException e) {
                    podguard.stop();
                    if (attempt == 3 || !podguard.log().contains("already in use")) {
                        throw e;
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot start podguard: " + e, e);
        }
    }

    private static Podguard launch(String name, Path dir, Path policyFile, TestCertificates certificates, List<String> extraArgs)
            throws IOException {
        int port = freePort();
        int managementPort = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                // As bin/podguard and the image start it: with the build's ahead-of-time bean definitions.
                "-Dspring.aot.enabled=true", "-jar", JAR.toString(), "serve",
                "--port", Integer.toString(port), "--management-port", Integer.toString(managementPort),
                "--tls-cert", certificates.certFile().toString(), "--tls-key", certificates.keyFile().toString(),
                "--policy", policyFile.toString(), "--podguard.shutdown-drain-delay=0s"));
        command.addAll(extraArgs);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("podguard.log").toFile());
        // What the in-cluster service account gives podguard in a cluster (namespace labels).
        builder.environment().put("KUBECONFIG", Cluster.get().kubeconfig().toString());
        Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "stop-podguard-" + name));
        return new Podguard(dir, policyFile, certificates, port, managementPort, process);
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (management("/readyz").status() != 200) {
            if (!process.isAlive()) {
                throw new IllegalStateException("podguard exited with " + process.exitValue() + ":\n" + log());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("podguard not ready in 90 s:\n" + log());
            }
            sleep(200);
        }
    }

    /** {@code https://127.0.0.1:PORT}: what the webhook configurations' URLs start with. */
    String baseUrl() {
        return "https://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /** The PEM CA of the serving certificate, base64 as in a webhook configuration. */
    String caBundle() {
        try {
            return Base64.getEncoder().encodeToString(Files.readAllBytes(certificates.dir().resolve("ca.crt")));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    Path policyFile() {
        return policyFile;
    }

    /** Replaces the policy the way the kubelet updates a ConfigMap volume: one atomic symlink swap. */
    void swapPolicy(String policyYaml) {
        ConfigMapVolume.update(policyFile.getParent(), policyFile.getFileName().toString(), policyYaml);
    }

    long pid() {
        return process.pid();
    }

    /** Issues and writes a new serving certificate from the same CA, as a Secret update would. */
    X509Certificate rotateCertificate() {
        return certificates.issue();
    }

    /** The certificate podguard presents right now. */
    X509Certificate servedCertificate() throws IOException {
        try (SSLSocket socket = (SSLSocket) certificates.clientContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    /** Reviews answered so far on {@code webhook} (mutate or validate), from /metrics. */
    double reviews(String webhook) {
        double sum = 0;
        Matcher m = REQUESTS.matcher(management("/metrics").body());
        while (m.find()) {
            if (m.group(1).contains("webhook=\"" + webhook + "\"")) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, then waits for the process to exit. */
    void stop() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    String log() {
        try {
            String log = Files.readString(dir.resolve("podguard.log"), StandardCharsets.UTF_8);
            return log.length() > 6000 ? log.substring(log.length() - 6000) : log;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** A management endpoint's status and body; status -1 when nothing answers. */
    private record Answer(int status, String body) {
    }

    private Answer management(String path) {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Answer(-1, "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "");
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

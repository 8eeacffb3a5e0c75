package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/podguard} as users run it, after {@code package} built {@code target/podguard/}: it
 * finds Java 25 wherever it is, says what it needs when there is none, and runs the command line
 * from the AOT cache the build trained. No cluster needed.
 */
class LauncherIT {

    static final Path LAUNCHER = Cluster.REPO.resolve("bin/podguard");
    static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    private Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new java.util.ArrayList<>(List.of(LAUNCHER.toString())));
        pb.command().addAll(List.of(args));
        pb.environment().remove("JAVA_HOME");
        pb.environment().remove("PODGUARD_HOME");
        pb.environment().putAll(env);
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("bin/podguard %s finished", String.join(" ", args)).isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A PATH with the shell tools the launcher uses and no java, whatever this machine has installed. */
    private Path toolsWithoutJava() throws IOException {
        Path tools = Files.createDirectories(dir.resolve("tools"));
        for (String tool : List.of("bash", "env", "sed", "head", "sort", "dirname", "readlink")) {
            Path found = Stream.of("/usr/bin", "/bin").map(d -> Path.of(d, tool)).filter(Files::isExecutable).findFirst()
                    .orElseThrow(() -> new IllegalStateException(tool + " is not in /usr/bin or /bin"));
            Files.createSymbolicLink(tools.resolve(tool), found);
        }
        return tools;
    }

    /** A JDK 17 as far as anyone can tell: its release file and a java that says so. */
    private Path fakeJava17() throws IOException {
        Path home = Files.createDirectories(dir.resolve("jdk-17/bin"));
        Files.writeString(dir.resolve("jdk-17/release"), "JAVA_VERSION=\"17.0.12\"\n");
        Path java = Files.writeString(home.resolve("java"), "#!/bin/sh\necho 'openjdk version \"17.0.12\" 2024-07-16' >&2\nexit 1\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir.resolve("jdk-17");
    }

    @Test
    void versionWhenJavaHomeIsJava25ThenRuns() throws Exception {
        Run run = run(Map.of("JAVA_HOME", JAVA_HOME.toString()), "version");

        assertThat(run.err()).isEmpty();
        assertThat(run.exit()).isZero();
        assertThat(run.out()).matches("podguard \\S+ \\(Java 2[5-9]\\)\\n");
    }

    @Test
    void versionWhenJavaHomeIsJava17ThenJava25IsFoundInTheSearchPath() throws Exception {
        Path jdks = Files.createDirectories(dir.resolve("jdks"));
        Files.createSymbolicLink(jdks.resolve("temurin-25"), JAVA_HOME);

        Run run = run(Map.of("JAVA_HOME", fakeJava17().toString(), "PATH", "/usr/bin:/bin", "PODGUARD_JAVA_SEARCH_PATH", jdks.toString()),
                "version");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("(Java 2");
    }

    @Test
    void anyCommandWhenNoJava25AnywhereThenOneLineSayingWhatItNeeds() throws Exception {
        Path java17 = fakeJava17();
        Path empty = Files.createDirectories(dir.resolve("empty"));

        Run run = run(Map.of("JAVA_HOME", java17.toString(), "PATH", toolsWithoutJava().toString(), "PODGUARD_JAVA_SEARCH_PATH", empty.toString()),
                "check", "x.yaml");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("podguard: needs Java 25 or newer and found none (looked at JAVA_HOME, java on PATH and " + empty
                + "). Found: JAVA_HOME (" + java17 + "/bin/java) is Java 17. "
                + "Install a Java 25 JDK or JRE (for example Eclipse Temurin 25) and set JAVA_HOME to it.\n");
    }

    @Test
    void checkWhenRunThenTheVerdictAndClassesFromTheBuildsAotCache() throws Exception {
        Path pod = Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: root}
                spec:
                  containers: [{name: app, image: nginx, securityContext: {privileged: true}}]
                """);

        Run run = run(Map.of("JAVA_HOME", JAVA_HOME.toString(), "PODGUARD_JAVA_OPTS", "-Xlog:class+load=info:file=" + dir.resolve("classes.log")),
                "check", pod.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).startsWith(pod + ": Pod root: after defaults: ").contains("\n" + pod + ": Pod root: denied: privileged: ");
        List<String> loaded = Files.readAllLines(dir.resolve("classes.log"), StandardCharsets.UTF_8);
        assertThat(loaded).anyMatch(l -> l.contains("io.podguard.cli.CheckCommand source: shared objects file"));
        assertThat(loaded.stream().filter(l -> l.contains("io.podguard.") && l.contains("source: shared objects file")).count())
                .as("podguard classes from the AOT cache").isGreaterThan(100);
        // picocli's class files, re-targeted from Java 5 by the build, are in the cache too.
        assertThat(loaded).anyMatch(l -> l.contains("picocli.CommandLine source: shared objects file"));
        assertThat(loaded).noneMatch(l -> l.contains(" picocli.") && !l.contains("source: shared objects file"));
    }

    /**
     * {@code bin/podguard serve} as the chart starts it (a policy file, certificate files, both
     * ports): the server's AOT cache and Spring's ahead-of-time bean definitions, Ready, and a
     * review answered; a Spring property that a build-time condition reads starts it without them.
     */
    @Test
    void serveWhenStartedThenReadyFromTheBuildsAheadOfTimeDefinitionsAndAnswers() throws Exception {
        Run certs = run(Map.of("JAVA_HOME", JAVA_HOME.toString()), "certs", "-o", dir.resolve("certs").toString(), "localhost");
        assertThat(certs.exit()).as(certs.err()).isZero();
        Path log = serveUntilReady(dir.resolve("serve.log"));
        assertThat(Files.readString(log)).contains("Starting AOT-processed PodguardApplication")
                .doesNotContain("starting without the build's ahead-of-time bean definitions");

        Path other = serveUntilReady(dir.resolve("serve-exposed.log"), "--management.endpoints.web.exposure.include=livez,readyz,prometheus");
        assertThat(Files.readString(other)).contains("starting without the build's ahead-of-time bean definitions: "
                + "management.endpoints.web.exposure.include is decided at build time there")
                .doesNotContain("AOT-processed");
    }

    /** Starts {@code bin/podguard serve}, waits for {@code /readyz}, checks a review is answered, stops it; its log. */
    private Path serveUntilReady(Path log, String... extra) throws Exception {
        int port;
        int managementPort;
        try (java.net.ServerSocket a = new java.net.ServerSocket(0); java.net.ServerSocket b = new java.net.ServerSocket(0)) {
            port = a.getLocalPort();
            managementPort = b.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(new java.util.ArrayList<>(List.of(LAUNCHER.toString(), "serve",
                "--policy=" + Cluster.REPO.resolve("charts/podguard/files/default-policy.yaml"),
                "--tls-cert=" + dir.resolve("certs/tls.crt"), "--tls-key=" + dir.resolve("certs/tls.key"),
                "--port=" + port, "--management-port=" + managementPort, "--podguard.shutdown-drain-delay=0s")));
        pb.command().addAll(List.of(extra));
        pb.environment().put("JAVA_HOME", JAVA_HOME.toString());
        pb.environment().remove("PODGUARD_HOME");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.time.Instant deadline = java.time.Instant.now().plusSeconds(120);
            int status = 0;
            while (status != 200) {
                assertThat(p.isAlive()).as("bin/podguard serve exited: %s", Files.readString(log)).isTrue();
                assertThat(java.time.Instant.now()).as("ready within 120 s").isBefore(deadline);
                try {
                    status = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + managementPort + "/readyz")).build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (var in = Files.newInputStream(dir.resolve("certs/ca.crt"))) {
                trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            String review = Files.readString(Cluster.REPO.resolve("bench/reviews/pod-review.json"));
            java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newBuilder().sslContext(tls).build().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://localhost:" + port + "/validate"))
                            .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(review)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("\"uid\":\"7f3c1a52-9d4e-4b8a-a1f0-2c6e9b0d4e11\"", "\"allowed\":true");
        } finally {
            p.destroy();
            p.waitFor(60, TimeUnit.SECONDS);
        }
        return log;
    }
}

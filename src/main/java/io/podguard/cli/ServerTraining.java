package io.podguard.cli;

import io.podguard.Main;
import io.podguard.policy.PolicyLoader;
import io.podguard.tls.ServingCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The training run of the server's Java AOT cache ({@code podguard.aot}, JDK 25
 * {@code -XX:AOTCacheOutput}): {@code serve} started as the chart starts it (the default policy as
 * a file, a serving certificate, both ports), on free loopback ports, until {@code /readyz}
 * answers; then the request path itself, over HTTPS as the apiserver sends it: admission reviews
 * of several shapes to {@code /validate} and {@code /mutate} (allowed, denied, patched, a workload
 * kind, {@code v1beta1}, an update, a bad body), and the management endpoints. The JVM records
 * what that loaded and linked, and how each method ran (JEP 515), so that a server started with
 * the cache reaches Ready sooner and answers its first reviews compiled sooner. Nothing leaves
 * the machine; the certificate and policy are written to a temporary folder.
 */
final class ServerTraining {

    /** Reviews per shape and endpoint: enough for the JIT to see the request path as hot. */
    static final int ROUNDS = 40;

    private static final Duration READY_WITHIN = Duration.ofSeconds(60);

    /** What the training did; complete when the server became ready and every answer was the expected one. */
    record Summary(boolean ready, int answered, Map<String, Integer> unexpected) {

        boolean complete() {
            return ready && answered > 0 && unexpected.isEmpty();
        }

        @Override
        public String toString() {
            return "podguard server training: " + (ready ? "ready" : "never ready") + ", " + answered + " answers as expected"
                    + (unexpected.isEmpty() ? "" : ", unexpected: " + unexpected);
        }
    }

    /** An AdmissionReview around {@code object}; {@code operation} CREATE or UPDATE. */
    private static String review(String apiVersion, String operation, String kind, String resource, String object) {
        String group = kind.equals("Pod") ? "" : "apps";
        String version = "v1";
        String old = operation.equals("UPDATE") ? ",\"oldObject\":" + object : "";
        return """
                {"apiVersion":"%s","kind":"AdmissionReview","request":{"uid":"6d3c8f0e-0b1a-4c4e-9a57-0a4b3c2d1e0f",
                 "kind":{"group":"%s","version":"%s","kind":"%s"},"resource":{"group":"%s","version":"%s","resource":"%s"},
                 "requestKind":{"group":"%s","version":"%s","kind":"%s"},"requestResource":{"group":"%s","version":"%s","resource":"%s"},
                 "name":"web","namespace":"shop","operation":"%s",
                 "userInfo":{"username":"system:serviceaccount:kube-system:replicaset-controller","uid":"1","groups":["system:serviceaccounts","system:authenticated"]},
                 "object":%s%s,"dryRun":false,"options":{"apiVersion":"meta.k8s.io/v1","kind":"CreateOptions"}}}
                """.formatted(apiVersion, group, version, kind, group, version, resource, group, version, kind, group, version, resource,
                operation, object, old);
    }

    private static final String RESTRICTED_POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop","labels":{"app":"web"},
             "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-5d4f","uid":"2","controller":true}]},
             "spec":{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
              "containers":[{"name":"app","image":"registry.example.com/web:1.4.2","ports":[{"containerPort":8080}],
               "resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"memory":"256Mi"}},
               "securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}],
              "serviceAccountName":"default","restartPolicy":"Always","terminationGracePeriodSeconds":30}}
            """;

    private static final String BARE_POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"web-","namespace":"shop"},
             "spec":{"containers":[{"name":"app","image":"nginx:1.29"},{"name":"sidecar","image":"envoyproxy/envoy:v1.31"}],
              "initContainers":[{"name":"init","image":"busybox","command":["true"]}],
              "volumes":[{"name":"data","emptyDir":{}}]}}
            """;

    private static final String PRIVILEGED_POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"debug","namespace":"shop"},
             "spec":{"hostNetwork":true,"hostPID":true,"volumes":[{"name":"root","hostPath":{"path":"/"}}],
              "containers":[{"name":"shell","image":"busybox","securityContext":{"privileged":true,
               "capabilities":{"add":["SYS_ADMIN","NET_RAW"]}},"volumeMounts":[{"name":"root","mountPath":"/host"}]}]}}
            """;

    private static final String DEPLOYMENT = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
              "spec":{"containers":[{"name":"app","image":"nginx:1.29","securityContext":{"runAsUser":0}}]}}}}
            """;

    private ServerTraining() {
    }

    /** Serves, trains, and leaves the server running (the caller exits the JVM). */
    static Summary run() throws Exception {
        Path dir = Files.createTempDirectory("podguard-aot-server-training");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> AotTraining.delete(dir)));
        Path policy = dir.resolve("policy.yaml");
        try (InputStream in = PolicyLoader.class.getResourceAsStream(PolicyLoader.EMBEDDED_DEFAULT)) {
            Files.write(policy, in.readAllBytes());
        }
        ServingCertificates.ServingFiles certs = ServingCertificates.generate(ServingCertificates.privateDirectory(dir.resolve("certs")), List.of());
        int port = freePort();
        int managementPort = freePort();
        int code = Main.commandLine().execute("serve", "--policy=" + policy, "--port=" + port, "--management-port=" + managementPort,
                "--tls-cert=" + certs.certFile(), "--tls-key=" + certs.keyFile(), "--podguard.shutdown-drain-delay=0s");
        if (code != 0) {
            return new Summary(false, 0, Map.of("serve exit code", code));
        }
        HttpClient management = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI readyz = URI.create("http://127.0.0.1:" + managementPort + "/readyz");
        boolean ready = false;
        Instant deadline = Instant.now().plus(READY_WITHIN);
        while (!ready && Instant.now().isBefore(deadline)) {
            ready = status(management, HttpRequest.newBuilder(readyz).build()) == 200;
            if (!ready) {
                Thread.sleep(20);
            }
        }
        if (!ready) {
            return new Summary(false, 0, Map.of());
        }
        HttpClient webhook = HttpClient.newBuilder().sslContext(trusting(certs.caFile()))
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        String base = "https://localhost:" + port;
        // Each shape with the status the server must answer it with.
        Map<String, Integer> shapes = new TreeMap<>();
        shapes.put(review("admission.k8s.io/v1", "CREATE", "Pod", "pods", RESTRICTED_POD), 200);
        shapes.put(review("admission.k8s.io/v1", "CREATE", "Pod", "pods", BARE_POD), 200);
        shapes.put(review("admission.k8s.io/v1", "CREATE", "Pod", "pods", PRIVILEGED_POD), 200);
        shapes.put(review("admission.k8s.io/v1", "UPDATE", "Pod", "pods", BARE_POD), 200);
        shapes.put(review("admission.k8s.io/v1", "CREATE", "Deployment", "deployments", DEPLOYMENT), 200);
        shapes.put(review("admission.k8s.io/v1beta1", "CREATE", "Pod", "pods", BARE_POD), 200);
        shapes.put("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"", 400);
        int answered = 0;
        Map<String, Integer> unexpected = new TreeMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (String endpoint : List.of("/validate", "/mutate")) {
                for (Map.Entry<String, Integer> shape : shapes.entrySet()) {
                    HttpRequest post = HttpRequest.newBuilder(URI.create(base + endpoint + "?timeout=10s"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(shape.getKey())).build();
                    int status = status(webhook, post);
                    if (status == shape.getValue()) {
                        answered++;
                    } else {
                        unexpected.merge(endpoint + " " + status, 1, Integer::sum);
                    }
                }
            }
            if (round % 10 == 0) {
                for (String path : List.of("/readyz", "/livez", "/metrics")) {
                    int status = status(management, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).build());
                    if (status == 200) {
                        answered++;
                    } else {
                        unexpected.merge(path + " " + status, 1, Integer::sum);
                    }
                }
            }
        }
        return new Summary(true, answered, unexpected);
    }

    private static int status(HttpClient client, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static SSLContext trusting(Path caFile) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ServingCertificates.readCertificate(caFile));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

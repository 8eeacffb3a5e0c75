package io.podguard.cli;

import io.podguard.Main;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * The training run of the command line's Java AOT cache (JDK 25, {@code -XX:AOTCacheOutput}):
 * the build runs this once, and the JVM records the classes each offline command loads and links,
 * so that {@code podguard check FILE} started with the cache skips most of that work. It runs every
 * offline command on small built-in inputs (a Pod, a Deployment, a List in JSON, a policy, a
 * PodSecurityPolicy, an AdmissionReview), with their output discarded. Nothing here judges or
 * ships anything; a command that fails only makes the cache smaller.
 *
 * <p>{@code AotTraining serve} trains the server's cache instead ({@link ServerTraining}).
 */
public final class AotTraining {

    private static final String MANIFESTS = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: shop}
            spec:
              containers:
              - name: app
                image: nginx:1.29
                ports: [{containerPort: 8080}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: api}
            spec:
              selector: {matchLabels: {app: api}}
              template:
                metadata: {labels: {app: api}}
                spec:
                  hostNetwork: true
                  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
                  containers:
                  - name: api
                    image: example.com/api:1
                    securityContext: {privileged: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
                    resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec: {ports: [{port: 80}]}
            """;

    private static final String LIST = """
            {"apiVersion":"v1","kind":"List","items":[
             {"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"report","namespace":"jobs"},
              "spec":{"schedule":"@daily","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never",
               "volumes":[{"name":"host","hostPath":{"path":"/var/log"}}],
               "containers":[{"name":"report","image":"busybox","command":["true"]}]}}}}}}]}
            """;

    private static final String POLICY = """
            mode: enforce
            podSecurity:
              enforce: {level: baseline, version: latest}
              warn: {level: restricted, version: v1.30}
            resources:
              mode: warn
              max: {memory: 8Gi}
            exemptions:
              - reason: training
                namespaces: [kube-system]
            namespaces:
              - names: [legacy-*]
                mode: audit
            rules:
              - id: pinned-images
                expression: "object.spec.containers.all(c, !c.image.endsWith(':latest'))"
                message: "images must be pinned to a tag or digest"
            """;

    private static final String PSP = """
            apiVersion: policy/v1beta1
            kind: PodSecurityPolicy
            metadata: {name: restricted}
            spec:
              privileged: false
              allowPrivilegeEscalation: false
              requiredDropCapabilities: [ALL]
              volumes: [configMap, secret, emptyDir, projected]
              runAsUser: {rule: MustRunAsNonRoot}
              seLinux: {rule: RunAsAny}
              supplementalGroups: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}
              fsGroup: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}
            """;

    private static final String REVIEW = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"1",
             "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
             "operation":"CREATE","namespace":"default","userInfo":{"username":"alice"},
             "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
              "spec":{"containers":[{"name":"app","image":"nginx","securityContext":{"privileged":true}}]}}}}
            """;

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("serve")) {
            ServerTraining.Summary summary = ServerTraining.run();
            System.out.println(summary);
            System.out.flush();
            // Exits with the server still up, as a pod is stopped: the JVM writes the cache on its way out.
            System.exit(summary.complete() ? 0 : 1);
        }
        Path dir = Files.createTempDirectory("podguard-aot-training");
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        InputStream stdin = System.in;
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        try {
            System.setOut(discard);
            System.setErr(discard);
            Path manifests = write(dir.resolve("app.yaml"), MANIFESTS);
            Path list = write(dir.resolve("list.json"), LIST);
            Path policy = write(dir.resolve("policy.yaml"), POLICY);
            Path psp = write(dir.resolve("psp.yaml"), PSP);
            write(dir.resolve("Chart.yaml"), "apiVersion: v2\nname: app\nversion: 1.0.0\n");
            String d = dir.toString();
            run("check", d);
            run("check", "-o", "json", "--policy", policy.toString(), manifests.toString(), list.toString());
            run("check", "--namespace", "legacy-app", "--policy", policy.toString(), manifests.toString());
            System.setIn(new ByteArrayInputStream(MANIFESTS.getBytes(StandardCharsets.UTF_8)));
            run("check", "-");
            run("config", "validate", policy.toString());
            run("config", "validate", manifests.toString());
            run("psp", "convert", psp.toString());
            System.setIn(new ByteArrayInputStream(REVIEW.getBytes(StandardCharsets.UTF_8)));
            run("review");
            System.setIn(new ByteArrayInputStream(REVIEW.getBytes(StandardCharsets.UTF_8)));
            run("review", "--endpoint", "mutate");
            run("check", "--help");
            run("chek");
            run("version");
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
            System.setIn(stdin);
            delete(dir);
        }
    }

    private static void run(String... args) {
        CommandLine cli = Main.commandLine();
        PrintWriter nowhere = new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        cli.setOut(nowhere);
        cli.setErr(nowhere);
        cli.execute(args);
    }

    private static Path write(Path file, String text) throws IOException {
        return Files.writeString(file, text);
    }

    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

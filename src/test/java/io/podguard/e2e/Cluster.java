package io.podguard.e2e;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.http.AsyncBody;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The kube-apiserver and etcd of the end-to-end suite: built with {@code src/test/cluster/build.sh}
 * and started with {@code start-cluster.sh} once per JVM, for every IT class, and stopped by a
 * shutdown hook. When the binaries cannot be built or the cluster cannot start, every test fails
 * with the reason: this tier never skips.
 */
public final class Cluster {

    /** Where the repository is: failsafe runs in the project's base directory. */
    static final Path REPO = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    private static final Path CLUSTER_DIR = REPO.resolve("src/test/cluster");

    private static Cluster instance;
    private static RuntimeException failure;
    private static final java.util.Map<String, Cluster> PSA_CLUSTERS = new java.util.HashMap<>();

    private final Properties env;
    private final Path workDir;
    private final KubernetesClient client;
    private boolean stopped;

    private Cluster(Properties env, Path workDir) {
        this.env = env;
        this.workDir = workDir;
        this.client = newClient(null);
    }

    /** The one cluster of this JVM, started on first use. */
    public static synchronized Cluster get() {
        if (failure != null) {
            throw failure;
        }
        if (instance == null) {
            try {
                instance = start();
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
        return instance;
    }

    /**
     * A second kube-apiserver of this JVM (and its etcd) where Pod Security Admission itself judges
     * pods: the built-in PodSecurity plugin on, configured by {@code admissionConfiguration} (an
     * AdmissionConfiguration, as {@code --admission-control-config-file} reads it). One per
     * configuration, started on first use, stopped by a shutdown hook. No podguard is registered there.
     */
    public static synchronized Cluster withPodSecurityAdmission(String admissionConfiguration) {
        Cluster c = PSA_CLUSTERS.get(admissionConfiguration);
        if (c == null) {
            try {
                Path target = REPO.resolve("target");
                Files.createDirectories(target);
                Path config = Files.createTempFile(target, "e2e-psa-admission-", ".yaml");
                Files.writeString(config, admissionConfiguration);
                c = start("e2e-psa-cluster-", List.of("--pod-security-admission",
                        "--apiserver-arg=--admission-control-config-file=" + config));
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the Pod Security Admission cluster: " + e, e);
            }
            PSA_CLUSTERS.put(admissionConfiguration, c);
        }
        return c;
    }

    private static Cluster start() {
        return start("e2e-cluster-", List.of());
    }

    /**
     * A cluster of one test class's own, for what must not share the JVM's cluster (a chart
     * installed cluster-wide, an audit log read from its first line): started now, stopped by
     * {@link #stop()} (or the shutdown hook, whichever comes first).
     */
    public static Cluster own(String prefix) {
        return start(prefix, List.of());
    }

    /** Stops a cluster from {@link #own}; its client is closed. */
    public synchronized void stop() {
        client.close();
        if (!stopped) {
            stopped = true;
            stop(workDir);
        }
    }

    /** A value of the cluster.env that start-cluster.sh printed (APISERVER_URL, CA_CERT, …). */
    public String env(String key) {
        return env.getProperty(key);
    }

    private static Cluster start(String prefix, List<String> flags) {
        try {
            Path target = REPO.resolve("target");
            Files.createDirectories(target);
            Path workDir = Files.createTempDirectory(target, prefix);
            Path buildLog = workDir.resolveSibling(workDir.getFileName() + "-build.log");

            Instant t0 = Instant.now();
            Process build = new ProcessBuilder(CLUSTER_DIR.resolve("build.sh").toString())
                    .directory(REPO.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(buildLog.toFile())
                    .start();
            // A cold build on a busy two-core machine takes up to ten minutes.
            if (!build.waitFor(20, TimeUnit.MINUTES)) {
                build.destroyForcibly();
                throw new IllegalStateException("src/test/cluster/build.sh did not finish in 20 minutes; log: " + buildLog);
            }
            if (build.exitValue() != 0) {
                throw new IllegalStateException("src/test/cluster/build.sh failed (exit " + build.exitValue()
                        + "): the e2e tier needs Go 1.26 on PATH and the Go module proxy the first time.\n" + tail(buildLog));
            }
            Duration buildTime = Duration.between(t0, Instant.now());

            Path startLog = workDir.resolveSibling(workDir.getFileName() + "-start.log");
            Instant t1 = Instant.now();
            List<String> command = new java.util.ArrayList<>(List.of(CLUSTER_DIR.resolve("start-cluster.sh").toString(), workDir.toString(),
                    "--watch-pid=" + ProcessHandle.current().pid(), "--ttl=1h"));
            command.addAll(flags);
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(REPO.toFile())
                    .redirectError(startLog.toFile());
            pb.environment().put("PODGUARD_E2E_SKIP_BUILD", "true");
            Process start = pb.start();
            String out = new String(start.getInputStream().readAllBytes());
            if (!start.waitFor(3, TimeUnit.MINUTES) || start.exitValue() != 0) {
                start.destroyForcibly();
                throw new IllegalStateException("src/test/cluster/start-cluster.sh could not start kube-apiserver and etcd:\n"
                        + tail(startLog));
            }
            Properties env = new Properties();
            env.load(new StringReader(out));
            if (env.getProperty("KUBECONFIG") == null) {
                throw new IllegalStateException("start-cluster.sh printed no cluster.env:\n" + out + tail(startLog));
            }
            Duration startTime = Duration.between(t1, Instant.now());
            Cluster cluster = new Cluster(env, workDir);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                synchronized (cluster) {
                    if (!cluster.stopped) {
                        stop(workDir);
                    }
                }
            }, "stop-e2e-cluster"));
            System.out.printf("e2e cluster %s (%s) ready: build.sh %d s, start %d s%n", env.getProperty("APISERVER_URL"),
                    env.getProperty("KUBERNETES_VERSION"), buildTime.toSeconds(), startTime.toSeconds());
            return cluster;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the e2e cluster: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the e2e cluster", e);
        }
    }

    private static void stop(Path workDir) {
        try {
            Process stop = new ProcessBuilder(CLUSTER_DIR.resolve("stop-cluster.sh").toString(), workDir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(workDir.resolve("stop.log").toFile())
                    .start();
            stop.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            System.err.println("could not stop the e2e cluster in " + workDir + ": " + e);
        }
    }

    static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no " + file + ")";
        }
    }

    public KubernetesClient client() {
        return client;
    }

    /** A client of its own whose responses' {@code Warning} headers go to {@code warnings}. */
    public KubernetesClient clientWithWarnings(List<String> warnings) {
        return newClient(warnings);
    }

    private KubernetesClient newClient(List<String> warnings) {
        try {
            Config config = Config.fromKubeconfig(Files.readString(Path.of(env.getProperty("KUBECONFIG"))));
            config.setRequestTimeout(30_000);
            config.setRequestRetryBackoffLimit(0);
            KubernetesClientBuilder builder = new KubernetesClientBuilder().withConfig(config);
            if (warnings != null) {
                builder.withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("warnings", new Interceptor() {
                    @Override
                    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
                        for (String header : response.headers("Warning")) {
                            warnings.add(WarningHeader.text(header));
                        }
                    }
                }));
            }
            return builder.build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path kubeconfig() {
        return Path.of(env.getProperty("KUBECONFIG"));
    }

    public Path auditLog() {
        return Path.of(env.getProperty("AUDIT_LOG"));
    }

    /** A thread-safe list for {@link #clientWithWarnings}. */
    public static List<String> warningList() {
        return new CopyOnWriteArrayList<>();
    }
}

package io.podguard.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podguard.engine.Json;
import io.podguard.engine.Text;
import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The one way podguard reaches an apiserver: {@code audit}, the server's namespace cache, Events,
 * background audit and managed certificates all connect through here, with kubectl's rules.
 *
 * <ol>
 *   <li>{@code --kubeconfig FILE} (the server's {@code podguard.kubeconfig}): that file, which must exist;</li>
 *   <li>else {@code $KUBECONFIG}: its files (separated by {@code :}; missing ones are skipped, as
 *       kubectl does, but at least one must exist), merged as kubectl merges them;</li>
 *   <li>else {@code ~/.kube/config} when it exists;</li>
 *   <li>else, in a pod, its service account;</li>
 *   <li>else no cluster: {@link KubeconfigException} says so.</li>
 * </ol>
 *
 * <p>{@code --context NAME} picks a context of the kubeconfig; one it does not define is refused
 * (kubectl: {@code context "nope" does not exist}), never replaced by the current one. Timeouts
 * are short ({@link Timeouts}), and {@link #describe} turns a failure into one line naming its
 * cause ({@code connection refused to https://…}).
 *
 * <p>fabric8 builds the client; what it does not do is reading the rules above the way kubectl
 * does (it falls back to the current context for an unknown one, and retries a refused connection
 * for half a minute), so this class checks the kubeconfig first and sets the timeouts.
 */
public final class KubernetesClients {

    private static final YAMLMapper YAML = Json.yaml();
    /** Bounds what a wrong path (a log file, an image) makes us read. */
    private static final long MAX_KUBECONFIG_BYTES = 4L * 1024 * 1024;

    private KubernetesClients() {
    }

    /** Where the kubeconfig (or the credentials) came from. */
    public enum Origin {
        /** {@code --kubeconfig FILE} or {@code podguard.kubeconfig}: asked for by name. */
        FLAG("--kubeconfig"),
        /** {@code $KUBECONFIG}. */
        ENVIRONMENT("$KUBECONFIG"),
        /** {@code ~/.kube/config}. */
        HOME("~/.kube/config"),
        /** The pod's service account. */
        IN_CLUSTER("in-cluster service account");

        private final String label;

        Origin(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What the rules read from the process: its {@code $KUBECONFIG}, home folder and whether it runs in a pod. */
    public record Environment(@Nullable String kubeconfigVariable, @Nullable Path home, boolean inCluster) {

        static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

        /** This process's environment. */
        public static Environment current() {
            String home = System.getProperty("user.home");
            boolean inCluster = System.getenv("KUBERNETES_SERVICE_HOST") != null && Files.isReadable(SERVICE_ACCOUNT_TOKEN);
            return new Environment(System.getenv("KUBECONFIG"), home == null || home.isBlank() ? null : Path.of(home), inCluster);
        }
    }

    /** How long to wait: for a TCP and TLS connection, for one request, and how often to retry a failed one. */
    public record Timeouts(Duration connect, Duration request, int retries) {

        /** A command: fail within seconds, never retry behind the user's back. */
        public static final Timeouts COMMAND = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), 0);
        /** The server's background work (Events, background audit, certificates): fabric8's retries, a short connect. */
        public static final Timeouts SERVER = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Config.DEFAULT_REQUEST_RETRY_BACKOFFLIMIT);
        /** A namespace read on the admission path: it must fit in the apiserver's webhook timeout. */
        public static final Timeouts ADMISSION_PATH = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Config.DEFAULT_REQUEST_RETRY_BACKOFFLIMIT);
    }

    /**
     * Where podguard connects to: a kubeconfig file and the context in it, or the service account.
     *
     * @param file the kubeconfig, null in a pod's service account
     * @param context the context used, null in a pod's service account
     * @param server the apiserver URL the context names (or the service account's)
     */
    public record Target(Origin origin, @Nullable Path file, @Nullable String context, String server, List<Path> files) {

        public Target {
            files = List.copyOf(files);
        }

        /** One kubeconfig file (or none, in a pod). */
        public Target(Origin origin, @Nullable Path file, @Nullable String context, String server) {
            this(origin, file, context, server, file == null ? List.of() : List.of(file));
        }

        /** {@code context "kind-dev" of ~/.kube/config ($KUBECONFIG)}, for logs and errors. */
        public String description() {
            if (origin == Origin.IN_CLUSTER) {
                return origin.label() + " (" + server + ")";
            }
            return "context \"" + context + "\" of " + file + " (" + origin.label() + ", " + server + ")";
        }
    }

    /**
     * Finds the kubeconfig and context by kubectl's rules and checks them.
     *
     * @param kubeconfig {@code --kubeconfig}, or null
     * @param context {@code --context}, or null for the current context
     * @throws KubeconfigException with one line naming the cause
     */
    public static Target resolve(@Nullable Path kubeconfig, @Nullable String context, Environment environment) {
        if (context != null && context.isBlank()) {
            throw new KubeconfigException("--context is empty");
        }
        if (kubeconfig != null) {
            return inFile(Origin.FLAG, kubeconfig, read(kubeconfig), context);
        }
        String variable = environment.kubeconfigVariable();
        if (variable != null && !variable.isBlank()) {
            return fromVariable(variable, context);
        }
        if (environment.home() != null) {
            Path home = environment.home().resolve(".kube").resolve("config");
            if (Files.isRegularFile(home)) {
                return inFile(Origin.HOME, home, read(home), context);
            }
        }
        if (environment.inCluster()) {
            if (context != null) {
                throw new KubeconfigException("--context " + context + " needs a kubeconfig, and there is none: podguard runs in a pod "
                        + "and would use its service account");
            }
            String host = System.getenv("KUBERNETES_SERVICE_HOST");
            String port = System.getenv("KUBERNETES_SERVICE_PORT");
            return new Target(Origin.IN_CLUSTER, null, null, "https://" + (host != null && host.contains(":") ? "[" + host + "]" : host)
                    + ":" + (port == null ? "443" : port));
        }
        throw new KubeconfigException("no kubeconfig found: pass --kubeconfig FILE, set $KUBECONFIG, or create "
                + (environment.home() == null ? "~/.kube/config" : environment.home().resolve(".kube/config"))
                + " (and podguard does not run in a pod, so it has no service account either)");
    }

    /** A client for {@code target}, with these timeouts. Creating it does not connect. */
    public static KubernetesClient connect(Target target, Timeouts timeouts) {
        return connect(target, timeouts, null);
    }

    /**
     * As {@link #connect(Target, Timeouts)}, introducing itself to the apiserver as
     * {@code userAgent} (the apiserver's audit log tells replicas apart by it).
     */
    public static KubernetesClient connect(Target target, Timeouts timeouts, @Nullable String userAgent) {
        Config config;
        if (target.origin() == Origin.IN_CLUSTER) {
            config = Config.autoConfigure(null);
        } else if (target.files().size() > 1) {
            // What Config.fromKubeconfig(context, file) does for one file, for all of $KUBECONFIG's:
            // fabric8 merges them as kubectl does (the first to define a name wins), each entry's
            // relative paths taken from its own file; its public API takes one file only.
            config = Config.empty();
            io.fabric8.kubernetes.client.internal.KubeConfigUtils.merge(config, target.context(), target.files().stream()
                    .map(f -> io.fabric8.kubernetes.client.internal.KubeConfigUtils.parseConfig(f.toFile()))
                    .toArray(io.fabric8.kubernetes.api.model.Config[]::new));
        } else {
            config = Config.fromKubeconfig(target.context(), target.file().toFile());
        }
        config = new ConfigBuilder(config)
                .withConnectionTimeout(Math.toIntExact(timeouts.connect().toMillis()))
                .withRequestTimeout(Math.toIntExact(timeouts.request().toMillis()))
                .withRequestRetryBackoffLimit(timeouts.retries())
                .build();
        if (userAgent != null) {
            config.setUserAgent(userAgent);
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** {@link #resolve} then {@link #connect}, from this process's environment. */
    public static KubernetesClient connect(@Nullable Path kubeconfig, @Nullable String context, Timeouts timeouts) {
        return connect(resolve(kubeconfig, context, Environment.current()), timeouts);
    }

    /**
     * One line that names why talking to {@code server} failed: {@code connection refused to
     * https://127.0.0.1:6443}, {@code no answer from … within 5 s}, {@code 403 Forbidden: …}.
     */
    public static String describe(Throwable failure, String server, Timeouts timeouts) {
        if (failure instanceof KubernetesClientException k && k.getCode() > 0) {
            String message = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage() : k.getMessage();
            return server + " answered " + k.getCode() + (k.getStatus() != null && k.getStatus().getReason() != null
                    ? " " + k.getStatus().getReason() : "") + ": " + Text.joined(message, "no details");
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException && !(t instanceof HttpConnectTimeoutException)) {
                return "connection refused to " + server;
            }
            if (t instanceof HttpConnectTimeoutException || t instanceof NoRouteToHostException) {
                return "cannot connect to " + server + " within " + seconds(timeouts.connect()) + " (unreachable, or a firewall drops the packets)";
            }
            if (t instanceof HttpTimeoutException || t instanceof SocketTimeoutException || t instanceof TimeoutException
                    || t instanceof InterruptedIOException) {
                return "no answer from " + server + " within " + seconds(timeouts.request());
            }
            if (t instanceof UnknownHostException) {
                return "unknown host " + Text.joined(t.getMessage(), "no details") + " (" + server + ")";
            }
            if (t instanceof SSLException) {
                return "TLS with " + server + " failed: " + Text.joined(rootMessage(t), "no details");
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return "cannot talk to " + server + ": " + Text.joined(root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage(), "no details");
    }

    private static Target fromVariable(String variable, @Nullable String context) {
        List<Path> existing = new ArrayList<>();
        for (String entry : variable.split(File.pathSeparator)) {
            if (!entry.isBlank() && Files.exists(Path.of(entry))) {
                existing.add(Path.of(entry));
            }
        }
        if (existing.isEmpty()) {
            throw new KubeconfigException("$KUBECONFIG names no existing file (" + variable + ")");
        }
        if (existing.size() == 1) {
            return inFile(Origin.ENVIRONMENT, existing.getFirst(), read(existing.getFirst()), context);
        }
        // Several files: kubectl merges them (the first to define a name wins, the first
        // current-context counts), and so does podguard.
        Map<Path, JsonNode> files = new LinkedHashMap<>();
        for (Path file : existing) {
            files.put(file, read(file));
        }
        String chosen = context;
        if (chosen == null) {
            for (JsonNode file : files.values()) {
                String current = file.path("current-context").asString("");
                if (!current.isEmpty()) {
                    chosen = current;
                    break;
                }
            }
            if (chosen == null) {
                throw new KubeconfigException("no file of $KUBECONFIG sets a current-context: pass --context (contexts: "
                        + String.join(", ", allContexts(files.values())) + ")");
            }
        }
        Target target = merged(files, chosen);
        if (target != null) {
            return target;
        }
        throw new KubeconfigException("context \"" + chosen + "\" does not exist in $KUBECONFIG (" + variable + "; contexts: "
                + String.join(", ", allContexts(files.values())) + ")");
    }

    /**
     * Several files of {@code $KUBECONFIG}, merged as kubectl merges them: the first file to
     * define a context, cluster or user by a name wins, so a context of one file may name the
     * cluster of another (and a cluster defined twice is the first file's).
     */
    private static Target merged(Map<Path, JsonNode> files, String chosen) {
        Path contextFile = null;
        JsonNode entry = null;
        for (Map.Entry<Path, JsonNode> file : files.entrySet()) {
            entry = named(file.getValue().path("contexts"), chosen);
            if (entry != null) {
                contextFile = file.getKey();
                break;
            }
        }
        if (entry == null) {
            return null;
        }
        String clusterName = entry.path("context").path("cluster").asString("");
        for (Map.Entry<Path, JsonNode> file : files.entrySet()) {
            JsonNode cluster = named(file.getValue().path("clusters"), clusterName);
            if (cluster != null) {
                String server = cluster.path("cluster").path("server").asString("");
                if (server.isBlank()) {
                    throw new KubeconfigException("cluster \"" + clusterName + "\" of " + file.getKey() + " has no server");
                }
                return new Target(Origin.ENVIRONMENT, contextFile, chosen, server.replaceAll("/+$", ""), List.copyOf(files.keySet()));
            }
        }
        throw new KubeconfigException("context \"" + chosen + "\" of " + contextFile + " names cluster \"" + clusterName
                + "\", which no file of $KUBECONFIG defines");
    }

    /** Checks that {@code config} (read from {@code file}) has the context, its cluster and a server. */
    private static Target inFile(Origin origin, Path file, JsonNode config, @Nullable String context) {
        List<String> contexts = names(config.path("contexts"));
        String chosen = context;
        if (chosen == null) {
            chosen = config.path("current-context").asString("");
            if (chosen.isEmpty()) {
                throw new KubeconfigException(file + " sets no current-context: pass --context NAME"
                        + (contexts.isEmpty() ? " (it defines no context)" : " (contexts: " + String.join(", ", contexts) + ")"));
            }
        }
        JsonNode entry = named(config.path("contexts"), chosen);
        if (entry == null) {
            throw new KubeconfigException("context \"" + chosen + "\" does not exist in " + file
                    + (contexts.isEmpty() ? " (it defines no context)" : " (contexts: " + String.join(", ", contexts) + ")")
                    + (context == null ? ", though current-context names it" : ""));
        }
        String clusterName = entry.path("context").path("cluster").asString("");
        JsonNode cluster = named(config.path("clusters"), clusterName);
        if (cluster == null) {
            throw new KubeconfigException("context \"" + chosen + "\" of " + file + " names cluster \"" + clusterName
                    + "\", which the file does not define");
        }
        String server = cluster.path("cluster").path("server").asString("");
        if (server.isBlank()) {
            throw new KubeconfigException("cluster \"" + clusterName + "\" of " + file + " has no server");
        }
        return new Target(origin, file, chosen, server.replaceAll("/+$", ""));
    }

    /** Reads and parses a kubeconfig, or says in one line why it is not one. */
    private static JsonNode read(Path file) {
        String text;
        try {
            if (Files.isDirectory(file)) {
                throw new KubeconfigException("kubeconfig " + file + " is a folder, not a file");
            }
            if (Files.size(file) > MAX_KUBECONFIG_BYTES) {
                throw new KubeconfigException(file + " is not a kubeconfig (larger than " + MAX_KUBECONFIG_BYTES / 1024 / 1024 + " MiB)");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new KubeconfigException("kubeconfig " + file + ": no such file");
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new KubeconfigException("cannot read kubeconfig " + file + ": " + Text.joined(e.getMessage(), "no details"));
        }
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new KubeconfigException(file + " is not a kubeconfig: not valid YAML" + where + ": " + Text.joined(e.getOriginalMessage(), "no details"));
        }
        if (root == null || !root.isObject()) {
            throw new KubeconfigException(file + " is not a kubeconfig: not a YAML map");
        }
        String kind = root.path("kind").asString("");
        if (!kind.isEmpty() && !"Config".equals(kind)) {
            throw new KubeconfigException(file + " is not a kubeconfig: its kind is " + kind + ", not Config");
        }
        if (!root.has("clusters") && !root.has("contexts") && !root.has("current-context")) {
            throw new KubeconfigException(file + " is not a kubeconfig: it has no clusters, contexts or current-context");
        }
        return root;
    }

    private static @Nullable JsonNode named(JsonNode list, String name) {
        for (JsonNode item : list) {
            if (name.equals(item.path("name").asString(null))) {
                return item;
            }
        }
        return null;
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        for (JsonNode item : list) {
            String name = item.path("name").asString("");
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    private static List<String> allContexts(Iterable<JsonNode> files) {
        List<String> all = new ArrayList<>();
        for (JsonNode file : files) {
            for (String name : names(file.path("contexts"))) {
                if (!all.contains(name)) {
                    all.add(name);
                }
            }
        }
        return all;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

}

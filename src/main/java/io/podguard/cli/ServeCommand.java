package io.podguard.cli;

import io.podguard.kube.KubernetesClients;
import io.podguard.policy.PolicyException;
import io.podguard.policy.PolicyFiles;
import io.podguard.policy.PolicyLoader;
import io.podguard.server.PodguardApplication;
import io.podguard.server.StartupPolicy;
import io.podguard.tls.ServingCertificates;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** Runs the webhook server (HTTPS 8443) and the management port (HTTP 8081). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve /mutate and /validate over HTTPS; /livez, /readyz and /metrics over HTTP.")
public final class ServeCommand implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);
    private static volatile boolean serving;
    /** The entry password of the in-memory key store (see {@link #tls}); the PEM key itself is not encrypted. */
    private static final String IN_MEMORY_KEY_PASSWORD = "podguard-in-memory";

    @Option(names = "--policy", paramLabel = "FILE", description = "Policy file, followed as it changes (default: the embedded default policy).")
    Path policy;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Kubeconfig for namespace labels, Events, the background audit and managed certificates "
                    + "(default: $KUBECONFIG, ~/.kube/config, then a pod's service account).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "Kubeconfig context (default: the current one).")
    String context;

    @Option(names = "--port", description = "HTTPS port of the webhook (default: 8443).")
    Integer port;

    @Option(names = "--management-port", description = "HTTP port of /livez, /readyz and /metrics (default: 8081).")
    Integer managementPort;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM serving certificate (chain); reloaded when it changes.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of the serving certificate.")
    Path tlsKey;

    @Option(names = "--client-ca", paramLabel = "FILE", description = "Require client certificates signed by this PEM CA (mutual TLS).")
    Path clientCa;

    @Option(names = "--cert-dir", paramLabel = "DIR", description = "Where to write a generated CA and serving certificate when none is given (default: ${java.io.tmpdir}/podguard-certs).")
    Path certDir;

    @Option(names = "--dns-name", paramLabel = "NAME", description = "Extra name for a generated serving certificate (repeatable).")
    List<String> dnsNames = new ArrayList<>();

    @Unmatched
    List<String> springArgs = new ArrayList<>();

    public static boolean isServing() {
        return serving;
    }

    @Override
    public void run() {
        checkPort("--port", effectivePort(port, "server.port", 8443));
        checkPort("--management-port", effectivePort(managementPort, "management.server.port", 8081));
        Map<String, Object> properties = new LinkedHashMap<>();
        StartupPolicy loaded = null;
        if (policy != null) {
            loaded = checkPolicy(policy.toAbsolutePath());
            properties.put("podguard.policy-file", loaded.file().toString());
        }
        if (kubeconfig != null || context != null) {
            // Named on purpose: refuse to start on a kubeconfig or context that cannot be used.
            KubernetesClients.resolve(kubeconfig, context, KubernetesClients.Environment.current());
        }
        if (kubeconfig != null) {
            properties.put("podguard.kubeconfig", kubeconfig.toAbsolutePath().toString());
        }
        if (context != null) {
            properties.put("podguard.kube-context", context);
        }
        if (port != null) {
            properties.put("server.port", port);
        }
        if (managementPort != null) {
            properties.put("management.server.port", managementPort);
        }
        tls(properties);
        SpringApplication app = PodguardApplication.application();
        if (loaded != null) {
            StartupPolicy startupPolicy = loaded;
            app.addInitializers(context -> context.getBeanFactory().registerSingleton(StartupPolicy.BEAN, startupPolicy));
        }
        List<String> args = new ArrayList<>(springArgs);
        properties.forEach((k, v) -> args.add("--" + k + "=" + v));
        keepAotConditionsTrue(args);
        serving = true;
        app.run(args.toArray(String[]::new));
    }

    /** The system property with which Spring uses the bean definitions the build generated (Spring AOT). */
    static final String SPRING_AOT = "spring.aot.enabled";

    /**
     * Spring properties that no condition of the build's ahead-of-time bean definitions reads:
     * they are bound when the server starts, as without AOT. The ports are checked on their own.
     */
    private static final List<String> READ_AT_RUN_TIME = List.of("podguard.", "logging.", "spring.ssl.bundle.",
            "server.ssl.client-auth", "management.endpoint.audit.access", "spring.aot.enabled",
            "server.address", "management.server.address");

    /**
     * With {@code -Dspring.aot.enabled=true} (as {@code bin/podguard} and the image start
     * {@code serve}) Spring uses the bean definitions the build generated, in which every
     * auto-configuration condition was decided on podguard's own defaults. A Spring property given
     * at start that such a condition reads (an endpoint exposed, a management port equal to the
     * server's or off, any other {@code spring.*}, {@code server.*} or {@code management.*}) would
     * be ignored there: then the server starts without them, slower and with the property obeyed.
     */
    private static void keepAotConditionsTrue(List<String> args) {
        if (!Boolean.getBoolean(SPRING_AOT)) {
            return;
        }
        Map<String, String> systemProperties = new LinkedHashMap<>();
        System.getProperties().stringPropertyNames().forEach(key -> systemProperties.put(key, System.getProperty(key)));
        String reason = decidedAtBuildTime(args, systemProperties, System.getenv());
        if (reason != null) {
            System.clearProperty(SPRING_AOT);
            LOG.info("starting without the build's ahead-of-time bean definitions: {} is decided at build time there", reason);
        }
    }

    /**
     * The first Spring property among the arguments ({@code --key=value}), system properties and
     * environment variables ({@code SERVER_PORT} for {@code server.port}) that a condition of the
     * build's ahead-of-time bean definitions reads, or null when there is none.
     */
    static @Nullable String decidedAtBuildTime(List<String> args, Map<String, String> systemProperties, Map<String, String> environment) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String arg : args) {
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                given.putIfAbsent(eq < 0 ? arg.substring(2) : arg.substring(2, eq), eq < 0 ? "" : arg.substring(eq + 1));
            }
        }
        systemProperties.forEach(given::putIfAbsent);
        environment.forEach((name, value) -> given.putIfAbsent(name.toLowerCase(java.util.Locale.ROOT).replace('_', '.'), value));
        String serverPort = given.getOrDefault("server.port", "8443").strip();
        String managementPort = given.getOrDefault("management.server.port", "8081").strip();
        if (managementPort.equals(serverPort) || managementPort.startsWith("-")) {
            return "management.server.port " + managementPort;
        }
        for (String key : given.keySet()) {
            boolean spring = key.startsWith("spring.") || key.startsWith("server.") || key.startsWith("management.");
            if (spring && !key.equals("server.port") && !key.equals("management.server.port")
                    && READ_AT_RUN_TIME.stream().noneMatch(key::startsWith)) {
                return key;
            }
        }
        return null;
    }

    /** The option, else its default unless a Spring property or environment variable sets the port (then null). */
    private @Nullable Integer effectivePort(@Nullable Integer option, String property, int defaultPort) {
        if (option != null) {
            return option;
        }
        String env = property.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
        boolean elsewhere = System.getenv(env) != null || System.getProperty(property) != null
                || springArgs.stream().anyMatch(a -> a.startsWith("--" + property + "="));
        return elsewhere ? null : defaultPort;
    }

    /**
     * A port that is no port, or one another process listens on, stops podguard here with one line
     * (Spring would report it after starting half the server, in a page of log).
     */
    private static void checkPort(String option, @Nullable Integer port) {
        if (port == null || port == 0) {
            return; // set as a Spring property: Spring checks it; 0 picks a free port
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(option + " " + port + " is not a port (1-65535)");
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
        } catch (BindException e) {
            throw new IllegalArgumentException("cannot listen on port " + port + " (" + option + "): "
                    + (e.getMessage() != null && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("in use")
                            ? "another process listens on it" : e.getMessage()));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot listen on port " + port + " (" + option + "): " + e.getMessage());
        }
    }

    /**
     * The policy at start-up is strict: a file that cannot be read or is invalid stops podguard
     * here, with every error and no stack trace (only reloads keep a last good policy).
     */
    private static StartupPolicy checkPolicy(Path file) {
        try {
            PolicyFiles files = new PolicyFiles(file);
            return new StartupPolicy(file, PolicyLoader.load(files), files.snapshot());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read policy " + file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read policy " + file + ": " + e.getMessage());
        } catch (PolicyException e) {
            throw new IllegalArgumentException("policy " + file + " is invalid:\n  " + String.join("\n  ", e.errors()));
        }
    }

    /**
     * The serving certificate and key a user gives, read with the PEM reader the SSL bundle uses
     * (no other library loaded at start-up): a key type podguard serves, of the certificate's
     * type. One line when not, rather than a TLS stack that starts and then fails every handshake.
     */
    private static void checkServingFiles(Path cert, Path key) {
        java.security.cert.X509Certificate certificate;
        java.security.PrivateKey privateKey;
        try {
            List<java.security.cert.X509Certificate> certificates = org.springframework.boot.ssl.pem.PemContent.load(cert).getCertificates();
            certificate = certificates.getFirst();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the certificate " + cert + ": " + firstLine(e));
        }
        try {
            privateKey = org.springframework.boot.ssl.pem.PemContent.load(key).getPrivateKey();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the private key " + key + ": " + firstLine(e));
        }
        if (privateKey == null) {
            throw new IllegalArgumentException("cannot read the private key " + key + ": it holds no PEM private key");
        }
        io.podguard.tls.KeyTypes.checkServingKey(certificate.getPublicKey(), privateKey, key.toString());
    }

    private static String firstLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    /** Spring properties for the {@code podguard} SSL bundle, generating a certificate if none is given. */
    private void tls(Map<String, Object> properties) {
        Path cert = tlsCert;
        Path key = tlsKey;
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (cert == null) {
            Path dir = certDir != null ? certDir : Path.of(System.getProperty("java.io.tmpdir"), "podguard-certs");
            try {
                if (certDir == null) {
                    ServingCertificates.privateDirectory(dir); // shared with every user of the machine: must be podguard's own
                }
                ServingCertificates.ServingFiles files = ServingCertificates.generate(dir, dnsNames);
                cert = files.certFile();
                key = files.keyFile();
                LOG.info("no certificate given: generated a serving certificate; its CA is {}", files.caFile().toAbsolutePath());
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot write generated certificates to " + dir + ": " + e.getMessage());
            }
        } else {
            checkServingFiles(cert, key);
        }
        String bundle = "spring.ssl.bundle.pem.podguard.";
        properties.put(bundle + "keystore.certificate", "file:" + cert.toAbsolutePath());
        properties.put(bundle + "keystore.private-key", "file:" + key.toAbsolutePath());
        // The PEM files become a key store that lives in memory only, for Tomcat. Its default type,
        // PKCS12, encrypts the key as it goes in and decrypts it as it comes out with 10,000 rounds of
        // PBKDF2 each: a tenth of a second of start-up that protects nothing (the key is in this
        // process's memory either way). JKS needs an entry password, which is this one and not a secret.
        properties.put(bundle + "keystore.type", "JKS");
        properties.put(bundle + "key.password", IN_MEMORY_KEY_PASSWORD);
        properties.put("podguard.tls.cert-file", cert.toAbsolutePath().toString());
        properties.put("podguard.tls.key-file", key.toAbsolutePath().toString());
        if (clientCa != null) {
            properties.put(bundle + "truststore.certificate", "file:" + clientCa.toAbsolutePath());
            properties.put("server.ssl.client-auth", "need");
            properties.put("podguard.tls.client-ca-file", clientCa.toAbsolutePath().toString());
        }
    }
}

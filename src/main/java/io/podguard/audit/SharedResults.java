package io.podguard.audit;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podguard.engine.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The leader's last audit, shared with the other replicas through one ConfigMap in podguard's
 * namespace (key {@value #KEY}: the {@code /audit} document, gzipped JSON), so that
 * {@code GET /audit} says the same on every replica, and a replica that takes over knows when
 * the last run was and under which policy. Only the leader writes it; the others read it, at
 * most once per {@code maxAge}.
 *
 * <p>A document too large for a ConfigMap (more than {@value #MAX_BYTES} bytes gzipped: tens of
 * thousands of pods enforcement would deny) is shared without the pods themselves
 * ({@code deniedPods}); the counts are always there, and the pods are in the PolicyReports.
 */
public final class SharedResults {

    public static final String KEY = "audit.json.gz";
    /** A ConfigMap holds at most 1 MiB; some room for its metadata. */
    static final int MAX_BYTES = 1000 * 1024;

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final Duration maxAge;
    private final Clock clock;
    private @Nullable Read cached;

    /** What was read, and when. */
    private record Read(@Nullable ObjectNode document, Instant at) {
    }

    public SharedResults(KubernetesClient client, String namespace, String name, Duration maxAge, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    public String describe() {
        return "ConfigMap " + namespace + "/" + name;
    }

    /**
     * Writes {@code document}, or {@code summary} when the document does not fit.
     *
     * @return whether the pods were left out
     * @throws KubernetesClientException when the apiserver refuses
     */
    public boolean publish(ObjectNode document, ObjectNode summary) {
        byte[] data = gzip(document);
        boolean omitted = false;
        if (data.length > MAX_BYTES) {
            ObjectNode smaller = summary.deepCopy();
            smaller.put("deniedPodsOmitted", true);
            data = gzip(smaller);
            omitted = true;
        }
        ConfigMap configMap = new ConfigMapBuilder()
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(namespace)
                    .addToLabels(PolicyReports.MANAGED_BY, PolicyReports.SOURCE)
                .endMetadata()
                .addToBinaryData(KEY, Base64.getEncoder().encodeToString(data))
                .build();
        client.configMaps().inNamespace(namespace).resource(configMap).createOr(op -> op.update());
        synchronized (this) {
            cached = new Read(omitted ? gunzip(data) : document, clock.instant());
        }
        return omitted;
    }

    /**
     * The last document the leader shared, read again when the last read is older than {@code maxAge}.
     *
     * @return null when there is none yet
     * @throws KubernetesClientException when it cannot be read
     */
    public synchronized @Nullable ObjectNode read() {
        Instant now = clock.instant();
        if (cached != null && cached.at().plus(maxAge).isAfter(now)) {
            return cached.document();
        }
        ConfigMap configMap;
        try {
            configMap = client.configMaps().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
                throw e;
            }
            configMap = null;
        }
        String value = configMap == null || configMap.getBinaryData() == null ? null : configMap.getBinaryData().get(KEY);
        ObjectNode document = null;
        if (value != null) {
            try {
                document = gunzip(Base64.getDecoder().decode(value));
            } catch (IllegalArgumentException | UncheckedIOException | tools.jackson.core.JacksonException e) {
                throw new KubernetesClientException(describe() + " holds no readable audit (" + e.getClass().getSimpleName() + ")");
            }
        }
        cached = new Read(document, now);
        return document;
    }

    /** The document last read or written, without asking the apiserver; null when none. */
    public synchronized @Nullable ObjectNode cached() {
        return cached == null ? null : cached.document();
    }

    static byte[] gzip(JsonNode document) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            Json.mapper().writeValue(out, document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static ObjectNode gunzip(byte[] data) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            // Bounded: a ConfigMap is at most 1 MiB, and JSON this repetitive expands perhaps fortyfold.
            byte[] json = in.readNBytes(64 * 1024 * 1024);
            JsonNode node = Json.mapper().readTree(json);
            if (!(node instanceof ObjectNode object)) {
                throw new UncheckedIOException(new IOException("not a JSON object"));
            }
            return object;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

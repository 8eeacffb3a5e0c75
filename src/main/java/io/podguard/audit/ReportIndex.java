package io.podguard.audit;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.podguard.engine.Json;
import io.podguard.engine.Text;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The PolicyReports podguard wrote, as metadata only: name, resourceVersion and the hash of
 * their content. Listed page by page as {@code PartialObjectMetadataList}, so neither the
 * apiserver nor podguard moves a megabyte of results per report to learn that it is unchanged.
 *
 * <p>Written against the HTTP client fabric8 configured (credentials, TLS) because fabric8's DSL
 * has no metadata-only list. A server that ignores the {@code as=PartialObjectMetadataList}
 * media type (fabric8's mock apiserver) answers with whole objects, which read the same way.
 */
final class ReportIndex {

    static final int PAGE = 500;
    private static final String ACCEPT = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

    private final KubernetesClient client;

    /** One report: its resourceVersion (null when unknown) and the hash of its content (null when it has none). */
    record Entry(@Nullable String resourceVersion, @Nullable String hash) {
    }

    ReportIndex(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Every report with {@code labelSelector}, by namespace and name.
     *
     * @throws KubernetesClientException with the apiserver's status code (404 when the CRD is not installed)
     */
    Map<String, Map<String, Entry>> list(String labelSelector) {
        Map<String, Map<String, Entry>> out = new HashMap<>();
        String base = client.getMasterUrl().toString().replaceAll("/+$", "") + "/apis/" + PolicyReports.CONTEXT.getGroup() + "/"
                + PolicyReports.CONTEXT.getVersion() + "/" + PolicyReports.CONTEXT.getPlural() + "?limit=" + PAGE
                + "&labelSelector=" + URLEncoder.encode(labelSelector, StandardCharsets.UTF_8);
        String next = null;
        do {
            String uri = next == null ? base : base + "&continue=" + URLEncoder.encode(next, StandardCharsets.UTF_8);
            JsonNode page = get(uri);
            for (JsonNode item : page.path("items")) {
                JsonNode meta = item.path("metadata");
                String namespace = meta.path("namespace").asString(null);
                String name = meta.path("name").asString(null);
                if (namespace == null || name == null) {
                    continue;
                }
                out.computeIfAbsent(namespace, n -> new HashMap<>()).put(name, new Entry(meta.path("resourceVersion").asString(null),
                        meta.path("annotations").path(PolicyReports.HASH).asString(null)));
            }
            next = page.path("metadata").path("continue").asString(null);
        } while (next != null && !next.isEmpty());
        return out;
    }

    private JsonNode get(String uri) {
        long timeout = Math.max(1, client.getConfiguration().getRequestTimeout());
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(uri).header("Accept", ACCEPT)
                .timeout(timeout, TimeUnit.MILLISECONDS).build();
        HttpResponse<byte[]> response;
        try {
            response = client.getHttpClient().sendAsync(request, byte[].class).get(timeout + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while listing PolicyReports", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KubernetesClientException("cannot list PolicyReports: " + Text.oneLine(String.valueOf(e.getCause() == null ? e : e.getCause())), e);
        }
        if (!response.isSuccessful()) {
            String body = response.body() == null ? "" : new String(response.body(), StandardCharsets.UTF_8);
            String message = body;
            try {
                message = Json.mapper().readTree(body).path("message").asString(body);
            } catch (RuntimeException e) {
                // not a Status: the body as it is
            }
            throw new KubernetesClientException(Text.oneLine(message.length() > 300 ? message.substring(0, 300) : message), response.code(), null);
        }
        return Json.mapper().readTree(response.body());
    }
}

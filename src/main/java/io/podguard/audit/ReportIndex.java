package io.podguard.audit;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The PolicyReports podguard wrote, as metadata only: name, resourceVersion and the hash of
 * their content. Listed page by page as {@code PartialObjectMetadataList}, so neither the
 * apiserver nor podguard moves a megabyte of results per report to learn that it is unchanged.
 *
 * <p>A server that ignores the {@code as=PartialObjectMetadataList} media type (fabric8's mock
 * apiserver) answers with whole objects, which read the same way.
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
        String base = "/apis/" + PolicyReports.CONTEXT.getGroup() + "/"
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
        return RawGet.get(client, uri, ACCEPT);
    }
}

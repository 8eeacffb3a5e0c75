package io.podguard.audit;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.podguard.engine.Json;
import io.podguard.engine.Text;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;

/**
 * A GET as a JSON tree, through the HTTP client fabric8 configured (credentials, TLS, timeouts,
 * retries). For the two lists the audit reads at scale, where fabric8's typed DSL would cost
 * more than the judging: the pods (the engine reads a pod as a tree; typing every field of every
 * pod, status and managed fields included, only to turn it back into a tree doubles the work),
 * and the PolicyReports as metadata only (fabric8 has no metadata-only list).
 */
final class RawGet {

    private RawGet() {
    }

    /**
     * @param pathAndQuery from the API root, {@code /api/v1/pods?limit=500}
     * @throws KubernetesClientException with the apiserver's status code and message
     */
    static JsonNode get(KubernetesClient client, String pathAndQuery, String accept) {
        String uri = client.getMasterUrl().toString().replaceAll("/+$", "") + pathAndQuery;
        long timeout = Math.max(1, client.getConfiguration().getRequestTimeout());
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(uri).header("Accept", accept)
                .timeout(timeout, TimeUnit.MILLISECONDS).build();
        HttpResponse<byte[]> response;
        try {
            // fabric8's client retries by itself (backoff on 5xx, 429 and connection failures): give it room.
            long budget = timeout * (1 + Math.max(0, client.getConfiguration().getRequestRetryBackoffLimit())) + 30_000;
            response = client.getHttpClient().sendAsync(request, byte[].class).get(budget, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted: GET " + pathAndQuery, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KubernetesClientException("GET " + pathAndQuery + ": " + Text.oneLine(String.valueOf(e.getCause() == null ? e : e.getCause())), e);
        }
        byte[] body = response.body() == null ? new byte[0] : response.body();
        if (!response.isSuccessful()) {
            String text = new String(body, StandardCharsets.UTF_8);
            String message = text;
            try {
                message = Json.mapper().readTree(text).path("message").asString(text);
            } catch (RuntimeException e) {
                // not a Status: the body as it is
            }
            throw new KubernetesClientException(Text.oneLine(message), response.code(), null);
        }
        return Json.mapper().readTree(body);
    }
}

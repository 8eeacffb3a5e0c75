package io.podguard.server;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podguard.audit.AuditDocument;
import io.podguard.audit.BackgroundAudit;
import io.podguard.engine.Json;
import io.podguard.engine.Text;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /audit} on the management port: what enforce would deny among the pods running
 * now, per namespace and check, from the last background audit. {@code GET /audit/NAMESPACE}
 * adds the pods themselves. Every replica serves the leader's last run (the leader's own memory,
 * the others the document it shares), so any replica behind the Service says the same. When the
 * audit is off, says so and why.
 */
@Endpoint(id = "audit")
final class AuditEndpoint implements AutoCloseable {

    private final @Nullable BackgroundAudit audit;
    private final String disabledReason;

    AuditEndpoint(@Nullable BackgroundAudit audit, String disabledReason) {
        this.audit = audit;
        this.disabledReason = disabledReason;
    }

    @ReadOperation
    WebEndpointResponse<Map<String, Object>> audit() {
        Map<String, Object> body = new LinkedHashMap<>();
        if (audit == null) {
            body.put("enabled", false);
            body.put("reason", disabledReason);
            return new WebEndpointResponse<>(body, 200);
        }
        body.put("enabled", true);
        ObjectNode document;
        try {
            document = audit.document();
        } catch (KubernetesClientException e) {
            body.put("status", "unavailable");
            body.put("reason", "cannot read the leader's last audit: " + Text.oneLine(e.getMessage()));
            return new WebEndpointResponse<>(body, 503);
        }
        if (document == null) {
            body.put("status", "pending");
            body.put("interval", audit.interval().toString());
            return new WebEndpointResponse<>(body, 200);
        }
        body.putAll(map(AuditDocument.summary(document)));
        return new WebEndpointResponse<>(body, 200);
    }

    @ReadOperation
    WebEndpointResponse<Map<String, Object>> namespace(@Selector String namespace) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (audit == null) {
            body.put("error", "the background audit is off: " + disabledReason);
            return new WebEndpointResponse<>(body, 404);
        }
        ObjectNode document;
        try {
            document = audit.document();
        } catch (KubernetesClientException e) {
            body.put("error", "cannot read the leader's last audit: " + Text.oneLine(e.getMessage()));
            return new WebEndpointResponse<>(body, 503);
        }
        if (document == null || !document.has("finishedAt")) {
            body.put("error", "no audit has finished yet");
            return new WebEndpointResponse<>(body, 503);
        }
        JsonNode ns = document.path("namespaces").path(namespace);
        if (!(ns instanceof ObjectNode found)) {
            body.put("error", "no pods in namespace \"" + namespace + "\" at the last audit (" + document.path("finishedAt").asString() + ")");
            return new WebEndpointResponse<>(body, 404);
        }
        body.put("namespace", namespace);
        body.put("finishedAt", document.path("finishedAt").asString());
        body.put("policySource", document.path("policySource").asString());
        body.put("auditedBy", document.path("auditedBy").asString());
        if (document.path("deniedPodsOmitted").asBoolean(false)) {
            body.put("deniedPodsOmitted", true);
        }
        body.putAll(map(found));
        return new WebEndpointResponse<>(body, 200);
    }

    /** Stops the background audit with the application. */
    @Override
    public void close() throws InterruptedException {
        if (audit != null) {
            audit.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(ObjectNode node) {
        return Json.mapper().convertValue(node, LinkedHashMap.class);
    }
}

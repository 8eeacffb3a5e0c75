package io.podguard.server;

import io.podguard.audit.AuditJson;
import io.podguard.audit.AuditReport;
import io.podguard.audit.BackgroundAudit;
import io.podguard.engine.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /audit} on the management port: what enforce would deny among the pods running
 * now, per namespace and check, from the last background audit. {@code GET /audit/NAMESPACE}
 * adds the pods themselves. When the audit is off, says so and why.
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
        BackgroundAudit.Status status = audit.status();
        body.put("enabled", true);
        body.put("status", status.lastError() != null ? "failed" : status.report() == null ? "pending" : "ok");
        body.put("interval", audit.interval().toString());
        if (status.lastError() != null) {
            body.put("lastError", status.lastError());
            body.put("lastErrorAt", String.valueOf(status.lastErrorAt()));
        }
        if (status.policyReports() != null) {
            body.put("policyReports", status.policyReports().detail());
        }
        if (status.report() != null) {
            body.putAll(map(AuditJson.render(status.report(), false)));
        }
        return new WebEndpointResponse<>(body, 200);
    }

    @ReadOperation
    WebEndpointResponse<Map<String, Object>> namespace(@Selector String namespace) {
        AuditReport report = audit == null ? null : audit.status().report();
        Map<String, Object> body = new LinkedHashMap<>();
        if (report == null) {
            body.put("error", audit == null ? "the background audit is off: " + disabledReason : "no audit has finished yet");
            return new WebEndpointResponse<>(body, audit == null ? 404 : 503);
        }
        AuditReport.Namespace ns = report.namespaces().get(namespace);
        if (ns == null) {
            body.put("error", "no pods in namespace \"" + namespace + "\" at the last audit (" + report.finishedAt() + ")");
            return new WebEndpointResponse<>(body, 404);
        }
        body.put("namespace", namespace);
        body.put("finishedAt", report.finishedAt().toString());
        body.put("policySource", report.policySource());
        body.putAll(map(AuditJson.namespace(ns, true)));
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

package io.podguard.audit;

import io.podguard.engine.Json;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The background audit's state as one JSON document: what {@code GET /audit} serves (without
 * the pods) and {@code GET /audit/NAMESPACE} (with them), the same on every replica because the
 * leader shares this very document ({@link SharedResults}):
 * <pre>{"status":"ok","auditedBy":"podguard-7d9f-x2_8f3a","interval":"PT10M",
 *  "lastError":…,"lastErrorAt":…,"policyReports":"3 created, …",
 *  "policySource":…,"startedAt":…,"finishedAt":…,"durationMillis":…,"totals":…,"checks":…,"namespaces":…,
 *  "policyFingerprint":"…"}</pre>
 * {@code status} is {@code ok}, {@code failed} (the last run failed; the counts are the last
 * good run's) or {@code pending} (no run has finished yet); {@code auditedBy} is the replica that
 * ran it; {@code policyFingerprint} names the policy it judged by (a replica that takes over
 * with the same policy waits an interval after it).
 */
public final class AuditDocument {

    private AuditDocument() {
    }

    static ObjectNode render(BackgroundAudit.Status status, String auditedBy, Duration interval, String fingerprint, boolean withPods) {
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.put("status", status.lastError() != null ? "failed" : status.report() == null ? "pending" : "ok");
        doc.put("auditedBy", auditedBy);
        doc.put("interval", interval.toString());
        if (status.lastError() != null) {
            doc.put("lastError", status.lastError());
            doc.put("lastErrorAt", String.valueOf(status.lastErrorAt()));
        }
        if (status.policyReports() != null) {
            doc.put("policyReports", status.policyReports().detail());
        }
        if (status.report() != null) {
            doc.setAll(AuditJson.render(status.report(), withPods));
        }
        doc.put("policyFingerprint", fingerprint);
        return doc;
    }

    /** {@code GET /audit}: the document without the pods and without what only replicas need. */
    public static ObjectNode summary(ObjectNode document) {
        ObjectNode out = document.deepCopy();
        out.remove("policyFingerprint");
        JsonNode namespaces = out.path("namespaces");
        if (namespaces instanceof ObjectNode ns) {
            for (Iterator<Map.Entry<String, JsonNode>> it = ns.properties().iterator(); it.hasNext(); ) {
                if (it.next().getValue() instanceof ObjectNode one) {
                    one.remove("deniedPods");
                }
            }
        }
        return out;
    }
}

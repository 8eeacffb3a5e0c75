package io.podguard.audit;

import io.podguard.engine.Json;
import io.podguard.engine.defaults.AppliedDefault;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The report as JSON, the same for {@code GET /audit} and {@code podguard audit -o json}:
 * <pre>{"policySource":"…","startedAt":"…","finishedAt":"…","durationMillis":12,
 *  "totals":{"namespaces":2,"pods":5,"wouldBeDenied":2},
 *  "checks":{"hostNamespaces":1,"privileged":1},
 *  "namespaces":{"team-a":{"levels":["restricted:latest"],"pods":3,"wouldBeDenied":1,"checks":{"privileged":1},
 *     "deniedPods":[{"name":"web-1","owner":"ReplicaSet/web","level":"restricted:latest","checks":["privileged"],
 *        "message":"violates PodSecurity …","defaults":["securityContext (container app)"],"exemptions":["…"]}]}}}</pre>
 * {@code incomplete} (only when the run stopped early) says why.
 * {@code checks} count pods failing each rule (of every kind). {@code message} is the webhook's
 * denial; {@code defaults} what was assumed set first (empty for running pods judged as they
 * are); {@code exemptions} the reasons of those that made a difference. {@code deniedPods} is
 * left out of the summary form.
 */
public final class AuditJson {

    private AuditJson() {
    }

    public static ObjectNode render(AuditReport report, boolean withPods) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("policySource", report.policySource());
        root.put("startedAt", report.startedAt().toString());
        root.put("finishedAt", report.finishedAt().toString());
        root.put("durationMillis", report.duration().toMillis());
        if (report.incomplete() != null) {
            root.put("incomplete", report.incomplete());
        }
        ObjectNode totals = root.putObject("totals");
        totals.put("namespaces", report.namespaces().size());
        totals.put("pods", report.pods());
        totals.put("wouldBeDenied", report.wouldBeDenied());
        counts(root.putObject("checks"), report.checks());
        ObjectNode namespaces = root.putObject("namespaces");
        for (AuditReport.Namespace ns : report.namespaces().values()) {
            namespaces.set(ns.name(), namespace(ns, withPods));
        }
        return root;
    }

    public static ObjectNode namespace(AuditReport.Namespace ns, boolean withPods) {
        ObjectNode node = Json.mapper().createObjectNode();
        ArrayNode levels = node.putArray("levels");
        ns.levels().forEach(levels::add);
        node.put("pods", ns.pods());
        node.put("wouldBeDenied", ns.wouldBeDenied());
        counts(node.putObject("checks"), ns.checks());
        if (withPods) {
            ArrayNode pods = node.putArray("deniedPods");
            for (PodResult pod : ns.denied()) {
                ObjectNode p = pods.addObject();
                p.put("name", pod.name());
                p.put("owner", pod.owner());
                p.put("level", pod.level());
                ArrayNode checks = p.putArray("checks");
                pod.findings().stream().map(PodResult.Finding::rule).forEach(checks::add);
                p.put("message", pod.message());
                ArrayNode defaults = p.putArray("defaults");
                pod.defaults().stream().map(AppliedDefault::entry).forEach(defaults::add);
                ArrayNode exemptions = p.putArray("exemptions");
                pod.exemptions().forEach(exemptions::add);
            }
        }
        return node;
    }

    private static void counts(ObjectNode node, Map<String, Integer> counts) {
        counts.forEach(node::put);
    }
}

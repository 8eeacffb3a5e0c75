package io.podguard.audit;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.podguard.engine.KindVerdict;
import io.podguard.engine.Level;
import io.podguard.engine.Mode;
import io.podguard.engine.Violation;
import io.podguard.engine.placement.PlacementKind;
import io.podguard.engine.psp.PspKind;
import io.podguard.engine.pss.Check;
import io.podguard.engine.pss.PodSecurityChecks;
import io.podguard.engine.resources.ResourceRulesKind;
import io.podguard.engine.rules.AdmissionPoliciesKind;
import io.podguard.engine.rules.CelRulesKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes an audit as {@code wgpolicyk8s.io/v1alpha2} PolicyReports, one per namespace
 * named {@value #NAME}, so {@code kubectl get policyreports -A} and the tools that read them
 * (Policy Reporter, dashboards) show podguard's findings beside Kyverno's. A report is created
 * or replaced on every run; reports of namespaces with no pods left are deleted. When the CRD
 * is not installed, publishing is skipped with one log line.
 *
 * <p>Each failing pod yields one {@code fail} result per rule it breaks, of every kind (Pod
 * Security Standards checks, resource rules, PodSecurityPolicy rules), each passing pod one
 * {@code pass} result, each pod an exemption of the whole request covers one {@code skip}
 * result; the reasons of the exemptions that made a difference are in each result's
 * {@code properties.exemptions}. A report holds at most {@code maxResults} (failures first):
 * an object in etcd must stay well under 1.5 MB. The summary always counts every result.
 */
public final class PolicyReports {

    public static final String NAME = "podguard-pod-security";
    public static final String POLICY = "podguard-pod-security";
    public static final String PASS_RULE = "pod-security-standards";
    public static final String SOURCE = "podguard";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final int DEFAULT_MAX_RESULTS = 1000;

    static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
            .withGroup("wgpolicyk8s.io").withVersion("v1alpha2").withKind("PolicyReport").withPlural("policyreports")
            .withNamespaced(true).build();

    private static final Logger LOG = LoggerFactory.getLogger(PolicyReports.class);

    private final KubernetesClient client;
    private final Map<String, Level> checkLevels = new HashMap<>();
    private final int maxResults;

    /** What publishing did. */
    public record Outcome(boolean published, int written, int deleted, String detail) {
    }

    public PolicyReports(KubernetesClient client, int maxResults) {
        this.client = client;
        this.maxResults = maxResults;
        for (Check check : PodSecurityChecks.registry().checks()) {
            checkLevels.put(check.id(), check.level());
        }
    }

    public Outcome publish(AuditReport report) {
        List<GenericKubernetesResource> existing;
        try {
            existing = client.genericKubernetesResources(CONTEXT).inAnyNamespace().withLabel(MANAGED_BY, SOURCE).list().getItems();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                LOG.info("PolicyReports not published: the wgpolicyk8s.io/v1alpha2 PolicyReport CRD is not installed");
                return new Outcome(false, 0, 0, "the PolicyReport CRD (wgpolicyk8s.io/v1alpha2) is not installed");
            }
            throw e;
        }
        int written = 0;
        for (AuditReport.Namespace ns : report.namespaces().values()) {
            GenericKubernetesResource resource = build(report, ns);
            client.genericKubernetesResources(CONTEXT).inNamespace(ns.name()).resource(resource).createOr(NonDeletingOperation::update);
            written++;
        }
        int deleted = 0;
        for (GenericKubernetesResource old : existing) {
            String ns = old.getMetadata().getNamespace();
            if (NAME.equals(old.getMetadata().getName()) && !report.namespaces().containsKey(ns)) {
                try {
                    client.genericKubernetesResources(CONTEXT).inNamespace(ns).withName(NAME).delete();
                    deleted++;
                } catch (KubernetesClientException e) {
                    // Without the delete permission a stale report stays; the fresh ones are written all the same.
                    LOG.warn("could not delete the stale PolicyReport {}/{}: {}", ns, NAME, e.getCode());
                }
            }
        }
        return new Outcome(true, written, deleted, written + " written, " + deleted + " deleted");
    }

    GenericKubernetesResource build(AuditReport report, AuditReport.Namespace ns) {
        Map<String, Object> timestamp = new LinkedHashMap<>();
        timestamp.put("seconds", report.finishedAt().getEpochSecond());
        timestamp.put("nanos", 0);
        List<Map<String, Object>> fails = new ArrayList<>();
        List<Map<String, Object>> passes = new ArrayList<>();
        List<Map<String, Object>> skips = new ArrayList<>();
        for (PodResult pod : ns.pods()) {
            String exemptions = String.join("; ", pod.exemptions());
            if (!pod.judged()) {
                if (!exemptions.isEmpty()) {
                    Map<String, Object> r = result(pod, PASS_RULE, null, "skip", "exempt: " + exemptions, timestamp);
                    r.put("properties", Map.of("exemptions", exemptions));
                    skips.add(r);
                }
                continue;
            }
            if (pod.wouldBeDenied()) {
                for (KindVerdict verdict : pod.evaluation().verdicts(Mode.ENFORCE)) {
                    for (Violation v : verdict.violations()) {
                        Map<String, Object> r = result(pod, v.rule(), verdict.kind(), "fail", v.message(), timestamp);
                        Map<String, Object> properties = new LinkedHashMap<>();
                        if (verdict.level() != null) {
                            properties.put("level", verdict.level().toString());
                        }
                        if (!v.path().isEmpty()) {
                            properties.put("path", v.path());
                        }
                        if (pod.owner() != null) {
                            properties.put("owner", pod.owner());
                        }
                        if (!exemptions.isEmpty()) {
                            properties.put("exemptions", exemptions);
                        }
                        r.put("properties", properties);
                        fails.add(r);
                    }
                }
            } else {
                Map<String, Object> r = result(pod, PASS_RULE, null, "pass",
                        pod.level() == null ? "allowed" : "allowed by PodSecurity \"" + pod.level() + "\"", timestamp);
                if (!exemptions.isEmpty()) {
                    r.put("properties", Map.of("exemptions", exemptions));
                }
                passes.add(r);
            }
        }
        List<Map<String, Object>> results = new ArrayList<>(fails);
        results.addAll(passes);
        results.addAll(skips);
        if (results.size() > maxResults) {
            results = new ArrayList<>(results.subList(0, maxResults));
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("pass", passes.size());
        summary.put("fail", fails.size());
        summary.put("warn", 0);
        summary.put("error", 0);
        summary.put("skip", skips.size());
        return new GenericKubernetesResourceBuilder()
                .withApiVersion("wgpolicyk8s.io/v1alpha2")
                .withKind("PolicyReport")
                .withNewMetadata()
                    .withName(NAME)
                    .withNamespace(ns.name())
                    .addToLabels(MANAGED_BY, SOURCE)
                .endMetadata()
                .addToAdditionalProperties("summary", summary)
                .addToAdditionalProperties("results", results)
                .build();
    }

    private Map<String, Object> result(PodResult pod, String rule, @org.jspecify.annotations.Nullable String kind, String outcome,
                                       String message, Map<String, Object> timestamp) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("policy", POLICY);
        r.put("rule", rule);
        Level level = checkLevels.get(rule);
        r.put("category", category(kind, level));
        if (outcome.equals("fail")) {
            r.put("severity", level == Level.BASELINE || PspKind.ID.equals(kind) ? "high" : "medium");
        }
        r.put("result", outcome);
        r.put("scored", true);
        r.put("source", SOURCE);
        r.put("message", message);
        r.put("timestamp", timestamp);
        Map<String, Object> resource = new LinkedHashMap<>();
        resource.put("apiVersion", "v1");
        resource.put("kind", "Pod");
        resource.put("name", pod.name());
        resource.put("namespace", pod.namespace());
        if (pod.uid() != null) {
            resource.put("uid", pod.uid());
        }
        r.put("resources", List.of(resource));
        return r;
    }

    /** The rule kind's name; the Pod Security Standards' with the check's level (a pass names no kind). */
    private static String category(@org.jspecify.annotations.Nullable String kind, @org.jspecify.annotations.Nullable Level level) {
        if (kind == null) {
            return "Pod Security Standards";
        }
        return switch (kind) {
            case ResourceRulesKind.ID -> "Resource rules";
            case PlacementKind.ID -> "Placement";
            case CelRulesKind.ID -> "Rules";
            case AdmissionPoliciesKind.ID -> "ValidatingAdmissionPolicy";
            case PspKind.ID -> "PodSecurityPolicy";
            default -> "Pod Security Standards" + (level == null ? "" : " (" + capitalized(level) + ")");
        };
    }

    private static String capitalized(Level level) {
        return Character.toUpperCase(level.id().charAt(0)) + level.id().substring(1);
    }
}

package io.podguard.audit;

import io.podguard.engine.defaults.DefaultsReport;
import java.util.Map;

/** The report for a terminal: a summary line, the pods enforcement would deny, counts per check. */
public final class AuditText {

    private AuditText() {
    }

    public static String render(AuditReport report) {
        StringBuilder sb = new StringBuilder();
        sb.append("policy: ").append(report.policySource()).append('\n');
        if (report.incomplete() != null) {
            sb.append("incomplete: ").append(report.incomplete()).append('\n');
        }
        sb.append(report.pods()).append(plural(report.pods(), " pod", " pods")).append(" in ")
                .append(report.namespaces().size()).append(plural(report.namespaces().size(), " namespace", " namespaces"))
                .append(": ").append(report.wouldBeDenied()).append(" would be denied under enforce\n");
        if (report.wouldBeDenied() == 0) {
            return sb.toString();
        }
        sb.append('\n');
        for (PodResult pod : report.denied()) {
            sb.append(pod.namespace()).append('/').append(pod.name());
            if (pod.owner() != null) {
                sb.append(" (").append(pod.owner()).append(')');
            }
            sb.append(": ").append(pod.message()).append('\n');
            if (!pod.defaults().isEmpty()) {
                sb.append("  after defaults: ").append(DefaultsReport.summary(pod.defaults())).append('\n');
            }
            if (!pod.exemptions().isEmpty()) {
                sb.append("  exempted in part: ").append(String.join("; ", pod.exemptions())).append('\n');
            }
        }
        sb.append("\nby namespace:\n");
        for (AuditReport.Namespace ns : report.namespaces().values()) {
            if (ns.wouldBeDenied() > 0) {
                sb.append("  ").append(ns.name()).append(": ").append(ns.wouldBeDenied()).append(" of ").append(ns.pods())
                        .append(plural(ns.pods(), " pod", " pods")).append('\n');
            }
        }
        sb.append("\nby check (pods failing it):\n");
        for (Map.Entry<String, Integer> e : report.checks().entrySet()) {
            sb.append("  ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        return sb.toString();
    }

    private static String plural(int n, String one, String many) {
        return n == 1 ? one : many;
    }
}

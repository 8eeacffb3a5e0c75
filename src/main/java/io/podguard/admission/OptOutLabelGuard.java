package io.podguard.admission;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * The namespace opt-out label ({@code podguard.io/ignore=true}) takes a namespace out of
 * every podguard webhook: whoever may label a namespace could exempt it. As Gatekeeper guards
 * {@code admission.gatekeeper.sh/ignore}, this refuses a Namespace carrying the label unless
 * the namespace is one of those podguard is told may opt out. The webhook that calls it selects
 * only Namespaces carrying the label (before or after the change), so nothing else waits on it.
 */
public final class OptOutLabelGuard implements NamespaceHandler {

    public static final String ID = "opt-out";

    private final String label;
    private final Set<String> allowed;

    /**
     * @param label the opt-out label (its value {@code true} opts out)
     * @param allowed the namespaces that may carry it
     */
    public OptOutLabelGuard(String label, Set<String> allowed) {
        this.label = label;
        this.allowed = Set.copyOf(allowed);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public AdmissionResponse review(AdmissionRequest request) {
        JsonNode value = request.object().path("metadata").path("labels").path(label);
        String name = request.name() != null ? request.name() : request.object().path("metadata").path("name").asString("");
        if (!value.isString() || !"true".equals(value.asString()) || allowed.contains(name)) {
            return AdmissionResponse.allow(request.uid());
        }
        String may = allowed.isEmpty() ? "no namespace may" : "only " + String.join(", ", new TreeSet<>(allowed)) + " may";
        String message = "namespace \"" + (name.length() > 63 ? name.substring(0, 63) + "…" : name) + "\" may not carry the label "
                + label + "=true: it would take the namespace out of podguard's policy; " + may
                + " (the podguard chart's webhooks.optOut.namespaces)";
        return new AdmissionResponse(request.uid(), false, 403, message, null, List.of(), Map.of(), AdmissionResponse.NO_MODE);
    }
}

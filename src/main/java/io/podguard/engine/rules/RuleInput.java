package io.podguard.engine.rules;

import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelVariableResolver;
import io.podguard.engine.PodObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;

/**
 * What a rule's expressions see, built once per request. {@code object} is the pod: a Pod as
 * sent, or, for a workload, its pod template as a Pod ({@code apiVersion: v1}, {@code kind: Pod},
 * the template's {@code metadata} and {@code spec}, the workload's namespace), so one rule judges
 * pods and the pods a Deployment will create alike, as the Pod Security checks do.
 * {@code request} carries the real kind, resource and operation, and who asks.
 *
 * @param kind the kind of the object as sent ({@code Pod}, {@code Deployment} …)
 * @param operation {@code CREATE} or {@code UPDATE}
 * @param namespaceLabels the namespace's labels when known; null: unknown
 */
public record RuleInput(PodObject pod, @Nullable PodObject oldPod, String kind, String operation, @Nullable String namespace,
                        @Nullable String username, List<String> groups, @Nullable Map<String, String> namespaceLabels,
                        boolean dryRun) {

    private static final Map<String, String[]> GROUP_VERSION_RESOURCE = Map.of(
            "Pod", new String[] {"", "v1", "pods"},
            "Deployment", new String[] {"apps", "v1", "deployments"},
            "StatefulSet", new String[] {"apps", "v1", "statefulsets"},
            "DaemonSet", new String[] {"apps", "v1", "daemonsets"},
            "ReplicaSet", new String[] {"apps", "v1", "replicasets"},
            "ReplicationController", new String[] {"", "v1", "replicationcontrollers"},
            "Job", new String[] {"batch", "v1", "jobs"},
            "CronJob", new String[] {"batch", "v1", "cronjobs"},
            "PodTemplate", new String[] {"", "v1", "podtemplates"});

    /** What the rules see of {@code pod} in {@code request}: its operation, user, namespace (and labels), the old object of an update. */
    public static RuleInput of(PodObject pod, io.podguard.engine.RequestInfo request) {
        PodObject old = null;
        if (request.update() && request.oldObject() != null) {
            try {
                old = io.podguard.engine.PodExtractor.extract(pod.kind(), request.oldObject()).orElse(null);
            } catch (IllegalArgumentException e) {
                old = null;
            }
        }
        String namespace = request.namespace() != null ? request.namespace() : pod.namespace();
        return new RuleInput(pod, old, pod.kind(), request.update() ? "UPDATE" : "CREATE", namespace, request.username(),
                request.groups(), request.namespaceLabels(), request.dryRun());
    }

    /** A request judged offline ({@code check}, {@code audit}): a create by nobody in particular. */
    public static RuleInput offline(PodObject pod) {
        return new RuleInput(pod, null, pod.kind(), "CREATE", pod.namespace(), null, List.of(), null, false);
    }

    /** The group, version and plural resource of a kind podguard judges. */
    public static String[] groupVersionResource(String kind) {
        return GROUP_VERSION_RESOURCE.getOrDefault(kind, new String[] {"", "v1", kind.toLowerCase(java.util.Locale.ROOT) + "s"});
    }

    /** The same request about another version of the pod (one without exempted containers). */
    public RuleInput withPod(PodObject other) {
        return new RuleInput(other, oldPod, kind, operation, namespace, username, groups, namespaceLabels, dryRun);
    }

    /** The same request, knowing the labels of its namespace. */
    public RuleInput withNamespaceLabels(@Nullable Map<String, String> labels) {
        return labels == null ? this : new RuleInput(pod, oldPod, kind, operation, namespace, username, groups, labels, dryRun);
    }

    /** The variables of a rule's expressions: object (the pod), oldObject, request, namespaceObject, params. */
    public CelVariableResolver variables() {
        return variables(CelProjection.ALL);
    }

    /**
     * The same, of which only what {@code reads} (what the rules read, placed in the object as
     * sent: {@link CelProjection#asSent}) is made.
     */
    CelVariableResolver variables(CelProjection reads) {
        return variables(asPod(pod, reads), oldPod == null ? null : asPod(oldPod, reads));
    }

    /**
     * Bounds of every value the rules' expressions can read ({@code object}, {@code oldObject},
     * {@code request}, {@code namespaceObject}), for {@link CostBound}: the most entries of a list
     * or map, the most UTF-8 bytes of a string (three per UTF-16 unit, the most one takes), and
     * a traversal cost that is at least that of any of them. The pod's were recorded while it was
     * read for CEL ({@link CelJson}).
     */
    public CostBound.Size sizes() {
        return sizes(CelProjection.ALL);
    }

    /** The same, of what {@code reads} makes of the object as sent. */
    CostBound.Size sizes(CelProjection reads) {
        CelJson.Measure m = new CelJson.Measure();
        m.add(read(pod, reads).sizes());
        if (oldPod != null) {
            m.add(read(oldPod, reads).sizes());
        }
        // the template of a workload dressed as a Pod: one more metadata field, four more strings
        m.lists += 1;
        // the request: 11 fields, its kinds and resources' names, and who asks
        m.lists = Math.max(m.lists, 16);
        m.traversal += 128;
        m.text("replicationcontrollers");
        m.text(pod.name());
        m.text(namespace);
        m.text(username);
        m.lists = Math.max(m.lists, groups.size());
        for (String g : groups) {
            m.text(g);
        }
        if (namespaceLabels != null) {
            m.lists = Math.max(m.lists, namespaceLabels.size());
            for (Map.Entry<String, String> e : namespaceLabels.entrySet()) {
                m.text(e.getKey());
                m.text(e.getValue());
            }
        }
        return new CostBound.Size(m.lists, m.strings, m.traversal);
    }

    /** The variables of a ValidatingAdmissionPolicy's expressions: {@code object} is the object as sent. */
    public CelVariableResolver variablesAsSent() {
        return variablesAsSent(CelProjection.ALL);
    }

    /** The same, of which only what {@code reads} is made. */
    CelVariableResolver variablesAsSent(CelProjection reads) {
        return variables(read(pod, reads).value(), oldPod == null ? null : read(oldPod, reads).value());
    }

    /**
     * The object as sent, as CEL reads it, with its sizes, of which at least what {@code reads}
     * reads is made: read once per pod, whichever rule kind asks first, and again (with what was
     * made before) only for a kind that reads more.
     */
    static CelJson.Read read(PodObject pod, CelProjection reads) {
        return pod.derived(CelJson.Read.class, r -> r.projection().covers(reads), (p, before) -> {
            CelProjection wanted = before == null ? reads : before.projection().union(reads);
            try (JsonParser parser = p.parser()) {
                return CelJson.read(parser, wanted, p.sentBytes());
            }
        });
    }

    /** Each variable made when an expression first reads it: most rules read {@code object} alone. */
    private CelVariableResolver variables(Object object, @Nullable Object old) {
        Object[] made = new Object[5];
        return name -> {
            int i = switch (name) {
                case "object" -> 0;
                case "oldObject" -> 1;
                case "request" -> 2;
                case "namespaceObject" -> 3;
                case "params" -> 4;
                default -> -1;
            };
            if (i < 0) {
                return Optional.empty();
            }
            if (made[i] == null) {
                made[i] = switch (i) {
                    case 0 -> object;
                    case 1 -> old == null ? NullValue.NULL_VALUE : old;
                    case 2 -> request();
                    case 3 -> namespace == null || namespace.isEmpty() ? NullValue.NULL_VALUE : namespaceObject();
                    default -> NullValue.NULL_VALUE;
                };
            }
            return Optional.ofNullable(made[i]);
        };
    }

    /** The object a rule sees: the Pod itself, or a workload's template dressed as a Pod. */
    static Object asPod(PodObject pod, CelProjection reads) {
        Object sent = read(pod, reads).value();
        if (pod.isPod()) {
            return sent;
        }
        Object template = sent;
        for (String field : pod.podPointer().substring(1).split("/")) {
            template = template instanceof CelJson.JsonObject o ? o.get(field) : null;
        }
        CelJson.JsonObject t = template instanceof CelJson.JsonObject o ? o : CelJson.JsonObject.EMPTY;
        CelJson.JsonObject meta = t.get("metadata") instanceof CelJson.JsonObject m ? m : CelJson.JsonObject.EMPTY;
        if (pod.namespace() != null && !meta.containsKey("namespace")) {
            meta = meta.with("namespace", pod.namespace());
        }
        Object spec = t.get("spec") instanceof CelJson.JsonObject o ? o : CelJson.JsonObject.EMPTY;
        return new CelJson.JsonObject(new String[] {"apiVersion", "kind", "metadata", "spec"}, new Object[] {"v1", "Pod", meta, spec});
    }

    private Map<String, Object> request() {
        String[] gvr = groupVersionResource(kind);
        Map<String, Object> gvk = Map.of("group", gvr[0], "version", gvr[1], "kind", kind);
        Map<String, Object> resource = Map.of("group", gvr[0], "version", gvr[1], "resource", gvr[2]);
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("username", username == null ? "" : username);
        user.put("groups", groups);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", gvk);
        r.put("resource", resource);
        r.put("requestKind", gvk);
        r.put("requestResource", resource);
        r.put("subResource", "");
        r.put("requestSubResource", "");
        r.put("name", pod.name() == null ? "" : pod.name());
        r.put("namespace", namespace == null ? "" : namespace);
        r.put("operation", operation);
        r.put("userInfo", user);
        r.put("dryRun", dryRun);
        return r;
    }

    private Map<String, Object> namespaceObject() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", namespace);
        meta.put("labels", namespaceLabels == null ? Map.of() : namespaceLabels);
        return Map.of("metadata", meta);
    }
}

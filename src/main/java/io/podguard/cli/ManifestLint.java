package io.podguard.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;

/**
 * What {@code kubectl apply --validate=strict} warns about in a manifest and a YAML parser lets
 * pass: a key given twice in one map (the last one wins, silently) and a field the Kubernetes API
 * does not know ({@code securityContxt:} is dropped by the apiserver, so the setting never applies).
 *
 * <p>Written here because no library does either for a whole multi-document file: Jackson's
 * duplicate detection stops at the first duplicate, and fabric8 keeps unknown fields in each
 * object's {@code additionalProperties} without saying where. Known fields come from fabric8's
 * model classes, the same ones podguard judges with.
 */
final class ManifestLint {

    private static final Map<String, Class<?>> KINDS = Map.of(
            "Pod", Pod.class, "Deployment", Deployment.class, "StatefulSet", StatefulSet.class, "DaemonSet", DaemonSet.class,
            "ReplicaSet", ReplicaSet.class, "ReplicationController", ReplicationController.class, "Job", Job.class,
            "CronJob", CronJob.class, "PodTemplate", PodTemplate.class);
    private static final Map<Class<?>, Map<String, Type>> FIELDS = new ConcurrentHashMap<>();
    /** Keys of the Kubernetes object envelope that fabric8 types do not all declare. */
    private static final Set<String> ENVELOPE = Set.of("apiVersion", "kind", "metadata", "status");

    private ManifestLint() {
    }

    /** A key given twice: where (document, field path) and on which line the second one is. */
    record Duplicate(int document, String path, int line) {
    }

    /**
     * Every key given twice in a map, in every YAML document (or the JSON value) of {@code text}, in order.
     *
     * @throws JacksonException when the text is not YAML (the caller has parsed it already)
     */
    static List<Duplicate> duplicates(ObjectMapper mapper, String text) {
        List<Duplicate> found = new ArrayList<>();
        try (JsonParser parser = mapper.createParser(text)) {
            int document = 0;
            Deque<Set<String>> keys = new ArrayDeque<>();
            Deque<String> path = new ArrayDeque<>();
            Deque<int[]> indexes = new ArrayDeque<>();
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (keys.isEmpty() && indexes.isEmpty() && token.isStructStart()) {
                    document++;
                }
                switch (token) {
                    case START_OBJECT -> {
                        enterValue(path, indexes);
                        keys.push(new HashSet<>());
                        indexes.push(new int[] {-1, 0});
                    }
                    case START_ARRAY -> {
                        enterValue(path, indexes);
                        keys.push(Set.of());
                        indexes.push(new int[] {-1, 1});
                    }
                    case END_OBJECT, END_ARRAY -> {
                        keys.pop();
                        indexes.pop();
                        leaveValue(path, indexes);
                    }
                    case PROPERTY_NAME -> {
                        String name = parser.currentName();
                        if (!keys.peek().add(name)) {
                            found.add(new Duplicate(document, join(path, name), parser.currentTokenLocation().getLineNr()));
                        }
                        path.push(name);
                    }
                    default -> {
                        enterValue(path, indexes);
                        leaveValue(path, indexes);
                    }
                }
            }
        }
        return found;
    }

    /** In an array, a value's path element is its index. */
    private static void enterValue(Deque<String> path, Deque<int[]> indexes) {
        int[] top = indexes.peek();
        if (top != null && top[1] == 1) {
            path.push("[" + ++top[0] + "]");
        }
    }

    /** After a value: drop its path element (its key in a map, its index in an array). */
    private static void leaveValue(Deque<String> path, Deque<int[]> indexes) {
        if (!indexes.isEmpty() && !path.isEmpty()) {
            path.pop();
        }
    }

    private static String join(Deque<String> path, String last) {
        StringBuilder b = new StringBuilder();
        var it = path.descendingIterator();
        while (it.hasNext()) {
            appendElement(b, it.next());
        }
        appendElement(b, last);
        return b.toString();
    }

    private static void appendElement(StringBuilder b, String element) {
        if (element.startsWith("[")) {
            b.append(element);
        } else {
            if (!b.isEmpty()) {
                b.append('.');
            }
            b.append(element);
        }
    }

    /**
     * The fields of {@code object} (a Pod or workload) that the Kubernetes API does not define, as
     * field paths ({@code spec.template.spec.containers[0].securityContxt}). Empty for kinds
     * podguard does not judge.
     */
    static List<String> unknownFields(String kind, JsonNode object) {
        Class<?> type = KINDS.get(kind);
        List<String> unknown = new ArrayList<>();
        if (type != null) {
            walk(object, type, "", unknown, true);
        }
        return unknown;
    }

    private static void walk(JsonNode node, Type type, String path, List<String> unknown, boolean top) {
        Class<?> raw = raw(type);
        if (raw == null) {
            return;
        }
        if (List.class.isAssignableFrom(raw) && node.isArray()) {
            Type element = argument(type, 0);
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), element, path + "[" + i + "]", unknown, false);
            }
            return;
        }
        if (Map.class.isAssignableFrom(raw) && node.isObject()) {
            Type value = argument(type, 1);
            for (var entry : node.properties()) {
                walk(entry.getValue(), value, path + "[" + entry.getKey() + "]", unknown, false);
            }
            return;
        }
        if (!node.isObject() || !isModel(raw)) {
            return;
        }
        Map<String, Type> fields = fields(raw);
        for (var entry : node.properties()) {
            String name = entry.getKey();
            String child = path.isEmpty() ? name : path + "." + name;
            Type fieldType = fields.get(name);
            if (fieldType == null) {
                if (!(top && ENVELOPE.contains(name))) {
                    unknown.add(child);
                }
                continue;
            }
            walk(entry.getValue(), fieldType, child, unknown, false);
        }
    }

    /** fabric8's Kubernetes model classes; values with a text form of their own are leaves. */
    private static boolean isModel(Class<?> raw) {
        return raw.getName().startsWith("io.fabric8.kubernetes.api.model.") && raw != IntOrString.class && raw != Quantity.class
                && !raw.isEnum();
    }

    /** The JSON names of a model class's fields and their types, from its {@code @JsonProperty} annotations. */
    private static Map<String, Type> fields(Class<?> raw) {
        return FIELDS.computeIfAbsent(raw, c -> {
            Map<String, Type> fields = new HashMap<>();
            for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    JsonProperty property = f.getAnnotation(JsonProperty.class);
                    if (property != null && !Modifier.isStatic(f.getModifiers())) {
                        fields.putIfAbsent(property.value().isEmpty() ? f.getName() : property.value(), f.getGenericType());
                    }
                }
            }
            return fields;
        });
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            return c;
        }
        return null;
    }

    private static Type argument(Type type, int index) {
        if (type instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
            return p.getActualTypeArguments()[index];
        }
        return Object.class;
    }
}

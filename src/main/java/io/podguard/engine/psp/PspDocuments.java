package io.podguard.engine.psp;

import io.podguard.engine.Text;

import io.fabric8.kubernetes.api.model.policy.v1beta1.PodSecurityPolicy;
import io.podguard.engine.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads PodSecurityPolicy objects from YAML as clusters kept them: one or many documents
 * ({@code ---}), {@code PodSecurityPolicyList} or {@code List} objects, and ConfigMaps whose
 * data values hold such YAML. {@code policy/v1beta1} and the older {@code extensions/v1beta1}
 * are both accepted; they have the same fields.
 */
public final class PspDocuments {

    public static final String KIND = "PodSecurityPolicy";
    private static final List<String> API_VERSIONS = List.of("policy/v1beta1", "extensions/v1beta1");
    private static final YAMLMapper YAML = Json.yaml();

    private PspDocuments() {
    }

    /** The non-empty YAML documents of {@code yaml}, in order. */
    public static List<JsonNode> documents(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not valid YAML: " + Text.oneLine(e.getOriginalMessage(), "malformed"));
        }
        return docs;
    }

    /** True for a document that holds PodSecurityPolicies: one, a list of them, or a ConfigMap. */
    public static boolean holdsPolicies(JsonNode doc) {
        String kind = PodJson.text(doc, "kind");
        return KIND.equals(kind) || "PodSecurityPolicyList".equals(kind) || "ConfigMap".equals(kind)
                || "List".equals(kind) && isPolicyList(doc);
    }

    /** Every PodSecurityPolicy in {@code yaml}. @throws IllegalArgumentException naming the document that is not one */
    public static List<PodSecurityPolicy> parse(String yaml) {
        List<PodSecurityPolicy> out = new ArrayList<>();
        List<JsonNode> docs = documents(yaml);
        for (int i = 0; i < docs.size(); i++) {
            collect(docs.get(i), "document " + (i + 1), out);
        }
        return out;
    }

    public static List<PodSecurityPolicy> load(Path file) throws IOException {
        try {
            return parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    /**
     * Where a policy's file references are read. The engine does no I/O: the policy loader
     * supplies this, confined to the policy file's directory.
     */
    @FunctionalInterface
    public interface References {

        /**
         * The text of the file {@code name}.
         *
         * @throws IllegalArgumentException {@code where: problem}, naming the file, never quoting its content
         */
        String read(String name, String where);
    }

    /**
     * Collects the policies {@code node} holds: a PSP object, a list of them, or a ConfigMap whose
     * data values are PSP YAML.
     */
    public static void collect(JsonNode node, String where, List<PodSecurityPolicy> out) {
        collect(node, where, null, out);
    }

    /**
     * As {@link #collect(JsonNode, String, List)}, and (in a policy's {@code podSecurityPolicies})
     * a file name read through {@code references}; null: file names are refused. A referenced
     * file holds PSP objects only (no further references), and its errors never quote its content.
     */
    public static void collect(JsonNode node, String where, @Nullable References references, List<PodSecurityPolicy> out) {
        if (node.isString()) {
            if (references == null) {
                throw new IllegalArgumentException(where + ": file reference \"" + shortened(node.asString())
                        + "\" can only be used in a policy file");
            }
            String name = node.asString();
            String text = references.read(name, where);
            String file = where + " (" + shortened(name) + ")";
            List<JsonNode> docs;
            try {
                docs = documents(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": not valid YAML");
            }
            for (int i = 0; i < docs.size(); i++) {
                JsonNode doc = docs.get(i);
                String at = docs.size() == 1 ? file : file + " document " + (i + 1);
                if (!doc.isObject()) {
                    throw new IllegalArgumentException(at + ": expected PodSecurityPolicy objects");
                }
                collect(doc, at, null, out);
            }
            return;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + ": expected a PodSecurityPolicy object or a file name");
        }
        String kind = PodJson.text(node, "kind");
        if (kind == null) {
            throw new IllegalArgumentException(where + ": kind is missing; expected PodSecurityPolicy");
        }
        switch (kind) {
            case KIND -> out.add(policy(node, where));
            case "PodSecurityPolicyList", "List" -> {
                JsonNode items = node.get("items");
                if (items != null && items.isArray()) {
                    for (int i = 0; i < items.size(); i++) {
                        collect(items.get(i), where + " items[" + i + "]", references, out);
                    }
                }
            }
            case "ConfigMap" -> {
                JsonNode data = node.get("data");
                if (data != null && data.isObject()) {
                    for (Map.Entry<String, JsonNode> e : data.properties()) {
                        String key = where + " data[" + shortened(e.getKey()) + "]";
                        if (!e.getValue().isString()) {
                            throw new IllegalArgumentException(key + ": expected a string of YAML");
                        }
                        List<JsonNode> inner = documents(e.getValue().asString());
                        for (int i = 0; i < inner.size(); i++) {
                            collect(inner.get(i), inner.size() == 1 ? key : key + " document " + (i + 1), references, out);
                        }
                    }
                }
            }
            default -> throw new IllegalArgumentException(where + ": kind " + shortened(kind) + " is not PodSecurityPolicy");
        }
    }

    /** A value quoted in an error, cut so a stray file's content cannot fill it. */
    private static String shortened(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }

    private static PodSecurityPolicy policy(JsonNode node, String where) {
        String apiVersion = PodJson.text(node, "apiVersion");
        if (apiVersion == null || !API_VERSIONS.contains(apiVersion)) {
            throw new IllegalArgumentException(where + ": apiVersion " + (apiVersion == null ? "(none)" : "\"" + shortened(apiVersion) + "\"")
                    + " is not policy/v1beta1");
        }
        try {
            ObjectNode copy = ((ObjectNode) node).deepCopy();
            PodSecurityPolicy psp = Json.convert(copy, PodSecurityPolicy.class);
            if (psp == null) {
                throw new IllegalArgumentException(where + ": empty PodSecurityPolicy");
            }
            return psp;
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith(where)) {
                throw iae;
            }
            throw new IllegalArgumentException(where + ": not a valid PodSecurityPolicy: " + Text.oneLine(e.getMessage(), "malformed"));
        }
    }

    private static boolean isPolicyList(JsonNode doc) {
        JsonNode items = doc.get("items");
        if (items == null || !items.isArray() || items.isEmpty()) {
            return false;
        }
        for (JsonNode item : items) {
            if (!KIND.equals(PodJson.text(item, "kind"))) {
                return false;
            }
        }
        return true;
    }

}

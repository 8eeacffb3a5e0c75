package io.podguard.engine;

import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON Patch from an object to a changed version of it that shares every part it did not
 * change with it (copy on write: only the path from the root to what changed was copied). The
 * operations are those zjsonpatch's {@code JsonDiff} (with no {@code move} or {@code copy}, no
 * value on {@code remove}) answers for the two objects, in the same order, byte for byte; but a
 * part both share is the same node, so it is passed over at once, and the work is the size of
 * what changed, not of the object. Written here because zjsonpatch compares whole trees and
 * escapes every path token with a regular expression.
 *
 * <p>A list changed in place (the containers, each a copy with something set) is walked element
 * by element, which is what zjsonpatch's longest-common-subsequence walk does when no changed
 * element equals another one; any other changed list (tolerations rebuilt, a list grown) is
 * handed to zjsonpatch itself, that list alone.
 */
public final class SharedTreePatch {

    private static final EnumSet<DiffFlags> LIST_FLAGS =
            EnumSet.of(DiffFlags.OMIT_VALUE_ON_REMOVE, DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION);

    private SharedTreePatch() {
    }

    /** The operations that turn {@code source} into {@code target}; empty when they are equal. */
    public static ArrayNode between(JsonNode source, JsonNode target) {
        ArrayNode ops = Json.mapper().createArrayNode();
        compare(ops, new StringBuilder(64), source, target);
        return ops;
    }

    private static void compare(ArrayNode ops, StringBuilder path, JsonNode source, JsonNode target) {
        if (source == target || source.equals(target)) {
            return;
        }
        if (source.isArray() && target.isArray()) {
            compareLists(ops, path, (ArrayNode) source, (ArrayNode) target);
        } else if (source.isObject() && target.isObject()) {
            compareObjects(ops, path, (ObjectNode) source, (ObjectNode) target);
        } else {
            op(ops, "replace", path, target);
        }
    }

    /**
     * zjsonpatch's order: the source's fields in its order (removed or changed), then the target's
     * new ones in its order. The properties are visited with {@code forEachEntry}, which makes no
     * entry object per property as iterating them does.
     */
    private static void compareObjects(ArrayNode ops, StringBuilder path, ObjectNode source, ObjectNode target) {
        int mark = path.length();
        source.forEachEntry((name, before) -> {
            JsonNode now = target.get(name);
            if (now == before) {
                return;
            }
            appendToken(path, name);
            if (now == null) {
                op(ops, "remove", path, null);
            } else {
                compare(ops, path, before, now);
            }
            path.setLength(mark);
        });
        target.forEachEntry((name, now) -> {
            if (!source.has(name)) {
                appendToken(path, name);
                op(ops, "add", path, now);
                path.setLength(mark);
            }
        });
    }

    private static void compareLists(ArrayNode ops, StringBuilder path, ArrayNode source, ArrayNode target) {
        if (changedInPlace(source, target)) {
            int mark = path.length();
            for (int i = 0; i < source.size(); i++) {
                if (source.get(i) != target.get(i)) {
                    path.append('/').append(i);
                    compare(ops, path, source.get(i), target.get(i));
                    path.setLength(mark);
                }
            }
            return;
        }
        String prefix = path.toString();
        for (JsonNode op : JsonDiff.asJson(source, target, LIST_FLAGS)) {
            ObjectNode prefixed = ops.addObject();
            prefixed.put("op", op.get("op").asString());
            prefixed.put("path", prefix + op.get("path").asString());
            if (op.has("value")) {
                prefixed.set("value", op.get("value"));
            }
        }
    }

    /**
     * Whether the lists have the same length and no element that changed equals any element of
     * the other list: then the longest common subsequence is the unchanged elements, each at its
     * own index, and zjsonpatch compares the changed ones index by index. Linear in the lists'
     * size (each element hashed once), so that a pod of a hundred thousand containers costs no
     * more than reading it.
     */
    private static boolean changedInPlace(ArrayNode source, ArrayNode target) {
        if (source.size() != target.size()) {
            return false;
        }
        Set<JsonNode> sourceElements = null;
        Set<JsonNode> targetElements = null;
        for (int i = 0; i < source.size(); i++) {
            JsonNode before = source.get(i);
            JsonNode after = target.get(i);
            if (before == after || before.equals(after)) {
                continue;
            }
            if (sourceElements == null) {
                sourceElements = new HashSet<>(source.size() * 2);
                targetElements = new HashSet<>(target.size() * 2);
                for (int j = 0; j < source.size(); j++) {
                    sourceElements.add(source.get(j));
                    targetElements.add(target.get(j));
                }
            }
            if (sourceElements.contains(after) || targetElements.contains(before)) {
                return false;
            }
        }
        return true;
    }

    private static void op(ArrayNode ops, String name, StringBuilder path, JsonNode value) {
        ObjectNode op = ops.addObject();
        op.put("op", name);
        op.put("path", path.toString());
        if (value != null) {
            op.set("value", value);
        }
    }

    /** {@code /token}, escaped as RFC 6901 says ({@code ~} as {@code ~0}, {@code /} as {@code ~1}). */
    static void appendToken(StringBuilder path, String token) {
        path.append('/');
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '~') {
                path.append("~0");
            } else if (c == '/') {
                path.append("~1");
            } else {
                path.append(c);
            }
        }
    }

    /** {@code token} escaped as a JSON Pointer reference token. */
    public static String escape(String token) {
        if (token.indexOf('~') < 0 && token.indexOf('/') < 0) {
            return token;
        }
        StringBuilder sb = new StringBuilder(token.length() + 4);
        appendToken(sb, token);
        return sb.substring(1);
    }
}

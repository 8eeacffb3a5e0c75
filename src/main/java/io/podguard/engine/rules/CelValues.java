package io.podguard.engine.rules;

import dev.cel.common.values.NullValue;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON as CEL sees it, the way the apiserver hands an unstructured object to CEL: objects are
 * maps with string keys, arrays are lists, integers are {@code int}, other numbers
 * {@code double}, JSON null is {@code null}.
 *
 * <p>The views are lazy: a rule that reads three fields of a 5 KB pod converts three fields, not
 * the pod. Written by hand because cel-java takes Java maps and lists, and no library adapts a
 * Jackson tree to them without copying it.
 */
public final class CelValues {

    private CelValues() {
    }

    /** The CEL value of {@code node}; null for an absent node. */
    public static @Nullable Object of(@Nullable JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return null;
        }
        if (node instanceof ObjectNode o) {
            return new JsonMap(o);
        }
        if (node instanceof ArrayNode a) {
            return new JsonList(a);
        }
        if (node.isString()) {
            return node.asString();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isNull()) {
            return NullValue.NULL_VALUE;
        }
        if (node.isIntegralNumber()) {
            // as Go's JSON decoding into unstructured: an integer beyond int64 becomes a double
            return node.canConvertToLong() ? (Object) node.asLong() : (Object) node.asDouble();
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        return node.asString();
    }

    /** A JSON object as a CEL map: read-only, converted field by field on access. */
    static final class JsonMap extends CelMapView {
        private final ObjectNode node;

        JsonMap(ObjectNode node) {
            this.node = node;
        }

        ObjectNode node() {
            return node;
        }

        @Override
        public @Nullable Object get(Object key) {
            return key instanceof String s ? of(node.get(s)) : null;
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof String s && node.has(s);
        }

        @Override
        public int size() {
            return node.size();
        }

        @Override
        public Set<Map.Entry<String, Object>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Map.Entry<String, Object>> iterator() {
                    Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Map.Entry<String, Object> next() {
                            Map.Entry<String, JsonNode> e = it.next();
                            return new java.util.AbstractMap.SimpleImmutableEntry<>(e.getKey(), of(e.getValue()));
                        }
                    };
                }

                @Override
                public int size() {
                    return node.size();
                }
            };
        }
    }

    /** A JSON array as a CEL list: read-only, converted element by element on access. */
    static final class JsonList extends CelListView {
        private final ArrayNode node;

        JsonList(ArrayNode node) {
            this.node = node;
        }

        @Override
        public @Nullable Object get(int index) {
            return of(node.get(index));
        }

        @Override
        public int size() {
            return node.size();
        }
    }
}

package io.podguard.engine.rules;

import dev.cel.common.values.NullValue;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * JSON as CEL reads it, built in one pass over a parser (the bytes the apiserver sent, or a tree
 * traversed), the way the apiserver hands an unstructured object to CEL: objects are maps with
 * string keys, arrays are lists, integers are {@code int} (an integer beyond int64 a
 * {@code double}, as Go's decoding into unstructured), other numbers {@code double}, JSON null
 * {@code null}; of duplicate keys the last wins, as in a tree. Read-only and final once built:
 * every value an expression reads is already made, so a field read is one lookup, with no view,
 * wrapper or conversion on the way.
 *
 * <p>The same pass records the sizes {@link CostBound} needs ({@link Measure}), so a review does
 * not walk its pod again to learn them.
 *
 * <p>Written by hand because cel-java reads Java maps and lists as they are only when they are
 * {@code CelValue}s ({@link CelMapView}); no library builds such values from a JSON parser.
 */
public final class CelJson {

    private CelJson() {
    }

    /** A value built and the sizes of everything in it. */
    record Read(Object value, Measure sizes) {
    }

    /**
     * The value at the parser's next token (or its current one, when it has one), read to its end:
     * a map, list, string, long, double, boolean or {@link NullValue#NULL_VALUE}. No recursion: the
     * depth is the parser's own limit.
     */
    static Read read(JsonParser p) {
        Measure m = new Measure();
        JsonToken t = p.currentToken() != null ? p.currentToken() : p.nextToken();
        // one container per depth, reused by every object or array at that depth: its buffers grow
        // once per review, and each value keeps exact copies
        Container[] open = new Container[8];
        int depth = -1;
        Container top = null;
        boolean duplicates = false;
        Object done;
        while (true) {
            Object value;
            switch (t) {
                case START_OBJECT, START_ARRAY -> {
                    if (++depth == open.length) {
                        open = Arrays.copyOf(open, depth * 2);
                    }
                    if (open[depth] == null) {
                        open[depth] = new Container();
                    }
                    top = open[depth].start(t == JsonToken.START_OBJECT);
                    t = p.nextToken();
                    continue;
                }
                case PROPERTY_NAME -> {
                    top.key = p.currentName();
                    t = p.nextToken();
                    continue;
                }
                case END_OBJECT, END_ARRAY -> {
                    m.lists = Math.max(m.lists, top.size);
                    value = top.finish();
                    top = --depth < 0 ? null : open[depth];
                }
                case VALUE_STRING -> {
                    String s = p.getString();
                    m.text(s);
                    value = s;
                }
                case VALUE_NUMBER_INT -> {
                    m.traversal += 1;
                    JsonParser.NumberType type = p.getNumberType();
                    value = type == JsonParser.NumberType.BIG_INTEGER ? (Object) p.getBigIntegerValue().doubleValue() : (Object) p.getLongValue();
                }
                case VALUE_NUMBER_FLOAT -> {
                    m.traversal += 1;
                    value = p.getDoubleValue();
                }
                case VALUE_TRUE -> {
                    m.traversal += 1;
                    value = Boolean.TRUE;
                }
                case VALUE_FALSE -> {
                    m.traversal += 1;
                    value = Boolean.FALSE;
                }
                case VALUE_NULL -> {
                    m.traversal += 1;
                    value = NullValue.NULL_VALUE;
                }
                default -> throw new IllegalArgumentException("unexpected JSON token " + t);
            }
            if (top == null) {
                done = value;
                break;
            }
            if (top.object) {
                if (!top.put(top.key, value)) {
                    duplicates = true;
                } else {
                    m.text(top.key);
                }
            } else {
                top.add(value);
            }
            t = p.nextToken();
        }
        if (duplicates) {
            // what a duplicate replaced is not in the value: measure what is
            m = new Measure();
            m.walk(done);
        }
        return new Read(done, m);
    }

    /** The object or array being read at one depth: its entries so far. */
    private static final class Container {
        boolean object;
        String key;
        String[] keys = new String[8];
        int[] hashes = new int[8];
        Object[] values = new Object[8];
        int size;
        /** The index of every key once the object has more than a few. */
        @Nullable HashMap<String, Integer> seen;

        Container start(boolean isObject) {
            object = isObject;
            size = 0;
            seen = null;
            return this;
        }

        /** Adds an entry; false when the key was there already, whose value it then replaces (the last of duplicates wins). */
        boolean put(String k, Object v) {
            int h = k.hashCode();
            if (seen != null) {
                Integer i = seen.putIfAbsent(k, size);
                if (i != null) {
                    values[i] = v;
                    return false;
                }
            } else {
                for (int i = 0; i < size; i++) {
                    String other = keys[i];
                    if (other == k || hashes[i] == h && other.equals(k)) {
                        values[i] = v;
                        return false;
                    }
                }
                if (size == JsonObject.LINEAR) {
                    // past a few keys, duplicates are found by hash: never quadratic in a large object
                    seen = HashMap.newHashMap(2 * size);
                    for (int i = 0; i < size; i++) {
                        seen.put(keys[i], i);
                    }
                    seen.put(k, size);
                }
            }
            if (size == values.length) {
                grow();
            }
            keys[size] = k;
            hashes[size] = h;
            values[size++] = v;
            return true;
        }

        void add(Object v) {
            if (size == values.length) {
                grow();
            }
            values[size++] = v;
        }

        private void grow() {
            keys = Arrays.copyOf(keys, size * 2);
            hashes = Arrays.copyOf(hashes, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }

        /** The value read; the buffers keep references until reused (they live as long as the reading). */
        Object finish() {
            if (object) {
                return size == 0 ? JsonObject.EMPTY
                        : new JsonObject(Arrays.copyOf(keys, size), Arrays.copyOf(hashes, size), Arrays.copyOf(values, size));
            }
            return size == 0 ? JsonArray.EMPTY : new JsonArray(Arrays.copyOf(values, size));
        }
    }

    /**
     * The sizes of values CEL reads, for {@link CostBound}: the most entries of a list or map, the
     * most UTF-8 bytes of a string (three per UTF-16 unit, the most one takes), and a traversal
     * cost that is at least that of any of them.
     */
    static final class Measure {
        long lists;
        long strings;
        long traversal;

        /** Adds the sizes of {@code other} (another value read with this one). */
        void add(Measure other) {
            lists = Math.max(lists, other.lists);
            strings = Math.max(strings, other.strings);
            traversal += other.traversal;
        }

        /** A value built by {@link CelJson#read}, walked: what its reading records. */
        void walk(@Nullable Object value) {
            if (value instanceof JsonObject o) {
                lists = Math.max(lists, o.keys.length);
                for (int i = 0; i < o.keys.length; i++) {
                    text(o.keys[i]);
                    walk(o.values[i]);
                }
            } else if (value instanceof JsonArray a) {
                lists = Math.max(lists, a.values.length);
                for (Object v : a.values) {
                    walk(v);
                }
            } else if (value instanceof String s) {
                text(s);
            } else {
                traversal += 1;
            }
        }

        /** A string: up to three UTF-8 bytes per UTF-16 unit; its traversal cost (a tenth of its bytes) rounded up, plus one. */
        void text(@Nullable String s) {
            if (s == null) {
                return;
            }
            long bytes = 3L * s.length();
            strings = Math.max(strings, bytes);
            traversal += bytes / 10 + 2;
        }
    }

    /**
     * A JSON object as a CEL map: keys and values in two arrays, searched by hash in order while
     * small (nearly every object of a pod), through a hash index past {@value #LINEAR} keys (labels,
     * annotations, a hostile object with a million keys), so no lookup is ever linear in a large map.
     */
    static final class JsonObject extends CelMapView {
        static final int LINEAR = 12;
        static final JsonObject EMPTY = new JsonObject(new String[0], new Object[0]);

        private final String[] keys;
        /** Each key's hash: a lookup compares these, contiguous, before any key's characters. */
        private final int[] hashes;
        private final Object[] values;
        private final @Nullable HashMap<String, Integer> index;
        private @Nullable Set<Map.Entry<String, Object>> entries;

        JsonObject(String[] keys, Object[] values) {
            this(keys, hashesOf(keys), values);
        }

        private JsonObject(String[] keys, int[] hashes, Object[] values) {
            this.keys = keys;
            this.hashes = hashes;
            this.values = values;
            if (keys.length > LINEAR) {
                index = HashMap.newHashMap(keys.length);
                for (int i = 0; i < keys.length; i++) {
                    index.put(keys[i], i);
                }
            } else {
                index = null;
            }
        }

        private static int[] hashesOf(String[] keys) {
            int[] out = new int[keys.length];
            for (int i = 0; i < keys.length; i++) {
                out[i] = keys[i].hashCode();
            }
            return out;
        }

        /** This map with {@code key} set to {@code value} (added, or replaced in place). */
        JsonObject with(String key, Object value) {
            int i = indexOf(key);
            if (i >= 0) {
                Object[] v = values.clone();
                v[i] = value;
                return new JsonObject(keys, hashes, v);
            }
            String[] k = Arrays.copyOf(keys, keys.length + 1);
            Object[] v = Arrays.copyOf(values, values.length + 1);
            k[keys.length] = key;
            v[values.length] = value;
            return new JsonObject(k, v);
        }

        private int indexOf(Object key) {
            if (!(key instanceof String s)) {
                return -1;
            }
            if (index != null) {
                Integer i = index.get(s);
                return i == null ? -1 : i;
            }
            // a String caches its hash: comparing hashes first spares most comparisons of characters
            int h = s.hashCode();
            int[] hs = hashes;
            for (int i = 0; i < hs.length; i++) {
                if (hs[i] == h && keys[i].equals(s)) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public @Nullable Object get(Object key) {
            int i = indexOf(key);
            return i < 0 ? null : values[i];
        }

        @Override
        public boolean containsKey(Object key) {
            return indexOf(key) >= 0;
        }

        @Override
        public int size() {
            return keys.length;
        }

        @Override
        public Set<Map.Entry<String, Object>> entrySet() {
            if (entries == null) {
                entries = new AbstractSet<>() {
                    @Override
                    public Iterator<Map.Entry<String, Object>> iterator() {
                        return new Iterator<>() {
                            private int next;

                            @Override
                            public boolean hasNext() {
                                return next < keys.length;
                            }

                            @Override
                            public Map.Entry<String, Object> next() {
                                if (next >= keys.length) {
                                    throw new NoSuchElementException();
                                }
                                int i = next++;
                                return new AbstractMap.SimpleImmutableEntry<>(keys[i], values[i]);
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return keys.length;
                    }
                };
            }
            return entries;
        }
    }

    /** A JSON array as a CEL list. */
    static final class JsonArray extends CelListView {
        static final JsonArray EMPTY = new JsonArray(new Object[0]);

        private final Object[] values;

        JsonArray(Object[] values) {
            this.values = values;
        }

        @Override
        public Object get(int index) {
            return values[index];
        }

        /** Over the array itself: comprehensions iterate every list they range over. */
        @Override
        public Iterator<Object> iterator() {
            return new Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return next < values.length;
                }

                @Override
                public Object next() {
                    if (next >= values.length) {
                        throw new NoSuchElementException();
                    }
                    return values[next++];
                }
            };
        }

        @Override
        public int size() {
            return values.length;
        }
    }
}

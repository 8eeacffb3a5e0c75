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
import java.util.function.LongFunction;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.json.UTF8StreamJsonParser;

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

    /** A value built, the sizes of everything made of it, and what of it was made. */
    record Read(Object value, Measure sizes, CelProjection projection) {
    }

    /**
     * The value at the parser's next token (or its current one, when it has one), read to its end:
     * a map, list, string, long, double, boolean or {@link NullValue#NULL_VALUE}. No recursion: the
     * depth is the parser's own limit.
     */
    static Read read(JsonParser p) {
        return read(p, CelProjection.ALL, null);
    }

    /**
     * The value at the parser, as {@link #read(JsonParser)}, of which only what {@code projection}
     * reads is made: every other value is left where it starts in the bytes, made from them by
     * {@code source} (a parser at that offset of the bytes {@code p} reads) should it be read after
     * all. The sizes are those of what is made. Without a source, the whole value is made.
     */
    static Read read(JsonParser p, CelProjection projection, @Nullable LongFunction<JsonParser> source) {
        Builder b = new Builder(projection, source);
        JsonToken t = p.currentToken() != null ? p.currentToken() : p.nextToken();
        while (true) {
            b.token(p, t);
            if (b.skipping == 1) {
                // a value no expression reads: the parser skips it faster than tokens are handed over
                p.skipChildren();
                b.skippedByParser();
            }
            if (b.done()) {
                return b.read();
            }
            t = p.nextToken();
        }
    }

    /**
     * A value built from the tokens of a parser as they pass, one at a time ({@link #token}): by
     * {@link #read} pulling them, or by {@link Tee} while another reader (the pod's typing)
     * pulls them, so that the bytes are parsed once for both. No recursion: the depth is the
     * parser's own limit.
     */
    static final class Builder {
        private final CelProjection projection;
        private final boolean projecting;
        private final @Nullable LongFunction<JsonParser> source;
        private final Measure m = new Measure();
        // one container per depth, reused by every object or array at that depth: its buffers grow
        // once per review, and each value keeps exact copies
        private Container[] open = new Container[8];
        private CelProjection[] nodes = new CelProjection[8];
        private int depth = -1;
        private @Nullable Container top;
        private boolean duplicates;
        private boolean done;
        private @Nullable Object value;
        /** Inside a value no expression reads: the depth within it (1 at its first token). */
        int skipping;

        Builder(CelProjection projection, @Nullable LongFunction<JsonParser> source) {
            this.projection = projection;
            this.projecting = source != null && !projection.all();
            this.source = source;
        }

        /** The value the builder leaves in the bytes, begun at the last token handed over, was skipped to its end by the parser. */
        void skippedByParser() {
            // as if its end had been handed over
            skipping--;
        }

        /** Whether the value is read to its end. */
        boolean done() {
            return done;
        }

        /** The value read, once {@link #done()}. */
        Read read() {
            Measure sizes = m;
            if (duplicates) {
                // what a duplicate replaced is not in the value: measure what is
                sizes = new Measure();
                sizes.walk(value);
            }
            return new Read(value, sizes, projecting ? projection : CelProjection.ALL);
        }

        /** The token {@code t} the parser {@code p} is at. */
        void token(JsonParser p, JsonToken t) {
            if (skipping > 0) {
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    skipping++;
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    skipping--;
                }
                return;
            }
            if (done) {
                return;
            }
            Object v;
            switch (t) {
                case PROPERTY_NAME -> {
                    top.key = p.currentName();
                    return;
                }
                case END_OBJECT, END_ARRAY -> {
                    m.lists = Math.max(m.lists, top.size);
                    v = top.finish();
                    top = --depth < 0 ? null : open[depth];
                    add(v);
                    return;
                }
                default -> {
                }
            }
            CelProjection node = !projecting ? CelProjection.ALL
                    : top == null ? projection : top.object ? nodes[depth].field(top.key) : nodes[depth].element();
            if (node == null) {
                // no expression reads it: where it starts, and on
                add(new Skipped(source, valueOffset(p)));
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    skipping = 1;
                }
                return;
            }
            switch (t) {
                case START_OBJECT, START_ARRAY -> {
                    if (++depth == open.length) {
                        open = Arrays.copyOf(open, depth * 2);
                        nodes = Arrays.copyOf(nodes, depth * 2);
                    }
                    if (open[depth] == null) {
                        open[depth] = new Container();
                    }
                    nodes[depth] = node;
                    top = open[depth].start(t == JsonToken.START_OBJECT);
                    return;
                }
                case VALUE_STRING -> {
                    String s = p.getString();
                    m.text(s);
                    v = s;
                }
                case VALUE_NUMBER_INT -> {
                    m.traversal += 1;
                    JsonParser.NumberType type = p.getNumberType();
                    v = type == JsonParser.NumberType.BIG_INTEGER ? (Object) p.getBigIntegerValue().doubleValue() : (Object) p.getLongValue();
                }
                case VALUE_NUMBER_FLOAT -> {
                    m.traversal += 1;
                    v = p.getDoubleValue();
                }
                case VALUE_TRUE -> {
                    m.traversal += 1;
                    v = Boolean.TRUE;
                }
                case VALUE_FALSE -> {
                    m.traversal += 1;
                    v = Boolean.FALSE;
                }
                case VALUE_NULL -> {
                    m.traversal += 1;
                    v = NullValue.NULL_VALUE;
                }
                default -> throw new IllegalArgumentException("unexpected JSON token " + t);
            }
            add(v);
        }

        private void add(Object v) {
            if (top == null) {
                value = v;
                done = true;
            } else if (!top.object) {
                top.add(v);
            } else if (!top.put(top.key, v)) {
                duplicates = true;
            } else {
                m.text(top.key);
            }
        }
    }

    /**
     * A Pod's bytes read once for two readers: its typing reads them through {@link #through},
     * and the object CEL reads ({@code reads} of it) is built on the way and handed to the pod
     * ({@link #give}), where the rule kinds find it.
     */
    public static final class OnePass {
        private final CelProjection reads;
        private final LongFunction<JsonParser> source;
        /** Made when the typing reads through it: a workload, typed from its tree, never does. */
        private @Nullable Builder builder;

        /** @param source parsers over the same bytes from an offset on, for what is not built */
        public OnePass(CelProjection reads, LongFunction<JsonParser> source) {
            this.reads = reads;
            this.source = source;
        }

        /** {@code parser}, handing every token it passes to the builder. */
        public JsonParser through(JsonParser parser) {
            builder = new Builder(reads, source);
            return new Tee(parser, builder);
        }

        /** Gives {@code pod} the object built, when the reading went to its end. */
        public void give(io.podguard.engine.PodObject pod) {
            if (builder != null && builder.done()) {
                pod.derive(builder.read());
            }
        }
    }

    /**
     * A parser that hands every token it passes to a {@link Builder}: the pod's typing reads the
     * bytes through it, and the object CEL reads is built on the way. Every call that moves on
     * hands the builder the token it moved to: a name matched from its bytes as the parser matches
     * it, a value skipped by the parser when the builder leaves it in the bytes too, else token by
     * token.
     */
    static final class Tee extends tools.jackson.core.util.JsonParserDelegate {
        private final Builder builder;

        Tee(JsonParser parser, Builder builder) {
            super(parser);
            this.builder = builder;
        }

        @Override
        public JsonToken nextToken() {
            return handed(delegate.nextToken());
        }

        /** {@code t}, the token the parser moved to, handed to the builder. */
        private @Nullable JsonToken handed(@Nullable JsonToken t) {
            if (t != null) {
                builder.token(delegate, t);
            }
            return t;
        }

        @Override
        public JsonToken nextValue() {
            JsonToken t = nextToken();
            return t == JsonToken.PROPERTY_NAME ? nextToken() : t;
        }

        @Override
        public String nextName() {
            return nextToken() == JsonToken.PROPERTY_NAME ? currentName() : null;
        }

        @Override
        public boolean nextName(tools.jackson.core.SerializableString name) {
            return nextToken() == JsonToken.PROPERTY_NAME && name.getValue().equals(currentName());
        }

        @Override
        public int nextNameMatch(tools.jackson.core.sym.PropertyNameMatcher matcher) {
            // the parser matches the name from its bytes; the builder is handed the token it moved to
            int match = delegate.nextNameMatch(matcher);
            handed(delegate.currentToken());
            return match;
        }

        @Override
        public JsonParser skipChildren() {
            JsonToken t = currentToken();
            if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
                return this;
            }
            if (builder.skipping > 0 || builder.done()) {
                // a value the builder leaves in the bytes: the parser skips it faster than tokens are handed over
                delegate.skipChildren();
                if (builder.skipping > 0) {
                    builder.skippedByParser();
                }
                return this;
            }
            int open = 1;
            while (open > 0) {
                t = nextToken();
                if (t == null) {
                    break;
                }
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    open++;
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    open--;
                }
            }
            return this;
        }

        @Override
        public void finishToken() {
            delegate.finishToken();
        }
    }

    /**
     * A value no expression reads ({@link CelProjection}), left in the bytes: where it starts. Made
     * whole on its first read, which {@link CelReads} says never comes; should it come, the value
     * is right, only later.
     */
    record Skipped(LongFunction<JsonParser> source, long offset) {

        Object make() {
            assert LATE_READS_ALLOWED : "a value no expression was found to read was read, at byte " + offset;
            try (JsonParser p = source.apply(offset)) {
                return read(p).value();
            }
        }
    }

    /**
     * Where the value at the parser's token starts in the bytes it reads: the byte offset of
     * {@code currentTokenLocation()}, without making a location (one per value left in the bytes,
     * some forty a pod) when the parser is Jackson's parser of bytes, whose location of a value
     * token is the offset it keeps, less one.
     */
    static long valueOffset(JsonParser p) {
        if (p.getClass() == UTF8StreamJsonParser.class && p.currentToken() != JsonToken.PROPERTY_NAME) {
            return ((UTF8StreamJsonParser) p).getTokenCharacterOffset() - 1;
        }
        return p.currentTokenLocation().getByteOffset();
    }

    /** Whether a {@link Skipped} value may be made without failing an assertion (tests of that very case). */
    static volatile boolean LATE_READS_ALLOWED = false;

    /** {@code v}, made if it was left in the bytes. */
    static Object made(Object[] values, int i) {
        Object v = values[i];
        if (v instanceof Skipped s) {
            v = s.make();
            // every thread makes the same value; the last one written stays
            values[i] = v;
        }
        return v;
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
            } else if (!(value instanceof Skipped)) {
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
            return i < 0 ? null : made(values, i);
        }

        @Override
        public boolean containsKey(Object key) {
            return indexOf(key) >= 0;
        }

        @Override
        public int size() {
            return keys.length;
        }

        /** The keys alone: no value is made for them. */
        @Override
        public Set<String> keySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<String> iterator() {
                    return Arrays.asList(keys).iterator();
                }

                @Override
                public int size() {
                    return keys.length;
                }

                @Override
                public boolean contains(Object o) {
                    return indexOf(o) >= 0;
                }
            };
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
                                return new AbstractMap.SimpleImmutableEntry<>(keys[i], made(values, i));
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
            return made(values, index);
        }

        @Override
        public int size() {
            return values.length;
        }
    }
}

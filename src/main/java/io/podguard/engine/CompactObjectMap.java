package io.podguard.engine;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import tools.jackson.databind.JsonNode;

/**
 * The properties of one JSON object in podguard's trees ({@link Json#mapper()}): insertion-ordered,
 * as Jackson's own {@code LinkedHashMap}, but an object of up to {@value #LINEAR} properties (nearly
 * every object of a pod: a container, a securityContext, a probe, a port, a quantity map) is one small array of
 * names and values side by side, searched in order: no hash table, no bucket, no entry object per
 * property (an entry is made only while the properties are iterated). That map was a quarter of the
 * garbage of a review. Past {@value #LINEAR} properties (labels, annotations, a hostile object with
 * a million keys) it moves to a {@code LinkedHashMap}, so no lookup is ever linear in a large object.
 *
 * <p>Written here because no library on the class path has an insertion-ordered map that is an
 * array while small and hashed when large (fastutil's array maps stay linear at any size).
 */
final class CompactObjectMap extends AbstractMap<String, JsonNode> {

    /** The most properties kept as an array; past it, a {@code LinkedHashMap}. */
    static final int LINEAR = 16;

    /** Room for this many properties at first. */
    private static final int INITIAL = 4;

    /** Name {@code i} at {@code 2 * i}, its value at {@code 2 * i + 1}. */
    private Object[] slots;
    private int size;
    /** Every property once the object outgrew {@link #LINEAR}; {@code slots} is dropped then. */
    private LinkedHashMap<String, JsonNode> large;
    private int modifications;
    private Entries entrySet;

    CompactObjectMap() {
        slots = new Object[2 * INITIAL];
    }

    @Override
    public int size() {
        return large != null ? large.size() : size;
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    private int indexOf(Object key) {
        for (int i = 0; i < size; i++) {
            if (Objects.equals(slots[2 * i], key)) {
                return i;
            }
        }
        return -1;
    }

    private String keyAt(int i) {
        return (String) slots[2 * i];
    }

    private JsonNode valueAt(int i) {
        return (JsonNode) slots[2 * i + 1];
    }

    @Override
    public JsonNode get(Object key) {
        if (large != null) {
            return large.get(key);
        }
        int i = indexOf(key);
        return i < 0 ? null : valueAt(i);
    }

    @Override
    public boolean containsKey(Object key) {
        return large != null ? large.containsKey(key) : indexOf(key) >= 0;
    }

    @Override
    public JsonNode put(String key, JsonNode value) {
        if (large != null) {
            return large.put(key, value);
        }
        int i = indexOf(key);
        if (i >= 0) {
            JsonNode old = valueAt(i);
            slots[2 * i + 1] = value;
            return old;
        }
        if (size == LINEAR) {
            large = new LinkedHashMap<>(2 * LINEAR + 2);
            for (int j = 0; j < size; j++) {
                large.put(keyAt(j), valueAt(j));
            }
            large.put(key, value);
            slots = null;
            size = 0;
            modifications++;
            return null;
        }
        if (2 * size == slots.length) {
            slots = Arrays.copyOf(slots, 2 * Math.min(2 * size, LINEAR));
        }
        slots[2 * size] = key;
        slots[2 * size + 1] = value;
        size++;
        modifications++;
        return null;
    }

    /**
     * Into an empty map, another compact one (a node copied one level deep: copy on write of the
     * defaults) is one array copy, with room for one more property; anything else is put one by one.
     */
    @Override
    public void putAll(Map<? extends String, ? extends JsonNode> m) {
        if (m instanceof CompactObjectMap other && other.large == null && large == null && size == 0) {
            int room = Math.min(other.size + 1, LINEAR);
            slots = Arrays.copyOf(other.slots, 2 * Math.max(room, INITIAL));
            size = other.size;
            modifications++;
            return;
        }
        super.putAll(m);
    }

    @Override
    public JsonNode remove(Object key) {
        if (large != null) {
            return large.remove(key);
        }
        int i = indexOf(key);
        if (i < 0) {
            return null;
        }
        JsonNode old = valueAt(i);
        removeAt(i);
        return old;
    }

    private void removeAt(int i) {
        System.arraycopy(slots, 2 * i + 2, slots, 2 * i, 2 * (size - i - 1));
        size--;
        slots[2 * size] = null;
        slots[2 * size + 1] = null;
        modifications++;
    }

    @Override
    public void clear() {
        if (large != null) {
            large.clear();
            return;
        }
        Arrays.fill(slots, 0, 2 * size, null);
        size = 0;
        modifications++;
    }

    /** As {@link AbstractMap#hashCode()} (each entry's hash: its key's and value's, xored), without an iterator: trees are hashed whole (a patch's list comparison). */
    @Override
    public int hashCode() {
        if (large != null) {
            return large.hashCode();
        }
        int h = 0;
        for (int i = 0; i < size; i++) {
            h += Objects.hashCode(keyAt(i)) ^ Objects.hashCode(valueAt(i));
        }
        return h;
    }

    /** As {@link AbstractMap#equals(Object)}, without an iterator. */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (large != null || !(o instanceof Map<?, ?> other)) {
            return super.equals(o);
        }
        if (other.size() != size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            JsonNode value = valueAt(i);
            Object theirs = other.get(keyAt(i));
            if (value == null ? theirs != null || !other.containsKey(keyAt(i)) : !value.equals(theirs)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super JsonNode> action) {
        if (large != null) {
            large.forEach(action);
            return;
        }
        int expected = modifications;
        for (int i = 0; i < size; i++) {
            action.accept(keyAt(i), valueAt(i));
            if (expected != modifications) {
                throw new ConcurrentModificationException();
            }
        }
    }

    @Override
    public Set<Map.Entry<String, JsonNode>> entrySet() {
        if (large != null) {
            return large.entrySet();
        }
        if (entrySet == null) {
            entrySet = new Entries();
        }
        return entrySet;
    }

    /**
     * Property {@code index} as an entry: its value read (and {@code setValue} written) through the
     * map while no property was added or removed since; after that, its value is the map's for its
     * name, and {@code setValue} fails.
     */
    private final class Entry implements Map.Entry<String, JsonNode> {

        private final String key;
        private final int index;
        private final int expected;

        Entry(int index, int expected) {
            this.key = keyAt(index);
            this.index = index;
            this.expected = expected;
        }

        @Override
        public String getKey() {
            return key;
        }

        @Override
        public JsonNode getValue() {
            return expected == modifications ? valueAt(index) : CompactObjectMap.this.get(key);
        }

        @Override
        public JsonNode setValue(JsonNode value) {
            if (expected != modifications) {
                throw new ConcurrentModificationException();
            }
            JsonNode old = valueAt(index);
            slots[2 * index + 1] = value;
            return old;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Map.Entry<?, ?> e && Objects.equals(getKey(), e.getKey()) && Objects.equals(getValue(), e.getValue());
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(getKey()) ^ Objects.hashCode(getValue());
        }

        @Override
        public String toString() {
            return getKey() + "=" + getValue();
        }
    }

    /** The entries in order, each made as the iterator reaches it. */
    private final class Entries extends AbstractSet<Map.Entry<String, JsonNode>> {

        @Override
        public int size() {
            return CompactObjectMap.this.size();
        }

        @Override
        public Iterator<Map.Entry<String, JsonNode>> iterator() {
            if (large != null) {
                return large.entrySet().iterator();
            }
            return new Iterator<>() {
                private int next;
                private int last = -1;
                private int expected = modifications;

                @Override
                public boolean hasNext() {
                    return next < size;
                }

                @Override
                public Map.Entry<String, JsonNode> next() {
                    if (expected != modifications) {
                        throw new ConcurrentModificationException();
                    }
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    last = next;
                    return new Entry(next++, expected);
                }

                @Override
                public void remove() {
                    if (last < 0) {
                        throw new IllegalStateException();
                    }
                    if (expected != modifications) {
                        throw new ConcurrentModificationException();
                    }
                    removeAt(last);
                    next = last;
                    last = -1;
                    expected = modifications;
                }
            };
        }
    }
}

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
 * entries searched in order, not a hash table, its nodes and its buckets. That map was a quarter
 * of the garbage of a review. Past {@value #LINEAR} properties (labels, annotations, a hostile
 * object with a million keys) it moves to a {@code LinkedHashMap}, so no lookup is ever linear in
 * a large object.
 *
 * <p>Written here because no library on the class path has an insertion-ordered map that is an
 * array while small and hashed when large (fastutil's array maps stay linear at any size).
 */
final class CompactObjectMap extends AbstractMap<String, JsonNode> {

    /** The most properties kept as an array; past it, a {@code LinkedHashMap}. */
    static final int LINEAR = 16;

    private SimpleEntry<String, JsonNode>[] entries;
    private int size;
    /** Every property once the object outgrew {@link #LINEAR}; {@code entries} is dropped then. */
    private LinkedHashMap<String, JsonNode> large;
    private int modifications;
    private Entries entrySet;

    @SuppressWarnings("unchecked")
    CompactObjectMap() {
        entries = new SimpleEntry[4];
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
            if (Objects.equals(entries[i].getKey(), key)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public JsonNode get(Object key) {
        if (large != null) {
            return large.get(key);
        }
        int i = indexOf(key);
        return i < 0 ? null : entries[i].getValue();
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
            return entries[i].setValue(value);
        }
        if (size == LINEAR) {
            large = new LinkedHashMap<>(2 * LINEAR + 2);
            for (int j = 0; j < size; j++) {
                large.put(entries[j].getKey(), entries[j].getValue());
            }
            large.put(key, value);
            entries = null;
            size = 0;
            modifications++;
            return null;
        }
        if (size == entries.length) {
            entries = Arrays.copyOf(entries, Math.min(2 * size, LINEAR));
        }
        entries[size++] = new SimpleEntry<>(key, value);
        modifications++;
        return null;
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
        JsonNode old = entries[i].getValue();
        removeAt(i);
        return old;
    }

    private void removeAt(int i) {
        System.arraycopy(entries, i + 1, entries, i, size - i - 1);
        entries[--size] = null;
        modifications++;
    }

    @Override
    public void clear() {
        if (large != null) {
            large.clear();
            return;
        }
        Arrays.fill(entries, 0, size, null);
        size = 0;
        modifications++;
    }

    /** As {@link AbstractMap#hashCode()}, without an iterator: trees are hashed whole (a patch's list comparison). */
    @Override
    public int hashCode() {
        if (large != null) {
            return large.hashCode();
        }
        int h = 0;
        for (int i = 0; i < size; i++) {
            h += entries[i].hashCode();
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
            JsonNode value = entries[i].getValue();
            Object theirs = other.get(entries[i].getKey());
            if (value == null ? theirs != null || !other.containsKey(entries[i].getKey()) : !value.equals(theirs)) {
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
            action.accept(entries[i].getKey(), entries[i].getValue());
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

    /** The entries in order; the array's own entries, so {@code setValue} writes through. */
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
                    return entries[next++];
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

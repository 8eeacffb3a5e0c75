package io.podguard.engine.rules;

import dev.cel.common.types.CelType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.CelValue;
import java.util.AbstractMap;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A read-only map with string keys that cel-java's planner takes as it is. The planner adapts
 * every value it reads a field of, and every value a function returns, to its runtime form,
 * walking a {@link Map} or a {@code List} whole, element by element, unless it is a
 * {@link CelValue}; for a view whose values are made on access (a pod as JSON, variables
 * evaluated on first use) that walk would convert the whole pod, or evaluate every variable, on
 * each field read. A {@code CelValue} that is a {@code Map} is read through the map's methods
 * like any map, and unwrapped to itself.
 */
abstract class CelMapView extends CelValue implements Map<String, Object> {

    /** A map's type as cel-java's type() gives it of any map (type(object) == map). */
    private static final CelType TYPE = MapType.create(SimpleType.DYN, SimpleType.DYN);

    /**
     * The map's other methods as {@link AbstractMap} derives them from {@link #entrySet()},
     * {@link #get} and {@link #containsKey}: a view made when one is called (rarely: CEL reads a
     * map by key, by size and by entry), not one per map held for its life.
     */
    private Map<String, Object> derived() {
        return new AbstractMap<>() {
            @Override
            public Set<Entry<String, Object>> entrySet() {
                return CelMapView.this.entrySet();
            }

            @Override
            public Object get(Object key) {
                return CelMapView.this.get(key);
            }

            @Override
            public boolean containsKey(Object key) {
                return CelMapView.this.containsKey(key);
            }
        };
    }

    @Override
    public abstract @Nullable Object get(Object key);

    @Override
    public abstract boolean containsKey(Object key);

    @Override
    public abstract Set<Entry<String, Object>> entrySet();

    @Override
    public int size() {
        return entrySet().size();
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public boolean containsValue(Object value) {
        return derived().containsValue(value);
    }

    @Override
    public Set<String> keySet() {
        return derived().keySet();
    }

    @Override
    public Collection<Object> values() {
        return derived().values();
    }

    @Override
    public Object put(String key, Object value) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Object remove(Object key) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void putAll(Map<? extends String, ?> m) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || derived().equals(o);
    }

    @Override
    public int hashCode() {
        return derived().hashCode();
    }

    @Override
    public String toString() {
        return derived().toString();
    }

    /** The view itself: cel-java unwraps a value to this, and reads it as a map. */
    @Override
    public Object value() {
        return this;
    }

    @Override
    public boolean isZeroValue() {
        return isEmpty();
    }

    @Override
    public CelType celType() {
        return TYPE;
    }
}

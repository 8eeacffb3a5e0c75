package io.podguard.engine.rules;

import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.CelValue;
import java.util.AbstractList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * A read-only list that cel-java's planner takes as it is, for the reason {@link CelMapView}
 * gives: the planner walks a plain list whole, element by element, each time it reads a field of
 * it or a function returns it; a view whose elements are made on access would make them all
 * each time. Read through the list's methods like any list, and unwrapped to itself.
 */
abstract class CelListView extends CelValue implements List<Object>, RandomAccess {

    /** A list's type as cel-java's type() gives it of any list (type(object.spec.containers) == list). */
    private static final CelType TYPE = ListType.create(SimpleType.DYN);

    /**
     * The list's other methods as {@link AbstractList} derives them from {@link #get} and
     * {@link #size}: a view made when one is called, not one per list held for its life.
     */
    private List<Object> derived() {
        return new AbstractList<>() {
            @Override
            public Object get(int index) {
                return CelListView.this.get(index);
            }

            @Override
            public int size() {
                return CelListView.this.size();
            }
        };
    }

    @Override
    public abstract @Nullable Object get(int index);

    @Override
    public abstract int size();

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public boolean contains(Object o) {
        return derived().contains(o);
    }

    @Override
    public Iterator<Object> iterator() {
        // by index, as AbstractList's, without a derived list made for it
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size();
            }

            @Override
            public Object next() {
                if (next >= size()) {
                    throw new java.util.NoSuchElementException();
                }
                return get(next++);
            }
        };
    }

    @Override
    public Object[] toArray() {
        return derived().toArray();
    }

    @Override
    public <T> T[] toArray(T[] a) {
        return derived().toArray(a);
    }

    @Override
    public boolean containsAll(Collection<?> c) {
        return derived().containsAll(c);
    }

    @Override
    public int indexOf(Object o) {
        return derived().indexOf(o);
    }

    @Override
    public int lastIndexOf(Object o) {
        return derived().lastIndexOf(o);
    }

    @Override
    public ListIterator<Object> listIterator() {
        return derived().listIterator();
    }

    @Override
    public ListIterator<Object> listIterator(int index) {
        return derived().listIterator(index);
    }

    @Override
    public List<Object> subList(int fromIndex, int toIndex) {
        return derived().subList(fromIndex, toIndex);
    }

    @Override
    public boolean add(Object o) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean remove(Object o) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean addAll(Collection<?> c) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean addAll(int index, Collection<?> c) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Object set(int index, Object element) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void add(int index, Object element) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Object remove(int index) {
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

    /** The view itself: cel-java unwraps a value to this, and reads it as a list. */
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

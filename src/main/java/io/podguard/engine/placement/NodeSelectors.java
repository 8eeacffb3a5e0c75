package io.podguard.engine.placement;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Node selectors as PodNodeSelector handles them: the {@code key=value,key=value} text of its
 * namespace annotation and configuration file ({@code labels.ConvertSelectorToLabelsMap}), and the
 * label-set operations it uses ({@code labels.Conflicts}, {@code labels.Merge}, {@code isSubset}).
 */
public final class NodeSelectors {

    private NodeSelectors() {
    }

    /**
     * Parses {@code a=b, c = d}: comma-separated pairs, each exactly one {@code =}, spaces around
     * keys and values ignored, a later key replacing an earlier one; the empty text is the empty set.
     *
     * @throws IllegalArgumentException naming the pair that is not {@code key=value} or not a valid label
     */
    public static Map<String, String> parse(String selector) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (selector.isEmpty()) {
            return labels;
        }
        for (String pair : selector.split(",", -1)) {
            String[] kv = pair.split("=", -1);
            if (kv.length != 2) {
                throw new IllegalArgumentException("\"" + pair.strip() + "\" is not key=value");
            }
            String key = kv[0].strip();
            String value = kv[1].strip();
            String keyError = LabelSyntax.keyError(key);
            if (keyError != null) {
                throw new IllegalArgumentException("label key \"" + key + "\": " + keyError);
            }
            String valueError = LabelSyntax.valueError(value);
            if (valueError != null) {
                throw new IllegalArgumentException("label " + key + " value \"" + value + "\": " + valueError);
            }
            labels.put(key, value);
        }
        return labels;
    }

    /** Whether a key is in both with different values. */
    public static boolean conflicts(Map<String, String> a, Map<String, String> b) {
        Map<String, String> small = a.size() <= b.size() ? a : b;
        Map<String, String> big = small == a ? b : a;
        for (Map.Entry<String, String> e : small.entrySet()) {
            String other = big.get(e.getKey());
            if (other != null && !other.equals(e.getValue())) {
                return true;
            }
        }
        return false;
    }

    /** {@code first} then {@code second}, the second winning a shared key. */
    public static Map<String, String> merge(Map<String, String> first, Map<String, String> second) {
        Map<String, String> merged = new LinkedHashMap<>(first);
        merged.putAll(second);
        return merged;
    }

    /** Whether every pair of {@code subset} is in {@code superset}; an empty superset allows everything. */
    public static boolean isSubset(Map<String, String> subset, Map<String, String> superset) {
        if (superset.isEmpty()) {
            return true;
        }
        for (Map.Entry<String, String> e : subset.entrySet()) {
            if (!e.getValue().equals(superset.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** {@code a=b,c=d}, keys sorted: how podguard writes a selector in its messages. */
    public static String format(Map<String, String> labels) {
        StringJoiner out = new StringJoiner(",");
        new TreeMap<>(labels).forEach((k, v) -> out.add(k + "=" + v));
        return out.toString();
    }

    static Map<String, String> unmodifiable(Map<String, String> labels) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }
}

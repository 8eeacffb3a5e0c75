package io.podguard.engine.defaults;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The pod annotations defaulting reads and writes. */
public final class DefaultsAnnotations {

    /**
     * What podguard set, LimitRanger-style: {@code resources (container app), preStop (container app)}.
     * Written in the same patch as the defaults; a later review appends only new entries.
     */
    public static final String DEFAULTS = "podguard.io/defaults";

    /**
     * A pod's opt-out: {@code all}, or a comma list of {@code resources}, {@code probes},
     * {@code preStop}, {@code securityContext} (a defaulter's id, e.g. {@code livenessProbe}, works
     * too). Names are matched ignoring case and spaces; unknown names are ignored.
     */
    public static final String SKIP_DEFAULTS = "podguard.io/skip-defaults";

    /** The value of {@link #SKIP_DEFAULTS} that turns every defaulter off. */
    public static final String ALL = "all";

    private DefaultsAnnotations() {
    }

    /** The names in the pod's {@link #SKIP_DEFAULTS}, lower case; empty when absent. */
    static Set<String> skipped(ObjectMeta meta) {
        String value = annotation(meta, SKIP_DEFAULTS);
        if (value == null) {
            return Set.of();
        }
        Set<String> names = new LinkedHashSet<>();
        for (String name : value.split(",")) {
            String trimmed = name.strip().toLowerCase(Locale.ROOT);
            if (!trimmed.isEmpty()) {
                names.add(trimmed);
            }
        }
        return names;
    }

    static boolean skips(Set<String> skipped, Defaulter defaulter) {
        if (skipped.isEmpty()) {
            return false;
        }
        return skipped.contains(ALL)
                || skipped.contains(defaulter.id().toLowerCase(Locale.ROOT))
                || skipped.contains(defaulter.optOutName().toLowerCase(Locale.ROOT));
    }

    /** The pod's {@link #DEFAULTS} as sent, or null. */
    static @Nullable String recorded(ObjectMeta meta) {
        return annotation(meta, DEFAULTS);
    }

    /**
     * Adds {@code applied} to the {@link #DEFAULTS} annotation of {@code podJson}, after what it
     * already says and without repeating an entry.
     */
    static void record(DefaultingContext context, List<AppliedDefault> applied) {
        ObjectNode podJson = context.podJson();
        if (podJson.get("metadata") != null && !podJson.get("metadata").isNull() && !podJson.get("metadata").isObject()) {
            return;
        }
        ObjectNode metadata = context.object(context.writablePod(), "metadata");
        if (metadata == null) {
            return;
        }
        ObjectNode annotations = context.object(metadata, "annotations");
        if (annotations == null) {
            return;
        }
        JsonNode existing = annotations.get(DEFAULTS);
        String before = existing != null && existing.isString() ? existing.asString() : "";
        Set<String> known = new LinkedHashSet<>();
        for (int start = 0; start < before.length(); ) {
            int end = before.indexOf(", ", start);
            String entry = before.substring(start, end < 0 ? before.length() : end);
            if (!entry.isBlank()) {
                known.add(entry.strip());
            }
            start = end < 0 ? before.length() : end + 2;
        }
        StringBuilder value = new StringBuilder(before.strip());
        for (AppliedDefault a : applied) {
            String entry = a.entry();
            if (known.add(entry)) {
                if (!value.isEmpty()) {
                    value.append(", ");
                }
                value.append(entry);
            }
        }
        String after = value.toString();
        if (!after.equals(before)) {
            annotations.put(DEFAULTS, after);
        }
    }

    private static @Nullable String annotation(ObjectMeta meta, String key) {
        Map<String, String> annotations = meta.getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }
}

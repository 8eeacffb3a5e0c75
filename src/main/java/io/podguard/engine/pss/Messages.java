package io.podguard.engine.pss;

import java.util.Collection;
import java.util.stream.Collectors;

/** PSA's wording helpers, so messages read exactly as upstream's. */
public final class Messages {

    private Messages() {
    }

    public static String pluralize(String singular, String plural, int count) {
        return count == 1 ? singular : plural;
    }

    /** {@code "a", "b"} */
    public static String joinQuote(Collection<String> items) {
        return items.stream().map(s -> "\"" + (s == null ? "" : s) + "\"").collect(Collectors.joining(", "));
    }

    /** {@code container "a"} or {@code containers "a", "b"} */
    public static String containers(Collection<String> names) {
        return pluralize("container", "containers", names.size()) + " " + joinQuote(names);
    }
}

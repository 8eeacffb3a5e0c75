package io.podguard.engine.pss;

import io.podguard.engine.Text;
import java.util.Collection;

/** PSA's wording helpers, so messages read exactly as upstream's. */
public final class Messages {

    /**
     * Longer values a pod carries (an SELinux type, a capability, a sysctl …) are echoed cut to
     * this many characters and {@code …}: a pod author must not be able to make every warning,
     * audit annotation, log line and Event carry tens of KB. Real values are far shorter, so
     * messages stay identical to PSA's.
     */
    public static final int MAX_ECHOED_LENGTH = 256;

    private Messages() {
    }

    /** {@code s} cut to {@link #MAX_ECHOED_LENGTH} characters (never inside a surrogate pair) and {@code …}. */
    public static String echoed(String s) {
        return Text.cut(s, MAX_ECHOED_LENGTH);
    }

    public static String pluralize(String singular, String plural, int count) {
        return count == 1 ? singular : plural;
    }

    /** {@code "a", "b"}; no escaping, as PSA's {@code joinQuote}. */
    public static String joinQuote(Collection<String> items) {
        if (items.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (String s : items) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append('"').append(s == null ? "" : echoed(s)).append('"');
        }
        return sb.toString();
    }

    /** {@code container "a"} or {@code containers "a", "b"} */
    public static String containers(Collection<String> names) {
        return pluralize("container", "containers", names.size()) + " " + joinQuote(names);
    }

    /** {@code key="value"}, the value quoted as Go's {@code %q} quotes it. */
    public static String keyEqualsQuoted(String key, String value) {
        return key + "=" + goQuote(value);
    }

    /** {@code value} cut as {@link #echoed(String)} cuts it and quoted as Go's {@code strconv.Quote} does ({@link Text#goQuote}). */
    public static String goQuote(String value) {
        return Text.goQuote(echoed(value));
    }
}

package io.podguard.report;

import io.podguard.engine.Text;
import io.podguard.engine.pss.Messages;
import org.jspecify.annotations.Nullable;

/**
 * What a review carries, made fit for objects podguard writes into the cluster (Events): names
 * checked as the apiserver would check them, free text escaped and bounded. A review sent
 * straight to podguard's port can carry anything.
 */
final class KubernetesNames {

    private KubernetesNames() {
    }

    /** A namespace name: an RFC 1123 label. */
    static boolean isDnsLabel(@Nullable String s) {
        return s != null && !s.isEmpty() && s.length() <= 63 && isDnsChars(s, false);
    }

    /** An object name podguard may refer to: an RFC 1123 subdomain, short enough for an Event's name to add a suffix. */
    static boolean isObjectName(@Nullable String s) {
        return s != null && !s.isEmpty() && s.length() <= 230 && isDnsChars(s, true);
    }

    /** A kind, apiVersion or uid: letters, digits, {@code . / -}, at most 128. */
    static boolean isKindOrApiVersion(@Nullable String s) {
        if (s == null || s.isEmpty() || s.length() > 128) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '/' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** {@code "value"} with Go's escapes, cut to {@code max} characters. */
    static String quoted(String value, int max) {
        return Messages.goQuote(Text.cut(value, max));
    }

    /** {@code text} without control or format characters (escaped as {@code \\uXXXX}), cut to {@code max} with {@code …}. */
    static String printable(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 8);
        int i = 0;
        for (; i < text.length() && out.length() <= max; i++) {
            char c = text.charAt(i);
            int type = Character.getType(c);
            if (c < 0x20 || c == 0x7f || type == Character.CONTROL || type == Character.FORMAT
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (i == text.length() && out.length() <= max) {
            return out.toString();
        }
        int end = max - 1;
        if (Character.isHighSurrogate(out.charAt(end - 1))) {
            end--;
        }
        return out.substring(0, end) + "…";
    }

    private static boolean isDnsChars(String s, boolean dots) {
        char first = s.charAt(0);
        char last = s.charAt(s.length() - 1);
        if (!isAlnum(first) || !isAlnum(last)) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isAlnum(c) || c == '-' || dots && c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlnum(char c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
    }
}

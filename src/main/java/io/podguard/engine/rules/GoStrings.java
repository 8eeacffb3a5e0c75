package io.podguard.engine.rules;

import java.nio.charset.StandardCharsets;

/**
 * Go's string semantics where the apiserver's words depend on them: {@code strings.TrimSpace}
 * (Unicode white space as Go's {@code unicode.IsSpace} knows it, which is not Java's
 * {@link String#strip()}: Go trims U+00A0 and U+0085, Java does not; Java trims U+001C–U+001F,
 * Go does not) and lengths in UTF-8 bytes, as Go's {@code len} counts them. Written by hand:
 * no library states Go's white space.
 */
final class GoStrings {

    private GoStrings() {
    }

    /** Go's {@code unicode.IsSpace}. */
    static boolean isSpace(int c) {
        return switch (c) {
            case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> c >= 0x2000 && c <= 0x200A;
        };
    }

    /** Go's {@code strings.TrimSpace}. */
    static String trimSpace(String s) {
        int start = 0;
        int end = s.length();
        while (start < end) {
            int c = s.codePointAt(start);
            if (!isSpace(c)) {
                break;
            }
            start += Character.charCount(c);
        }
        while (end > start) {
            int c = s.codePointBefore(end);
            if (!isSpace(c)) {
                break;
            }
            end -= Character.charCount(c);
        }
        return s.substring(start, end);
    }

    /** Go's {@code len(s)}: the UTF-8 bytes of {@code s}. */
    static int byteLength(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * Go's {@code s[:max]} on a string longer than {@code max} bytes, without splitting a
     * character: the longest prefix of whole characters within {@code max} UTF-8 bytes (Go cuts
     * inside a character, which its JSON encoder then writes as U+FFFD).
     */
    static String truncateBytes(String s, int max) {
        if (byteLength(s) <= max) {
            return s;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int end = max;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}

package io.podguard.engine.rules;

/**
 * A JSON string as Go's {@code encoding/json} writes it, so an annotation the apiserver writes
 * as JSON reads the same from podguard byte for byte: {@code <}, {@code >} and {@code &} as
 * backslash-u escapes, U+2028 and U+2029 escaped, control characters as backslash-n, backslash-t
 * … or backslash-u escapes. Written by hand: Jackson escapes differently, and no library writes Go's form.
 */
final class GoJson {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private GoJson() {
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        b.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF]).append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
                    } else if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1)))) {
                        b.append("\\ufffd"); // a lone surrogate is no UTF-8: Go writes the replacement character
                    } else {
                        b.append(c);
                        if (Character.isHighSurrogate(c)) {
                            b.append(s.charAt(++i));
                        }
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}

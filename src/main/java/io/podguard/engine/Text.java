package io.podguard.engine;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** Small text helpers every package uses, one of each. */
public final class Text {

    /** Longer one-line messages are cut: an error line, a log line or an Event note stays readable. */
    public static final int MAX_LINE = 300;

    private Text() {
    }

    /**
     * The first line of {@code message} (an exception's text often continues with a location or
     * a trace), stripped and cut to {@value #MAX_LINE} characters with {@code …}; {@code ifNone}
     * when there is no text at all.
     */
    public static String oneLine(@Nullable String message, String ifNone) {
        if (message == null || message.isBlank()) {
            return ifNone;
        }
        String s = message.strip();
        int end = s.length();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r') {
                end = i;
                break;
            }
        }
        return cut(s.substring(0, end).strip(), MAX_LINE);
    }

    /** {@code s} cut to {@code max} characters (never inside a surrogate pair) and {@code …}; {@code s} when not longer. */
    public static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = max > 0 && Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end) + "…";
    }

    /**
     * {@code message} with its lines joined (a parser's message that shows a snippet over several
     * lines), every run of white space one space, cut as {@link #oneLine(String, String)} cuts.
     */
    public static String joined(@Nullable String message, String ifNone) {
        return oneLine(message == null ? null : message.replaceAll("\\s+", " "), ifNone);
    }

    /** {@link #oneLine(String, String)} with nothing for no text. */
    public static String oneLine(@Nullable String message) {
        return oneLine(message, "");
    }

    /** {@code s}, or {@code ""} for null. */
    public static String orEmpty(@Nullable String s) {
        return s == null ? "" : s;
    }

    /** {@code list}, or an empty list for null (Go's nil slice). */
    public static <T> List<T> orEmpty(@Nullable List<T> list) {
        return list == null ? List.of() : list;
    }

    /**
     * {@code s} as Go's {@code strconv.Quote} (the {@code %q} verb) writes it: double-quoted, with
     * Go's escapes, printable characters ({@code unicode.IsPrint}) as they are. Written by hand: no
     * Java library quotes as Go does. A lone surrogate cannot reach Go as such: its JSON decoder
     * makes it U+FFFD, which Go prints as it is.
     */
    public static String goQuote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case 0x07 -> b.append("\\a");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case 0x0B -> b.append("\\v");
                default -> {
                    if (Character.isSurrogate((char) c) && c < 0x10000) {
                        b.append('\ufffd');
                    } else if (isGoPrint(c)) {
                        b.appendCodePoint(c);
                    } else if (c < ' ' || c == 0x7F) {
                        b.append(String.format("\\x%02x", c));
                    } else if (c < 0x10000) {
                        b.append(String.format("\\u%04x", c));
                    } else {
                        b.append(String.format("\\U%08x", c));
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    private static boolean isGoPrint(int c) {
        if (c == ' ') {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER, Character.MODIFIER_LETTER,
                 Character.OTHER_LETTER, Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                 Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.CONNECTOR_PUNCTUATION,
                 Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                 Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                 Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }
}

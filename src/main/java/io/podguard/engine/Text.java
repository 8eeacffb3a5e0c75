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
        String line = s.substring(0, end).strip();
        if (line.length() <= MAX_LINE) {
            return line;
        }
        int cut = Character.isHighSurrogate(line.charAt(MAX_LINE - 1)) ? MAX_LINE - 1 : MAX_LINE;
        return line.substring(0, cut) + "…";
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
}

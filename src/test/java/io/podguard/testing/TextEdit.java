package io.podguard.testing;

/** One random edit of a text for property tests: at {@code at}, {@code cut} characters replaced by {@code insert}. */
public record TextEdit(int at, int cut, String insert) {

    public String apply(String s) {
        int from = Math.min(at, s.length());
        return s.substring(0, from) + insert + s.substring(Math.min(s.length(), from + cut));
    }
}

package io.podguard.policy;

import java.util.regex.Pattern;

/**
 * A shell-style pattern for names and images: {@code *} matches any run of characters
 * ({@code /} and {@code :} included, so {@code *}{@code /istio/proxyv2:*} matches any registry),
 * {@code ?} one character, {@code [abc]} / {@code [a-z]} / {@code [!a-z]} one of a set.
 * Everything else matches itself.
 */
public record Glob(String pattern, Pattern regex) {

    /** @throws IllegalArgumentException with a short reason for a pattern that cannot be compiled */
    public static Glob compile(String pattern) {
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("empty pattern");
        }
        StringBuilder re = new StringBuilder(pattern.length() + 8);
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int close = pattern.indexOf(']', i + 2);
                    if (close < 0) {
                        throw new IllegalArgumentException("unclosed [ at position " + (i + 1));
                    }
                    String set = pattern.substring(i + 1, close);
                    boolean negated = set.startsWith("!");
                    if (negated) {
                        set = set.substring(1);
                    }
                    if (set.isEmpty()) {
                        throw new IllegalArgumentException("empty [] at position " + (i + 1));
                    }
                    re.append(negated ? "[^" : "[");
                    for (int k = 0; k < set.length(); k++) {
                        char s = set.charAt(k);
                        boolean range = s == '-' && k > 0 && k < set.length() - 1;
                        re.append(range || Character.isLetterOrDigit(s) ? String.valueOf(s) : "\\" + s);
                    }
                    re.append(']');
                    i = close;
                }
                case ']' -> throw new IllegalArgumentException("unopened ] at position " + (i + 1));
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        try {
            return new Glob(pattern, Pattern.compile(re.toString()));
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("bad character range");
        }
    }

    public boolean matches(String value) {
        return regex.matcher(value).matches();
    }

    /** True when any of {@code globs} matches. */
    public static boolean any(java.util.List<Glob> globs, String value) {
        for (Glob g : globs) {
            if (g.matches(value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return pattern;
    }
}

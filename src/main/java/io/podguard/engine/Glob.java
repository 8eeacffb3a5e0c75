package io.podguard.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A shell-style pattern for names and images: {@code *} matches any run of characters
 * ({@code /} and {@code :} included), {@code ?} one character, {@code [abc]} / {@code [a-z]} /
 * {@code [!a-z]} one of a set. Everything else matches itself. The one glob of podguard: policy
 * exemptions, namespace overrides and PodSecurityPolicy bindings all match with it.
 *
 * <p>Written by hand rather than compiled to a {@link java.util.regex.Pattern}: a regex
 * {@code .*} backtracks, and a pod author who chooses the matched string (an image of a few
 * hundred KB) could make one match take seconds. This matcher backtracks only to the last
 * {@code *} it passed, so a match costs at most (pattern length + 1) × (value length + 1) steps
 * and never recurses; values longer than {@link #MAX_VALUE_LENGTH} match nothing at all.
 */
public final class Glob {

    /**
     * Longer values never match: no name, user, group or image reference Kubernetes or a
     * container runtime accepts comes near it, and an exemption must fail closed.
     */
    public static final int MAX_VALUE_LENGTH = 4096;

    private static final Element STAR = new Element(Kind.STAR, "", false);

    private enum Kind { STAR, ANY, LITERAL, SET }

    /** One position of the pattern: a run of any characters, any one character, a literal or a set. */
    private record Element(Kind kind, String chars, boolean negated) {

        boolean matches(char c) {
            return switch (kind) {
                case ANY -> true;
                case LITERAL -> chars.charAt(0) == c;
                case SET -> inSet(c) != negated;
                case STAR -> false;
            };
        }

        /** {@code chars} holds pairs: from, to (a single character is a pair of itself). */
        private boolean inSet(char c) {
            for (int i = 0; i < chars.length(); i += 2) {
                if (c >= chars.charAt(i) && c <= chars.charAt(i + 1)) {
                    return true;
                }
            }
            return false;
        }
    }

    private final String pattern;
    private final Element[] elements;

    private Glob(String pattern, Element[] elements) {
        this.pattern = pattern;
        this.elements = elements;
    }

    /** The pattern that matches {@code name} alone: each of {@code * ? [ ]} in a set of its own. */
    public static String literal(String name) {
        StringBuilder b = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']') {
                b.append('[').append(c).append(']');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** @throws IllegalArgumentException with a short reason for a pattern that cannot be compiled */
    public static Glob compile(String pattern) {
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("empty pattern");
        }
        List<Element> out = new ArrayList<>(pattern.length());
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> {
                    if (out.isEmpty() || out.getLast().kind() != Kind.STAR) {
                        out.add(STAR); // ** is *: fewer stars, fewer backtracking points
                    }
                }
                case '?' -> out.add(new Element(Kind.ANY, "", false));
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
                    out.add(new Element(Kind.SET, ranges(set), negated));
                    i = close;
                }
                case ']' -> throw new IllegalArgumentException("unopened ] at position " + (i + 1));
                default -> out.add(new Element(Kind.LITERAL, String.valueOf(c), false));
            }
        }
        return new Glob(pattern, out.toArray(Element[]::new));
    }

    /** {@code a-z0_} → pairs {@code azzz00__}: a {@code -} between two characters is a range. */
    private static String ranges(String set) {
        StringBuilder pairs = new StringBuilder(set.length() * 2);
        for (int k = 0; k < set.length(); k++) {
            char from = set.charAt(k);
            char to = from;
            if (k + 2 < set.length() && set.charAt(k + 1) == '-') {
                to = set.charAt(k + 2);
                if (to < from) {
                    throw new IllegalArgumentException("bad character range");
                }
                k += 2;
            }
            pairs.append(from).append(to);
        }
        return pairs.toString();
    }

    public String pattern() {
        return pattern;
    }

    /**
     * Whether the whole of {@code value} matches. Greedy, remembering only the last {@code *}:
     * on a mismatch the last star takes one more character and matching resumes after it.
     * That is enough for globs (an earlier star never needs to take more, the later one can)
     * and bounds the work by (pattern length + 1) × (value length + 1).
     */
    public boolean matches(CharSequence value) {
        int n = value.length();
        if (n > MAX_VALUE_LENGTH) {
            return false;
        }
        int m = elements.length;
        int p = 0;
        int s = 0;
        int starP = -1;
        int starS = 0;
        while (s < n) {
            if (p < m && elements[p].kind() == Kind.STAR) {
                starP = p++;
                starS = s;
            } else if (p < m && elements[p].matches(value.charAt(s))) {
                p++;
                s++;
            } else if (starP >= 0) {
                p = starP + 1;
                s = ++starS;
            } else {
                return false;
            }
        }
        while (p < m && elements[p].kind() == Kind.STAR) {
            p++;
        }
        return p == m;
    }

    /** True when any of {@code globs} matches. */
    public static boolean any(List<Glob> globs, CharSequence value) {
        for (Glob g : globs) {
            if (g.matches(value)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the pattern starts with a literal character (not {@code *}, {@code ?} or a set). */
    public boolean hasLiteralStart() {
        return elements[0].kind() == Kind.LITERAL;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Glob g && g.pattern.equals(pattern);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pattern);
    }

    @Override
    public String toString() {
        return pattern;
    }
}

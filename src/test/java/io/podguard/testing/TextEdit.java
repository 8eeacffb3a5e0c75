package io.podguard.testing;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** One random edit of a text for property tests: at {@code at}, {@code cut} characters replaced by {@code insert}. */
public record TextEdit(int at, int cut, String insert) {

    public String apply(String s) {
        int from = Math.min(at, s.length());
        return s.substring(0, from) + insert + s.substring(Math.min(s.length(), from + cut));
    }

    /** Edits of {@code text}: anywhere in it, up to {@code maxCut} characters replaced by one of {@code inserts}. */
    public static Arbitrary<TextEdit> of(String text, int maxCut, String... inserts) {
        return Combinators.combine(Arbitraries.integers().between(0, text.length()), Arbitraries.integers().between(0, maxCut),
                Arbitraries.of(inserts)).as(TextEdit::new);
    }
}

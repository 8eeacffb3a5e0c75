package io.podguard.policy;

import java.util.Collection;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The closest known name to a misspelt one, for {@code unknown key (did you mean …?)}. */
final class DidYouMean {

    private DidYouMean() {
    }

    /** The candidate within a third of the word's length in edits (at least 2, at most 3), or null. */
    static @Nullable String closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        int allowed = Math.max(2, Math.min(3, word.length() / 3));
        for (String c : candidates) {
            int d = distance(word.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        if (bestDistance <= allowed) {
            return best;
        }
        // a shortened key (sleep for sleepSeconds) is a typo too
        for (String c : candidates) {
            if (word.length() >= 3 && c.toLowerCase(Locale.ROOT).startsWith(word.toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        return null;
    }

    /** Levenshtein distance with adjacent transpositions (a swap is one typo). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}

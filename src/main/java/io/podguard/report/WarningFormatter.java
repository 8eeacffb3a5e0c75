package io.podguard.report;

import io.podguard.engine.LevelVersion;
import io.podguard.engine.Violation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns violations into the AdmissionResponse {@code warnings} that kubectl prints as
 * {@code Warning: …}, one per violated check:
 * {@code would violate PodSecurity "restricted:latest": privileged (container "app" must not set securityContext.privileged=true)}.
 *
 * <p>PSA sends all checks in one warning, which for a restricted pod easily runs past 500
 * characters and gets cut by the apiserver at 256. Kubernetes asks for warnings of at most 120
 * characters where possible; the apiserver truncates each beyond 256 and drops them past 4 KiB
 * in total. So: one warning per check; a check whose message is over {@value #TARGET_LENGTH}
 * first loses container names from its lists ({@code containers "a" and 3 more}); a message
 * whose instruction alone is longer is kept whole up to {@value #MAX_LENGTH} (cutting it would
 * drop the fix) and cut with {@code …} beyond. At most {@code maxWarnings} per request: the last
 * one rolls up the rest ({@code and 3 more: runAsNonRoot != true, seccompProfile, …}).
 */
public final class WarningFormatter {

    /** Kubernetes' guidance for one warning. */
    public static final int TARGET_LENGTH = 120;
    /** The apiserver truncates longer warnings. */
    public static final int MAX_LENGTH = 256;
    public static final int DEFAULT_MAX_WARNINGS = 5;

    private static final String ELLIPSIS = "…";

    private static final WarningFormatter STANDARD = new WarningFormatter(DEFAULT_MAX_WARNINGS);

    /** The violations one mode found at one level. */
    public record Group(LevelVersion level, List<Violation> violations) {
        public Group {
            violations = List.copyOf(violations);
        }
    }

    private final int maxWarnings;

    public WarningFormatter(int maxWarnings) {
        if (maxWarnings < 1) {
            throw new IllegalArgumentException("maxWarnings must be at least 1");
        }
        this.maxWarnings = maxWarnings;
    }

    public static WarningFormatter standard() {
        return STANDARD;
    }

    public List<String> format(LevelVersion level, List<Violation> violations) {
        return format(List.of(new Group(level, violations)));
    }

    /**
     * Warnings for {@code groups} in order; a check already reported by an earlier group is not
     * repeated (a workload judged under enforce and warn at two levels names each check once).
     */
    public List<String> format(List<Group> groups) {
        List<Item> items = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Group group : groups) {
            for (Violation v : group.violations()) {
                if (seen.add(v.rule())) {
                    items.add(new Item(group.level(), v));
                }
            }
        }
        List<String> warnings = new ArrayList<>(Math.min(items.size(), maxWarnings));
        boolean rollup = items.size() > maxWarnings;
        int shown = rollup ? maxWarnings - 1 : items.size();
        for (int i = 0; i < shown; i++) {
            warnings.add(one(items.get(i).level(), items.get(i).violation()));
        }
        if (rollup) {
            warnings.add(rollup(items.subList(shown, items.size())));
        }
        return List.copyOf(warnings);
    }

    /**
     * {@code would violate PodSecurity "restricted:latest": reason (detail)}, fitted to the limits:
     * the detail as sent when it fits {@value #TARGET_LENGTH}; else with its quoted lists cut to
     * the most names that fit; else the longest of those under {@value #MAX_LENGTH}; else cut.
     * Shorter variants are found by bisection, so a detail naming thousands of containers costs a
     * few passes over it, not one per name.
     */
    static String one(LevelVersion level, Violation violation) {
        String prefix = prefix(level) + violation.reason();
        String detail = violation.detail() == null ? "" : violation.detail();
        if (detail.isEmpty()) {
            return cut(prefix, MAX_LENGTH);
        }
        String whole = prefix + " (" + detail + ")";
        if (whole.length() <= TARGET_LENGTH) {
            return whole;
        }
        List<List<int[]>> lists = quotedLists(detail);
        int longest = 0;
        for (List<int[]> names : lists) {
            longest = Math.max(longest, names.size());
        }
        String fitting = mostNamesWithin(prefix, detail, lists, longest - 1, TARGET_LENGTH);
        if (fitting != null) {
            return fitting;
        }
        if (whole.length() <= MAX_LENGTH) {
            return whole;
        }
        fitting = mostNamesWithin(prefix, detail, lists, longest - 1, MAX_LENGTH);
        if (fitting != null) {
            return fitting;
        }
        return cut(prefix + " (" + (longest >= 2 ? keepNames(detail, lists, 1) : detail) + ")", MAX_LENGTH);
    }

    /** The warning that keeps the most names (at most {@code most}) and is at most {@code limit} long; null if none is. */
    private static String mostNamesWithin(String prefix, String detail, List<List<int[]>> lists, int most, int limit) {
        String best = null;
        int low = 1;
        int high = most;
        while (low <= high) { // the length grows with the names kept
            int keep = (low + high) >>> 1;
            String candidate = prefix + " (" + keepNames(detail, lists, keep) + ")";
            if (candidate.length() <= limit) {
                best = candidate;
                low = keep + 1;
            } else {
                high = keep - 1;
            }
        }
        return best;
    }

    private static String rollup(List<Item> rest) {
        LevelVersion level = rest.getFirst().level();
        boolean sameLevel = rest.stream().allMatch(i -> i.level().equals(level));
        StringBuilder sb = new StringBuilder(sameLevel ? prefix(level) : "would violate PodSecurity: ");
        sb.append("and ").append(rest.size()).append(" more: ");
        int base = sb.length();
        for (int i = 0; i < rest.size(); i++) {
            String reason = rest.get(i).violation().reason();
            String separator = sb.length() == base ? "" : ", ";
            boolean last = i == rest.size() - 1;
            // Keep room for ", …" unless this is the last reason.
            int room = TARGET_LENGTH - (last ? 0 : 3);
            if (sb.length() + separator.length() + reason.length() > room && sb.length() > base) {
                sb.append(", ").append(ELLIPSIS);
                return sb.toString();
            }
            sb.append(separator).append(reason);
        }
        return cut(sb.toString(), MAX_LENGTH);
    }

    private static String keepNames(String detail, List<List<int[]>> lists, int keep) {
        StringBuilder out = new StringBuilder(detail.length());
        int copied = 0;
        for (List<int[]> names : lists) {
            if (names.size() <= keep) {
                continue;
            }
            out.append(detail, copied, names.get(keep - 1)[1]).append(" and ").append(names.size() - keep).append(" more");
            copied = names.getLast()[1];
        }
        return out.append(detail, copied, detail.length()).toString();
    }

    /**
     * Every run of two or more quoted names separated by {@code ", "} ({@code "a", "b\"c"}),
     * each name as its [start, end) span, quotes included. A hand-written scan, in one pass and
     * without recursion: a regex for quoted strings recurses once per character and overflows the
     * stack on a name of a few ten thousand characters (a pod author chooses such names).
     */
    static List<List<int[]>> quotedLists(String s) {
        List<List<int[]>> lists = new ArrayList<>();
        int i = s.indexOf('"');
        while (i >= 0) {
            List<int[]> names = new ArrayList<>();
            int start = i;
            int end = quotedEnd(s, start);
            if (end < 0) {
                break; // nothing after an unclosed quote can close either: the scan saw every later quote escaped
            }
            while (end > 0) {
                names.add(new int[] {start, end});
                start = end + 2;
                end = s.startsWith(", \"", names.getLast()[1]) ? quotedEnd(s, start) : -1;
            }
            if (names.size() >= 2) {
                lists.add(names);
            }
            i = s.indexOf('"', names.getLast()[1]);
        }
        return lists;
    }

    /** The index just past the string quoted at {@code open} (backslash escapes), or -1 when it is not closed. */
    private static int quotedEnd(String s, int open) {
        for (int k = open + 1; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == '\\') {
                k++;
            } else if (c == '"') {
                return k + 1;
            }
        }
        return -1;
    }

    private static String prefix(LevelVersion level) {
        return "would violate PodSecurity \"" + level + "\": ";
    }

    private static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = max - ELLIPSIS.length();
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + ELLIPSIS;
    }

    private record Item(LevelVersion level, Violation violation) {
    }
}

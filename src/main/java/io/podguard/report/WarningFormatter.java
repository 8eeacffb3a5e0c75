package io.podguard.report;

import io.podguard.engine.LevelVersion;
import io.podguard.engine.Violation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** A quoted list of two or more names: {@code "a", "b", "c"}. */
    private static final Pattern QUOTED_LIST = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"(?:, \"(?:[^\"\\\\]|\\\\.)*\")+");
    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
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

    /** {@code would violate PodSecurity "restricted:latest": reason (detail)}, fitted to the limits. */
    static String one(LevelVersion level, Violation violation) {
        String prefix = prefix(level) + violation.reason();
        String detail = violation.detail() == null ? "" : violation.detail();
        if (detail.isEmpty()) {
            return cut(prefix, MAX_LENGTH);
        }
        List<String> variants = shortenedDetails(detail);
        String longestUnderMax = null;
        for (String d : variants) {
            String candidate = prefix + " (" + d + ")";
            if (candidate.length() <= TARGET_LENGTH) {
                return candidate;
            }
            if (longestUnderMax == null && candidate.length() <= MAX_LENGTH) {
                longestUnderMax = candidate;
            }
        }
        if (longestUnderMax != null) {
            return longestUnderMax;
        }
        return cut(prefix + " (" + variants.getLast() + ")", MAX_LENGTH);
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

    /**
     * The detail as sent, then with every quoted list of names cut to fewer and fewer names
     * (at least one), {@code "a", "b", "c"} → {@code "a", "b" and 1 more} → {@code "a" and 2 more}.
     */
    static List<String> shortenedDetails(String detail) {
        List<String> variants = new ArrayList<>();
        variants.add(detail);
        int longest = 0;
        Matcher m = QUOTED_LIST.matcher(detail);
        while (m.find()) {
            longest = Math.max(longest, count(m.group()));
        }
        for (int keep = longest - 1; keep >= 1; keep--) {
            variants.add(keepNames(detail, keep));
        }
        return variants;
    }

    private static String keepNames(String detail, int keep) {
        Matcher m = QUOTED_LIST.matcher(detail);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            List<String> names = new ArrayList<>();
            Matcher q = QUOTED.matcher(m.group());
            while (q.find()) {
                names.add(q.group());
            }
            String replacement = names.size() <= keep ? m.group()
                    : String.join(", ", names.subList(0, keep)) + " and " + (names.size() - keep) + " more";
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static int count(String list) {
        Matcher q = QUOTED.matcher(list);
        int n = 0;
        while (q.find()) {
            n++;
        }
        return n;
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

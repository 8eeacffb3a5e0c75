package io.podguard.engine;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Pod Security Standards version: {@code v1.N} or {@code latest}. Latest compares above
 * every numbered version, like PSA's {@code api.LatestVersion()}.
 */
public record PssVersion(int major, long minor) implements Comparable<PssVersion> {

    /** The newest numbered version podguard knows; {@code latest} judges by these rules. */
    public static final int NEWEST_MINOR = 37;

    public static final PssVersion LATEST = new PssVersion(Integer.MAX_VALUE, Long.MAX_VALUE);

    private static final Pattern FORMAT = Pattern.compile("v1\\.(0|[1-9][0-9]*)");

    public static PssVersion of(long minor) {
        return new PssVersion(1, minor);
    }

    public static PssVersion parse(String value) {
        if ("latest".equals(value)) {
            return LATEST;
        }
        Matcher m = value == null ? null : FORMAT.matcher(value);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("\"" + value + "\" is not latest or v1.0 … v1." + NEWEST_MINOR);
        }
        // A version newer than podguard knows is judged by the latest rules, but keeps its name in
        // messages, as PSA does; PSA reads the number as a Go int (64 bits): past that it is no version.
        try {
            return of(Long.parseLong(m.group(1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + value + "\" is not latest or v1.0 … v1." + NEWEST_MINOR);
        }
    }

    public boolean isLatest() {
        return this.equals(LATEST);
    }

    @Override
    public int compareTo(PssVersion o) {
        int c = Integer.compare(major, o.major);
        return c != 0 ? c : Long.compare(minor, o.minor);
    }

    public boolean isAtLeast(PssVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public String toString() {
        return isLatest() ? "latest" : "v" + major + "." + minor;
    }
}

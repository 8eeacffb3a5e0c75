package io.podguard.engine.defaults;

import java.util.ArrayList;
import java.util.List;

/**
 * How {@code defaults.mode: audit} tells what it would set, instead of setting it: warnings for
 * the client and one audit annotation for the audit log.
 */
public final class DefaultsReport {

    /** The audit annotation's key (the apiserver prefixes the webhook's name). */
    public static final String AUDIT_ANNOTATION = "defaults-would-apply";
    public static final String WARNING_PREFIX = "podguard would set: ";
    /** kubectl shows warnings one per line; the apiserver truncates beyond 256 characters. */
    static final int MAX_WARNING_LENGTH = 120;

    private DefaultsReport() {
    }

    /**
     * {@code podguard would set: resources (container app), readinessProbe (container app)}, split
     * into as many warnings as keep each within 120 characters (an entry longer than that alone
     * gets a warning of its own).
     */
    public static List<String> warnings(List<AppliedDefault> applied) {
        List<String> warnings = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (AppliedDefault a : applied) {
            String entry = a.entry();
            if (!line.isEmpty() && line.length() + 2 + entry.length() > MAX_WARNING_LENGTH) {
                warnings.add(line.toString());
                line.setLength(0);
            }
            line.append(line.isEmpty() ? WARNING_PREFIX : ", ").append(entry);
        }
        if (!line.isEmpty()) {
            warnings.add(line.toString());
        }
        return warnings;
    }

    /** Every entry, comma-separated, as the {@code podguard.io/defaults} annotation would say. */
    public static String summary(List<AppliedDefault> applied) {
        StringBuilder sb = new StringBuilder();
        for (AppliedDefault a : applied) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(a.entry());
        }
        return sb.toString();
    }
}

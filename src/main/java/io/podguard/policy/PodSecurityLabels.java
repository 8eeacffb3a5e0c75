package io.podguard.policy;

import io.podguard.engine.Level;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.PssVersion;
import io.podguard.engine.Text;
import io.podguard.engine.pss.Messages;
import io.podguard.engine.pss.PodSecurityLevels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Pod Security Admission's namespace labels, read exactly as PSA reads them
 * ({@code PolicyToEvaluate} in k8s.io/pod-security-admission/api): each of
 * {@code pod-security.kubernetes.io/enforce}, {@code audit}, {@code warn} and their
 * {@code -version} labels replaces that part of the defaults; a level that cannot be read is
 * {@code restricted} for enforce and {@code privileged} for audit and warn (PSA fails closed for
 * enforcement, open for the others), a version that cannot be read is {@code latest}; and when
 * the enforce label sets a level stricter than warn's and no warn label is given, warn follows
 * enforce (its version too, unless a warn-version label is given).
 *
 * <p>Written by hand: PSA's rules are a few lines of Go with no Java counterpart.
 * {@code PodSecurityLabelsUpstreamTest} compares them with PSA's own code, run.
 *
 * <p>A mode the defaults leave off (null: podguard judges nothing there) reads as PSA's
 * {@code privileged} at the defaults' version; a label that names only its version keeps it so.
 */
public final class PodSecurityLabels {

    public static final String PREFIX = "pod-security.kubernetes.io/";
    public static final String ENFORCE = PREFIX + "enforce";
    public static final String ENFORCE_VERSION = PREFIX + "enforce-version";
    public static final String AUDIT = PREFIX + "audit";
    public static final String AUDIT_VERSION = PREFIX + "audit-version";
    public static final String WARN = PREFIX + "warn";
    public static final String WARN_VERSION = PREFIX + "warn-version";

    private static final int MAX_VALUE_SHOWN = 63;

    private static final List<String> ALL = List.of(ENFORCE, ENFORCE_VERSION, AUDIT, AUDIT_VERSION, WARN, WARN_VERSION);

    private PodSecurityLabels() {
    }

    /** Whether {@code labels} carry any of PSA's labels. */
    public static boolean present(@Nullable Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return false;
        }
        for (String key : ALL) {
            if (labels.containsKey(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The levels in force in a namespace with {@code labels}, {@code defaults} being the policy's;
     * {@code defaults} itself when no PSA label is set. Labels that cannot be read are in
     * {@link PodSecurityLevels#labelErrors()}, in PSA's words.
     */
    public static PodSecurityLevels apply(Map<String, String> labels, PodSecurityLevels defaults) {
        if (!present(labels)) {
            return defaults;
        }
        PssVersion base = defaults.shortForm().version();
        LevelVersion enforce = orPrivileged(defaults.enforce(), base);
        LevelVersion audit = orPrivileged(defaults.audit(), base);
        LevelVersion warn = orPrivileged(defaults.warn(), base);
        boolean setEnforce = false;
        boolean setAudit = false;
        boolean setWarn = false;
        boolean enforceLevelRead = false;
        List<String> errors = new ArrayList<>(0);

        String value = labels.get(ENFORCE);
        if (value != null) {
            Level level = level(value, ENFORCE, errors);
            enforceLevelRead = level != null; // a level that cannot be read does not raise warn
            enforce = new LevelVersion(level != null ? level : Level.RESTRICTED, enforce.version());
            setEnforce = true;
        }
        value = labels.get(ENFORCE_VERSION);
        if (value != null) {
            enforce = new LevelVersion(enforce.level(), version(value, ENFORCE_VERSION, errors));
            setEnforce = true;
        }
        value = labels.get(AUDIT);
        if (value != null) {
            Level level = level(value, AUDIT, errors);
            audit = new LevelVersion(level != null ? level : Level.PRIVILEGED, audit.version());
            setAudit = true;
        }
        value = labels.get(AUDIT_VERSION);
        if (value != null) {
            audit = new LevelVersion(audit.level(), version(value, AUDIT_VERSION, errors));
            setAudit = true;
        }
        boolean warnLevelLabel = false;
        boolean warnVersionLabel = false;
        value = labels.get(WARN);
        if (value != null) {
            warnLevelLabel = true;
            Level level = level(value, WARN, errors);
            warn = new LevelVersion(level != null ? level : Level.PRIVILEGED, warn.version());
            setWarn = true;
        }
        value = labels.get(WARN_VERSION);
        if (value != null) {
            warnVersionLabel = true;
            warn = new LevelVersion(warn.level(), version(value, WARN_VERSION, errors));
            setWarn = true;
        }
        // PSA: warn defaults to the enforce level when a label sets enforce to a stricter one.
        if (!warnLevelLabel && enforceLevelRead && enforce.level().compareTo(warn.level()) > 0) {
            warn = new LevelVersion(enforce.level(), warnVersionLabel ? warn.version() : enforce.version());
            setWarn = true;
        }
        return new PodSecurityLevels(
                setEnforce ? enforce : defaults.enforce(),
                setAudit ? audit : defaults.audit(),
                setWarn ? warn : defaults.warn(),
                defaults.shortForm(), errors);
    }

    private static LevelVersion orPrivileged(@Nullable LevelVersion lv, PssVersion version) {
        return lv != null ? lv : new LevelVersion(Level.PRIVILEGED, version);
    }

    private static @Nullable Level level(String value, String label, List<String> errors) {
        try {
            return Level.parse(value);
        } catch (IllegalArgumentException e) {
            errors.add(invalid(label, value, "must be one of privileged, baseline, restricted"));
            return null;
        }
    }

    private static PssVersion version(String value, String label, List<String> errors) {
        try {
            return PssVersion.parse(value);
        } catch (IllegalArgumentException e) {
            errors.add(invalid(label, value, "must be \"latest\" or \"v1.x\""));
            return PssVersion.LATEST;
        }
    }

    /**
     * A Kubernetes field error, as {@code field.Invalid(...).Error()} prints it. The apiserver keeps
     * label values to 63 characters; a longer one (never from a real cluster) is cut, so that no
     * input makes an audit annotation of unbounded size.
     */
    private static String invalid(String label, String value, String detail) {
        String shown = Text.cut(value, MAX_VALUE_SHOWN);
        return "metadata.labels[" + label + "]: Invalid value: " + Messages.goQuote(shown) + ": " + detail;
    }
}

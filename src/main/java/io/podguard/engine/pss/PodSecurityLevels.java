package io.podguard.engine.pss;

import io.podguard.engine.LevelVersion;
import io.podguard.engine.Mode;
import io.podguard.engine.RuleSet;
import io.podguard.engine.RuleKind;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The Pod Security Standards levels in force, per mode (null: that mode is off), PSA-style:
 * enforce baseline while auditing and warning on restricted, say.
 *
 * @param shortForm the level of the policy's short form, which a namespace's
 *     {@code podguard.io/mode: enforce} label enforces when the policy enforces nothing
 * @param labelErrors the namespace's Pod Security Admission labels that could not be read, in
 *     PSA's words ({@code metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: …}):
 *     recorded on each judged object as PSA records them; empty when there are none
 */
public record PodSecurityLevels(@Nullable LevelVersion enforce, @Nullable LevelVersion audit, @Nullable LevelVersion warn,
                                LevelVersion shortForm, List<String> labelErrors) implements RuleSet {

    public PodSecurityLevels {
        labelErrors = List.copyOf(labelErrors);
    }

    public PodSecurityLevels(@Nullable LevelVersion enforce, @Nullable LevelVersion audit, @Nullable LevelVersion warn,
                             LevelVersion shortForm) {
        this(enforce, audit, warn, shortForm, List.of());
    }

    @Override
    public RuleKind<?> kind() {
        return PodSecurityKind.INSTANCE;
    }

    public @Nullable LevelVersion level(Mode mode) {
        return switch (mode) {
            case ENFORCE -> enforce;
            case AUDIT -> audit;
            case WARN -> warn;
        };
    }

    @Override
    public Set<Mode> modes() {
        Set<Mode> modes = EnumSet.noneOf(Mode.class);
        for (Mode m : Mode.values()) {
            if (level(m) != null) {
                modes.add(m);
            }
        }
        return modes;
    }

    /** {@code audit} and {@code warn} take over what enforce judged, at the stricter level; {@code enforce} enforces the short form. */
    @Override
    public PodSecurityLevels withMode(Mode mode) {
        return switch (mode) {
            case ENFORCE -> new PodSecurityLevels(enforce != null ? enforce : shortForm, audit, warn, shortForm, labelErrors);
            case AUDIT -> new PodSecurityLevels(null, LevelVersion.stricter(audit, enforce), warn, shortForm, labelErrors);
            case WARN -> new PodSecurityLevels(null, audit, LevelVersion.stricter(warn, enforce), shortForm, labelErrors);
        };
    }

    /** Enforcement as it is, or, when nothing is enforced, the stricter of the audit and warn levels. */
    @Override
    public PodSecurityLevels enforcing() {
        if (enforce != null) {
            return this;
        }
        return new PodSecurityLevels(LevelVersion.stricter(audit, warn), audit, warn, shortForm, labelErrors);
    }
}

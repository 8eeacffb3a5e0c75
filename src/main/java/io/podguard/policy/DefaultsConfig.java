package io.podguard.policy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The {@code defaults} section of a policy: what /mutate fills in.
 *
 * @param enabled false: /mutate returns no patch
 * @param mode apply: patch the pod; audit: no patch, only say what would be set
 */
public record DefaultsConfig(@Nullable Boolean enabled, @Nullable DefaultsMode mode) {

    public static final DefaultsConfig DEFAULT = new DefaultsConfig(true, DefaultsMode.APPLY);

    public DefaultsConfig {
        enabled = enabled == null ? Boolean.TRUE : enabled;
        mode = mode == null ? DefaultsMode.APPLY : mode;
    }

    public boolean isEnabled() {
        return Boolean.TRUE.equals(enabled);
    }

    public enum DefaultsMode {
        APPLY, AUDIT;

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static DefaultsMode parse(String value) {
            for (DefaultsMode m : values()) {
                if (m.id().equals(value)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("\"" + value + "\" is not one of apply, audit");
        }
    }
}

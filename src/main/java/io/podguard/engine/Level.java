package io.podguard.engine;

import java.util.Locale;

/** A Pod Security Standards level, ordered from least to most restrictive. */
public enum Level {
    PRIVILEGED, BASELINE, RESTRICTED;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Level parse(String value) {
        for (Level level : values()) {
            if (level.id().equals(value)) {
                return level;
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" is not one of privileged, baseline, restricted");
    }

    @Override
    public String toString() {
        return id();
    }
}

package io.podguard.engine;

import org.jspecify.annotations.Nullable;

/** A level at a version, printed as PSA prints it: {@code restricted:v1.30}. */
public record LevelVersion(Level level, PssVersion version) {

    public static LevelVersion parse(String level, String version) {
        return new LevelVersion(Level.parse(level), PssVersion.parse(version == null ? "latest" : version));
    }

    /**
     * The stricter of two: the higher level; at the same level the newer version (a newer
     * version only adds rules). Null only when both are.
     */
    public static @Nullable LevelVersion stricter(@Nullable LevelVersion a, @Nullable LevelVersion b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        int c = a.level().compareTo(b.level());
        if (c != 0) {
            return c > 0 ? a : b;
        }
        return a.version().compareTo(b.version()) >= 0 ? a : b;
    }

    @Override
    public String toString() {
        return level.id() + ":" + version;
    }
}

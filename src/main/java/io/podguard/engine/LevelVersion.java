package io.podguard.engine;

/** A level at a version, printed as PSA prints it: {@code restricted:v1.30}. */
public record LevelVersion(Level level, PssVersion version) {

    public static LevelVersion parse(String level, String version) {
        return new LevelVersion(Level.parse(level), PssVersion.parse(version == null ? "latest" : version));
    }

    @Override
    public String toString() {
        return level.id() + ":" + version;
    }
}

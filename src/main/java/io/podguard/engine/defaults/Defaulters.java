package io.podguard.engine.defaults;

import java.util.List;

/** The registry of every defaulter, in the order they run. One line per defaulter. */
public final class Defaulters {

    private Defaulters() {
    }

    public static List<Defaulter> all() {
        return List.of();
    }
}

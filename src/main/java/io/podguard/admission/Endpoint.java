package io.podguard.admission;

import java.util.Locale;

/** The two webhook paths. */
public enum Endpoint {
    MUTATE, VALIDATE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Endpoint parse(String value) {
        for (Endpoint e : values()) {
            if (e.id().equals(value)) {
                return e;
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" is not one of mutate, validate");
    }
}

package io.podguard.engine;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a violation does: enforce denies, audit records, warn tells the client. */
public enum Mode {
    ENFORCE, AUDIT, WARN;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Mode parse(String value) {
        for (Mode m : values()) {
            if (m.id().equals(value)) {
                return m;
            }
        }
        throw new IllegalArgumentException("\"" + value + "\" is not one of enforce, audit, warn");
    }
}

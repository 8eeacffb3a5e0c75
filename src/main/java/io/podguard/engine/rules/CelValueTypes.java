package io.podguard.engine.rules;

import java.util.Collection;
import java.util.Map;

/** The CEL type name of a runtime value, as cel-go prints it in its errors ({@code int}, {@code list}, {@code map} …). */
final class CelValueTypes {

    private CelValueTypes() {
    }

    static String name(Object value) {
        return switch (value) {
            case null -> "null_type";
            case dev.cel.common.values.NullValue n -> "null_type";
            case Boolean b -> "bool";
            case Long l -> "int";
            case com.google.common.primitives.UnsignedLong u -> "uint";
            case Double d -> "double";
            case String s -> "string";
            case dev.cel.common.values.CelByteString b -> "bytes";
            case Collection<?> c -> "list";
            case Map<?, ?> m -> "map";
            case java.util.Optional<?> o -> "optional_type";
            case java.time.Instant t -> "google.protobuf.Timestamp";
            case java.time.Duration d -> "google.protobuf.Duration";
            case com.google.protobuf.Timestamp t -> "google.protobuf.Timestamp";
            case com.google.protobuf.Duration d -> "google.protobuf.Duration";
            default -> value.getClass().getSimpleName();
        };
    }
}

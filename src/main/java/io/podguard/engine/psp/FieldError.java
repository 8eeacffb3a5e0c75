package io.podguard.engine.psp;

import org.jspecify.annotations.Nullable;

/**
 * One PodSecurityPolicy error, rendered as Kubernetes' {@code field.Error} renders itself, so
 * that messages read exactly as the old admission plugin's:
 * {@code spec.containers[0].securityContext.privileged: Invalid value: true: Privileged containers are not allowed}.
 *
 * @param rule the podguard rule id of the PSP field that was broken ({@code psp.privileged})
 * @param type Invalid, Required or Forbidden
 * @param field the field path, as upstream words it ({@code spec.volumes[0]}, {@code pod.metadata.annotations[…]})
 * @param value the bad value already rendered in Go's notation ({@code true}, {@code "hostPath"}, {@code null}); null for Required and Forbidden
 * @param detail upstream's detail text; may be empty
 */
public record FieldError(String rule, Type type, String field, @Nullable String value, String detail) {

    /** The kinds of {@code field.Error} the PSP provider produces. */
    public enum Type {
        INVALID("Invalid value"), REQUIRED("Required value"), FORBIDDEN("Forbidden");

        private final String text;

        Type(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    static FieldError invalid(String rule, String field, String value, String detail) {
        return new FieldError(rule, Type.INVALID, field, value, detail);
    }

    static FieldError required(String rule, String field, String detail) {
        return new FieldError(rule, Type.REQUIRED, field, null, detail);
    }

    static FieldError forbidden(String rule, String field, String detail) {
        return new FieldError(rule, Type.FORBIDDEN, field, null, detail);
    }

    /** The same error with {@code prefix} ({@code spec.template.}) before a {@code spec…} path: for workload templates. */
    FieldError under(String prefix) {
        if (prefix.isEmpty() || !field.startsWith("spec")) {
            return this;
        }
        return new FieldError(rule, type, prefix + field, value, detail);
    }

    /** {@code field.ErrorBody()}: the text after the path. */
    public String body() {
        String s = type == Type.INVALID ? type.text + ": " + value : type.text;
        return detail.isEmpty() ? s : s + ": " + detail;
    }

    /** {@code field.Error.Error()}: {@code path: body}. */
    @Override
    public String toString() {
        return field + ": " + body();
    }
}

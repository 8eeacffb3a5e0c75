package io.podguard.engine.placement;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Kubernetes' syntax for label keys and values ({@code IsQualifiedName}, {@code IsValidLabelValue}
 * of apimachinery's validation package). Written here because no Java library carries these
 * rules; the patterns and limits are apimachinery's.
 */
public final class LabelSyntax {

    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final int NAME_MAX = 63;
    private static final int PREFIX_MAX = 253;

    private LabelSyntax() {
    }

    /** Why {@code key} is not a label key ({@code [prefix/]name}), or null when it is one. */
    public static @Nullable String keyError(String key) {
        String[] parts = key.split("/", -1);
        String name;
        if (parts.length == 1) {
            name = parts[0];
        } else if (parts.length == 2) {
            String prefix = parts[0];
            name = parts[1];
            if (prefix.isEmpty()) {
                return "the prefix before / is empty";
            }
            if (prefix.length() > PREFIX_MAX || !DNS1123_SUBDOMAIN.matcher(prefix).matches()) {
                return "the prefix must be a DNS subdomain (lower case letters, digits, '-' and '.', at most 253 characters)";
            }
        } else {
            return "a label key has at most one '/'";
        }
        if (name.isEmpty()) {
            return "the name part is empty";
        }
        if (name.length() > NAME_MAX) {
            return "the name part is longer than 63 characters";
        }
        if (!NAME.matcher(name).matches()) {
            return "the name part must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit";
        }
        return null;
    }

    /** Why {@code value} is not a label value, or null when it is one (the empty value is one). */
    public static @Nullable String valueError(String value) {
        if (value.length() > NAME_MAX) {
            return "a label value is at most 63 characters";
        }
        if (!value.isEmpty() && !NAME.matcher(value).matches()) {
            return "a label value must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit";
        }
        return null;
    }
}

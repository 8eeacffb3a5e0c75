package io.podguard.engine.psp;

import io.podguard.engine.Text;
import io.fabric8.kubernetes.api.model.SELinuxOptions;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * PSP's {@code seLinux} strategies: MustRunAs sets the policy's options where none are and
 * requires them to match (levels compared with categories in any order); RunAsAny.
 */
final class SeLinuxStrategy {

    private final @Nullable SELinuxOptions required;

    /** @param required the MustRunAs options; null for RunAsAny */
    SeLinuxStrategy(@Nullable SELinuxOptions required) {
        this.required = required;
    }

    boolean mustRunAs() {
        return required != null;
    }

    @Nullable SELinuxOptions required() {
        return required;
    }

    /** The options to set where none are, as JSON; null for RunAsAny. */
    @Nullable ObjectNode generate(ObjectNode parent, String field) {
        if (required == null) {
            return null;
        }
        ObjectNode o = parent.putObject(field);
        putIfSet(o, "level", required.getLevel());
        putIfSet(o, "role", required.getRole());
        putIfSet(o, "type", required.getType());
        putIfSet(o, "user", required.getUser());
        return o;
    }

    void validate(String path, @Nullable JsonNode options, List<FieldError> errors) {
        if (required == null) {
            return;
        }
        if (options == null) {
            errors.add(FieldError.required(PspRules.SE_LINUX, path, ""));
            return;
        }
        String level = Text.orEmpty(PodJson.text(options, "level"));
        String role = Text.orEmpty(PodJson.text(options, "role"));
        String type = Text.orEmpty(PodJson.text(options, "type"));
        String user = Text.orEmpty(PodJson.text(options, "user"));
        if (!equalLevels(Text.orEmpty(required.getLevel()), level)) {
            errors.add(mismatch(path + ".level", level, required.getLevel()));
        }
        if (!role.equals(Text.orEmpty(required.getRole()))) {
            errors.add(mismatch(path + ".role", role, required.getRole()));
        }
        if (!type.equals(Text.orEmpty(required.getType()))) {
            errors.add(mismatch(path + ".type", type, required.getType()));
        }
        if (!user.equals(Text.orEmpty(required.getUser()))) {
            errors.add(mismatch(path + ".user", user, required.getUser()));
        }
    }

    private static FieldError mismatch(String path, String actual, @Nullable String wanted) {
        return FieldError.invalid(PspRules.SE_LINUX, path, GoFormat.quote(actual), "must be " + Text.orEmpty(wanted));
    }

    /** {@code s0:c6,c0} equals {@code s0:c0,c6}: same sensitivity, same categories in any order. */
    static boolean equalLevels(String expected, String actual) {
        if (expected.equals(actual)) {
            return true;
        }
        String[] e = expected.split(":", 2);
        String[] a = actual.split(":", 2);
        if (e.length != 2 || a.length != 2 || !e[0].equals(a[0])) {
            return false;
        }
        String[] ec = e[1].split(",", -1);
        String[] ac = a[1].split(",", -1);
        Arrays.sort(ec);
        Arrays.sort(ac);
        return Arrays.equals(ec, ac);
    }

    private static void putIfSet(ObjectNode o, String field, @Nullable String value) {
        if (value != null && !value.isEmpty()) {
            o.put(field, value);
        }
    }

}

package io.podguard.engine.pss;

import java.util.List;

/**
 * What one check says of one pod, in PSA's terms.
 *
 * @param allowed whether the pod passes
 * @param reason short stable reason ({@code privileged}); empty when allowed
 * @param detail which containers or fields, and what they must not set; may be empty
 * @param paths the offending field paths, first one first ({@code spec.containers[0].securityContext.privileged})
 */
public record CheckResult(boolean allowed, String reason, String detail, List<String> paths) {

    public static final CheckResult ALLOWED = new CheckResult(true, "", "", List.of());

    public static CheckResult forbidden(String reason, String detail, List<String> paths) {
        return new CheckResult(false, reason, detail, List.copyOf(paths));
    }
}

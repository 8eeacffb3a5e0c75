package io.podguard.policy;

import io.podguard.engine.Text;
import java.time.LocalDate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A documented hole in the policy. The request matchers ({@code namespaces}, {@code usernames},
 * {@code groups}, {@code serviceAccounts}, {@code runtimeClassNames}) must all match when given
 * (each is a list of globs, any of which may match). With neither {@code checks} nor
 * {@code images}, a matching request is not evaluated at all; with {@code checks}, only those
 * checks are skipped; with {@code images}, the containers whose image matches are left out of
 * the evaluation (of {@code checks} if given, else of every check).
 *
 * @param reason why: recorded in the {@code exempt} audit annotation
 * @param expires the last day (UTC) the exemption applies; null: no end
 * @param serviceAccounts the pod's service account as {@code NAMESPACE:NAME}
 */
public record Exemption(
        @Nullable String reason,
        @Nullable LocalDate expires,
        @Nullable List<String> namespaces,
        @Nullable List<String> usernames,
        @Nullable List<String> groups,
        @Nullable List<String> serviceAccounts,
        @Nullable List<String> runtimeClassNames,
        @Nullable List<String> checks,
        @Nullable List<String> images) {

    public Exemption {
        reason = reason == null ? "" : reason;
        namespaces = List.copyOf(Text.orEmpty(namespaces));
        usernames = List.copyOf(Text.orEmpty(usernames));
        groups = List.copyOf(Text.orEmpty(groups));
        serviceAccounts = List.copyOf(Text.orEmpty(serviceAccounts));
        runtimeClassNames = List.copyOf(Text.orEmpty(runtimeClassNames));
        checks = List.copyOf(Text.orEmpty(checks));
        images = List.copyOf(Text.orEmpty(images));
    }

    /** True once {@code today} is past {@link #expires()}. */
    public boolean isExpired(LocalDate today) {
        return expires != null && today.isAfter(expires);
    }

    /**
     * What kind of exemption this is, for the {@code kind} label of
     * {@code podguard_exemptions_applied_total}: its first request matcher, else image, else check.
     */
    public String kind() {
        if (!namespaces.isEmpty()) {
            return "namespace";
        }
        if (!usernames.isEmpty()) {
            return "username";
        }
        if (!groups.isEmpty()) {
            return "group";
        }
        if (!serviceAccounts.isEmpty()) {
            return "serviceAccount";
        }
        if (!runtimeClassNames.isEmpty()) {
            return "runtimeClassName";
        }
        return images.isEmpty() ? "check" : "image";
    }

}

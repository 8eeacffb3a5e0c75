package io.podguard.policy;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** Who asks, and where: what exemptions and namespace overrides match on. */
public record RequestInfo(@Nullable String namespace, @Nullable String username, List<String> groups) {

    public static RequestInfo offline(@Nullable String namespace) {
        return new RequestInfo(namespace, null, List.of());
    }
}

package io.podguard.engine;

import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * An exemption of the policy that matched a request (its namespace, user, service account,
 * runtime class …), as the engine applies it. With neither {@code rules} nor {@code images} it
 * exempts the whole request: nothing is judged. Otherwise it leaves {@code images}' containers
 * out of the judgement of {@code rules} (every rule when empty), or, without images, drops
 * those rules' violations for the whole pod.
 *
 * @param index its position in the policy's {@code exemptions}
 * @param reason why it exists, as the policy says: recorded wherever it made a difference
 * @param kind what it matches on first, for metrics: namespace, username, group, serviceAccount,
 *     runtimeClassName, image or check
 * @param rules the rule ids it covers; empty: every rule
 * @param images the containers it leaves out, by image; null: none (the rules are dropped for the whole pod)
 */
public record MatchedExemption(int index, String reason, String kind, Set<String> rules, @Nullable Predicate<String> images) {

    public MatchedExemption {
        rules = Set.copyOf(rules);
    }

    /** Nothing is judged for a request this exemption matches. */
    public boolean wholeRequest() {
        return rules.isEmpty() && images == null;
    }

    public boolean covers(String ruleId) {
        return rules.isEmpty() || rules.contains(ruleId);
    }

    /** Whether it leaves out a container running {@code image}. */
    public boolean leavesOut(@Nullable String image) {
        return images != null && image != null && images.test(image);
    }
}

package io.podguard.engine.psp;

import io.fabric8.kubernetes.api.model.policy.v1beta1.HostPortRange;
import io.fabric8.kubernetes.api.model.policy.v1beta1.IDRange;
import io.podguard.engine.pss.Messages;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Renders values as Go's {@code fmt} does in the PSP provider's messages ({@code %q},
 * {@code %#v} of slices, {@code %v} of ID ranges), so podguard's errors match upstream's text.
 */
final class GoFormat {

    private GoFormat() {
    }

    /** Go's {@code %q} (strconv.Quote): the one Go quoting of podguard, {@link Messages#goQuote}, which cuts long values. */
    static String quote(@Nullable String s) {
        return Messages.goQuote(s == null ? "" : s);
    }

    /** {@code %#v} of a {@code []int64}: {@code []int64{1, 2}}, {@code []int64{}} or {@code []int64(nil)}. */
    static String int64s(@Nullable List<Long> values) {
        if (values == null) {
            return "[]int64(nil)";
        }
        return values.stream().map(String::valueOf).collect(Collectors.joining(", ", "[]int64{", "}"));
    }

    /** {@code %#v} of a {@code []core.Capability}. */
    static String capabilities(@Nullable List<String> values) {
        if (values == null) {
            return "[]core.Capability(nil)";
        }
        return values.stream().map(GoFormat::quote).collect(Collectors.joining(", ", "[]core.Capability{", "}"));
    }

    /** {@code %v} of {@code []policy.IDRange}: {@code [{1 10} {20 30}]}. */
    static String ranges(List<IDRange> ranges) {
        return ranges.stream().map(r -> "{" + r.getMin() + " " + r.getMax() + "}")
                .collect(Collectors.joining(" ", "[", "]"));
    }

    /** Upstream's {@code hostPortRangesToString}: {@code 80,8000-8080}. */
    static String hostPortRanges(@Nullable List<HostPortRange> ranges) {
        if (ranges == null) {
            return "";
        }
        return ranges.stream()
                .map(r -> r.getMin().equals(r.getMax()) ? String.valueOf(r.getMin()) : r.getMin() + "-" + r.getMax())
                .collect(Collectors.joining(","));
    }

    /** {@code %v} of a {@code []string}: {@code [a b]}. */
    static String strings(List<String> values) {
        return String.join(" ", values).transform(s -> "[" + s + "]");
    }
}

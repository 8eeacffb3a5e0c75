package io.podguard.engine.defaults;

import io.podguard.engine.ContainerRef;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code preStop}: {@code lifecycle.preStop.sleep.seconds} on containers and sidecar init
 * containers without a preStop hook (plain init and ephemeral containers may not have one). The
 * native sleep action needs no shell, so distroless images get it too, and gives endpoints and
 * load balancers time to stop routing to the pod before the application gets SIGTERM.
 *
 * <p>The sleep counts against the pod's grace period. When the pod sets
 * {@code terminationGracePeriodSeconds} and a hook is added, the sleep is added to it once
 * (10 → 15), so the application keeps the shutdown window it asked for. Once: a later review
 * (reinvocation after another webhook added a sidecar) sees the
 * {@code preStop (terminationGracePeriodSeconds …)} entry in {@code podguard.io/defaults} and
 * does not add it again. An absent grace period stays absent (the apiserver's default of 30 s
 * applies; a real apiserver shows webhooks the defaulted 30).
 *
 * <p>The apiserver rejects a sleep longer than the grace period, so no hook is added where it
 * would not fit: a negative grace period, or, when the extension is off, a grace period (30 s
 * when absent) shorter than the sleep.
 */
final class PreStopDefaulter implements Defaulter {

    static final String ID = "preStop";
    /** The apiserver's default {@code terminationGracePeriodSeconds}. */
    static final long DEFAULT_GRACE_PERIOD_SECONDS = 30;
    static final String GRACE_PERIOD_ENTRY = "terminationGracePeriodSeconds";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean isEnabled(DefaultsConfig config) {
        return config.preStop().isEnabled();
    }

    @Override
    public void apply(DefaultingContext context) {
        if (!(context.podJson().get("spec") instanceof ObjectNode spec)) {
            return;
        }
        DefaultsConfig.PreStop config = context.config().preStop();
        int sleep = config.sleepSeconds();
        JsonNode graceNode = spec.get("terminationGracePeriodSeconds");
        Long grace = null;
        if (graceNode != null && !graceNode.isNull()) {
            if (!graceNode.isIntegralNumber() || !graceNode.canConvertToLong() || graceNode.longValue() < 0) {
                return;
            }
            grace = graceNode.longValue();
        }
        boolean extend = config.extendGracePeriod() && grace != null && grace <= Long.MAX_VALUE - sleep
                && !alreadyExtended(context);
        long effectiveGrace = grace != null ? grace : DEFAULT_GRACE_PERIOD_SECONDS;
        if (!extend && sleep > effectiveGrace) {
            return;
        }
        boolean added = false;
        for (ContainerRef ref : context.containers()) {
            if (ref.kind() != ContainerRef.Kind.CONTAINER && !ref.isSidecar()) {
                continue;
            }
            ObjectNode read = context.readContainer(ref);
            if (read == null) {
                continue;
            }
            JsonNode lifecycleNode = read.get("lifecycle");
            if (!DefaultingContext.unset(lifecycleNode, "preStop")
                    || lifecycleNode != null && !lifecycleNode.isNull() && !lifecycleNode.isObject()) {
                continue;
            }
            ObjectNode container = context.containerJson(ref);
            ObjectNode lifecycle = container == null ? null : context.object(container, "lifecycle");
            if (lifecycle == null) {
                continue;
            }
            lifecycle.putObject("preStop").putObject("sleep").put("seconds", sleep);
            context.record(ID, DefaultingContext.describe(ref));
            added = true;
        }
        if (added && extend) {
            long extended = grace + sleep;
            context.specJson().put("terminationGracePeriodSeconds", extended);
            context.record(ID, GRACE_PERIOD_ENTRY + " " + grace + " to " + extended);
        }
    }

    /** Whether an earlier review already added the sleep to the grace period. */
    private static boolean alreadyExtended(DefaultingContext context) {
        @Nullable String recorded = DefaultsAnnotations.recorded(context.pod().podMeta());
        return recorded != null && recorded.contains(ID + " (" + GRACE_PERIOD_ENTRY + " ");
    }
}

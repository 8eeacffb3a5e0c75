package io.podguard.engine.defaults;

import io.fabric8.kubernetes.api.model.Quantity;
import io.podguard.engine.ContainerRef;
import java.math.BigDecimal;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * {@code resources}: requests and limits for containers and init containers (sidecars
 * included), never for ephemeral containers, which may not set resources. Only what is unset is
 * filled, one resource name at a time, and the result always passes the apiserver's
 * {@code request <= limit} rule. For each resource the policy defaults (cpu, memory …):
 *
 * <ul>
 *   <li>neither request nor limit: the default request and the default limit, where configured;</li>
 *   <li>a request, no limit: the default limit, or the request itself when the request is larger
 *       (a 1Gi request with a 256Mi default gets a 1Gi limit) — the container keeps what it
 *       asked for and still gets a limit;</li>
 *   <li>a limit, no request: the request becomes the limit (a 64Mi limit gets a 64Mi request, never
 *       the 128Mi default). This is what the apiserver's own defaulting and LimitRanger do, so the
 *       patch states what the pod will get anyway; a default request below the limit would
 *       instead quietly lower what the scheduler reserves for it;</li>
 *   <li>both: nothing.</li>
 * </ul>
 *
 * Quantities are compared by value ({@code 1Gi} = {@code 1024Mi}); a value podguard cannot read is
 * left alone. A pod with pod-level {@code spec.resources} is left alone as a whole: container
 * defaults could push the containers' sum beyond what the pod declares.
 */
final class ResourcesDefaulter implements Defaulter {

    static final String ID = "resources";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean isEnabled(DefaultsConfig config) {
        return config.resources().isEnabled();
    }

    @Override
    public void apply(DefaultingContext context) {
        ObjectNode spec = context.specJson();
        if (spec == null || !DefaultingContext.unset(spec, "resources")) {
            return;
        }
        DefaultsConfig.Resources config = context.config().resources();
        TreeSet<String> names = new TreeSet<>(config.requests().keySet());
        names.addAll(config.limits().keySet());
        for (ContainerRef ref : context.containers()) {
            if (ref.kind() == ContainerRef.Kind.EPHEMERAL_CONTAINER) {
                continue;
            }
            ObjectNode container = context.containerJson(ref);
            if (container != null && defaultContainer(container, names, config)) {
                context.record(ID, DefaultingContext.describe(ref));
            }
        }
    }

    private static boolean defaultContainer(ObjectNode container, Iterable<String> names, DefaultsConfig.Resources config) {
        JsonNode resources = container.get("resources");
        if (resources != null && !resources.isNull() && !resources.isObject()) {
            return false;
        }
        boolean changed = false;
        for (String name : names) {
            JsonNode request = quantity(resources, "requests", name);
            JsonNode limit = quantity(resources, "limits", name);
            String defaultRequest = config.requests().get(name);
            String defaultLimit = config.limits().get(name);
            if (request != null && limit != null) {
                continue;
            }
            if (request == null && limit == null) {
                if (defaultRequest != null) {
                    changed |= put(container, "requests", name, StringNode.valueOf(defaultRequest));
                }
                if (defaultLimit != null) {
                    changed |= put(container, "limits", name, StringNode.valueOf(defaultLimit));
                }
            } else if (request != null && defaultLimit != null) {
                BigDecimal requested = amount(request);
                if (requested != null) {
                    JsonNode value = requested.compareTo(amount(defaultLimit)) > 0 ? request.deepCopy() : StringNode.valueOf(defaultLimit);
                    changed |= put(container, "limits", name, value);
                }
            } else if (limit != null && defaultRequest != null && amount(limit) != null) {
                changed |= put(container, "requests", name, limit.deepCopy());
            }
        }
        return changed;
    }

    /** {@code resources.<list>.<name>} when set (a string or a number), else null. */
    private static @Nullable JsonNode quantity(@Nullable JsonNode resources, String list, String name) {
        if (resources == null || !(resources.get(list) instanceof ObjectNode values)) {
            return null;
        }
        JsonNode value = values.get(name);
        return value == null || value.isNull() ? null : value;
    }

    private static boolean put(ObjectNode container, String list, String name, JsonNode value) {
        ObjectNode resources = DefaultingContext.object(container, "resources");
        ObjectNode values = resources == null ? null : DefaultingContext.object(resources, list);
        if (values == null) {
            return false;
        }
        values.set(name, value);
        return true;
    }

    /** The value of a quantity, or null when it is not one (the pod is then left as it is). */
    static @Nullable BigDecimal amount(JsonNode value) {
        if (!value.isString() && !value.isNumber()) {
            return null;
        }
        return amount(value.asString());
    }

    static @Nullable BigDecimal amount(String value) {
        try {
            return Quantity.getAmountInBytes(new Quantity(value));
        } catch (RuntimeException e) {
            return null;
        }
    }

}

package io.podguard.engine.defaults;

import io.podguard.engine.ContainerRef;
import io.podguard.engine.KubeQuantity;
import io.podguard.engine.resources.NamespaceResources;
import io.podguard.engine.resources.ResourceNames;
import io.podguard.engine.resources.ResourceRules;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * {@code resources}: requests and limits for containers and init containers (sidecars included),
 * never for ephemeral containers, which may not set resources. Only what is unset is filled, one
 * resource name at a time; docs/defaults.md has the full table. For each resource:
 *
 * <ul>
 *   <li>the default limit is the configured one, else (with {@code impliedByRules}) the rules'
 *       {@code max}; the default request the configured one, else the default limit or the rules'
 *       {@code min}: LimitRange's {@code SetDefaults_LimitRangeItem}, so a bare pod passes the rules;</li>
 *   <li>neither request nor limit: both defaults; a request only: the default limit, or the request
 *       itself when it is larger ({@code requestAboveDefaultLimit: raiseLimit}); a limit only: a
 *       request equal to it, as the apiserver's own defaulting does; both: nothing;</li>
 *   <li>extended resources and huge pages cannot be overcommitted: a request alone gets an equal
 *       limit, a limit alone an equal request;</li>
 *   <li>what a ResourceQuota of the namespace tracks and the container lacks is set too (the
 *       quota refuses a pod without cpu and memory it tracks, and counts nothing for a missing
 *       ephemeral-storage request);</li>
 *   <li>what podguard sets stays within the namespace's LimitRange {@code min}, {@code max} and
 *       {@code maxLimitRequestRatio}, and nothing a LimitRange defaults is set (LimitRanger runs
 *       before the webhooks and has set it);</li>
 *   <li>with pod-level {@code spec.resources}, a container limit never exceeds the pod's, and
 *       container requests are set only while their sum stays within the pod's request.</li>
 * </ul>
 *
 * A value the pod sets is never changed; a value podguard cannot read is left alone. Each
 * container's entry in {@code podguard.io/defaults} says why, where a value is not simply the
 * default: {@code resources (container app: limits.cpu for ResourceQuota compute)}.
 */
final class ResourcesDefaulter implements Defaulter {

    static final String ID = "resources";
    private static final String EPHEMERAL_STORAGE = "ephemeral-storage";
    /** What pod-level {@code spec.resources} may set. */
    private static final java.util.Set<String> POD_LEVEL = java.util.Set.of("cpu", "memory");
    /** Values for what a quota needs when the policy configures none (its own defaults). */
    private static final Map<String, String> FALLBACK_REQUESTS = DefaultsConfig.Resources.DEFAULT.requests();
    private static final Map<String, String> FALLBACK_LIMITS = DefaultsConfig.Resources.DEFAULT.limits();

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
        if (!(context.podJson().get("spec") instanceof ObjectNode spec)) {
            return;
        }
        DefaultsConfig.Resources config = context.config().resources();
        ResourceRules rules = config.impliesFromRules() ? context.resourceRules() : ResourceRules.NONE;
        NamespaceResources namespace = config.usesNamespace() ? context.namespaceResources().forPod(spec) : NamespaceResources.NONE;
        Map<String, KubeQuantity> podLimits = quantities(spec.path("resources").path("limits"));
        Map<String, KubeQuantity> podRequests = quantities(spec.path("resources").path("requests"));
        // a pod with pod-level resources is not held to container requests by its quotas (Constraints)
        boolean podLevel = !podLimits.isEmpty() || !podRequests.isEmpty();
        List<Plan> plans = new ArrayList<>(4);
        TreeSet<String> configured = null;
        for (ContainerRef ref : context.containers()) {
            if (ref.kind() == ContainerRef.Kind.EPHEMERAL_CONTAINER) {
                continue;
            }
            ObjectNode container = context.readContainer(ref);
            JsonNode resources = container == null ? null : container.get("resources");
            if (container == null || resources != null && !resources.isNull() && !resources.isObject()) {
                continue;
            }
            Plan plan = new Plan(ref, container);
            if (configured == null) {
                configured = names(config, rules, namespace);
            }
            for (String name : names(configured, resources)) {
                plan(plan, name, resources, config, rules, namespace, podLevel, podLimits);
            }
            plans.add(plan);
        }
        withinPodRequests(plans, podRequests);
        for (Plan plan : plans) {
            if (plan.write(context)) {
                context.record(ID, DefaultingContext.describe(plan.ref)
                        + (plan.notes.isEmpty() ? "" : ": " + String.join("; ", plan.notes)));
            }
        }
    }

    /** What one container gets: values by list and resource, and why, where not simply the default. */
    private static final class Plan {
        final ContainerRef ref;
        /** The container as it is before this defaulter, to read. */
        final ObjectNode container;
        /** Sized for a few resource names (cpu, memory, ephemeral-storage), not the default sixteen. */
        final Map<String, KubeQuantity> requests = new LinkedHashMap<>(4);
        final Map<String, KubeQuantity> limits = new LinkedHashMap<>(4);
        final List<String> notes = new ArrayList<>(0);

        Plan(ContainerRef ref, ObjectNode container) {
            this.ref = ref;
            this.container = container;
        }

        boolean write(DefaultingContext context) {
            if (requests.isEmpty() && limits.isEmpty()) {
                return false;
            }
            ObjectNode writable = context.containerJson(ref);
            if (writable == null) {
                return false;
            }
            boolean changed = false;
            for (Map.Entry<String, KubeQuantity> e : requests.entrySet()) {
                changed |= put(context, writable, "requests", e.getKey(), e.getValue().text());
            }
            for (Map.Entry<String, KubeQuantity> e : limits.entrySet()) {
                changed |= put(context, writable, "limits", e.getKey(), e.getValue().text());
            }
            return changed;
        }
    }

    /** Every resource name the policy, the rules and the namespace have podguard consider, sorted: the same for each container of a pod. */
    private static TreeSet<String> names(DefaultsConfig.Resources config, ResourceRules rules, NamespaceResources namespace) {
        TreeSet<String> names = new TreeSet<>(config.requests().keySet());
        names.addAll(config.limits().keySet());
        names.addAll(rules.max().keySet());
        names.addAll(rules.min().keySet());
        if (config.ephemeralStorage().isEnabled()) {
            names.add(EPHEMERAL_STORAGE);
        }
        for (NamespaceResources.Quota q : namespace.quotas()) {
            for (String r : List.of("cpu", "memory", EPHEMERAL_STORAGE)) {
                if (q.tracksRequest(r) || q.tracksLimit(r)) {
                    names.add(r);
                }
            }
        }
        for (NamespaceResources.ContainerLimits lr : namespace.limitRanges()) {
            names.addAll(lr.maxLimitRequestRatio().keySet());
        }
        return names;
    }

    /**
     * Every resource name podguard may set on this container, sorted: {@code configured}, and what
     * the container requests or limits that cannot be overcommitted (copied only then).
     */
    private static java.util.SortedSet<String> names(TreeSet<String> configured, @Nullable JsonNode resources) {
        TreeSet<String> names = configured;
        if (resources != null) {
            for (String list : LISTS) {
                for (String name : resources.path(list).propertyNames()) {
                    if (!ResourceNames.overcommitAllowed(name) && !names.contains(name)) {
                        if (names == configured) {
                            names = new TreeSet<>(configured);
                        }
                        names.add(name);
                    }
                }
            }
        }
        return names;
    }

    private static final List<String> LISTS = List.of("requests", "limits");

    private static void plan(Plan plan, String r, @Nullable JsonNode resources, DefaultsConfig.Resources config, ResourceRules rules,
                             NamespaceResources namespace, boolean podLevel, Map<String, KubeQuantity> podLimits) {
        JsonNode requestNode = value(resources, "requests", r);
        JsonNode limitNode = value(resources, "limits", r);
        KubeQuantity request = requestNode == null ? null : quantity(requestNode);
        KubeQuantity limit = limitNode == null ? null : quantity(limitNode);
        if (requestNode != null && request == null || limitNode != null && limit == null) {
            return; // a value podguard cannot read: the resource is left as it is
        }
        boolean overcommit = ResourceNames.overcommitAllowed(r);
        boolean ephemeral = r.equals(EPHEMERAL_STORAGE);
        boolean ephemeralRequest = ephemeral && (config.ephemeralStorage().isEnabled() || tracksRequest(namespace, r) && !podLevel);
        boolean ephemeralLimit = ephemeral && (config.ephemeralStorage().isEnabled() || tracksLimit(namespace, r) && !podLevel);

        KubeQuantity defaultLimit = configured(config.limits().get(r));
        if (defaultLimit == null && ephemeralLimit) {
            defaultLimit = configured(config.ephemeralStorage().limit());
        }
        if (defaultLimit == null) {
            defaultLimit = rules.max().get(r);
        }
        KubeQuantity defaultRequest = configured(config.requests().get(r));
        if (defaultRequest == null && ephemeralRequest) {
            defaultRequest = configured(config.ephemeralStorage().request());
        }
        if (defaultRequest == null && config.impliesFromRules()) {
            defaultRequest = defaultLimit != null ? defaultLimit : rules.min().get(r);
        }
        // LimitRanger ran before the webhooks: what a LimitRange defaults is already set, never by podguard
        for (NamespaceResources.ContainerLimits lr : namespace.limitRanges()) {
            if (lr.defaultLimit().containsKey(r)) {
                defaultLimit = null;
            }
            if (lr.defaultRequest().containsKey(r)) {
                defaultRequest = null;
            }
        }

        KubeQuantity newRequest = null;
        KubeQuantity newLimit = null;
        if (request == null && limit == null) {
            newRequest = defaultRequest;
            newLimit = defaultLimit;
            if (ephemeral && !config.ephemeralStorage().isEnabled()) {
                // off by default, set because a quota counts it: say which
                if (newRequest != null && ephemeralRequest) {
                    plan.notes.add("requests." + r + " for ResourceQuota " + trackingQuota(namespace, r, true));
                }
                if (newLimit != null && ephemeralLimit) {
                    plan.notes.add("limits." + r + " for ResourceQuota " + trackingQuota(namespace, r, false));
                }
            }
            if (!overcommit && (newRequest == null) != (newLimit == null)) {
                newRequest = newRequest != null ? newRequest : newLimit;
                newLimit = newRequest;
            }
        } else if (limit == null) {
            if (defaultLimit != null && request.compareTo(defaultLimit) > 0) {
                if (config.requestAboveDefaultLimit() == DefaultsConfig.RequestAboveDefaultLimit.RAISE_LIMIT) {
                    newLimit = request;
                    plan.notes.add("limits." + r + " " + request + " as its request, above the default " + defaultLimit);
                } else {
                    newLimit = defaultLimit;
                    plan.notes.add("limits." + r + " " + defaultLimit + " below its request " + request
                            + " as LimitRanger sets it: the apiserver refuses the pod");
                }
            } else if (defaultLimit != null) {
                newLimit = defaultLimit;
            } else if (!overcommit) {
                newLimit = request;
            }
        } else if (request == null && (defaultRequest != null || !overcommit)) {
            // the apiserver's defaulting: a limit alone is also the request
            newRequest = limit;
        }

        // what a ResourceQuota tracks is set, so the quota admits (cpu, memory) and counts (ephemeral-storage) the pod
        if (!podLevel) {
            for (NamespaceResources.Quota q : namespace.quotas()) {
                if (q.tracksRequest(r) && request == null && limit == null && newRequest == null && newLimit == null) {
                    newRequest = quotaRequest(r, config, namespace);
                    if (newRequest != null) {
                        plan.notes.add("requests." + r + " for ResourceQuota " + q.name());
                    }
                }
                if (q.tracksLimit(r) && limit == null && newLimit == null) {
                    KubeQuantity has = request != null ? request : newRequest;
                    newLimit = quotaLimit(r, config, namespace, has);
                    if (newLimit != null) {
                        plan.notes.add("limits." + r + " for ResourceQuota " + q.name());
                    }
                }
            }
        }

        // within the namespace's LimitRanges: only what podguard sets is moved
        for (NamespaceResources.ContainerLimits lr : namespace.limitRanges()) {
            KubeQuantity min = lr.min().get(r);
            KubeQuantity max = lr.max().get(r);
            if (newRequest != null && min != null && newRequest.compareTo(min) < 0) {
                newRequest = min;
                plan.notes.add("requests." + r + " " + min + ", the min of LimitRange " + lr.name());
            }
            if (newRequest != null && max != null && newRequest.compareTo(max) > 0) {
                newRequest = max;
                plan.notes.add("requests." + r + " " + max + ", the max of LimitRange " + lr.name());
            }
            if (newLimit != null && max != null && newLimit.compareTo(max) > 0) {
                newLimit = max;
                plan.notes.add("limits." + r + " " + max + ", the max of LimitRange " + lr.name());
            }
            if (newLimit != null && min != null && newLimit.compareTo(min) < 0) {
                newLimit = min;
                plan.notes.add("limits." + r + " " + min + ", the min of LimitRange " + lr.name());
            }
            KubeQuantity effectiveRequest = request != null ? request : newRequest != null ? newRequest : limit != null ? limit : newLimit;
            KubeQuantity effectiveLimit = limit != null ? limit : newLimit;
            if (newLimit != null && effectiveRequest != null && newLimit.compareTo(effectiveRequest) < 0
                    && config.requestAboveDefaultLimit() == DefaultsConfig.RequestAboveDefaultLimit.RAISE_LIMIT) {
                newLimit = effectiveRequest;
                effectiveLimit = newLimit;
            }
            KubeQuantity ratio = lr.maxLimitRequestRatio().get(r);
            if (ratio != null && effectiveRequest != null) {
                if (effectiveLimit == null) {
                    newLimit = effectiveRequest;
                    plan.notes.add("limits." + r + " " + newLimit + " for the maxLimitRequestRatio of LimitRange " + lr.name());
                } else if (effectiveLimit.value().compareTo(effectiveRequest.value().multiply(ratio.value())) > 0) {
                    if (limit == null) {
                        // rounded down to what LimitRanger compares (thousandths of a cpu, whole bytes), so it agrees
                        BigDecimal most = effectiveRequest.value().multiply(ratio.value()).setScale(precision(r), RoundingMode.DOWN);
                        newLimit = KubeQuantity.of(most, effectiveRequest.format());
                        plan.notes.add("limits." + r + " " + newLimit + " for the maxLimitRequestRatio of LimitRange " + lr.name());
                    } else if (request == null && newRequest != null) {
                        BigDecimal least = effectiveLimit.value().divide(ratio.value(), precision(r), RoundingMode.UP);
                        newRequest = KubeQuantity.of(least, effectiveLimit.format());
                        plan.notes.add("requests." + r + " " + newRequest + " for the maxLimitRequestRatio of LimitRange " + lr.name());
                    }
                }
            }
        }

        // a container's limit never exceeds the pod-level one (the apiserver refuses that)
        KubeQuantity podLimit = podLimits.get(r);
        if (newLimit != null && podLimit != null && newLimit.compareTo(podLimit) > 0) {
            newLimit = podLimit;
            plan.notes.add("limits." + r + " " + podLimit + ", the pod's limit");
            if (newRequest != null && newRequest.compareTo(newLimit) > 0) {
                newRequest = newLimit;
            }
        }
        if (newRequest != null) {
            plan.requests.put(r, newRequest);
        }
        if (newLimit != null) {
            plan.limits.put(r, newLimit);
        }
    }

    /**
     * With pod-level requests, the containers' requests may not add up beyond them (the apiserver
     * refuses that): a resource whose defaulted requests would is not defaulted on any container.
     */
    private static void withinPodRequests(List<Plan> plans, Map<String, KubeQuantity> podRequests) {
        podRequests.forEach((r, podRequest) -> {
            if (!POD_LEVEL.contains(r)) {
                return; // the apiserver takes pod-level cpu and memory only
            }
            BigDecimal sum = BigDecimal.ZERO;
            for (Plan p : plans) {
                KubeQuantity set = quantity(value(p.container.get("resources"), "requests", r));
                KubeQuantity limit = quantity(value(p.container.get("resources"), "limits", r));
                KubeQuantity planned = p.requests.get(r);
                KubeQuantity request = set != null ? set : planned != null ? planned : limit != null ? limit : p.limits.get(r);
                if (request != null) {
                    sum = sum.add(request.value());
                }
            }
            if (sum.compareTo(podRequest.value()) > 0) {
                for (Plan p : plans) {
                    if (p.requests.remove(r) != null) {
                        p.notes.add("no requests." + r + ": the containers' requests would exceed the pod's " + podRequest);
                    }
                }
            }
        });
    }

    /** Decimal places a computed value keeps: thousandths for cpu, whole units (bytes) for the others. */
    private static int precision(String r) {
        return r.equals("cpu") ? 3 : 0;
    }

    /** The first quota that tracks the request (or limit) of {@code r}. */
    private static String trackingQuota(NamespaceResources namespace, String r, boolean request) {
        for (NamespaceResources.Quota q : namespace.quotas()) {
            if (request ? q.tracksRequest(r) : q.tracksLimit(r)) {
                return q.name();
            }
        }
        return "";
    }

    private static boolean tracksRequest(NamespaceResources namespace, String r) {
        return namespace.quotas().stream().anyMatch(q -> q.tracksRequest(r));
    }

    private static boolean tracksLimit(NamespaceResources namespace, String r) {
        return namespace.quotas().stream().anyMatch(q -> q.tracksLimit(r));
    }

    /** The request a quota needs: the LimitRange's default request, the configured one, else podguard's own default. */
    private static @Nullable KubeQuantity quotaRequest(String r, DefaultsConfig.Resources config, NamespaceResources namespace) {
        for (NamespaceResources.ContainerLimits lr : namespace.limitRanges()) {
            if (lr.defaultRequest().containsKey(r)) {
                return lr.defaultRequest().get(r);
            }
        }
        KubeQuantity configured = configured(config.requests().get(r));
        if (configured == null && r.equals(EPHEMERAL_STORAGE)) {
            configured = configured(config.ephemeralStorage().request());
        }
        return configured != null ? configured : configured(FALLBACK_REQUESTS.get(r));
    }

    /**
     * The limit a quota needs: the LimitRange's default, the configured one, else the container's
     * request, else podguard's own default limit (or request).
     */
    private static @Nullable KubeQuantity quotaLimit(String r, DefaultsConfig.Resources config, NamespaceResources namespace,
                                                     @Nullable KubeQuantity request) {
        for (NamespaceResources.ContainerLimits lr : namespace.limitRanges()) {
            if (lr.defaultLimit().containsKey(r)) {
                return lr.defaultLimit().get(r);
            }
        }
        KubeQuantity configured = configured(config.limits().get(r));
        if (configured == null && r.equals(EPHEMERAL_STORAGE)) {
            configured = configured(config.ephemeralStorage().limit());
        }
        if (configured != null && (request == null || configured.compareTo(request) >= 0)) {
            return configured;
        }
        if (request != null) {
            return request;
        }
        KubeQuantity fallback = configured(FALLBACK_LIMITS.get(r));
        return fallback != null ? fallback : configured(FALLBACK_REQUESTS.get(r));
    }

    /**
     * A value of the policy, parsed: once per text, not once per review (a policy has a handful;
     * the map is emptied should reloads ever leave more than a thousand behind).
     */
    private static @Nullable KubeQuantity configured(@Nullable String text) {
        if (text == null) {
            return null;
        }
        java.util.Optional<KubeQuantity> parsed = CONFIGURED.get(text);
        if (parsed == null) {
            if (CONFIGURED.size() >= MAX_CONFIGURED) {
                CONFIGURED.clear();
            }
            parsed = java.util.Optional.ofNullable(KubeQuantity.parseOrNull(text));
            CONFIGURED.put(text, parsed);
        }
        return parsed.orElse(null);
    }

    private static final int MAX_CONFIGURED = 1024;
    private static final Map<String, java.util.Optional<KubeQuantity>> CONFIGURED = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code resources.<list>.<name>} when set (a string or a number), else null. */
    private static @Nullable JsonNode value(@Nullable JsonNode resources, String list, String name) {
        if (resources == null || !(resources.get(list) instanceof ObjectNode values)) {
            return null;
        }
        JsonNode value = values.get(name);
        return value == null || value.isNull() ? null : value;
    }

    private static @Nullable KubeQuantity quantity(@Nullable JsonNode value) {
        return value != null && (value.isString() || value.isNumber()) ? KubeQuantity.parseOrNull(value.asString()) : null;
    }

    private static Map<String, KubeQuantity> quantities(JsonNode values) {
        if (values.isEmpty()) {
            return Map.of();
        }
        Map<String, KubeQuantity> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : values.properties()) {
            KubeQuantity q = quantity(e.getValue());
            if (q != null) {
                out.put(e.getKey(), q);
            }
        }
        return out;
    }

    private static boolean put(DefaultingContext context, ObjectNode container, String list, String name, String value) {
        ObjectNode resources = context.object(container, "resources");
        ObjectNode values = resources == null ? null : context.object(resources, list);
        if (values == null || values.get(name) != null && !values.get(name).isNull()) {
            return false;
        }
        values.set(name, StringNode.valueOf(value));
        return true;
    }
}

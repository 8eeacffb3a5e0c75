package io.podguard.engine.defaults;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code defaults} section of a policy: what /mutate fills in. Every key is optional and
 * takes the value shown; unknown keys are errors. The embedded default policy is exactly:
 *
 * <pre>
 * defaults:
 *   enabled: true
 *   mode: apply
 *   resources:
 *     enabled: true
 *     requests: {cpu: 100m, memory: 128Mi}
 *     limits: {memory: 256Mi}
 *     impliedByRules: true
 *     requestAboveDefaultLimit: raiseLimit
 *     ephemeralStorage: {enabled: false, request: 256Mi, limit: 1Gi}
 *     fromNamespace: true
 *   readinessProbe:
 *     enabled: true
 *   livenessProbe:
 *     enabled: false
 *   preStop:
 *     enabled: true
 *     sleepSeconds: 5
 *     extendGracePeriod: true
 *   securityContext:
 *     enabled: true
 *     disallowPrivilegeEscalation: true
 *     seccompRuntimeDefault: true
 *     runAsNonRoot: false
 *     dropAllCapabilities: false
 * </pre>
 *
 * @param enabled false: /mutate returns no patch. Default {@code true}.
 * @param mode {@code apply}: patch the pod; {@code audit}: no patch, only say what would be set
 *     (warnings and the {@code defaults-would-apply} audit annotation). Default {@code apply}.
 * @param resources requests and limits for containers and init containers
 * @param readinessProbe a {@code tcpSocket} readiness probe on the first TCP container port
 * @param livenessProbe a {@code tcpSocket} liveness probe on the first TCP container port (off by default)
 * @param preStop a {@code lifecycle.preStop.sleep} hook, and a grace period that makes room for it
 * @param securityContext safe securityContext fields, up to a restricted-compliant profile
 */
public record DefaultsConfig(
        @Nullable Boolean enabled,
        @Nullable DefaultsMode mode,
        @Nullable Resources resources,
        @Nullable Probe readinessProbe,
        @Nullable Probe livenessProbe,
        @Nullable PreStop preStop,
        @Nullable SecurityContext securityContext) {

    public static final DefaultsConfig DEFAULT = new DefaultsConfig(true, DefaultsMode.APPLY);

    public DefaultsConfig {
        enabled = enabled == null ? Boolean.TRUE : enabled;
        mode = mode == null ? DefaultsMode.APPLY : mode;
        resources = resources == null ? Resources.DEFAULT : resources;
        readinessProbe = readinessProbe == null ? Probe.ON : readinessProbe.orEnabled(true);
        livenessProbe = livenessProbe == null ? Probe.OFF : livenessProbe.orEnabled(false);
        preStop = preStop == null ? PreStop.DEFAULT : preStop;
        securityContext = securityContext == null ? SecurityContext.DEFAULT : securityContext;
    }

    /** Every defaulter with its default settings. */
    public DefaultsConfig(@Nullable Boolean enabled, @Nullable DefaultsMode mode) {
        this(enabled, mode, null, null, null, null, null);
    }

    public boolean isEnabled() {
        return Boolean.TRUE.equals(enabled);
    }

    public DefaultsConfig withPreStop(PreStop value) {
        return new DefaultsConfig(enabled, mode, resources, readinessProbe, livenessProbe, value, securityContext);
    }

    public DefaultsConfig withSecurityContext(SecurityContext value) {
        return new DefaultsConfig(enabled, mode, resources, readinessProbe, livenessProbe, preStop, value);
    }

    public enum DefaultsMode {
        APPLY, AUDIT;

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static DefaultsMode parse(String value) {
            for (DefaultsMode m : values()) {
                if (m.id().equals(value)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("\"" + value + "\" is not one of apply, audit");
        }
    }

    /**
     * {@code defaults.resources}: requests and limits for containers and init containers (sidecars
     * included; never ephemeral containers, which may not set resources). docs/defaults.md tells
     * what is set in each case, and how LimitRanges and ResourceQuotas of the namespace change it.
     *
     * @param enabled default {@code true}
     * @param requests resource name → quantity set as a request where the container sets neither
     *     request nor limit for that resource. Default {@code {cpu: 100m, memory: 128Mi}}. A map
     *     given here replaces the default map as a whole ({@code {}} sets no requests).
     * @param limits resource name → quantity set as a limit where the container sets no limit
     *     for that resource. Default {@code {memory: 256Mi}}: no CPU limit, since CPU limits
     *     throttle without protecting anything. Replaces the default map as a whole. Each limit
     *     must be at least its request.
     * @param impliedByRules defaults follow the {@code resources} rules as a LimitRange's do
     *     ({@code SetDefaults_LimitRangeItem}): where no default limit is configured, a {@code max}
     *     is the default limit; where no default request is, the default limit or the {@code min}
     *     is the default request. Default {@code true}: a bare pod then passes the rules.
     * @param requestAboveDefaultLimit what a container that requests more than the default limit
     *     gets: {@code raiseLimit} (default), a limit equal to its request; {@code limitRanger}, the
     *     default limit anyway, as LimitRanger sets it (the apiserver then refuses the pod).
     * @param ephemeralStorage requests and limits of {@code ephemeral-storage}: off by default, and
     *     set wherever a ResourceQuota of the namespace tracks it
     * @param fromNamespace use what podguard knows of the namespace's LimitRanges (defaults kept
     *     within their bounds and ratio, nothing set that they default) and ResourceQuotas (what a
     *     quota needs is set). Default {@code true}; without cluster access podguard knows none.
     */
    public record Resources(
            @Nullable Boolean enabled,
            @Nullable Map<String, String> requests,
            @Nullable Map<String, String> limits,
            @Nullable Boolean impliedByRules,
            @Nullable RequestAboveDefaultLimit requestAboveDefaultLimit,
            @Nullable EphemeralStorage ephemeralStorage,
            @Nullable Boolean fromNamespace) {

        public static final Resources DEFAULT = new Resources(true, null, null);

        public Resources {
            enabled = enabled == null ? Boolean.TRUE : enabled;
            requests = quantities("requests", requests == null ? Map.of("cpu", "100m", "memory", "128Mi") : requests);
            limits = quantities("limits", limits == null ? Map.of("memory", "256Mi") : limits);
            for (Map.Entry<String, String> limit : limits.entrySet()) {
                String request = requests.get(limit.getKey());
                if (request != null && amount("requests." + limit.getKey(), request)
                        .compareTo(amount("limits." + limit.getKey(), limit.getValue())) > 0) {
                    throw new IllegalArgumentException("requests." + limit.getKey() + " " + request
                            + " is above limits." + limit.getKey() + " " + limit.getValue());
                }
                if (request != null && !io.podguard.engine.resources.ResourceNames.overcommitAllowed(limit.getKey()) && amount("requests." + limit.getKey(), request)
                        .compareTo(amount("limits." + limit.getKey(), limit.getValue())) != 0) {
                    throw new IllegalArgumentException("requests." + limit.getKey() + " " + request + " differs from limits."
                            + limit.getKey() + " " + limit.getValue() + ": " + limit.getKey()
                            + " cannot be overcommitted, its request and limit must be equal");
                }
            }
            impliedByRules = impliedByRules == null ? Boolean.TRUE : impliedByRules;
            requestAboveDefaultLimit = requestAboveDefaultLimit == null ? RequestAboveDefaultLimit.RAISE_LIMIT : requestAboveDefaultLimit;
            ephemeralStorage = ephemeralStorage == null ? EphemeralStorage.DEFAULT : ephemeralStorage;
            fromNamespace = fromNamespace == null ? Boolean.TRUE : fromNamespace;
        }

        /** Requests, limits and on or off; the other keys take their defaults. */
        public Resources(@Nullable Boolean enabled, @Nullable Map<String, String> requests, @Nullable Map<String, String> limits) {
            this(enabled, requests, limits, null, null, null, null);
        }

        public boolean impliesFromRules() {
            return Boolean.TRUE.equals(impliedByRules);
        }

        public boolean usesNamespace() {
            return Boolean.TRUE.equals(fromNamespace);
        }

        public boolean isEnabled() {
            return Boolean.TRUE.equals(enabled);
        }

        private static Map<String, String> quantities(String field, Map<String, String> values) {
            // Sorted by name, so the order of what is set never depends on how the YAML was written.
            Map<String, String> copy = new LinkedHashMap<>();
            values.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
                if (e.getKey() == null || e.getKey().isBlank()) {
                    throw new IllegalArgumentException(field + ": a resource name is empty");
                }
                if (e.getValue() == null) {
                    throw new IllegalArgumentException(field + "." + e.getKey() + " has no quantity");
                }
                if (amount(field + "." + e.getKey(), e.getValue()).signum() < 0) {
                    throw new IllegalArgumentException(field + "." + e.getKey() + " " + e.getValue() + " is negative");
                }
                copy.put(e.getKey(), e.getValue());
            });
            return Collections.unmodifiableMap(copy);
        }

        static BigDecimal amount(String field, String quantity) {
            try {
                return Quantity.getAmountInBytes(new Quantity(quantity));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(field + " \"" + quantity + "\" is not a Kubernetes quantity (e.g. 100m, 128Mi)");
            }
        }
    }

    /** {@code defaults.resources.requestAboveDefaultLimit}. */
    public enum RequestAboveDefaultLimit {
        /** The container's limit is its request: it keeps what it asked for and still gets a limit. */
        RAISE_LIMIT("raiseLimit"),
        /** The default limit, below the request, as LimitRanger sets it: the apiserver refuses the pod. */
        LIMIT_RANGER("limitRanger");

        private final String id;

        RequestAboveDefaultLimit(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }

        @JsonCreator
        public static RequestAboveDefaultLimit parse(String value) {
            for (RequestAboveDefaultLimit r : values()) {
                if (r.id.equals(value)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("\"" + value + "\" is not one of raiseLimit, limitRanger");
        }
    }

    /**
     * {@code defaults.resources.ephemeralStorage}: local ephemeral storage (container writable
     * layers, logs, {@code emptyDir}) as a default. Off by default: an ephemeral-storage limit
     * evicts a pod that writes more, which a platform decides deliberately. Where a ResourceQuota
     * of the namespace tracks {@code requests.ephemeral-storage} (or {@code limits.…}), what it
     * tracks is set even when off, so the quota counts every pod.
     *
     * @param enabled default {@code false}
     * @param request the request set where a container sets neither request nor limit. Default {@code 256Mi}.
     * @param limit the limit set where a container sets none. Default {@code 1Gi}; at least the request.
     */
    public record EphemeralStorage(@Nullable Boolean enabled, @Nullable String request, @Nullable String limit) {

        public static final EphemeralStorage DEFAULT = new EphemeralStorage(false, null, null);

        public EphemeralStorage {
            enabled = enabled == null ? Boolean.FALSE : enabled;
            request = request == null ? "256Mi" : request;
            limit = limit == null ? "1Gi" : limit;
            BigDecimal r = Resources.amount("ephemeralStorage.request", request);
            BigDecimal l = Resources.amount("ephemeralStorage.limit", limit);
            if (r.signum() < 0 || l.signum() < 0) {
                throw new IllegalArgumentException("ephemeralStorage: quantities may not be negative");
            }
            if (r.compareTo(l) > 0) {
                throw new IllegalArgumentException("ephemeralStorage.request " + request + " is above ephemeralStorage.limit " + limit);
            }
        }

        public boolean isEnabled() {
            return Boolean.TRUE.equals(enabled);
        }
    }

    /**
     * {@code defaults.readinessProbe} and {@code defaults.livenessProbe}: a {@code tcpSocket}
     * probe on the first TCP container port (by name when the port is named), for containers
     * and sidecar init containers that declare a port and have no such probe. The timing fields,
     * when absent, are left to the apiserver's defaults (period 10 s, timeout 1 s, failure
     * threshold 3, no initial delay).
     *
     * @param enabled readiness: default {@code true}; liveness: default {@code false}
     * @param initialDelaySeconds {@code initialDelaySeconds} of the probe (≥ 0); default: unset
     * @param periodSeconds {@code periodSeconds} (≥ 1); default: unset
     * @param timeoutSeconds {@code timeoutSeconds} (≥ 1); default: unset
     * @param failureThreshold {@code failureThreshold} (≥ 1); default: unset
     */
    public record Probe(
            @Nullable Boolean enabled,
            @Nullable Integer initialDelaySeconds,
            @Nullable Integer periodSeconds,
            @Nullable Integer timeoutSeconds,
            @Nullable Integer failureThreshold) {

        public static final Probe ON = new Probe(true, null, null, null, null);
        public static final Probe OFF = new Probe(false, null, null, null, null);

        public Probe {
            Bounds.atLeast("initialDelaySeconds", initialDelaySeconds, 0);
            Bounds.atLeast("periodSeconds", periodSeconds, 1);
            Bounds.atLeast("timeoutSeconds", timeoutSeconds, 1);
            Bounds.atLeast("failureThreshold", failureThreshold, 1);
        }

        public boolean isEnabled() {
            return Boolean.TRUE.equals(enabled);
        }

        Probe orEnabled(boolean fallback) {
            return enabled != null ? this : new Probe(fallback, initialDelaySeconds, periodSeconds, timeoutSeconds, failureThreshold);
        }
    }

    /**
     * {@code defaults.preStop}: the native {@code lifecycle.preStop.sleep} action (Kubernetes 1.30
     * or later; no shell needed, so it works on distroless images), for containers and sidecar init
     * containers without a preStop hook. The sleep lets endpoints and load balancers stop sending
     * traffic before the application receives SIGTERM.
     *
     * @param enabled default {@code true}
     * @param sleepSeconds how long the hook sleeps (≥ 1). Default {@code 5}.
     * @param extendGracePeriod when the pod sets {@code terminationGracePeriodSeconds}, add
     *     {@code sleepSeconds} to it once (10 → 15), so the application keeps the shutdown window it
     *     asked for. Default {@code true}. Without it, no hook is added to a pod whose grace period
     *     is shorter than the sleep (the apiserver would reject it).
     */
    public record PreStop(@Nullable Boolean enabled, @Nullable Integer sleepSeconds, @Nullable Boolean extendGracePeriod) {

        public static final PreStop DEFAULT = new PreStop(true, 5, true);

        public PreStop {
            enabled = enabled == null ? Boolean.TRUE : enabled;
            sleepSeconds = sleepSeconds == null ? Integer.valueOf(5) : sleepSeconds;
            extendGracePeriod = extendGracePeriod == null ? Boolean.TRUE : extendGracePeriod;
            Bounds.atLeast("sleepSeconds", sleepSeconds, 1);
        }

        public boolean isEnabled() {
            return Boolean.TRUE.equals(enabled);
        }
    }

    /**
     * {@code defaults.securityContext}: fields that only tighten a pod, set where the pod leaves
     * them unset. Never on Windows pods ({@code spec.os.name: windows}), whose securityContext
     * the apiserver restricts. With all four switches on, a pod that sets none of these fields
     * (and uses no host namespaces, host paths or privileged containers) meets the restricted
     * Pod Security Standard.
     *
     * @param enabled default {@code true}
     * @param disallowPrivilegeEscalation {@code allowPrivilegeEscalation: false} on containers and
     *     init containers that leave it unset, except beside {@code privileged: true} or an added
     *     {@code SYS_ADMIN} capability (the apiserver rejects those pairs). Default {@code true}.
     * @param seccompRuntimeDefault pod-level {@code seccompProfile: {type: RuntimeDefault}} where
     *     neither the pod nor any container sets a seccomp profile. Default {@code true}.
     * @param runAsNonRoot pod-level {@code runAsNonRoot: true} where the pod leaves it unset and
     *     nothing runs as UID 0 explicitly. Images that run as root then fail to start, which is
     *     the point of the restricted profile. Default {@code false}.
     * @param dropAllCapabilities {@code capabilities.drop: [ALL]} on containers and init containers
     *     that do not drop {@code ALL} already (privileged ones excepted); added capabilities are kept.
     *     Default {@code false}.
     */
    public record SecurityContext(
            @Nullable Boolean enabled,
            @Nullable Boolean disallowPrivilegeEscalation,
            @Nullable Boolean seccompRuntimeDefault,
            @Nullable Boolean runAsNonRoot,
            @Nullable Boolean dropAllCapabilities) {

        public static final SecurityContext DEFAULT = new SecurityContext(true, true, true, false, false);
        /** Everything the restricted Pod Security Standard asks a bare pod to set. */
        public static final SecurityContext RESTRICTED = new SecurityContext(true, true, true, true, true);

        public SecurityContext {
            enabled = enabled == null ? Boolean.TRUE : enabled;
            disallowPrivilegeEscalation = disallowPrivilegeEscalation == null ? Boolean.TRUE : disallowPrivilegeEscalation;
            seccompRuntimeDefault = seccompRuntimeDefault == null ? Boolean.TRUE : seccompRuntimeDefault;
            runAsNonRoot = runAsNonRoot == null ? Boolean.FALSE : runAsNonRoot;
            dropAllCapabilities = dropAllCapabilities == null ? Boolean.FALSE : dropAllCapabilities;
        }

        public boolean isEnabled() {
            return Boolean.TRUE.equals(enabled);
        }
    }

    /**
     * Kept apart from {@link DefaultsConfig}: were the nested records' constructors to call a
     * static method of the outer class, the first use of {@code Probe.ON} would initialise
     * {@link DefaultsConfig} while {@code Probe} is still being initialised, and
     * {@link DefaultsConfig#DEFAULT} would be built with a null probe.
     */
    private static final class Bounds {

        private Bounds() {
        }

        static void atLeast(String field, @Nullable Integer value, int minimum) {
            if (value != null && value < minimum) {
                throw new IllegalArgumentException(field + " " + value + " is below " + minimum);
            }
        }
    }
}

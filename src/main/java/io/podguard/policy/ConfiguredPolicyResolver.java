package io.podguard.policy;

import io.podguard.engine.Glob;
import io.podguard.engine.ImageReferences;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.MatchedExemption;
import io.podguard.engine.Mode;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.defaults.DefaultsConfig;
import io.podguard.engine.placement.NamespaceAnnotations;
import io.podguard.engine.placement.PlacementPolicy;
import io.podguard.engine.placement.PlacementRules;
import io.podguard.engine.pss.PodSecurityLevels;
import io.podguard.engine.rules.CelProjection;
import io.podguard.engine.rules.CelReading;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The resolver of a loaded policy, compiled once per load (globs, selectors, the effective policy
 * of each override) so a request costs a few matches:
 * <ol>
 *   <li>with {@code podSecurity.namespaceLabels: true}, Pod Security Admission's namespace
 *       labels set the Pod Security Standards levels over the policy's ({@link PodSecurityLabels});</li>
 *   <li>the first {@code namespaces} entry whose names and selector both match replaces the
 *       top-level sections it names (one that names {@code podSecurity} or {@code mode} sets the
 *       levels itself: PSA's labels are not read there);</li>
 *   <li>with {@code namespaceLabelOverrides: true}, a namespace label {@code podguard.io/mode}
 *       then sets the mode;</li>
 *   <li>with {@code placement.namespaceAnnotations: true}, the namespace's PodNodeSelector and
 *       PodTolerationRestriction annotations replace the policy's selector, default tolerations
 *       and whitelist;</li>
 *   <li>exemptions that match the request and have not expired apply.</li>
 * </ol>
 * Offline (no namespace known), a namespace matches no selector and the policy's own placement
 * applies. On the webhook ({@link #resolveForAdmission}), a namespace that could change the
 * decision ({@link #dependsOnNamespace}) and that the server could not read refuses the request,
 * as Pod Security Admission and PodNodeSelector do: judging it by the policy's own values could
 * let through what the namespace forbids. Kubelets (group {@code system:nodes}) creating mirror
 * pods are never judged by {@code placement.nodeName}.
 */
public final class ConfiguredPolicyResolver implements PolicyResolver {

    /** The namespace label that sets the mode when the policy allows it. */
    public static final String MODE_LABEL = "podguard.io/mode";

    private final Policy policy;
    private final NamespaceLabels namespaces;
    private final NamespaceLimits limits;
    private final Clock clock;
    private final ExpiryListener expiryListener;
    private final EffectivePolicy topLevel;
    private final boolean topLevelAnnotations;
    private final List<Override> overrides;
    private final List<CompiledExemption> exemptions;
    private final boolean needsLabels;
    private final boolean podSecurityLabels;
    private final boolean readsObjectTree;
    private final @Nullable CelProjection celReads;
    /** Whether a CEL rule or ValidatingAdmissionPolicy reads {@code namespaceObject} or selects namespaces by labels. */
    private final boolean rulesReadNamespace;
    /** Whether the top level or a {@code namespaces} entry honours the placement plugins' namespace annotations. */
    private final boolean readsAnnotations;
    private final Set<Integer> reportedExpired = ConcurrentHashMap.newKeySet();

    private record Override(List<Glob> names, @Nullable LabelSelector selector, EffectivePolicy effective, boolean namespaceAnnotations,
                            boolean ownLevels) {
    }

    /** The group of every kubelet: they create the mirror pods of their static pods, bound to themselves. */
    static final String NODES_GROUP = "system:nodes";

    private record CompiledExemption(Exemption source, List<Glob> namespaces, List<Glob> usernames,
                                     List<Glob> groups, List<Glob> serviceAccounts, List<Glob> runtimeClassNames,
                                     MatchedExemption matched) {
    }

    public ConfiguredPolicyResolver(Policy policy, NamespaceLabels namespaces, Clock clock, ExpiryListener expiryListener) {
        this(policy, namespaces, NamespaceLimits.NONE, clock, expiryListener);
    }

    /** @param limits the namespaces' LimitRanges and ResourceQuotas, for the resource defaults */
    public ConfiguredPolicyResolver(Policy policy, NamespaceLabels namespaces, NamespaceLimits limits, Clock clock,
                                    ExpiryListener expiryListener) {
        this.policy = policy;
        this.namespaces = namespaces;
        this.limits = limits;
        this.clock = clock;
        this.expiryListener = expiryListener;
        this.topLevel = PolicyCompiler.compile(policy);
        this.topLevelAnnotations = policy.placement() != null && policy.placement().honoursNamespaceAnnotations();
        List<Override> compiled = new ArrayList<>();
        for (NamespacePolicy n : policy.namespaces()) {
            Policy applied = n.applyTo(policy);
            EffectivePolicy effective = PolicyCompiler.compile(applied);
            PlacementPolicy own = PolicyCompiler.namespacePlacement(n, applied);
            if (own != null) {
                effective = effective.with(own);
            }
            compiled.add(new Override(globs(n.names()), n.selector(), effective,
                    applied.placement() != null && applied.placement().honoursNamespaceAnnotations(),
                    n.podSecurity() != null || n.mode() != null));
        }
        this.overrides = List.copyOf(compiled);
        List<CompiledExemption> ex = new ArrayList<>();
        for (int i = 0; i < policy.exemptions().size(); i++) {
            Exemption e = policy.exemptions().get(i);
            List<Glob> images = globs(e.images());
            ex.add(new CompiledExemption(e, globs(e.namespaces()), globs(e.usernames()), globs(e.groups()),
                    globs(e.serviceAccounts()), globs(e.runtimeClassNames()),
                    new MatchedExemption(i, e.reason(), e.kind(), Set.copyOf(e.checks()),
                            images.isEmpty() ? null : image -> Glob.any(images, ImageReferences.normalize(image)))));
        }
        this.exemptions = List.copyOf(ex);
        this.podSecurityLabels = policy.podSecurity().readsNamespaceLabels();
        // rules read the namespace's labels (namespaceObject) when the namespace cache knows them
        this.needsLabels = policy.usesNamespaceLabels() || !policy.rules().isEmpty() || !policy.validatingAdmissionPolicies().isEmpty()
                || policy.namespaces().stream().anyMatch(n -> n.rules() != null && !n.rules().isEmpty());
        this.rulesReadNamespace = rulesReadNamespace(policy);
        this.readsAnnotations = topLevelAnnotations || overrides.stream().anyMatch(Override::namespaceAnnotations);
        this.readsObjectTree = readsObjectTree(topLevel) || overrides.stream().anyMatch(o -> readsObjectTree(o.effective()));
        CelProjection reads = celReads(topLevel, null);
        for (Override o : overrides) {
            reads = celReads(o.effective(), reads);
        }
        this.celReads = reads;
        reportExpired();
    }

    /**
     * Whether {@code effective} judges by more than Pod Security, whose checks read the typed pod
     * alone, and CEL rules and ValidatingAdmissionPolicies, which read the object's bytes
     * ({@code engine/rules/CelJson}).
     */
    private static boolean readsObjectTree(EffectivePolicy effective) {
        return effective.rules().stream().anyMatch(r -> !(r instanceof PodSecurityLevels || r instanceof CelReading));
    }

    @java.lang.Override
    public boolean readsObjectTree() {
        return readsObjectTree;
    }

    /** What {@code effective}'s CEL rules and ValidatingAdmissionPolicies read of a Pod, with {@code before}. */
    private static @Nullable CelProjection celReads(EffectivePolicy effective, @Nullable CelProjection before) {
        CelProjection reads = before;
        for (var r : effective.rules()) {
            if (r instanceof CelReading c) {
                reads = reads == null ? c.reads() : reads.union(c.reads());
            }
        }
        return reads;
    }

    @java.lang.Override
    public @Nullable CelProjection celReads() {
        return celReads;
    }

    public Policy policy() {
        return policy;
    }

    /** The exemptions past their {@code expires} date today. */
    public List<Exemption> expired() {
        LocalDate today = LocalDate.now(clock);
        return policy.exemptions().stream().filter(e -> e.isExpired(today)).toList();
    }

    @java.lang.Override
    public EffectivePolicy resolve(RequestInfo request, PodObject pod) {
        return resolve(request, pod, false);
    }

    /**
     * @throws NamespaceUnavailableException when the namespace could change the decision and the
     *     server could not read it
     */
    @java.lang.Override
    public EffectivePolicy resolveForAdmission(RequestInfo request, PodObject pod) {
        return resolve(request, pod, true);
    }

    private EffectivePolicy resolve(RequestInfo request, PodObject pod, boolean refuseUnreadable) {
        String namespace = request.namespace() != null ? request.namespace() : "";
        Map<String, String> labels = needsLabels && !namespace.isEmpty() ? namespaces.labels(namespace) : null;
        if (refuseUnreadable && !namespace.isEmpty()
                && (needsLabels ? labels == null : readsAnnotations && namespaces.annotations(namespace) == null)) {
            String why = namespaces.unreadable(namespace);
            if (why != null && dependsOnNamespace(namespace)) {
                throw new NamespaceUnavailableException(namespace, why);
            }
        }
        EffectivePolicy effective = inNamespace(namespace, labels, request.groups().contains(NODES_GROUP));
        return exempt(effective, request, namespace, pod.podSpec()).withNamespaceLabels(labels);
    }

    /**
     * Whether the namespace's labels or annotations could change what applies to {@code request}:
     * PSA's labels set the levels, the first matching {@code namespaces} entry is chosen by a label
     * selector, {@code podguard.io/mode} sets the mode, the placement plugins' annotations set the
     * placement, or a rule reads {@code namespaceObject} (or a policy binding selects namespaces).
     * Not when an exemption leaves the whole request out by its namespace alone, nor where only
     * names decide (a name-only entry that sets its own levels and reads no annotation).
     */
    boolean dependsOnNamespace(String namespace) {
        if (exemptsWholeNamespace(namespace)) {
            return false;
        }
        if (policy.allowsNamespaceLabelOverrides() || rulesReadNamespace) {
            return true;
        }
        // PSA's labels are not read where Pod Security is exempt by namespace (as PSA skips the lookup there).
        boolean labelsSetLevels = podSecurityLabels && !exemptsNamespace(namespace);
        for (Override o : overrides) {
            if (!o.names().isEmpty() && !Glob.any(o.names(), namespace)) {
                continue;
            }
            if (o.selector() != null) {
                return true; // the labels decide whether this entry or a later one applies
            }
            return labelsSetLevels && !o.ownLevels() || o.namespaceAnnotations();
        }
        return labelsSetLevels || topLevelAnnotations;
    }

    /** An exemption of the namespace alone (no user, group, account, runtime class, image or rule list) in force today. */
    private boolean exemptsWholeNamespace(String namespace) {
        LocalDate today = null;
        for (CompiledExemption e : exemptions) {
            if (!e.namespaces().isEmpty() && e.usernames().isEmpty() && e.groups().isEmpty() && e.serviceAccounts().isEmpty()
                    && e.runtimeClassNames().isEmpty() && e.matched().wholeRequest() && Glob.any(e.namespaces(), namespace)) {
                today = today == null ? LocalDate.now(clock) : today;
                if (!e.source().isExpired(today)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean rulesReadNamespace(Policy policy) {
        List<Object> all = new ArrayList<>(policy.rules());
        all.addAll(policy.validatingAdmissionPolicies());
        for (NamespacePolicy n : policy.namespaces()) {
            if (n.rules() != null) {
                all.addAll(n.rules());
            }
        }
        if (all.isEmpty()) {
            return false;
        }
        // Conservative: any mention in an expression or a binding counts.
        String text = io.podguard.engine.Json.mapper().writeValueAsString(all);
        return text.contains("namespaceObject") || text.contains("namespaceSelector");
    }

    /** The policy in {@code namespace} were its labels {@code labels}: steps 1 to 4, no exemption. */
    @java.lang.Override
    public EffectivePolicy forNamespace(String namespace, Map<String, String> labels) {
        return inNamespace(namespace, labels, false).withNamespaceLabels(labels);
    }

    @java.lang.Override
    public EffectivePolicy exempt(EffectivePolicy policy, RequestInfo request, PodObject pod) {
        return exempt(policy, request, request.namespace() != null ? request.namespace() : "", pod.podSpec());
    }

    /**
     * Whether an exemption that names only namespaces (no user, group, service account, runtime
     * class or image) leaves every request in {@code namespace} out of Pod Security, as PSA's
     * namespace exemptions do.
     */
    @java.lang.Override
    public boolean exemptsNamespace(String namespace) {
        LocalDate today = LocalDate.now(clock);
        Set<String> podSecurity = io.podguard.engine.pss.PodSecurityKind.INSTANCE.ruleIds();
        for (CompiledExemption e : exemptions) {
            if (!e.namespaces().isEmpty() && e.usernames().isEmpty() && e.groups().isEmpty() && e.serviceAccounts().isEmpty()
                    && e.runtimeClassNames().isEmpty() && e.matched().images() == null
                    && (e.matched().wholeRequest() || e.matched().rules().containsAll(podSecurity))
                    && !e.source().isExpired(today) && Glob.any(e.namespaces(), namespace)) {
                return true;
            }
        }
        return false;
    }

    private EffectivePolicy inNamespace(String namespace, @Nullable Map<String, String> labels, boolean kubelet) {
        EffectivePolicy effective = topLevel;
        boolean annotations = topLevelAnnotations;
        boolean ownLevels = false;
        for (Override o : overrides) {
            if (matches(o, namespace, labels)) {
                effective = o.effective();
                annotations = o.namespaceAnnotations();
                ownLevels = o.ownLevels();
                break;
            }
        }
        if (podSecurityLabels && labels != null && !ownLevels) {
            PodSecurityLevels levels = effective.rule(PodSecurityLevels.class);
            PodSecurityLevels labelled = levels == null ? null : PodSecurityLabels.apply(labels, levels);
            if (labelled != null && labelled != levels) {
                effective = effective.with(labelled);
            }
        }
        PlacementPolicy placement = effective.rule(PlacementPolicy.class);
        if (placement != null && annotations && !namespace.isEmpty()) {
            Map<String, String> values = namespaces.annotations(namespace);
            if (values != null) {
                placement = NamespaceAnnotations.apply(placement, values);
                effective = effective.with(placement);
            }
        }
        if (placement != null && placement.nodeName() != null && kubelet) {
            effective = effective.with(placement.without(Set.of(PlacementRules.NODE_NAME)));
        }
        if (policy.allowsNamespaceLabelOverrides() && labels != null) {
            Mode mode = labelMode(labels.get(MODE_LABEL));
            if (mode != null) {
                effective = effective.withMode(mode);
            }
        }
        DefaultsConfig defaults = effective.defaults();
        if (!namespace.isEmpty() && defaults.isEnabled() && defaults.resources().isEnabled() && defaults.resources().usesNamespace()) {
            effective = effective.withNamespaceResources(limits.of(namespace));
        }
        return effective;
    }

    private EffectivePolicy exempt(EffectivePolicy effective, RequestInfo request, String namespace, PodSpec spec) {
        if (exemptions.isEmpty()) {
            return effective;
        }
        LocalDate today = null;
        List<MatchedExemption> matched = null;
        String serviceAccount = namespace + ":" + (spec.getServiceAccountName() == null || spec.getServiceAccountName().isEmpty()
                ? "default" : spec.getServiceAccountName());
        for (CompiledExemption e : exemptions) {
            if (!matches(e, request, namespace, serviceAccount, spec.getRuntimeClassName())) {
                continue;
            }
            if (e.source().expires() != null) {
                today = today == null ? LocalDate.now(clock) : today;
                if (e.source().isExpired(today)) {
                    if (reportedExpired.add(e.matched().index())) {
                        expiryListener.expired(e.matched().index(), e.source());
                    }
                    continue;
                }
            }
            if (matched == null) {
                matched = new ArrayList<>(1);
            }
            matched.add(e.matched());
        }
        return matched == null ? effective : effective.withExemptions(matched);
    }

    private static boolean matches(CompiledExemption e, RequestInfo request, String namespace, String serviceAccount,
                                   @Nullable String runtimeClassName) {
        if (!e.namespaces().isEmpty() && !Glob.any(e.namespaces(), namespace)) {
            return false;
        }
        if (!e.usernames().isEmpty() && (request.username() == null || !Glob.any(e.usernames(), request.username()))) {
            return false;
        }
        if (!e.groups().isEmpty() && request.groups().stream().noneMatch(g -> Glob.any(e.groups(), g))) {
            return false;
        }
        if (!e.serviceAccounts().isEmpty() && !Glob.any(e.serviceAccounts(), serviceAccount)) {
            return false;
        }
        return e.runtimeClassNames().isEmpty() || runtimeClassName != null && Glob.any(e.runtimeClassNames(), runtimeClassName);
    }

    private static boolean matches(Override o, String namespace, @Nullable Map<String, String> labels) {
        if (!o.names().isEmpty() && !Glob.any(o.names(), namespace)) {
            return false;
        }
        return o.selector() == null || labels != null && LabelSelectors.matches(o.selector(), labels);
    }

    private static @Nullable Mode labelMode(@Nullable String value) {
        if (value == null) {
            return null;
        }
        for (Mode m : Mode.values()) {
            if (m.id().equals(value)) {
                return m;
            }
        }
        return null; // a bad label value changes nothing: the policy's own mode stays in force
    }

    private void reportExpired() {
        LocalDate today = LocalDate.now(clock);
        for (int i = 0; i < policy.exemptions().size(); i++) {
            Exemption e = policy.exemptions().get(i);
            if (e.isExpired(today) && reportedExpired.add(i)) {
                expiryListener.expired(i, e);
            }
        }
    }

    private static List<Glob> globs(List<String> patterns) {
        return patterns.stream().map(Glob::compile).toList();
    }
}

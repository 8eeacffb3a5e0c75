package io.podguard.policy;

import io.podguard.engine.LevelVersion;
import io.podguard.engine.psp.PspSet;
import io.podguard.engine.Mode;
import io.podguard.engine.defaults.DefaultsConfig;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A podguard policy document ({@code apiVersion: podguard.io/v1alpha1}, {@code kind: PodGuardPolicy}),
 * as loaded from YAML. Absent sections take their defaults; {@code apiVersion} and {@code kind}
 * may be left out. docs/policy.md describes every key; docs/policy.schema.json publishes them.
 *
 * @param mode the mode of the short form ({@code podSecurity.level})
 * @param resources LimitRanger-style resource rules; null: none
 * @param namespaceLabelOverrides whether a namespace's {@code podguard.io/mode} label may change the mode
 * @param exemptions requests, checks or containers left out of the evaluation, each with a reason
 * @param namespaces per-namespace overrides, first match wins
 * @param podSecurityPolicies PodSecurityPolicy objects judged with PSP's own semantics (see
 *     docs/psp.md). A policy that carries them leaves {@code podSecurity} and {@code defaults}
 *     off unless it names them: the PSPs are the policy.
 * @param rules the policy's own rules in CEL (docs/rules.md)
 * @param validatingAdmissionPolicies ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
 *     objects, used unchanged (docs/rules.md); also read from documents of their own in the file
 * @param placement node selectors, tolerations and placement guardrails (see docs/placement.md); null: none
 */
public record Policy(
        @Nullable String apiVersion,
        @Nullable String kind,
        @Nullable Mode mode,
        @Nullable PodSecurityConfig podSecurity,
        @Nullable DefaultsConfig defaults,
        @Nullable ResourceRulesConfig resources,
        @Nullable Boolean namespaceLabelOverrides,
        @Nullable List<Exemption> exemptions,
        @Nullable List<NamespacePolicy> namespaces,
        @Nullable PspSet podSecurityPolicies,
        @Nullable List<RuleConfig> rules,
        @Nullable List<tools.jackson.databind.JsonNode> validatingAdmissionPolicies,
        @Nullable PlacementConfig placement) {

    public static final String API_VERSION = "podguard.io/v1alpha1";
    public static final String KIND = "PodGuardPolicy";

    /** Pod Security Standards off: the privileged level runs no check. */
    static final PodSecurityConfig PSS_OFF = new PodSecurityConfig("privileged", "latest", null, null, null);
    static final DefaultsConfig DEFAULTS_OFF = new DefaultsConfig(false, DefaultsConfig.DefaultsMode.APPLY);

    public Policy {
        mode = mode == null ? Mode.ENFORCE : mode;
        podSecurity = podSecurity == null ? (podSecurityPolicies == null ? PodSecurityConfig.DEFAULT : PSS_OFF) : podSecurity;
        defaults = defaults == null ? (podSecurityPolicies == null ? DefaultsConfig.DEFAULT : DEFAULTS_OFF) : defaults;
        namespaceLabelOverrides = namespaceLabelOverrides != null && namespaceLabelOverrides;
        exemptions = exemptions == null ? List.of() : List.copyOf(exemptions);
        namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
        rules = rules == null ? List.of() : List.copyOf(rules);
        validatingAdmissionPolicies = validatingAdmissionPolicies == null ? List.of() : List.copyOf(validatingAdmissionPolicies);
    }

    /** All sections but placement. */
    public Policy(@Nullable String apiVersion, @Nullable String kind, @Nullable Mode mode, @Nullable PodSecurityConfig podSecurity,
                  @Nullable DefaultsConfig defaults, @Nullable ResourceRulesConfig resources, @Nullable Boolean namespaceLabelOverrides,
                  @Nullable List<Exemption> exemptions, @Nullable List<NamespacePolicy> namespaces, @Nullable PspSet podSecurityPolicies,
                  @Nullable List<RuleConfig> rules, @Nullable List<tools.jackson.databind.JsonNode> validatingAdmissionPolicies) {
        this(apiVersion, kind, mode, podSecurity, defaults, resources, namespaceLabelOverrides, exemptions, namespaces,
                podSecurityPolicies, rules, validatingAdmissionPolicies, null);
    }

    /** All sections but the ValidatingAdmissionPolicies. */
    public Policy(@Nullable String apiVersion, @Nullable String kind, @Nullable Mode mode, @Nullable PodSecurityConfig podSecurity,
                  @Nullable DefaultsConfig defaults, @Nullable ResourceRulesConfig resources, @Nullable Boolean namespaceLabelOverrides,
                  @Nullable List<Exemption> exemptions, @Nullable List<NamespacePolicy> namespaces, @Nullable PspSet podSecurityPolicies,
                  @Nullable List<RuleConfig> rules) {
        this(apiVersion, kind, mode, podSecurity, defaults, resources, namespaceLabelOverrides, exemptions, namespaces,
                podSecurityPolicies, rules, null);
    }

    /** This policy with more ValidatingAdmissionPolicy objects (documents of their own in the file). */
    public Policy withAdmissionPolicies(List<tools.jackson.databind.JsonNode> more, boolean alone) {
        List<tools.jackson.databind.JsonNode> all = new java.util.ArrayList<>(validatingAdmissionPolicies);
        all.addAll(more);
        // a file of ValidatingAdmissionPolicies alone: they are the policy, as PodSecurityPolicies are
        return new Policy(apiVersion, kind, mode, alone ? PSS_OFF : podSecurity, alone ? DEFAULTS_OFF : defaults, resources,
                namespaceLabelOverrides, exemptions, namespaces, podSecurityPolicies, rules, all, placement);
    }

    /** All sections but {@code rules}. */
    public Policy(@Nullable String apiVersion, @Nullable String kind, @Nullable Mode mode, @Nullable PodSecurityConfig podSecurity,
                  @Nullable DefaultsConfig defaults, @Nullable ResourceRulesConfig resources, @Nullable Boolean namespaceLabelOverrides,
                  @Nullable List<Exemption> exemptions, @Nullable List<NamespacePolicy> namespaces, @Nullable PspSet podSecurityPolicies) {
        this(apiVersion, kind, mode, podSecurity, defaults, resources, namespaceLabelOverrides, exemptions, namespaces,
                podSecurityPolicies, null);
    }

    /** The short form of DESIGN.md: mode, Pod Security Standards and defaults only. */
    public Policy(@Nullable String apiVersion, @Nullable String kind, @Nullable Mode mode,
                  @Nullable PodSecurityConfig podSecurity, @Nullable DefaultsConfig defaults) {
        this(apiVersion, kind, mode, podSecurity, defaults, null, null, null, null, null);
    }

    /** PodSecurityPolicies with the short form. */
    public Policy(@Nullable String apiVersion, @Nullable String kind, @Nullable Mode mode,
                  @Nullable PodSecurityConfig podSecurity, @Nullable DefaultsConfig defaults, @Nullable PspSet podSecurityPolicies) {
        this(apiVersion, kind, mode, podSecurity, defaults, null, null, null, null, podSecurityPolicies);
    }

    /** This policy with {@code podSecurityPolicies} (the others keys as they are). */
    public Policy withPodSecurityPolicies(@Nullable Mode mode, @Nullable PodSecurityConfig podSecurity,
                                          @Nullable DefaultsConfig defaults, @Nullable PspSet psps) {
        return new Policy(apiVersion, kind, mode, podSecurity, defaults, resources, namespaceLabelOverrides, exemptions, namespaces, psps, rules,
                validatingAdmissionPolicies, placement);
    }

    /** The level the short form gives to {@link #mode()}. */
    public LevelVersion levelVersion() {
        return podSecurity.levelVersion();
    }

    public boolean allowsNamespaceLabelOverrides() {
        return Boolean.TRUE.equals(namespaceLabelOverrides);
    }

    /** Whether resolving a request needs its namespace's labels. */
    public boolean usesNamespaceLabels() {
        return allowsNamespaceLabelOverrides() || podSecurity.readsNamespaceLabels() || namespaces.stream().anyMatch(n -> n.selector() != null);
    }

    /** Whether resolving a request reads its namespace's annotations ({@code placement.namespaceAnnotations}, here or in an override). */
    public boolean usesNamespaceAnnotations() {
        return placement != null && placement.honoursNamespaceAnnotations()
                || namespaces.stream().anyMatch(n -> n.placement() != null && n.placement().honoursNamespaceAnnotations());
    }

    /** Whether resolving a request needs its namespace (labels or annotations): the server then watches Namespaces. */
    public boolean usesNamespaces() {
        return usesNamespaceLabels() || usesNamespaceAnnotations();
    }
}

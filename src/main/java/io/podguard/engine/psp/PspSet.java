package io.podguard.engine.psp;

import io.podguard.engine.Text;
import io.fabric8.kubernetes.api.model.policy.v1beta1.FSGroupStrategyOptions;
import io.fabric8.kubernetes.api.model.policy.v1beta1.HostPortRange;
import io.fabric8.kubernetes.api.model.policy.v1beta1.IDRange;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodSecurityPolicy;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodSecurityPolicySpec;
import io.fabric8.kubernetes.api.model.policy.v1beta1.RunAsGroupStrategyOptions;
import io.fabric8.kubernetes.api.model.policy.v1beta1.RunAsUserStrategyOptions;
import io.fabric8.kubernetes.api.model.policy.v1beta1.SELinuxStrategyOptions;
import io.fabric8.kubernetes.api.model.policy.v1beta1.SupplementalGroupsStrategyOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A validated set of PodSecurityPolicies, each compiled into a {@link PspProvider}, sorted by
 * name as the admission plugin sorted them. Invalid policies are refused as a whole with every
 * problem named, rather than skipped at admission time as the plugin did.
 */
public final class PspSet {

    private static final List<String> USER_RULES = List.of("MustRunAs", "MustRunAsNonRoot", "RunAsAny");
    private static final List<String> GROUP_RULES = List.of("MustRunAs", "MayRunAs", "RunAsAny");
    private static final List<String> SELINUX_RULES = List.of("MustRunAs", "RunAsAny");
    private static final List<String> PROC_MOUNT_TYPES = List.of("Default", "Unmasked");

    private final List<PspProvider> providers;

    private PspSet(List<PspProvider> providers) {
        this.providers = List.copyOf(providers);
    }

    /** @throws IllegalArgumentException naming every problem, one per line, when a policy is invalid */
    public static PspSet of(List<PodSecurityPolicy> policies) {
        List<String> problems = new ArrayList<>();
        List<PspProvider> providers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < policies.size(); i++) {
            PodSecurityPolicy psp = policies.get(i);
            String name = psp.getMetadata() == null ? null : psp.getMetadata().getName();
            String label = name == null || name.isEmpty() ? "PodSecurityPolicy #" + (i + 1) : "PodSecurityPolicy \"" + name + "\"";
            List<String> own = new ArrayList<>();
            if (name == null || name.isEmpty()) {
                own.add("metadata.name: Required value");
            } else if (!names.add(name)) {
                own.add("metadata.name: Duplicate value: \"" + name + "\"");
            }
            PspProvider provider = compile(psp, own);
            if (own.isEmpty() && provider != null) {
                providers.add(provider);
            }
            for (String p : own) {
                problems.add(label + ": " + p);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        providers.sort(Comparator.comparing(PspProvider::name));
        return new PspSet(providers);
    }

    /** Every policy, sorted by name. */
    public List<PspProvider> providers() {
        return providers;
    }

    public boolean isEmpty() {
        return providers.isEmpty();
    }

    /** The policies bound to this namespace and service account (all unbound ones included), sorted by name. */
    public List<PspProvider> applicable(@Nullable String namespace, String serviceAccount) {
        List<PspProvider> out = new ArrayList<>(providers.size());
        for (PspProvider p : providers) {
            if (p.binding().matches(namespace, serviceAccount)) {
                out.add(p);
            }
        }
        return out;
    }

    private static @Nullable PspProvider compile(PodSecurityPolicy psp, List<String> problems) {
        PodSecurityPolicySpec spec = psp.getSpec();
        if (spec == null) {
            problems.add("spec: Required value");
            return null;
        }
        unknown("spec", spec.getAdditionalProperties(), problems);
        Map<String, String> annotations = psp.getMetadata() == null ? null : psp.getMetadata().getAnnotations();
        PspBinding binding = PspBinding.of(annotations);
        problems.addAll(binding.problems());

        RunAsUserStrategyOptions user = spec.getRunAsUser();
        UserStrategy runAsUser = null;
        if (user == null) {
            problems.add("spec.runAsUser.rule: Required value");
        } else if (rule("spec.runAsUser", user.getRule(), USER_RULES, user.getRanges(), user.getAdditionalProperties(), problems)) {
            runAsUser = new UserStrategy(switch (user.getRule()) {
                case "MustRunAs" -> UserStrategy.Rule.MUST_RUN_AS;
                case "MustRunAsNonRoot" -> UserStrategy.Rule.MUST_RUN_AS_NON_ROOT;
                default -> UserStrategy.Rule.RUN_AS_ANY;
            }, Text.orEmpty(user.getRanges()));
        }
        RunAsGroupStrategyOptions group = spec.getRunAsGroup();
        GroupStrategy runAsGroup = group == null ? GroupStrategy.RUN_AS_ANY
                : groups("spec.runAsGroup", group.getRule(), group.getRanges(), group.getAdditionalProperties(), PspRules.RUN_AS_GROUP, problems);
        SupplementalGroupsStrategyOptions sup = spec.getSupplementalGroups();
        GroupStrategy supplemental = sup == null ? required("spec.supplementalGroups", problems)
                : groups("spec.supplementalGroups", sup.getRule(), sup.getRanges(), sup.getAdditionalProperties(), PspRules.SUPPLEMENTAL_GROUPS, problems);
        FSGroupStrategyOptions fs = spec.getFsGroup();
        GroupStrategy fsGroup = fs == null ? required("spec.fsGroup", problems)
                : groups("spec.fsGroup", fs.getRule(), fs.getRanges(), fs.getAdditionalProperties(), PspRules.FS_GROUP, problems);
        SELinuxStrategyOptions se = spec.getSeLinux();
        SeLinuxStrategy seLinux = null;
        if (se == null) {
            problems.add("spec.seLinux.rule: Required value");
        } else if (rule("spec.seLinux", se.getRule(), SELINUX_RULES, null, se.getAdditionalProperties(), problems)) {
            if ("MustRunAs".equals(se.getRule()) && se.getSeLinuxOptions() == null) {
                problems.add("spec.seLinux.seLinuxOptions: Required value: MustRunAs requires seLinuxOptions");
            } else {
                seLinux = new SeLinuxStrategy("MustRunAs".equals(se.getRule()) ? se.getSeLinuxOptions() : null);
            }
        }
        hostPorts(spec.getHostPorts(), problems);
        each("spec.volumes", spec.getVolumes(), v -> VolumeRules.VALID_TYPES.contains(v) ? null
                : "Unsupported value: \"" + v + "\"", problems);
        each("spec.allowedProcMountTypes", spec.getAllowedProcMountTypes(), v -> PROC_MOUNT_TYPES.contains(v) ? null
                : "Unsupported value: \"" + v + "\": supported values: \"Default\", \"Unmasked\"", problems);
        List<io.fabric8.kubernetes.api.model.policy.v1beta1.AllowedHostPath> hostPaths = Text.orEmpty(spec.getAllowedHostPaths());
        for (int i = 0; i < hostPaths.size(); i++) {
            String prefix = hostPaths.get(i).getPathPrefix();
            if (prefix == null || prefix.isEmpty()) {
                problems.add("spec.allowedHostPaths[" + i + "]: Required value: is required");
                break; // as upstream: one is enough
            }
            if (List.of(prefix.split("/", -1)).contains("..")) {
                problems.add("spec.allowedHostPaths[" + i + "]: Invalid value: " + GoFormat.quote(prefix) + ": must not contain '..'");
            }
        }
        each("spec.allowedFlexVolumes", spec.getAllowedFlexVolumes(), f -> f.getDriver() == null || f.getDriver().isEmpty()
                ? "driver: Required value: must specify a driver" : null, problems);
        each("spec.allowedCSIDrivers", spec.getAllowedCSIDrivers(), d -> csiDriverName(d.getName()), problems);
        if (Boolean.TRUE.equals(spec.getDefaultAllowPrivilegeEscalation()) && Boolean.FALSE.equals(spec.getAllowPrivilegeEscalation())) {
            problems.add("spec.defaultAllowPrivilegeEscalation: Invalid value: true: Cannot set DefaultAllowPrivilegeEscalation to true without also setting AllowPrivilegeEscalation to true");
        }
        List<String> allowedCaps = Text.orEmpty(spec.getAllowedCapabilities());
        List<String> requiredDrops = Text.orEmpty(spec.getRequiredDropCapabilities());
        if (!requiredDrops.isEmpty() && allowedCaps.contains("*")) {
            problems.add("spec.requiredDropCapabilities: Invalid value: " + GoFormat.capabilities(requiredDrops)
                    + ": must be empty when all capabilities are allowed by a wildcard");
        }
        Set<String> allowedSet = new HashSet<>(allowedCaps);
        Set<String> defaultSet = new HashSet<>(Text.orEmpty(spec.getDefaultAddCapabilities()));
        for (String drop : requiredDrops) {
            if (allowedSet.contains(drop)) {
                problems.add("spec.requiredDropCapabilities: Invalid value: \"" + drop
                        + "\": capability is listed in allowedCapabilities and requiredDropCapabilities");
            }
            if (defaultSet.contains(drop)) {
                problems.add("spec.requiredDropCapabilities: Invalid value: \"" + drop
                        + "\": capability is listed in defaultAddCapabilities and requiredDropCapabilities");
            }
        }
        sysctls("spec.allowedUnsafeSysctls", Text.orEmpty(spec.getAllowedUnsafeSysctls()), problems);
        sysctls("spec.forbiddenSysctls", Text.orEmpty(spec.getForbiddenSysctls()), problems);
        sysctlOverlaps(Text.orEmpty(spec.getAllowedUnsafeSysctls()), Text.orEmpty(spec.getForbiddenSysctls()), problems);
        if (spec.getRuntimeClass() != null) {
            runtimeClass(spec.getRuntimeClass().getDefaultRuntimeClassName(),
                    Text.orEmpty(spec.getRuntimeClass().getAllowedRuntimeClassNames()), problems);
        }
        if (!problems.isEmpty() || runAsUser == null || seLinux == null || supplemental == null || fsGroup == null || runAsGroup == null) {
            return null;
        }
        return new PspProvider(psp, binding, fsGroup, supplemental, runAsGroup, runAsUser, seLinux);
    }

    // The policy checks below are Kubernetes 1.24's (pkg/apis/policy/validation), which the apiserver
    // applied when a PodSecurityPolicy was created: a policy it would have refused is refused here.

    /** Upstream's sysctl pattern, segment by segment (no nested repetition): {@code a.b_c.d-e*}. */
    private static final java.util.regex.Pattern SYSCTL_SEGMENT = java.util.regex.Pattern.compile("[a-z0-9]([-_a-z0-9]*[a-z0-9])?");
    private static final java.util.regex.Pattern SYSCTL_LAST_SEGMENT = java.util.regex.Pattern.compile("([a-z0-9][-_a-z0-9]*)?[a-z0-9*]");
    private static final int SYSCTL_MAX_LENGTH = 253;
    private static final int MAX_SYSCTLS = 1024;
    private static final int MAX_OVERLAPS = 20;
    private static final java.util.regex.Pattern DNS_LABEL = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    static boolean validSysctlPattern(String name) {
        if (name.length() > SYSCTL_MAX_LENGTH) {
            return false;
        }
        String[] segments = name.split("\\.", -1);
        for (int i = 0; i < segments.length - 1; i++) {
            if (!SYSCTL_SEGMENT.matcher(segments[i]).matches()) {
                return false;
            }
        }
        return SYSCTL_LAST_SEGMENT.matcher(segments[segments.length - 1]).matches();
    }

    private static void sysctls(String path, List<String> sysctls, List<String> problems) {
        if (sysctls.size() > MAX_SYSCTLS) {
            problems.add(path + ": Too many: " + sysctls.size() + ": must have at most " + MAX_SYSCTLS + " items");
            return;
        }
        boolean coversAll = false;
        for (int i = 0; i < sysctls.size(); i++) {
            String s = sysctls.get(i);
            if (s.isEmpty()) {
                problems.add(path + "[" + i + "]: Invalid value: \"\": empty sysctl not allowed");
            } else if (!validSysctlPattern(s)) {
                problems.add(path + "[" + i + "]: Invalid value: " + GoFormat.quote(s) + ": must have at most " + SYSCTL_MAX_LENGTH
                        + " characters and match regex (" + SYSCTL_SEGMENT.pattern() + "\\.)*" + SYSCTL_LAST_SEGMENT.pattern());
            } else if (s.charAt(0) == '*') {
                coversAll = true;
            }
        }
        if (coversAll && sysctls.size() > 1) {
            problems.add(path + ".items: Forbidden: if '*' is present, must not specify other sysctls");
        }
    }

    /**
     * Upstream's {@code validatePodSecurityPolicySysctlListsDoNotOverlap}: no sysctl both allowed and
     * forbidden. Each pair is compared, so the lists are bounded first (the kernel has about a
     * thousand sysctls; upstream had no bound) and the problems after {@value #MAX_OVERLAPS} are
     * counted, not listed.
     */
    private static void sysctlOverlaps(List<String> allowed, List<String> forbidden, List<String> problems) {
        if (allowed.size() > MAX_SYSCTLS || forbidden.size() > MAX_SYSCTLS) {
            return; // refused by sysctls()
        }
        int found = 0;
        for (int i = 0; i < allowed.size(); i++) {
            String a = allowed.get(i);
            boolean aPattern = a.endsWith("*");
            String aPrefix = aPattern ? a.substring(0, a.length() - 1) : "";
            for (int j = 0; j < forbidden.size(); j++) {
                String f = forbidden.get(j);
                boolean fPattern = f.endsWith("*");
                String fPrefix = fPattern ? f.substring(0, f.length() - 1) : "";
                // 1: the allowed entry is reported, 2: the forbidden one, as upstream chose
                int overlap;
                if (aPattern && fPattern) {
                    overlap = aPrefix.startsWith(fPrefix) ? 1 : fPrefix.startsWith(aPrefix) ? 2 : 0;
                } else if (aPattern) {
                    overlap = f.startsWith(aPrefix) ? 2 : 0;
                } else if (fPattern) {
                    overlap = a.startsWith(fPrefix) ? 1 : 0;
                } else {
                    overlap = a.equals(f) ? 1 : 0;
                }
                if (overlap != 0 && found++ < MAX_OVERLAPS) {
                    problems.add(overlap == 1
                            ? "spec.allowedUnsafeSysctls[" + i + "]: Invalid value: " + GoFormat.quote(a) + ": sysctl overlaps with " + f
                            : "spec.forbiddenSysctls[" + j + "]: Invalid value: " + GoFormat.quote(f) + ": sysctl overlaps with " + a);
                }
            }
        }
        if (found > MAX_OVERLAPS) {
            problems.add("spec.allowedUnsafeSysctls: " + (found - MAX_OVERLAPS) + " more overlaps with spec.forbiddenSysctls");
        }
    }

    private static final String DNS_SUBDOMAIN_MESSAGE = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric"
            + " characters, '-' or '.', and must start and end with an alphanumeric character";

    /** Upstream's {@code ValidateCSIDriverName}: required, at most 63 characters, a DNS subdomain once lower-cased. */
    private static @Nullable String csiDriverName(@Nullable String name) {
        if (name == null || name.isEmpty()) {
            return "name: Required value";
        }
        if (name.length() > 63) {
            return "name: Too long: must have at most 63 bytes";
        }
        return dnsSubdomain(name.toLowerCase(java.util.Locale.ROOT)) ? null
                : "name: Invalid value: " + GoFormat.quote(name) + ": " + DNS_SUBDOMAIN_MESSAGE;
    }

    /** A lowercase RFC 1123 subdomain, label by label: at most 253 characters. */
    private static boolean dnsSubdomain(String name) {
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!DNS_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /** Upstream's {@code validateRuntimeClassStrategy}. */
    private static void runtimeClass(@Nullable String def, List<String> allowed, List<String> problems) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < allowed.size(); i++) {
            String name = allowed.get(i);
            if (!name.equals("*") && !dnsSubdomain(name)) {
                problems.add("spec.runtimeClass.allowedRuntimeClassNames[" + i + "]: Invalid value: " + GoFormat.quote(name)
                        + ": " + DNS_SUBDOMAIN_MESSAGE);
            }
            if (!seen.add(name)) {
                problems.add("spec.runtimeClass.allowedRuntimeClassNames[" + i + "]: Duplicate value: " + GoFormat.quote(name));
            }
        }
        if (def != null) {
            if (!dnsSubdomain(def)) {
                problems.add("spec.runtimeClass.defaultRuntimeClassName: Invalid value: " + GoFormat.quote(def)
                        + ": " + DNS_SUBDOMAIN_MESSAGE);
            }
            if (!seen.contains(def) && !seen.contains("*")) {
                problems.add("spec.runtimeClass.allowedRuntimeClassNames: Required value: default " + GoFormat.quote(def) + " must be allowed");
            }
        }
        if (seen.contains("*") && allowed.size() > 1) {
            problems.add("spec.runtimeClass.allowedRuntimeClassNames: Invalid value: " + GoFormat.strings(allowed)
                    + ": if '*' is present, must not specify other RuntimeClass names");
        }
    }

    private static boolean rule(String path, @Nullable String rule, List<String> allowed, @Nullable List<IDRange> ranges,
                                @Nullable Map<String, Object> additional, List<String> problems) {
        unknown(path, additional, problems);
        if (rule == null || !allowed.contains(rule)) {
            problems.add(path + ".rule: Unsupported value: \"" + (rule == null ? "" : rule) + "\": supported values: "
                    + String.join(", ", allowed.stream().map(r -> "\"" + r + "\"").toList()));
            return false;
        }
        boolean needsRanges = "MayRunAs".equals(rule) || "MustRunAs".equals(rule) && !path.equals("spec.seLinux");
        if (needsRanges && (ranges == null || ranges.isEmpty())) {
            problems.add(path + ".ranges: Required value: " + rule + " requires at least one range");
            return false;
        }
        boolean ok = true;
        List<IDRange> list = Text.orEmpty(ranges);
        for (int i = 0; i < list.size(); i++) {
            IDRange r = list.get(i);
            if (r.getMin() == null || r.getMax() == null || r.getMin() < 0 || r.getMin() > r.getMax()) {
                problems.add(path + ".ranges[" + i + "]: Invalid value: {" + r.getMin() + " " + r.getMax()
                        + "}: min must be at least 0 and no more than max");
                ok = false;
            }
        }
        return ok;
    }

    private static @Nullable GroupStrategy groups(String path, @Nullable String rule, @Nullable List<IDRange> ranges,
                                                  @Nullable Map<String, Object> additional, String ruleId, List<String> problems) {
        if (!rule(path, rule, GROUP_RULES, ranges, additional, problems)) {
            return null;
        }
        return switch (rule) {
            case "MustRunAs" -> new GroupStrategy(GroupStrategy.Rule.MUST_RUN_AS, ranges, ruleId);
            case "MayRunAs" -> new GroupStrategy(GroupStrategy.Rule.MAY_RUN_AS, ranges, ruleId);
            default -> new GroupStrategy(GroupStrategy.Rule.RUN_AS_ANY, List.of(), ruleId);
        };
    }

    private static @Nullable GroupStrategy required(String path, List<String> problems) {
        problems.add(path + ".rule: Required value");
        return null;
    }

    private static void hostPorts(@Nullable List<HostPortRange> ranges, List<String> problems) {
        List<HostPortRange> list = Text.orEmpty(ranges);
        for (int i = 0; i < list.size(); i++) {
            HostPortRange r = list.get(i);
            if (r.getMin() == null || r.getMax() == null || r.getMin() < 0 || r.getMax() > 65535 || r.getMin() > r.getMax()) {
                problems.add("spec.hostPorts[" + i + "]: Invalid value: {" + r.getMin() + " " + r.getMax()
                        + "}: min and max must be between 0 and 65535, min no more than max");
            }
        }
    }

    private static <T> void each(String path, @Nullable List<T> values, Function<T, @Nullable String> check, List<String> problems) {
        List<T> list = Text.orEmpty(values);
        for (int i = 0; i < list.size(); i++) {
            String problem = check.apply(list.get(i));
            if (problem != null) {
                problems.add(path + "[" + i + "]: " + problem);
            }
        }
    }

    private static void unknown(String path, @Nullable Map<String, Object> additional, List<String> problems) {
        if (additional != null) {
            for (String key : additional.keySet()) {
                problems.add(path + "." + key + ": unknown field");
            }
        }
    }

}

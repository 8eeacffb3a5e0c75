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
        each("spec.allowedHostPaths", spec.getAllowedHostPaths(), p -> p.getPathPrefix() == null || p.getPathPrefix().isEmpty()
                ? "pathPrefix: Required value" : null, problems);
        if (Boolean.TRUE.equals(spec.getDefaultAllowPrivilegeEscalation()) && Boolean.FALSE.equals(spec.getAllowPrivilegeEscalation())) {
            problems.add("spec.defaultAllowPrivilegeEscalation: Invalid value: true: Cannot set DefaultAllowPrivilegeEscalation to true without also setting AllowPrivilegeEscalation to true");
        }
        List<String> allowedCaps = Text.orEmpty(spec.getAllowedCapabilities());
        for (String drop : Text.orEmpty(spec.getRequiredDropCapabilities())) {
            if (allowedCaps.contains(drop)) {
                problems.add("spec.requiredDropCapabilities: Invalid value: \"" + drop
                        + "\": capability is listed in allowedCapabilities and requiredDropCapabilities");
            }
            if (Text.orEmpty(spec.getDefaultAddCapabilities()).contains(drop)) {
                problems.add("spec.requiredDropCapabilities: Invalid value: \"" + drop
                        + "\": capability is listed in defaultAddCapabilities and requiredDropCapabilities");
            }
        }
        if (spec.getRuntimeClass() != null) {
            String def = spec.getRuntimeClass().getDefaultRuntimeClassName();
            List<String> allowed = Text.orEmpty(spec.getRuntimeClass().getAllowedRuntimeClassNames());
            if (def != null && !allowed.contains("*") && !allowed.contains(def)) {
                problems.add("spec.runtimeClass.defaultRuntimeClassName: Invalid value: \"" + def + "\": default must be allowed");
            }
        }
        if (!problems.isEmpty() || runAsUser == null || seLinux == null || supplemental == null || fsGroup == null || runAsGroup == null) {
            return null;
        }
        return new PspProvider(psp, binding, fsGroup, supplemental, runAsGroup, runAsUser, seLinux);
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

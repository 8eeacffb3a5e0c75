package io.podguard.engine.psp;

import io.podguard.engine.Level;
import io.podguard.engine.pss.Check;
import io.podguard.engine.pss.PodSecurityChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Writes the PodGuardPolicy closest to a set of PodSecurityPolicies, for teams that prefer
 * podguard's native Pod Security Standards form to keeping their PSPs. A pod was admitted when
 * any PSP bound to it admitted it, so the cluster-wide level is the least restrictive level among
 * the PSPs that apply to every pod; PSPs bound to namespaces become {@code namespaces:} entries
 * with their level, and PSPs bound to service accounts become {@code exemptions:} of the checks
 * their level does not require. {@code defaults:} only when the PSPs defaulted something
 * (PSP's own defaults become the closest securityContext defaults). The output is a complete,
 * loadable policy; what PSS cannot express is named in comments.
 */
public final class PspConverter {

    private static final String ALL_CAPABILITIES = "ALL";
    private static final String SECCOMP_DEFAULT = "seccomp.security.alpha.kubernetes.io/defaultProfileName";

    private PspConverter() {
    }

    public static String convert(PspSet set, String source) {
        StringBuilder out = new StringBuilder();
        out.append("# PodGuardPolicy converted from ").append(set.providers().size()).append(" PodSecurityPolicies in ")
                .append(source).append(".\n");
        out.append("#\n# Closest Pod Security Standards level of each PodSecurityPolicy:\n");
        Level cluster = null;
        Map<String, Level> namespaces = new TreeMap<>();
        List<PspProvider> serviceAccountBound = new ArrayList<>();
        Map<String, Level> levels = new TreeMap<>();
        List<PspProvider> forAll = new ArrayList<>();
        for (PspProvider p : set.providers()) {
            PssLevels.Result r = PssLevels.of(p);
            levels.put(p.name(), r.level());
            out.append("#   ").append(p.name()).append(" (").append(scope(p.binding())).append("): ").append(r.level()).append('\n');
            List<String> gaps = r.level() == Level.PRIVILEGED ? r.notBaseline() : r.notRestricted();
            String next = r.level() == Level.PRIVILEGED ? "baseline" : "restricted";
            for (String gap : gaps) {
                out.append("#     not ").append(next).append(": ").append(gap).append('\n');
            }
            for (String s : r.stricter()) {
                out.append("#     PSS is stricter: ").append(s).append('\n');
            }
            PspBinding b = p.binding();
            if (b.appliesToAll()) {
                cluster = cluster == null || r.level().compareTo(cluster) < 0 ? r.level() : cluster;
                forAll.add(p);
            } else if (b.serviceAccounts() != null) {
                serviceAccountBound.add(p);
            } else {
                for (String ns : b.namespaces()) {
                    namespaces.merge(ns, r.level(), (x, y) -> x.compareTo(y) <= 0 ? x : y);
                }
            }
        }
        if (cluster == null) {
            out.append("#\n# No PodSecurityPolicy applied to every pod, so pods outside the bound namespaces were refused;\n")
                    .append("# restricted is the closest level for them.\n");
            cluster = Level.RESTRICTED;
        }
        Level clusterLevel = cluster;
        out.append("#\n# Not carried over: the finer rules PSS has no level for (allowedHostPaths, allowedFlexVolumes,\n")
                .append("# allowedCSIDrivers, ID ranges, allowed profiles) and PSP's defaults beyond the securityContext\n")
                .append("# fields below. To keep them, use the PodSecurityPolicies themselves as the policy (docs/psp.md).\n");
        out.append("apiVersion: podguard.io/v1alpha1\n");
        out.append("kind: PodGuardPolicy\n");
        out.append("mode: enforce\n");
        out.append("podSecurity:\n");
        out.append("  level: ").append(cluster).append('\n');
        out.append("  version: latest\n");
        Map<String, Level> looser = new TreeMap<>();
        namespaces.forEach((ns, level) -> {
            if (level.compareTo(clusterLevel) < 0) {
                looser.put(ns, level);
            }
        });
        if (!looser.isEmpty()) {
            out.append("# Namespaces whose PodSecurityPolicies allowed more than the cluster level.\n");
            out.append("namespaces:\n");
            looser.forEach((ns, level) -> out.append("  - names: [").append(quote(ns)).append("]\n")
                    .append("    podSecurity: {level: ").append(level).append(", version: latest}\n"));
        }
        List<String> exemptions = new ArrayList<>();
        for (PspProvider p : serviceAccountBound) {
            Level level = levels.get(p.name());
            if (level.compareTo(clusterLevel) >= 0) {
                continue;
            }
            StringBuilder e = new StringBuilder();
            e.append("  - reason: ").append(quote("PodSecurityPolicy " + p.name() + " (" + level + ") was bound to these service accounts"))
                    .append('\n');
            e.append("    serviceAccounts: [").append(String.join(", ", p.binding().serviceAccounts().stream().map(PspConverter::quote).toList()))
                    .append("]\n");
            if (p.binding().namespaces() != null) {
                e.append("    namespaces: [").append(String.join(", ", p.binding().namespaces().stream().map(PspConverter::quote).toList()))
                        .append("]\n");
            }
            List<String> checks = checksAbove(level, clusterLevel);
            if (level != Level.PRIVILEGED) {
                e.append("    checks: [").append(String.join(", ", checks)).append("]\n");
            }
            exemptions.add(e.toString());
        }
        if (!exemptions.isEmpty()) {
            out.append("# Service accounts whose PodSecurityPolicies allowed more than the cluster level (PSS cannot select\n")
                    .append("# service accounts; an exemption without checks leaves their pods unjudged).\n");
            out.append("exemptions:\n");
            exemptions.forEach(out::append);
        }
        out.append(defaults(forAll));
        return out.toString();
    }

    /** The Pod Security Standards checks that {@code cluster} requires and {@code level} does not. */
    private static List<String> checksAbove(Level level, Level cluster) {
        Set<String> ids = new TreeSet<>();
        for (Check check : PodSecurityChecks.registry().checks()) {
            if (check.level().compareTo(level) > 0 && check.level().compareTo(cluster) <= 0) {
                ids.add(check.id());
            }
        }
        return List.copyOf(ids);
    }

    /**
     * podguard's securityContext defaults closest to what the PSPs that apply to every pod set by
     * default; none (defaults off) when they set nothing, so converting never adds a patch the
     * cluster did not have.
     */
    private static String defaults(List<PspProvider> forAll) {
        boolean noEscalation = !forAll.isEmpty() && forAll.stream().allMatch(p -> Boolean.FALSE.equals(p.policy().getSpec().getAllowPrivilegeEscalation())
                || Boolean.FALSE.equals(p.policy().getSpec().getDefaultAllowPrivilegeEscalation()));
        boolean seccomp = !forAll.isEmpty() && forAll.stream().allMatch(p -> p.policy().getMetadata() != null
                && p.policy().getMetadata().getAnnotations() != null
                && "runtime/default".equals(p.policy().getMetadata().getAnnotations().get(SECCOMP_DEFAULT)));
        boolean dropAll = !forAll.isEmpty() && forAll.stream().allMatch(p -> p.policy().getSpec().getRequiredDropCapabilities() != null
                && p.policy().getSpec().getRequiredDropCapabilities().contains(ALL_CAPABILITIES));
        boolean nonRoot = !forAll.isEmpty() && forAll.stream().allMatch(p -> p.policy().getSpec().getRunAsUser() != null
                && "MustRunAsNonRoot".equals(p.policy().getSpec().getRunAsUser().getRule()));
        if (!noEscalation && !seccomp && !dropAll && !nonRoot) {
            return "# The PodSecurityPolicies set no securityContext defaults: neither does this policy.\ndefaults:\n  enabled: false\n";
        }
        return "# What the PodSecurityPolicies set by default, as podguard's securityContext defaults (nothing else).\n"
                + "defaults:\n"
                + "  resources: {enabled: false}\n"
                + "  readinessProbe: {enabled: false}\n"
                + "  preStop: {enabled: false}\n"
                + "  securityContext:\n"
                + "    disallowPrivilegeEscalation: " + noEscalation + "\n"
                + "    seccompRuntimeDefault: " + seccomp + "\n"
                + "    runAsNonRoot: " + nonRoot + "\n"
                + "    dropAllCapabilities: " + dropAll + "\n";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String scope(PspBinding b) {
        if (b.appliesToAll()) {
            return "all pods";
        }
        List<String> parts = new ArrayList<>();
        if (b.namespaces() != null) {
            parts.add("namespaces " + String.join(", ", b.namespaces()));
        }
        if (b.serviceAccounts() != null) {
            parts.add("service accounts " + String.join(", ", b.serviceAccounts()));
        }
        return String.join("; ", parts);
    }
}

package io.podguard.engine.psp;

import io.podguard.engine.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the PodGuardPolicy closest to a set of PodSecurityPolicies, for teams that prefer
 * podguard's native Pod Security Standards form to keeping their PSPs. A pod was admitted
 * when any PSP bound to it admitted it, so the cluster-wide level is the least restrictive
 * level among the PSPs that apply to every pod; PSPs bound to namespaces are listed as the
 * namespace levels to configure. Everything PSS cannot express is named in comments.
 */
public final class PspConverter {

    private PspConverter() {
    }

    public static String convert(PspSet set, String source) {
        StringBuilder out = new StringBuilder();
        out.append("# PodGuardPolicy converted from ").append(set.providers().size()).append(" PodSecurityPolicies in ")
                .append(source).append(".\n");
        out.append("#\n# Closest Pod Security Standards level of each PodSecurityPolicy:\n");
        Level cluster = null;
        Map<String, Level> namespaces = new TreeMap<>();
        List<String> serviceAccountBound = new ArrayList<>();
        for (PspProvider p : set.providers()) {
            PssLevels.Result r = PssLevels.of(p);
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
            } else if (b.serviceAccounts() != null) {
                serviceAccountBound.add(p.name() + ": " + r.level());
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
        if (!namespaces.isEmpty()) {
            out.append("#\n# Namespaces whose PodSecurityPolicies allowed more than the cluster level (give them their own level):\n");
            for (Map.Entry<String, Level> e : namespaces.entrySet()) {
                Level level = e.getValue().compareTo(cluster) < 0 ? e.getValue() : cluster;
                out.append("#   ").append(e.getKey()).append(": ").append(level).append('\n');
            }
        }
        if (!serviceAccountBound.isEmpty()) {
            out.append("#\n# Bound to service accounts, which Pod Security Standards cannot select (use an exemption):\n");
            serviceAccountBound.forEach(s -> out.append("#   ").append(s).append('\n'));
        }
        out.append("#\n# Not carried over: PSP's defaults (runAsUser, groups, seLinux, capabilities, seccomp and AppArmor\n")
                .append("# profiles, readOnlyRootFilesystem, runtime class) and the finer rules PSS has no level for\n")
                .append("# (allowedHostPaths, allowedFlexVolumes, allowedCSIDrivers, ID ranges). To keep them, use the\n")
                .append("# PodSecurityPolicies themselves as the policy (see docs/psp.md).\n");
        out.append("kind: PodGuardPolicy\n");
        out.append("mode: enforce\n");
        out.append("podSecurity:\n");
        out.append("  level: ").append(cluster).append('\n');
        out.append("  version: latest\n");
        out.append("defaults:\n");
        out.append("  enabled: true\n");
        return out.toString();
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

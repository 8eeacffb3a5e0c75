package io.podguard.engine.psp;

import io.podguard.engine.Glob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Which pods a PodSecurityPolicy applies to, in place of the RBAC {@code use} grants that
 * chose PSPs in Kubernetes. Read from the policy's own annotations, so a PSP file stays a
 * plain list of PSP objects:
 *
 * <ul>
 *   <li>{@code podguard.io/namespaces: "kube-system, monitoring, team-*"}: pods in these namespaces;
 *   <li>{@code podguard.io/service-accounts: "kube-system:fluentd, logging:log-shipper"}:
 *       pods running as these service accounts, {@code NAMESPACE:NAME}. A bare {@code NAME}, or a
 *       namespace part that starts with a wildcard, is only accepted beside
 *       {@code podguard.io/namespaces}: otherwise a tenant could create an account of that name in
 *       its own namespace and grant itself the policy.
 * </ul>
 *
 * A policy with neither applies to every pod. With both, a pod must match both. Names are
 * {@link Glob} patterns ({@code team-*}; {@code *} alone matches all).
 */
public record PspBinding(@Nullable List<String> namespaces, @Nullable List<String> serviceAccounts) {

    public static final String NAMESPACES_ANNOTATION = "podguard.io/namespaces";
    public static final String SERVICE_ACCOUNTS_ANNOTATION = "podguard.io/service-accounts";

    public static final PspBinding ALL = new PspBinding(null, null);

    static PspBinding of(@Nullable Map<String, String> annotations) {
        if (annotations == null) {
            return ALL;
        }
        return new PspBinding(list(annotations.get(NAMESPACES_ANNOTATION)), list(annotations.get(SERVICE_ACCOUNTS_ANNOTATION)));
    }

    public boolean appliesToAll() {
        return namespaces == null && serviceAccounts == null;
    }

    /**
     * @param namespace the pod's namespace
     * @param serviceAccount the pod's {@code spec.serviceAccountName} ({@code default} when unset)
     */
    public boolean matches(@Nullable String namespace, String serviceAccount) {
        String ns = namespace == null ? "" : namespace;
        if (namespaces != null && namespaces.stream().noneMatch(p -> Glob.compile(p).matches(ns))) {
            return false;
        }
        if (serviceAccounts == null) {
            return true;
        }
        for (String entry : serviceAccounts) {
            int colon = entry.indexOf(':');
            String nsPattern = colon < 0 ? "*" : entry.substring(0, colon);
            String namePattern = colon < 0 ? entry : entry.substring(colon + 1);
            if (Glob.compile(nsPattern).matches(ns) && Glob.compile(namePattern).matches(serviceAccount)) {
                return true;
            }
        }
        return false;
    }

    /** Problems with the annotations' values, for the policy loader; empty when fine. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (namespaces != null && namespaces.isEmpty()) {
            problems.add("metadata.annotations[" + NAMESPACES_ANNOTATION + "]: must name at least one namespace");
        }
        if (serviceAccounts != null) {
            if (serviceAccounts.isEmpty()) {
                problems.add("metadata.annotations[" + SERVICE_ACCOUNTS_ANNOTATION + "]: must name at least one service account");
            }
            for (String entry : serviceAccounts) {
                String where = "metadata.annotations[" + SERVICE_ACCOUNTS_ANNOTATION + "]: \"" + entry + "\"";
                int colon = entry.indexOf(':');
                if (colon != entry.lastIndexOf(':') || entry.startsWith(":") || entry.endsWith(":")) {
                    problems.add(where + " is not NAME or NAMESPACE:NAME");
                } else if (namespaces == null && (colon < 0 || !literalStart(entry.substring(0, colon)))) {
                    problems.add(where + " matches that account name in any namespace, and whoever can create a service account"
                            + " there could use this policy: name the namespace (NAMESPACE:NAME) or list the namespaces in "
                            + NAMESPACES_ANNOTATION);
                }
                for (String part : entry.split(":", -1)) {
                    problems.addAll(globProblem(where, part));
                }
            }
        }
        if (namespaces != null) {
            for (String ns : namespaces) {
                problems.addAll(globProblem("metadata.annotations[" + NAMESPACES_ANNOTATION + "]: \"" + ns + "\"", ns));
            }
        }
        return problems;
    }

    private static boolean literalStart(String pattern) {
        try {
            return Glob.compile(pattern).hasLiteralStart();
        } catch (IllegalArgumentException e) {
            return true; // reported by globProblem
        }
    }

    private static List<String> globProblem(String where, String pattern) {
        if (pattern.isEmpty()) {
            return List.of();
        }
        try {
            Glob.compile(pattern);
            return List.of();
        } catch (IllegalArgumentException e) {
            return List.of(where + ": bad pattern: " + e.getMessage());
        }
    }

    private static @Nullable List<String> list(@Nullable String value) {
        if (value == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (String part : value.split(",")) {
            String trimmed = part.strip();
            if (!trimmed.isEmpty()) {
                out.add(trimmed);
            }
        }
        return List.copyOf(out);
    }
}

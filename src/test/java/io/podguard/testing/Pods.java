package io.podguard.testing;

/** Pod JSON used across tests. */
public final class Pods {

    /** Compliant with the restricted Pod Security Standard at every version. */
    public static final String RESTRICTED = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"ok","namespace":"default"},
             "spec":{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
                     "containers":[{"name":"app","image":"nginx",
                       "securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}}""";

    /** Breaks baseline twice: a privileged container and the host network. */
    public static final String PRIVILEGED = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"bad","namespace":"default"},
             "spec":{"hostNetwork":true,
                     "containers":[{"name":"app","image":"nginx","securityContext":{"privileged":true}}]}}""";

    private Pods() {
    }
}

package io.podguard.testing;

/** PodSecurityPolicy documents for tests that read policy files. */
public final class PspDocuments {

    private PspDocuments() {
    }

    /** The smallest valid PSP: every strategy RunAsAny, nothing else allowed. */
    public static String permissive(String name) {
        return """
                apiVersion: policy/v1beta1
                kind: PodSecurityPolicy
                metadata: {name: %s}
                spec:
                  runAsUser: {rule: RunAsAny}
                  seLinux: {rule: RunAsAny}
                  supplementalGroups: {rule: RunAsAny}
                  fsGroup: {rule: RunAsAny}
                """.formatted(name);
    }
}

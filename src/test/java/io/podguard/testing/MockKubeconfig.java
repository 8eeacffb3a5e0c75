package io.podguard.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kubeconfig for fabric8's mock apiserver, so that podguard reaches it as it reaches any
 * cluster: one context "mock", a bearer token, the server's self-signed certificate not verified.
 */
public final class MockKubeconfig {

    private MockKubeconfig() {
    }

    /** Writes it to {@code file}; {@code namespace} null leaves the context without one. */
    public static Path write(Path file, String server, String user, String namespace) throws IOException {
        String context = namespace == null ? "{cluster: mock, user: %s}".formatted(user)
                : "{cluster: mock, user: %s, namespace: %s}".formatted(user, namespace);
        return Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
                users: [{name: %s, user: {token: not-a-secret}}]
                contexts: [{name: mock, context: %s}]
                current-context: mock
                """.formatted(server, user, context));
    }
}

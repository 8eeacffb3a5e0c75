package io.podguard.server;

import io.podguard.policy.Policy;
import io.podguard.policy.PolicyFiles;
import java.nio.file.Path;

/**
 * The policy file {@code serve} read and checked before the server started, handed to the server
 * so that the file is read, validated and compiled once at start-up, not twice.
 *
 * @param file   the policy file, absolute
 * @param policy what it holds
 * @param read   what the load read ({@link PolicyFiles#snapshot()}), for the file watcher
 */
public record StartupPolicy(Path file, Policy policy, PolicyFiles.Snapshot read) {

    /** The bean name under which {@code serve} registers it. */
    public static final String BEAN = "podguardStartupPolicy";
}

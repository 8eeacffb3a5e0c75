package io.podguard.server;

import io.podguard.policy.Policy;
import java.nio.file.Path;

/**
 * The policy file {@code serve} read and checked before the server started, handed to the server
 * so that the file is read, validated and compiled once at start-up, not twice.
 *
 * @param file   the policy file, absolute
 * @param policy what it holds
 * @param digest the digest of what the load read ({@code PolicyFiles.digest()}), for the file watcher
 */
public record StartupPolicy(Path file, Policy policy, byte[] digest) {

    /** The bean name under which {@code serve} registers it. */
    public static final String BEAN = "podguardStartupPolicy";
}

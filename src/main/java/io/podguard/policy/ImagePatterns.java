package io.podguard.policy;

import io.podguard.engine.ImageReferences;
import org.jspecify.annotations.Nullable;

/**
 * The rule for image patterns in exemptions: anchored to something the pod author cannot
 * choose. Pods are matched in their fully qualified form ({@link ImageReferences#normalize}), so
 * {@code docker.io/istio/proxyv2:*} covers {@code istio/proxyv2:1.24} too.
 */
final class ImagePatterns {

    private static final String DIGEST = "@sha256:";
    private static final int DIGEST_HEX = 64;

    private ImagePatterns() {
    }

    /** Why {@code pattern} is not anchored to a registry host or a digest; null when it is. */
    static @Nullable String anchoringProblem(String pattern) {
        if (endsWithDigest(pattern)) {
            return null;
        }
        int slash = pattern.indexOf('/');
        String host = slash > 0 ? pattern.substring(0, slash) : "";
        if (!host.isEmpty() && ImageReferences.isHost(host) && !hasWildcard(host)) {
            return null;
        }
        return "is not anchored: a pod author chooses the registry of an image, so a pattern must start with a registry host"
                + " (docker.io/istio/proxyv2:*, registry.example/team/*) or end with a digest (…@sha256:<64 hex digits>)";
    }

    private static boolean endsWithDigest(String pattern) {
        int at = pattern.length() - DIGEST_HEX - DIGEST.length();
        if (at < 0 || !pattern.startsWith(DIGEST, at)) {
            return false;
        }
        for (int i = pattern.length() - DIGEST_HEX; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasWildcard(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf(']') >= 0;
    }
}
